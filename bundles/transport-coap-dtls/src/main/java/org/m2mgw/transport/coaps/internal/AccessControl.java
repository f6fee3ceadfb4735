package org.m2mgw.transport.coaps.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.m2mgw.api.access.DeviceAccessControl;
import org.m2mgw.api.access.Restriction;
import org.m2mgw.api.access.Restriction.Kind;
import org.m2mgw.api.runtime.StatusProvider;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The table of restrictions that the CoAPS listeners enforce: quarantined and throttled devices,
 * blocked source addresses. Restrictions end by themselves when their time is up, and can be
 * lifted earlier. Every change is logged.
 */
@Component(service = {DeviceAccessControl.class, AccessControl.class, StatusProvider.class})
public class AccessControl implements DeviceAccessControl, StatusProvider {
    private static final Logger LOG = LoggerFactory.getLogger(AccessControl.class);
    static final Duration MAX_DURATION = Duration.ofDays(365);

    private final Map<String, Restriction> table = new ConcurrentHashMap<>();
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final List<Consumer<Restriction>> listeners = new CopyOnWriteArrayList<>();
    private final Clock clock;

    public AccessControl() {
        this(Clock.systemUTC());
    }

    AccessControl(Clock clock) {
        this.clock = clock;
    }

    private static String key(Kind kind, String subject) {
        return kind + "|" + subject;
    }

    void addListener(Consumer<Restriction> l) {
        listeners.add(l);
    }

    void removeListener(Consumer<Restriction> l) {
        listeners.remove(l);
    }

    private Restriction put(Kind kind, String subject, double rate, Duration duration, String reason, String origin) {
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("subject must not be empty");
        }
        if (duration == null || duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("duration must be between 1 s and 365 days");
        }
        Restriction r = new Restriction(kind, subject, rate, clock.instant().plus(duration),
                reason == null ? "" : reason, origin == null ? "unknown" : origin);
        table.put(key(kind, subject), r);
        if (kind == Kind.THROTTLE) {
            buckets.put(subject, new TokenBucket(rate, clock));
        }
        LOG.warn("Restriction in force: {}", r);
        for (Consumer<Restriction> l : listeners) {
            try {
                l.accept(r);
            } catch (RuntimeException e) {
                LOG.warn("Restriction listener failed: {}", e.toString());
            }
        }
        return r;
    }

    @Override
    public Restriction quarantine(String deviceId, Duration duration, String reason, String origin) {
        return put(Kind.QUARANTINE, deviceId, 0, duration, reason, origin);
    }

    @Override
    public Restriction throttle(String deviceId, double ratePerSecond, Duration duration, String reason, String origin) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("ratePerSecond must be > 0");
        }
        return put(Kind.THROTTLE, deviceId, ratePerSecond, duration, reason, origin);
    }

    @Override
    public Restriction blockAddress(String address, Duration duration, String reason, String origin) {
        return put(Kind.BLOCK_ADDRESS, normalizeAddress(address), 0, duration, reason, origin);
    }

    static String normalizeAddress(String address) {
        String a = address == null ? "" : address.trim();
        if (!a.matches("[0-9A-Fa-f.:\\[\\]%]+")) {
            throw new IllegalArgumentException("not an IP address: " + address);
        }
        try {
            return InetAddress.getByName(a.replace("[", "").replace("]", "")).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + address);
        }
    }

    @Override
    public boolean lift(Kind kind, String subject) {
        String s = kind == Kind.BLOCK_ADDRESS ? normalizeAddress(subject) : subject;
        Restriction r = table.remove(key(kind, s));
        if (kind == Kind.THROTTLE) {
            buckets.remove(s);
        }
        if (r != null) {
            LOG.warn("Restriction lifted: {} {}", kind, s);
        }
        return r != null;
    }

    private Restriction active(Kind kind, String subject) {
        if (table.isEmpty() || subject == null) {
            return null;
        }
        Restriction r = table.get(key(kind, subject));
        if (r != null && !clock.instant().isBefore(r.until())) {
            if (table.remove(key(kind, subject), r) && kind == Kind.THROTTLE) {
                // only if no newer throttle replaced it meanwhile
                if (!table.containsKey(key(kind, subject))) {
                    buckets.remove(subject);
                }
            }
            LOG.info("Restriction ended: {} {}", kind, subject);
            return null;
        }
        return r;
    }

    boolean isQuarantined(String deviceId) {
        return active(Kind.QUARANTINE, deviceId) != null;
    }

    boolean isBlocked(InetAddress address) {
        return !table.isEmpty() && address != null && active(Kind.BLOCK_ADDRESS, address.getHostAddress()) != null;
    }

    /** @return whether a throttled device may make one more request now */
    boolean allowRequest(String deviceId) {
        if (active(Kind.THROTTLE, deviceId) == null) {
            return true;
        }
        TokenBucket b = buckets.computeIfAbsent(deviceId, d -> {
            Restriction r = table.get(key(Kind.THROTTLE, d));
            return new TokenBucket(r == null ? 1 : r.ratePerSecond(), clock);
        });
        return b.tryTake();
    }

    @Override
    public List<Restriction> restrictions() {
        List<Restriction> out = new ArrayList<>();
        for (Restriction r : List.copyOf(table.values())) {
            if (active(r.kind(), r.subject()) != null) {
                out.add(r);
            }
        }
        out.sort(Comparator.comparing(Restriction::until));
        return out;
    }

    @Override
    public String statusName() {
        return "access-control";
    }

    @Override
    public String statusLine() {
        List<Restriction> rs = restrictions();
        if (rs.isEmpty()) {
            return "no restrictions in force";
        }
        StringBuilder b = new StringBuilder(rs.size() + " in force:");
        rs.forEach(r -> b.append(" [").append(r).append(']'));
        return b.toString();
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Kind k : Kind.values()) {
            out.put(k.name().toLowerCase(), restrictions().stream().filter(r -> r.kind() == k).count());
        }
        return out;
    }

    /** A token bucket holding at most one second's worth of requests. */
    static final class TokenBucket {
        private final double rate;
        private final Clock clock;
        private double tokens;
        private long last;

        TokenBucket(double rate, Clock clock) {
            this.rate = rate;
            this.clock = clock;
            this.tokens = Math.max(1, rate);
            this.last = clock.millis();
        }

        synchronized boolean tryTake() {
            long now = clock.millis();
            tokens = Math.min(Math.max(1, rate), tokens + (now - last) * rate / 1000.0);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }
}
