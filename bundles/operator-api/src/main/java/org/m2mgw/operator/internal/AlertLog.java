package org.m2mgw.operator.internal;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.m2mgw.api.alert.Alert;

/**
 * The newest alerts, in memory, for the operator to work through: bounded (the oldest is dropped
 * when full), each acknowledgeable by its id. Alerts come from Event Admin
 * ({@link Alert#TOPIC}); a restart forgets them (the cloud connection publishes every alert, so
 * the record outside the gateway is the broker's).
 */
final class AlertLog {

    /** An alert with the action taken and its acknowledgement. */
    static final class Entry {
        final Alert alert;
        final String action;
        volatile Instant acknowledgedAt;

        Entry(Alert alert, String action) {
            this.alert = alert;
            this.action = action;
        }

        boolean acknowledged() {
            return acknowledgedAt != null;
        }

        /** @return the device id when the alert is about a device, else null */
        String device() {
            return alert.subjectKind() == Alert.SubjectKind.DEVICE ? alert.subject() : null;
        }
    }

    /** A page of alerts, newest first. */
    record Page(int total, List<Entry> items) {
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final Map<String, Entry> byId = new HashMap<>();
    private int max;
    private long received;
    private long dropped;

    AlertLog(int max) {
        this.max = max;
    }

    synchronized void resize(int newMax) {
        max = newMax;
        trim();
    }

    /** Adds an alert; a second alert with a known id replaces nothing and is ignored. */
    synchronized void add(Alert alert, String action) {
        received++;
        if (byId.containsKey(alert.id())) {
            return;
        }
        Entry e = new Entry(alert, action == null ? "none" : action);
        entries.addLast(e);
        byId.put(alert.id(), e);
        trim();
    }

    private void trim() {
        while (entries.size() > max) {
            Entry old = entries.removeFirst();
            byId.remove(old.alert.id());
            dropped++;
        }
    }

    /** @return the acknowledged entry, or empty if no alert has this id (any more) */
    synchronized Optional<Entry> acknowledge(String id, Instant now) {
        Entry e = byId.get(id);
        if (e == null) {
            return Optional.empty();
        }
        if (e.acknowledgedAt == null) {
            e.acknowledgedAt = now;
        }
        return Optional.of(e);
    }

    /**
     * @param filter which alerts
     * @return the total that match and the page {@code [offset, offset + limit)}, newest first
     */
    synchronized Page page(Predicate<Entry> filter, int offset, int limit) {
        int total = 0;
        List<Entry> items = new ArrayList<>(Math.min(limit, 500));
        for (Iterator<Entry> it = entries.descendingIterator(); it.hasNext();) {
            Entry e = it.next();
            if (!filter.test(e)) {
                continue;
            }
            if (total >= offset && items.size() < limit) {
                items.add(e);
            }
            total++;
        }
        return new Page(total, items);
    }

    /** @return alerts per device id, for the device list */
    synchronized Map<String, Integer> countsByDevice() {
        Map<String, Integer> out = new HashMap<>();
        for (Entry e : entries) {
            String d = e.device();
            if (d != null) {
                out.merge(d, 1, Integer::sum);
            }
        }
        return out;
    }

    synchronized int size() {
        return entries.size();
    }

    /** @return alerts received since start (the history's "alerts" series counts from it) */
    synchronized long received() {
        return received;
    }

    synchronized long dropped() {
        return dropped;
    }
}
