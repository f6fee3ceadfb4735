package org.m2mgw.cloud.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entries the broker would not take (finding 2 of the security review): parked here by the
 * publisher so that they no longer hold back everyone else, kept across restarts, and listed,
 * retried or deleted by the operator ({@link DeadLetterCommands}).
 *
 * <p>Stored in its own {@link AppendLog} ({@code deadletters.log}, 0600, each change fsynced before
 * it counts). Bounded by count and bytes: when full, the <em>oldest</em> letter goes to make room
 * for the new one, counted as evicted, logged, and shown in the connection's status. Keeping the
 * newest keeps what an operator investigating a current problem needs; the alternative, refusing
 * to park, would leave the poisoned entry blocking its device for good.
 *
 * <p>Thread-safe.
 */
final class DeadLetters implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private static final int MAGIC = 0x4d32444c; // "M2DL"
    private static final byte PARK = 1;
    private static final byte REMOVE = 2;

    /** What a dead letter holds. */
    enum Kind {
        /** A device message, as the durable queue stores it ({@code MessageCodec}). */
        MESSAGE,
        /** An alert, as the JSON published. */
        ALERT
    }

    /**
     * One dead letter.
     *
     * @param id its number, unique in this store, growing
     * @param kind what it holds
     * @param key the queue's ordering key: the device id, or the alerts' key
     * @param parkedAt when it was parked
     * @param reason why, in words
     * @param record the queue record, to put back on retry; not copied
     */
    record Letter(long id, Kind kind, String key, Instant parkedAt, String reason, byte[] record) {
    }

    private final AppendLog log;
    private final int maxCount;
    private final long maxBytes;
    private final Map<Long, Letter> letters = new LinkedHashMap<>();
    private long bytes;
    private long nextId = 1;
    private long parked;
    private long evicted;
    private long removed;

    /**
     * Opens the store, recovering what the file holds; a torn last record is cut off, a damaged
     * file is set aside (logged) and the store starts empty.
     *
     * @throws IOException if the file cannot be read or created
     */
    DeadLetters(Path file, int maxCount, long maxBytes) throws IOException {
        this.maxCount = maxCount;
        this.maxBytes = maxBytes;
        this.log = AppendLog.open(file, MAGIC, 1, "Dead letters");
        try {
            log.recovered().forEach(this::replay);
        } catch (RuntimeException e) {
            letters.clear();
            bytes = 0;
            log.setAside("a record cannot be read: " + e);
        }
        log.replayed();
        // A smaller bound than before applies at once.
        List<Long> over = new ArrayList<>();
        long b = bytes;
        int n = letters.size();
        for (Letter l : letters.values()) {
            if (n <= maxCount && b <= maxBytes) {
                break;
            }
            over.add(l.id());
            n--;
            b -= l.record().length;
        }
        for (long id : over) {
            evict(id);
        }
        if (!over.isEmpty()) {
            log.sync();
        }
    }

    private void replay(ByteBuffer r) {
        byte type = r.get();
        long id = r.getLong();
        if (type == PARK) {
            Kind kind = Kind.values()[r.get()];
            Instant at = Instant.ofEpochMilli(r.getLong());
            String key = AppendLog.string(r);
            String reason = AppendLog.string(r);
            byte[] record = new byte[r.remaining()];
            r.get(record);
            add(new Letter(id, kind, key, at, reason, record));
        } else if (type == REMOVE) {
            drop(id);
        } else {
            throw new IllegalArgumentException("unknown record type " + type);
        }
        nextId = Math.max(nextId, id + 1);
    }

    /**
     * Parks an entry: once this returns, it is on disk.
     *
     * @return the new letter
     * @throws IOException if it could not be written; the store is unchanged then
     */
    synchronized Letter park(Kind kind, String key, String reason, byte[] record) throws IOException {
        Letter l = new Letter(nextId, kind, key, Instant.now(), reason, record);
        List<Long> room = new ArrayList<>();
        int n = letters.size();
        long b = bytes;
        for (Letter old : letters.values()) {
            if (n < maxCount && b + record.length <= maxBytes) {
                break;
            }
            room.add(old.id());
            n--;
            b -= old.record().length;
        }
        log.append(parkRecord(l));
        nextId++;
        for (long id : room) {
            evict(id);
        }
        log.sync();
        add(l);
        parked++;
        return l;
    }

    private void evict(long id) throws IOException {
        Letter gone = letters.get(id);
        log.append(removeRecord(id));
        drop(id);
        evicted++;
        if (evicted == 1 || evicted % 100 == 0) {
            LOG.error("Dead letters {} full ({} letters, {} bytes; deadletter.max.count {}, deadletter.max.mbytes "
                    + "{}): the oldest, #{} from '{}', is deleted to make room ({} so far)", log.file(),
                    letters.size() + 1, bytes, maxCount, maxBytes >> 20, id, gone.key(), evicted);
        }
    }

    /**
     * Deletes a letter, e.g. once it was put back in its queue.
     *
     * @return whether it existed
     * @throws IOException if the deletion could not be written
     */
    synchronized boolean remove(long id) throws IOException {
        if (!letters.containsKey(id)) {
            return false;
        }
        log.append(removeRecord(id));
        log.sync();
        drop(id);
        removed++;
        if (log.garbageDominates(letters.size())) {
            log.compact(letters.values().stream().map(DeadLetters::parkRecord).toList());
        }
        return true;
    }

    private static byte[] removeRecord(long id) {
        return ByteBuffer.allocate(9).put(REMOVE).putLong(id).array();
    }

    private static byte[] parkRecord(Letter l) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + l.record().length);
        try (DataOutputStream d = new DataOutputStream(out)) {
            d.writeByte(PARK);
            d.writeLong(l.id());
            d.writeByte(l.kind().ordinal());
            d.writeLong(l.parkedAt().toEpochMilli());
            AppendLog.writeString(d, l.key());
            AppendLog.writeString(d, l.reason());
            d.write(l.record());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array stream does not fail
        }
        return out.toByteArray();
    }

    private void add(Letter l) {
        letters.put(l.id(), l);
        bytes += l.record().length;
    }

    private void drop(long id) {
        Letter l = letters.remove(id);
        if (l != null) {
            bytes -= l.record().length;
        }
    }

    /** @return the letters, oldest first */
    synchronized List<Letter> list() {
        return List.copyOf(letters.values());
    }

    synchronized Optional<Letter> get(long id) {
        return Optional.ofNullable(letters.get(id));
    }

    synchronized int size() {
        return letters.size();
    }

    /** @return whether the next letter parked will evict the oldest */
    synchronized boolean full() {
        return letters.size() >= maxCount || bytes >= maxBytes;
    }

    /** @return how many were deleted to make room since the store was opened */
    synchronized long evicted() {
        return evicted;
    }

    /** @return {@code deadletters}, {@code deadletters.bytes}, {@code .parked}, {@code .evicted}, {@code .removed} */
    synchronized Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("deadletters", (long) letters.size());
        m.put("deadletters.bytes", bytes);
        m.put("deadletters.parked", parked);
        m.put("deadletters.evicted", evicted);
        m.put("deadletters.removed", removed);
        return m;
    }

    @Override
    public synchronized void close() {
        log.close();
    }
}
