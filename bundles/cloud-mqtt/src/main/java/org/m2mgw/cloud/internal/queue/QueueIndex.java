package org.m2mgw.cloud.internal.queue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a {@link DurableQueue} holds, in memory: the stored entries of each device (a lane) in
 * sequence order, and which are in flight. The records themselves stay on disk.
 *
 * <p>A lane with an entry in flight hands out nothing else until that entry is acknowledged or
 * released: a retried message can never be overtaken by a later one of the same device.
 *
 * <p>Thread-safe: every method locks this object. Callers that must see several steps as one
 * (admission: check room, drop, check again) hold the lock around them.
 */
final class QueueIndex {
    private final Map<String, Lane> lanes = new HashMap<>();
    /** Lanes with waiting entries, by the sequence of their oldest one. */
    private final TreeMap<Long, Lane> heads = new TreeMap<>();
    /** Those of {@link #heads} with nothing in flight: what {@link #take} hands out next. */
    private final TreeMap<Long, Lane> ready = new TreeMap<>();
    private final Map<Long, Entry> inFlight = new HashMap<>();
    /** Entries acknowledged, dropped or discarded, not yet written down by the writer. */
    private List<Entry> removed = new ArrayList<>();
    private volatile int size;
    private volatile long bytes;

    /** @return entries held, in flight included */
    int size() {
        return size;
    }

    /** @return bytes those entries take in the segment files */
    long bytes() {
        return bytes;
    }

    synchronized int inFlight() {
        return inFlight.size();
    }

    /** Adds a stored entry behind the earlier entries of its device. */
    synchronized void add(Entry e, String key) {
        Lane lane = lanes.computeIfAbsent(key, Lane::new);
        e.lane = lane;
        if (lane.pending.isEmpty()) {
            heads.put(e.sequence, lane);
            if (lane.inFlight == null) {
                ready.put(e.sequence, lane);
            }
        }
        lane.pending.addLast(e);
        size++;
        bytes += e.frameLength;
        e.segment.live++;
    }

    /** @return up to {@code max} entries in sequence order, at most one per device, now in flight */
    synchronized List<Entry> take(int max) {
        List<Entry> taken = new ArrayList<>(Math.min(max, 1024));
        while (taken.size() < max && !ready.isEmpty()) {
            Map.Entry<Long, Lane> first = ready.pollFirstEntry();
            Lane lane = first.getValue();
            heads.remove(first.getKey());
            Entry e = lane.pending.pollFirst();
            Entry next = lane.pending.peekFirst();
            if (next != null) {
                heads.put(next.sequence, lane);
            }
            lane.inFlight = e;
            inFlight.put(e.sequence, e);
            taken.add(e);
        }
        return taken;
    }

    /** @return whether the entry was in flight, and is now removed */
    synchronized boolean ack(long sequence) {
        Entry e = inFlight.remove(sequence);
        if (e == null) {
            return false;
        }
        unblock(e.lane);
        remove(e);
        return true;
    }

    /** Like {@link #ack}, for an entry found damaged when read. */
    synchronized boolean discard(Entry e) {
        return inFlight.get(e.sequence) == e && ack(e.sequence);
    }

    /** @return whether the entry was in flight, and is now first in line again */
    synchronized boolean release(long sequence) {
        Entry e = inFlight.remove(sequence);
        if (e == null) {
            return false;
        }
        Lane lane = e.lane;
        lane.inFlight = null;
        Entry next = lane.pending.peekFirst();
        if (next != null) {
            heads.remove(next.sequence);
        }
        lane.pending.addFirst(e);
        heads.put(e.sequence, lane);
        ready.put(e.sequence, lane);
        return true;
    }

    /** Releases those of {@code entries} still in flight, after they could not be read. */
    synchronized void releaseAll(List<Entry> entries) {
        for (Entry e : entries) {
            if (inFlight.get(e.sequence) == e) {
                release(e.sequence);
            }
        }
    }

    /**
     * Drops the oldest entry that is not in flight: one being published may already have reached
     * the broker.
     *
     * @return whether there was one
     */
    synchronized boolean dropOldest() {
        Map.Entry<Long, Lane> first = heads.pollFirstEntry();
        if (first == null) {
            return false;
        }
        Lane lane = first.getValue();
        ready.remove(first.getKey());
        Entry e = lane.pending.pollFirst();
        Entry next = lane.pending.peekFirst();
        if (next != null) {
            heads.put(next.sequence, lane);
            if (lane.inFlight == null) {
                ready.put(next.sequence, lane);
            }
        } else if (lane.inFlight == null) {
            lanes.remove(lane.key);
        }
        remove(e);
        return true;
    }

    /** @return the entries removed since the last call, for the writer to write down */
    synchronized List<Entry> drainRemoved() {
        if (removed.isEmpty()) {
            return List.of();
        }
        List<Entry> drained = removed;
        removed = new ArrayList<>();
        return drained;
    }

    /**
     * Marks as deleted, and returns, the segments that hold no entry any more, except the two
     * given: the one being written and the newest.
     */
    synchronized List<Segment> takeEmpty(Iterable<Segment> segments, Segment active, Segment newest) {
        List<Segment> empty = new ArrayList<>(0);
        for (Segment s : segments) {
            if (s.live == 0 && s != active && s != newest) {
                s.deleted = true;
                empty.add(s);
            }
        }
        return empty;
    }

    private void unblock(Lane lane) {
        lane.inFlight = null;
        Entry next = lane.pending.peekFirst();
        if (next != null) {
            ready.put(next.sequence, lane);
        } else {
            lanes.remove(lane.key);
        }
    }

    private void remove(Entry e) {
        size--;
        bytes -= e.frameLength;
        e.segment.live--;
        removed.add(e);
    }

    /** One stored entry: where its frame is. */
    static final class Entry {
        final long sequence;
        final Segment segment;
        final long position;
        final int frameLength;
        private Lane lane;

        Entry(long sequence, Segment segment, long position, int frameLength) {
            this.sequence = sequence;
            this.segment = segment;
            this.position = position;
            this.frameLength = frameLength;
        }

        /** @return the device id; set when the entry is added */
        String key() {
            return lane.key;
        }
    }

    /** The entries of one device: the waiting ones in order, and the one in flight. */
    private static final class Lane {
        final String key;
        final ArrayDeque<Entry> pending = new ArrayDeque<>(4);
        Entry inFlight;

        Lane(String key) {
            this.key = key;
        }
    }
}
