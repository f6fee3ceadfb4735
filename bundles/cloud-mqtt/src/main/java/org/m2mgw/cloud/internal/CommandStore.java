package org.m2mgw.cloud.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.m2mgw.api.command.Command;
import org.m2mgw.api.command.CommandQueue;
import org.m2mgw.api.runtime.PrivateFiles;

/**
 * Per-device command queues, bounded, with expiry, persisted in one file rewritten atomically on
 * every change (commands are few and small; a device fetches them on wake-up).
 */
final class CommandStore implements CommandQueue {
    private static final int MAGIC = 0x4d32434d; // "M2CM"

    private final Path file;
    private final int maxPerDevice;
    private final Supplier<Instant> clock;
    private final Map<String, List<Command>> queues = new LinkedHashMap<>();

    CommandStore(Path file, int maxPerDevice, Supplier<Instant> clock) throws IOException {
        this.file = file;
        this.maxPerDevice = maxPerDevice;
        this.clock = clock;
        load();
    }

    private void load() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(Files.readAllBytes(file)))) {
            if (in.readInt() != MAGIC || in.readByte() != 1) {
                throw new IOException(file + " is not a command store");
            }
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                String id = in.readUTF();
                String device = in.readUTF();
                int cf = in.readInt();
                byte[] payload = new byte[in.readInt()];
                in.readFully(payload);
                Instant created = Instant.ofEpochMilli(in.readLong());
                Instant expires = Instant.ofEpochMilli(in.readLong());
                queues.computeIfAbsent(device, d -> new ArrayList<>())
                        .add(new Command(id, device, cf, payload, created, expires));
            }
        }
    }

    private void save() {
        // Expired commands of every device go with each write, so the file does not grow with them.
        Instant now = clock.get();
        queues.values().forEach(q -> q.removeIf(c -> c.isExpired(now)));
        queues.values().removeIf(List::isEmpty);
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeByte(1);
            int n = queues.values().stream().mapToInt(List::size).sum();
            out.writeInt(n);
            for (List<Command> q : queues.values()) {
                for (Command c : q) {
                    out.writeUTF(c.commandId());
                    out.writeUTF(c.deviceId());
                    out.writeInt(c.contentFormat());
                    byte[] p = c.payload();
                    out.writeInt(p.length);
                    out.write(p);
                    out.writeLong(c.createdAt().toEpochMilli());
                    out.writeLong(c.expiresAt().toEpochMilli());
                }
            }
            PrivateFiles.write(file, bytes.toByteArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot persist commands to " + file, e);
        }
    }

    private void purgeExpired(String device) {
        List<Command> q = queues.get(device);
        if (q != null) {
            Instant now = clock.get();
            if (q.removeIf(c -> c.isExpired(now))) {
                if (q.isEmpty()) {
                    queues.remove(device);
                }
                save();
            }
        }
    }

    @Override
    public synchronized boolean offer(Command command) {
        purgeExpired(command.deviceId());
        List<Command> q = queues.computeIfAbsent(command.deviceId(), d -> new ArrayList<>());
        if (q.size() >= maxPerDevice) {
            return false;
        }
        q.add(command);
        try {
            save();
        } catch (RuntimeException e) {
            q.remove(command);
            throw e;
        }
        return true;
    }

    @Override
    public synchronized List<Command> peek(String deviceId, int max) {
        purgeExpired(deviceId);
        List<Command> q = queues.getOrDefault(deviceId, List.of());
        return List.copyOf(q.subList(0, Math.min(max, q.size())));
    }

    @Override
    public synchronized void delivered(String deviceId, List<String> commandIds) {
        List<Command> q = queues.get(deviceId);
        if (q != null && q.removeIf(c -> commandIds.contains(c.commandId()))) {
            if (q.isEmpty()) {
                queues.remove(deviceId);
            }
            save();
        }
    }

    @Override
    public synchronized int pending(String deviceId) {
        purgeExpired(deviceId);
        return queues.getOrDefault(deviceId, List.of()).size();
    }

    synchronized int total() {
        return queues.values().stream().mapToInt(List::size).sum();
    }
}
