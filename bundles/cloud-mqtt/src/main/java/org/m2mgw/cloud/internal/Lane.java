package org.m2mgw.cloud.internal;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.m2mgw.cloud.internal.mqtt.MqttLink;
import org.m2mgw.cloud.internal.queue.DurableQueue;
import org.m2mgw.cloud.internal.queue.QueuedMessage;
import org.m2mgw.support.Text;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one durable queue (device messages, or alerts) over the {@link Publisher}'s current
 * link, removing an entry only once the broker has it, and parks as a dead letter what the broker
 * will never take (finding 2 of the security review):
 *
 * <ul>
 * <li>an entry that cannot be made into a publication (no route any more, unreadable, cannot be
 * encoded) is parked at once;
 * <li>an entry the broker refuses (an MQTT 5 PUBACK reason code of 0x80 or more, a topic the client
 * library rejects, an error thrown while publishing it) is parked after
 * {@code publish.max.attempts} refusals;
 * <li>an entry the broker answers by closing the connection within {@value #STRIKE_WINDOW_MS} ms
 * of receiving it is parked the second time it does, provided it was the only entry in flight
 * then: after a loss right after a send, the publisher sends the entries that were in flight
 * one at a time ({@link #hasSuspects()}), so that the one the broker chokes on is known.
 * </ul>
 *
 * <p>Losing the connection otherwise is never held against an entry. Counts are kept in memory:
 * a restart of the connection starts them afresh.
 *
 * <p>Publications and callbacks run on different threads; parking (a file write) runs on the
 * publisher's thread only.
 */
final class Lane {
    private static final Logger LOG = LoggerFactory.getLogger(Lane.class);
    static final long STRIKE_WINDOW_MS = 2000;
    private static final int STRIKES_TO_PARK = 2;
    /** Bound of the per-entry counts, so that entries dropped from a full queue cannot grow them. */
    private static final int MAX_TRACKED = 100_000;

    /** Turns a queue entry into what is published. */
    interface Mapper {
        /** @throws Unpublishable if the entry can never be published as it is */
        Outgoing map(QueuedMessage q) throws Unpublishable;
    }

    /** A publication. */
    record Outgoing(String topic, byte[] payload, int qos) {
    }

    /** An entry that can never be published as it is. */
    static final class Unpublishable extends Exception {
        private static final long serialVersionUID = 1L;

        Unpublishable(String reason) {
            super(reason, null, false, false);
        }
    }

    /** An entry in flight on the current link, and when it was sent. */
    private record Flight(QueuedMessage entry, long sentAtNanos) {
    }

    private record Parking(QueuedMessage entry, String reason) {
    }

    private final String name;
    private final String what;
    private final DurableQueue queue;
    private final DeadLetters.Kind kind;
    private final Mapper mapper;
    private final DeadLetters deadLetters;
    private final int maxAttempts;
    private final Publisher.Feedback feedback;
    private final LongAdder published = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder parked = new LongAdder();
    private final Map<Long, Integer> refusals = new ConcurrentHashMap<>();
    private final Map<Long, Integer> strikes = new ConcurrentHashMap<>();
    private final Set<Long> suspects = ConcurrentHashMap.newKeySet();
    private final Queue<Parking> toPark = new ConcurrentLinkedQueue<>();
    private volatile Map<Long, Flight> inFlight = new ConcurrentHashMap<>();

    /**
     * @param name the connection's short name, for the log
     * @param what {@code message} or {@code alert}, for the log
     * @param feedback tells the publisher about deliveries and failures
     */
    Lane(String name, String what, DurableQueue queue, DeadLetters.Kind kind, Mapper mapper, DeadLetters deadLetters,
            int maxAttempts, Publisher.Feedback feedback) {
        this.name = name;
        this.what = what;
        this.queue = queue;
        this.kind = kind;
        this.mapper = mapper;
        this.deadLetters = deadLetters;
        this.maxAttempts = maxAttempts;
        this.feedback = feedback;
    }

    int inFlight() {
        return inFlight.size();
    }

    /** @return whether entries were in flight when the broker closed the connection right after a send */
    boolean hasSuspects() {
        return !suspects.isEmpty();
    }

    void clearSuspects() {
        suspects.clear();
    }

    /**
     * Publishes up to {@code room} entries. Errors thrown while doing so count against the entry
     * at hand and are rethrown for the publisher to log.
     *
     * @return how many entries were handed to the link
     */
    int publish(MqttLink link, int room) {
        if (room <= 0) {
            return 0;
        }
        List<QueuedMessage> batch = queue.peek(room);
        for (int i = 0; i < batch.size(); i++) {
            try {
                publishOne(link, batch.get(i));
            } catch (RuntimeException | Error e) {
                for (QueuedMessage rest : batch.subList(i + 1, batch.size())) {
                    queue.release(rest.sequence());
                }
                throw e;
            }
        }
        return batch.size();
    }

    private void publishOne(MqttLink link, QueuedMessage q) {
        Outgoing out;
        try {
            out = mapper.map(q);
        } catch (Unpublishable e) {
            toPark.add(new Parking(q, e.getMessage()));
            return;
        } catch (RuntimeException | Error e) {
            refused(q, e);
            throw e;
        }
        Map<Long, Flight> flight = inFlight;
        long seq = q.sequence();
        flight.put(seq, new Flight(q, System.nanoTime()));
        try {
            link.publish(out.topic(), out.payload(), out.qos(), () -> delivered(flight, seq), e -> failed(link, flight,
                    seq, e));
        } catch (RuntimeException | Error e) {
            if (flight.remove(seq) != null) {
                refused(q, e);
            }
            throw e;
        }
    }

    private void delivered(Map<Long, Flight> flight, long seq) {
        try {
            if (flight.remove(seq) != null) {
                queue.ack(seq);
                published.increment();
                forget(seq);
                feedback.delivered();
            }
        } catch (RuntimeException | Error e) {
            feedback.unexpected(e);
        }
    }

    private void failed(MqttLink link, Map<Long, Flight> flight, long seq, Throwable error) {
        try {
            failed.increment();
            if (!countsAgainstEntry(error) && !link.isConnected()) {
                return; // the connection is going: handled by linkLost, which knows the timing
            }
            Flight f = flight.remove(seq);
            if (f == null) {
                return;
            }
            if (countsAgainstEntry(error)) {
                refused(f.entry(), error);
            } else {
                queue.release(seq);
            }
            feedback.failed(error);
        } catch (RuntimeException | Error e) {
            feedback.unexpected(e);
        }
    }

    /** The broker, or the client library, refused this entry itself (not the connection). */
    private static boolean countsAgainstEntry(Throwable error) {
        return error instanceof MqttLink.Refused || error instanceof IllegalArgumentException;
    }

    /** Counts a refusal of an entry in flight in the queue, and releases or parks it. */
    private void refused(QueuedMessage q, Throwable error) {
        int n = refusals.merge(q.sequence(), 1, Integer::sum);
        if (n >= maxAttempts) {
            String last = error instanceof MqttLink.Refused ? error.getMessage() : String.valueOf(error);
            toPark.add(new Parking(q, "refused " + n + " times, last: " + Text.printable(last, 300)));
            feedback.wake(); // the publisher parks it
        } else {
            queue.release(q.sequence());
        }
    }

    /**
     * The link is gone: puts what was in flight back, in order, except what the broker closed the
     * connection on twice.
     *
     * @param lostAtNanos when the connection was lost
     * @param alone whether exactly one entry was in flight on the link, all lanes together
     */
    void linkLost(long lostAtNanos, boolean alone) {
        Map<Long, Flight> flight = inFlight;
        inFlight = new ConcurrentHashMap<>();
        for (Map.Entry<Long, Flight> e : new TreeMap<>(flight).entrySet()) {
            long seq = e.getKey();
            if (flight.remove(seq) == null) {
                continue; // a late callback took it
            }
            long sinceSent = TimeUnit.NANOSECONDS.toMillis(lostAtNanos - e.getValue().sentAtNanos());
            if (sinceSent >= 0 && sinceSent < STRIKE_WINDOW_MS) {
                int n = strikes.merge(seq, 1, Integer::sum);
                if (n >= STRIKES_TO_PARK && alone) {
                    toPark.add(new Parking(e.getValue().entry(), "the broker closed the connection right after "
                            + "receiving it, " + n + " times"));
                    continue;
                }
                suspects.add(seq);
            }
            queue.release(seq);
        }
        if (refusals.size() > MAX_TRACKED || strikes.size() > MAX_TRACKED) {
            refusals.clear();
            strikes.clear();
        }
    }

    /** Parks what was found unpublishable; on the publisher's thread. */
    void parkPending() {
        Parking p;
        while ((p = toPark.poll()) != null) {
            QueuedMessage q = p.entry();
            try {
                DeadLetters.Letter l = deadLetters.park(kind, q.key(), p.reason(), q.record());
                queue.ack(q.sequence());
                parked.increment();
                LOG.error("Cloud connection {}: {} {} of '{}' moved to the dead letters as #{} ({}); see "
                        + "m2mgw:deadletters", name, what, q.sequence(), Text.printable(q.key(), 200), l.id(),
                        p.reason());
            } catch (IOException | RuntimeException e) {
                LOG.error("Cloud connection {}: {} {} could not be moved to the dead letters, it stays queued: {}",
                        name, what, q.sequence(), e.toString());
                queue.release(q.sequence());
            }
            forget(q.sequence());
        }
    }

    private void forget(long seq) {
        refusals.remove(seq);
        strikes.remove(seq);
        suspects.remove(seq);
    }

    /** @return published, failed (attempts the broker or the link failed) and parked */
    long[] counts() {
        return new long[] {published.sum(), failed.sum(), parked.sum()};
    }
}
