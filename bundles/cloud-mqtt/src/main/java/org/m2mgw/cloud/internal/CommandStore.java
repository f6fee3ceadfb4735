package org.m2mgw.cloud.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.m2mgw.api.command.Command;

/**
 * Per-device command queues, bounded (per device, in all, and per command), with expiry, kept in
 * an {@link AppendLog} ({@code commands.bin}): taking a command appends one record and syncs it,
 * which is cheap enough for the MQTT client's callback thread, where commands arrive (the broker
 * gets its PUBACK only once the command is on disk). Deliveries and expiries append tombstones; the
 * file is compacted when most of it is garbage. A damaged file is set aside and the store starts
 * empty, so that it cannot stop the cloud connection.
 *
 * <p>Files of the earlier format (one snapshot, rewritten at every change) are read and converted.
 */
final class CommandStore implements AutoCloseable {
    private static final int MAGIC = 0x4d32434d; // "M2CM"
    private static final int VERSION = 2;
    private static final int LEGACY_VERSION = 1;
    private static final byte ADD = 1;
    private static final byte DELETE = 2;
    private static final long GLOBAL_PURGE_MS = 60_000;

    /** What became of a command offered. */
    enum Outcome {
        STORED, DEVICE_FULL, TOTAL_FULL, TOO_LARGE
    }

    private final int maxPerDevice;
    private final int maxTotal;
    private final int maxBytes;
    private final Supplier<Instant> clock;
    private final Map<String, List<Command>> queues = new LinkedHashMap<>();
    private final AppendLog log;
    private int total;
    private Instant lastGlobalPurge = Instant.EPOCH;

    /**
     * @throws IOException if the file cannot be read, written or created; damage is not an error
     */
    CommandStore(Path file, int maxPerDevice, int maxTotal, int maxBytes, Supplier<Instant> clock) throws IOException {
        this.maxPerDevice = maxPerDevice;
        this.maxTotal = maxTotal;
        this.maxBytes = maxBytes;
        this.clock = clock;
        List<Command> legacy = readLegacy(file);
        AppendLog l;
        if (legacy != null) {
            l = AppendLog.create(file, MAGIC, VERSION, "Command store", legacy.stream().map(CommandStore::add).toList());
            legacy.forEach(this::put);
        } else {
            l = AppendLog.open(file, MAGIC, VERSION, "Command store");
            try {
                l.recovered().forEach(this::replay);
            } catch (RuntimeException e) {
                queues.clear();
                total = 0;
                l.setAside("a record cannot be read: " + e);
            }
            l.replayed();
        }
        this.log = l;
    }

    private void replay(ByteBuffer r) {
        byte type = r.get();
        if (type == ADD) {
            String id = AppendLog.string(r);
            String device = AppendLog.string(r);
            int cf = r.getInt();
            Instant created = Instant.ofEpochMilli(r.getLong());
            Instant expires = Instant.ofEpochMilli(r.getLong());
            byte[] payload = new byte[r.remaining()];
            r.get(payload);
            put(new Command(id, device, cf, payload, created, expires));
        } else if (type == DELETE) {
            String device = AppendLog.string(r);
            String id = AppendLog.string(r);
            List<Command> q = queues.get(device);
            if (q != null) {
                remove(device, q, List.of(id));
            }
        } else {
            throw new IllegalArgumentException("unknown record type " + type);
        }
    }

    private void put(Command c) {
        queues.computeIfAbsent(c.deviceId(), d -> new ArrayList<>()).add(c);
        total++;
    }

    private void remove(String device, List<Command> q, List<String> ids) {
        int before = q.size();
        q.removeIf(c -> ids.contains(c.commandId()));
        total -= before - q.size();
        if (q.isEmpty()) {
            queues.remove(device);
        }
    }

