package org.m2mgw.cloud.internal;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.m2mgw.api.command.Command;
import org.m2mgw.api.command.CommandQueue;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.message.ContentFormats;
import org.m2mgw.support.Text;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command queue of one cloud connection: commands the broker sends down for a device
 * ({@link #fromCloud}) wait in the connection's {@link CommandStore} until the device fetches them
 * through a transport ({@link #peek}, {@link #delivered}).
 *
 * <p>Commands are taken only for devices the {@link DeviceRegistry} knows, when there is one, and
 * within the store's bounds (per device, in all, per command). Each refusal is counted by reason
 * and logged at most once per device and reason per minute.
 *
 * <p>Not a component of its own: it lives and dies with its connection, whose MQTT session fills it
 * and whose data directory holds it, and {@link CloudConnection} registers it as the
 * {@link CommandQueue} service.
 */
final class DeviceCommandQueue implements CommandQueue {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceCommandQueue.class);

    private final String name;
    private final CommandStore store;
    private final CloudSettings s;
    private final Supplier<DeviceRegistry> registry;
    private final LongAdder unknownDevice = new LongAdder();
    private final LongAdder tooLarge = new LongAdder();
    private final LongAdder full = new LongAdder();
    private final LongAdder storeFailed = new LongAdder();
    private final OncePer logged = OncePer.minute();

    /**
     * @param name the connection's short name, for the log
     * @param store where the commands are kept; {@code null} if it could not be opened (every
     *     command is refused then)
     * @param s the connection's settings, for expiry and bounds
     * @param registry the device registry, or {@code null} when there is none at the moment
     */
    DeviceCommandQueue(String name, CommandStore store, CloudSettings s, Supplier<DeviceRegistry> registry) {
        this.name = name;
        this.store = store;
        this.s = s;
        this.registry = registry;
    }

    /**
     * Queues a command the broker sent for a device. Called on the MQTT client's thread: never
     * throws, as that would drop the connection.
     *
     * @param deviceId the device named by the command topic
     * @param payload the command as published; JSON if it looks like JSON, else opaque bytes
     * @return {@code false} if the command was refused or could not be stored
     */
    boolean fromCloud(String deviceId, byte[] payload) {
        Instant now = Instant.now();
        int cf = looksLikeJson(payload) ? ContentFormats.JSON : ContentFormats.OCTET_STREAM;
        return offer(new Command(UUID.randomUUID().toString(), deviceId, cf, payload, now,
                now.plusSeconds(s.commandExpirySeconds())));
    }

    private static boolean looksLikeJson(byte[] p) {
        for (byte b : p) {
            if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
                continue;
            }
            return b == '{' || b == '[';
        }
        return false;
    }

    @Override
    public boolean offer(Command command) {
        String device = command.deviceId();
        DeviceRegistry r = registry.get();
        try {
            if (r != null && r.device(device).isEmpty()) {
                return refused(unknownDevice, device, "unknown.device", "the device registry does not know it");
            }
            if (store == null) {
                return refused(storeFailed, device, "store", "the command store is unavailable");
            }
            return switch (store.offer(command)) {
                case STORED -> true;
                case TOO_LARGE -> refused(tooLarge, device, "too.large", command.payload().length
                        + " bytes, more than command.max.bytes (" + s.limits().commandMaxBytes() + ")");
                case DEVICE_FULL -> refused(full, device, "device.full", "its queue holds "
                        + s.commandQueueMax() + " commands (command.queue.max)");
                case TOTAL_FULL -> refused(full, device, "full", "the gateway holds "
                        + s.limits().commandTotalMax() + " commands (command.total.max)");
            };
        } catch (RuntimeException e) {
            return refused(storeFailed, device, "store", "it could not be stored: " + e.getMessage());
        }
    }

    private boolean refused(LongAdder counter, String device, String why, String reason) {
        counter.increment();
        if (logged.allow(why + "\u0000" + device)) {
            LOG.warn("Cloud connection {}: command for device '{}' refused: {} (logged once a minute per device "
                    + "and reason)", name, Text.printable(device, 200), reason);
        }
        return false;
    }

    @Override
    public List<Command> peek(String deviceId, int max) {
        return store == null ? List.of() : store.peek(deviceId, max);
    }

    @Override
    public void delivered(String deviceId, List<String> commandIds) {
        if (store != null) {
            store.delivered(deviceId, commandIds);
        }
    }

    @Override
    public int pending(String deviceId) {
        return store == null ? 0 : store.pending(deviceId);
    }

    /** @return {@code commands.pending} and the refusals by reason */
    Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("commands.pending", store == null ? 0L : store.total());
        m.put("commands.refused.unknown.device", unknownDevice.sum());
        m.put("commands.refused.too.large", tooLarge.sum());
        m.put("commands.refused.full", full.sum());
        m.put("commands.refused.store", storeFailed.sum());
        return m;
    }
}
