package org.m2mgw.support.coap;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import org.m2mgw.api.traffic.FailureCause;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventListener;
import org.m2mgw.api.traffic.TrafficEventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts traffic facts and hands them to {@link TrafficEventListener}s. Rejections are logged at
 * most once per subject and reason per interval, so that a flood cannot flood the log.
 */
public final class TrafficReporter {
    private static final long LOG_INTERVAL_MS = 60_000;
    private static final int MAX_LOG_KEYS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(TrafficReporter.class);

    private final List<TrafficEventListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<TrafficEventType, LongAdder> totals = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> reasons = new ConcurrentHashMap<>();
    private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();
    private final String name;
    private final String transport;

    /**
     * @param name the listener's name, for the log
     * @param transport the transport's name in events ({@code coaps}, {@code oscore})
     */
    public TrafficReporter(String name, String transport) {
        this.name = name;
        this.transport = transport;
        for (TrafficEventType t : TrafficEventType.values()) {
            totals.put(t, new LongAdder());
        }
    }

    public void addListener(TrafficEventListener l) {
        listeners.add(l);
    }

    public void removeListener(TrafficEventListener l) {
        listeners.remove(l);
    }

    public static String address(InetSocketAddress a) {
        if (a == null) {
            return "unknown";
        }
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private static final int MAX_REASONS = 500;

    /**
     * The reason without its variable parts (quoted names, numbers, addresses), so that counters
     * and the log's rate limit stay bounded whatever an attacker sends.
     */
    public static String reasonClass(String reason) {
        String known = REASON_CLASSES.get(reason);
        if (known != null) {
            return known;
        }
        String r = NUMBER.matcher(IPV4.matcher(IPV6.matcher(QUOTED.matcher(reason).replaceAll("'*'"))
                .replaceAll("#")).replaceAll("#")).replaceAll("#");
        r = r.length() > 80 ? r.substring(0, 80) : r;
        // the same few reasons come with every event (a suite's name on each handshake): remember
        // them, up to a bound, as reasons that name a peer or a value never repeat
        if (REASON_CLASSES.size() < MAX_REMEMBERED_REASONS) {
            REASON_CLASSES.put(reason, r);
        }
        return r;
    }

    private static final java.util.regex.Pattern QUOTED = java.util.regex.Pattern.compile("'[^']*'");
    private static final java.util.regex.Pattern IPV6 = java.util.regex.Pattern.compile(
            "\\[[0-9A-Fa-f:.]+\\](:\\d+)?");
    private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile(
            "\\b\\d+(\\.\\d+){3}(:\\d+)?\\b");
    private static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile("\\b\\d+\\b");
    private static final int MAX_REMEMBERED_REASONS = 1024;
    private static final Map<String, String> REASON_CLASSES = new ConcurrentHashMap<>();

    public void report(TrafficEventType type, String deviceId, InetSocketAddress peer, String reason,
            String resource, long bytes) {
        report(type, FailureCause.NONE, deviceId, null, peer, reason, resource, bytes);
    }

    public void report(TrafficEventType type, FailureCause cause, String deviceId, String claimedIdentity,
            InetSocketAddress peer, String reason, String resource, long bytes) {
        totals.get(type).increment();
        if (reason != null && !reason.isEmpty()) {
            String key = type + ": " + reasonClass(reason);
            LongAdder counter = reasons.get(key);
            if (counter == null && reasons.size() >= MAX_REASONS) {
                key = type + ": other";
            }
            reasons.computeIfAbsent(key, k -> new LongAdder()).increment();
        }
        if (listeners.isEmpty()) {
            return;
        }
        TrafficEvent e = TrafficEvent.builder(type, transport, peer).deviceId(deviceId).cause(cause)
                .claimedIdentity(claimedIdentity).reason(reason).resource(resource).bytes(bytes).build();
        for (TrafficEventListener l : listeners) {
            try {
                l.onEvent(e);
            } catch (RuntimeException ex) {
                logLimited("listener:" + l.getClass().getName(), "TrafficEventListener {} failed: {}",
                        l.getClass().getName(), ex.toString());
            }
        }
    }

    /** Reports a rejection and logs it once per subject and reason per interval. */
    public void reject(TrafficEventType type, FailureCause cause, String deviceId, InetSocketAddress peer, String reason,
            String resource) {
        reject(type, cause, deviceId, null, peer, reason, resource);
    }

    /** Reports a rejection of a peer that claimed an identity the gateway does not know. */
    public void reject(TrafficEventType type, FailureCause cause, String deviceId, String claimedIdentity,
            InetSocketAddress peer, String reason, String resource) {
        report(type, cause, deviceId, claimedIdentity, peer, reason, resource, 0);
        String subject = deviceId != null ? deviceId : peer == null || peer.getAddress() == null ? "unknown"
                : peer.getAddress().getHostAddress();
        logLimited(type + "|" + subject + "|" + reasonClass(reason), "[{}] {} from {}: {}", name, type,
                deviceId != null ? deviceId : address(peer), reason);
    }

    private void logLimited(String key, String format, Object... args) {
        long now = System.currentTimeMillis();
        if (lastLogged.size() > MAX_LOG_KEYS) {
            lastLogged.clear();
        }
        Long last = lastLogged.get(key);
        if (last == null || now - last >= LOG_INTERVAL_MS) {
            lastLogged.put(key, now);
            LOG.warn(format, args);
        }
    }

    public long total(TrafficEventType type) {
        return totals.get(type).sum();
    }

    /** @return every non-zero counter, by name, for the console and the shell */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        totals.forEach((k, v) -> {
            long n = v.sum();
            if (n != 0) {
                out.put(k.name(), n);
            }
        });
        reasons.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