    private static byte[] add(Command c) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + c.payload().length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(ADD);
            AppendLog.writeString(out, c.commandId());
            AppendLog.writeString(out, c.deviceId());
            out.writeInt(c.contentFormat());
            out.writeLong(c.createdAt().toEpochMilli());
            out.writeLong(c.expiresAt().toEpochMilli());
            out.write(c.payload());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array stream does not fail
        }
        return bytes.toByteArray();
    }

    private static byte[] delete(String device, String id) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(DELETE);
            AppendLog.writeString(out, device);
            AppendLog.writeString(out, id);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * @return the outcome; {@link Outcome#STORED} once the command is on disk
     * @throws UncheckedIOException if it could not be written; it is not stored then
     */
    synchronized Outcome offer(Command command) {
        if (command.payload().length > maxBytes) {
            return Outcome.TOO_LARGE;
        }
        purgeExpired(command.deviceId());
        List<Command> q = queues.getOrDefault(command.deviceId(), List.of());
        if (q.size() >= maxPerDevice) {
            return Outcome.DEVICE_FULL;
        }
        Instant now = clock.get();
        if (total >= maxTotal || now.isAfter(lastGlobalPurge.plusMillis(GLOBAL_PURGE_MS))) {
            lastGlobalPurge = now;
            for (String device : List.copyOf(queues.keySet())) {
                purgeExpired(device);
            }
            if (total >= maxTotal) {
                return Outcome.TOTAL_FULL;
            }
        }
        write(List.of(add(command)));
        put(command);
        return Outcome.STORED;
    }

    synchronized List<Command> peek(String deviceId, int max) {
        purgeExpired(deviceId);
        List<Command> q = queues.getOrDefault(deviceId, List.of());
        return List.copyOf(q.subList(0, Math.min(max, q.size())));
    }

    synchronized void delivered(String deviceId, List<String> commandIds) {
        List<Command> q = queues.get(deviceId);
        if (q == null) {
            return;
        }
        List<String> present = q.stream().map(Command::commandId).filter(commandIds::contains).distinct().toList();
        if (!present.isEmpty()) {
            write(present.stream().map(id -> delete(deviceId, id)).toList());
            remove(deviceId, q, present);
            compactIfWorthIt();
        }
    }

    synchronized int pending(String deviceId) {
        purgeExpired(deviceId);
        return queues.getOrDefault(deviceId, List.of()).size();
    }

    synchronized int total() {
        return total;
    }

    private void purgeExpired(String device) {
        List<Command> q = queues.get(device);
        if (q == null) {
            return;
        }
        Instant now = clock.get();
        List<String> expired = q.stream().filter(c -> c.isExpired(now)).map(Command::commandId).toList();
        if (!expired.isEmpty()) {
            write(expired.stream().map(id -> delete(device, id)).toList());
            remove(device, q, expired);
            compactIfWorthIt();
        }
    }

    private void write(List<byte[]> records) {
        try {
            for (byte[] r : records) {
                log.append(r);
            }
            log.sync();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write commands to " + log.file(), e);
        }
    }

    private void compactIfWorthIt() {
        if (log.garbageDominates(total)) {
            List<byte[]> live = new ArrayList<>(total);
            queues.values().forEach(q -> q.forEach(c -> live.add(add(c))));
            try {
                log.compact(live);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot compact " + log.file(), e);
            }
        }
    }

    @Override
    public synchronized void close() {
        log.close();
    }

    /** @return the commands of a file in the first format, or {@code null} if it is not one */
    private static List<Command> readLegacy(Path file) {
        try {
            if (!Files.exists(file) || Files.size(file) < 9) {
                return null;
            }
            try (DataInputStream head = new DataInputStream(Files.newInputStream(file))) {
                if (head.readInt() != MAGIC || head.readByte() != LEGACY_VERSION) {
                    return null;
                }
            }
            byte[] all = Files.readAllBytes(file);
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 5, all.length - 5))) {
                int n = in.readInt();
                List<Command> out = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    String id = in.readUTF();
                    String device = in.readUTF();
                    int cf = in.readInt();
                    int length = in.readInt();
                    if (length < 0 || length > in.available()) {
                        return null;
                    }
                    byte[] payload = new byte[length];
                    in.readFully(payload);
                    out.add(new Command(id, device, cf, payload, Instant.ofEpochMilli(in.readLong()),
                            Instant.ofEpochMilli(in.readLong())));
                }
                return in.available() == 0 ? out : null;
            }
        } catch (IOException | RuntimeException e) {
            return null; // not readable as the first format: the log's own checks will set it aside
        }
    }
}
