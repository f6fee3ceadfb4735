package org.m2mgw.access.internal;

import org.m2mgw.support.IpLiterals;

import java.net.InetAddress;
import java.nio.file.Path;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import org.m2mgw.api.access.DeviceAccessControl;
import org.m2mgw.api.access.Restriction;
import org.m2mgw.api.access.Restriction.Kind;
import org.m2mgw.api.access.RestrictionListener;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.m2mgw.api.runtime.StatusProvider;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's one table of restrictions: quarantined and throttled devices, blocked addresses
 * and prefixes. Every transport asks it; detectors and operators change it. Restrictions end by
 * themselves when their time is up and can be lifted earlier. The table is saved to
 * {@code <data>/access/restrictions.tsv} after every change, so a restart keeps it, and it is
 * bounded: when full, a detector's new restriction may only displace another detector's, and an
 * operator's may displace any; the one ending soonest goes.
 */
@Component(service = {DeviceAccessControl.class, StatusProvider.class}, immediate = true)
public class RestrictionTable implements DeviceAccessControl, StatusProvider {
    static final int MAX_RESTRICTIONS = 10_000;
    static final Duration MAX_DURATION = Duration.ofDays(365);
    private static final Logger LOG = LoggerFactory.getLogger(RestrictionTable.class);

    private final Map<String, Entry> table = new ConcurrentHashMap<>();
    /** The prefix blocks, copied on change: read for every datagram while any exists. */
    private volatile List<Entry> prefixBlocks = List.of();
    private final List<RestrictionListener> listeners = new CopyOnWriteArrayList<>();
    private final Clock clock;
    private final TableSaver saver;
    private final LongAdder refusedFull = new LongAdder();
    private final LongAdder evicted = new LongAdder();

    /** One restriction and, for throttles, its allowance. */
    record Entry(Restriction restriction, TokenBucket bucket, Prefix prefix) {
    }

    @Activate
    public RestrictionTable(@Reference GatewayRuntime runtime) {
        this(Clock.systemUTC(), new RestrictionStore(runtime.dataDirectory("access").resolve("restrictions.tsv")),
                Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "m2mgw-access-store");
                    t.setDaemon(true);
                    return t;
                }));
    }

    RestrictionTable(Clock clock, RestrictionStore store, ExecutorService saver) {
        this.clock = clock;
        this.saver = store == null ? null : new TableSaver(store, saver, this::restrictions);
        if (store != null) {
            int restored = 0;
            Instant now = clock.instant();
            for (Restriction r : store.load()) {
                if (r.until().isAfter(now) && table.size() < MAX_RESTRICTIONS) {
                    insert(r);
                    restored++;
                }
            }
            if (restored > 0) {
                LOG.info("Restored {} restriction(s) from {}", restored, store.file());
            }
        }
    }

    @Deactivate
    void deactivate() {
        if (saver != null) {
            saver.close();
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addListener(RestrictionListener l) {
        listeners.add(l);
    }

    public void removeListener(RestrictionListener l) {
        listeners.remove(l);
    }

    private static String key(Kind kind, String subject) {
        return kind + "|" + subject;
    }

    private static boolean byOperator(Restriction r) {
        return r.origin().startsWith("operator");
    }

    private void insert(Restriction r) {
        boolean rated = r.kind() == Kind.THROTTLE || r.kind() == Kind.LIMIT_HANDSHAKES;
        Entry e = new Entry(r, rated ? new TokenBucket(r.ratePerSecond(), clock) : null,
                r.kind() == Kind.BLOCK_PREFIX ? Prefix.parse(r.subject()) : null);
        Entry old = table.put(key(r.kind(), r.subject()), e);
        if (r.kind() == Kind.BLOCK_PREFIX || (old != null && old.prefix() != null)) {
            rebuildPrefixes();
        }
    }

    private synchronized void rebuildPrefixes() {
        List<Entry> p = new ArrayList<>();
        for (Entry e : table.values()) {
            if (e.prefix() != null) {
                p.add(e);
            }
        }
        prefixBlocks = List.copyOf(p);
    }

    private Restriction put(Kind kind, String subject, double rate, Duration duration, String reason, String origin) {
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("subject must not be empty");
        }
        if (subject.length() > 256 || subject.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("subject must be at most 256 printable characters");
        }
        if (duration == null || duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("duration must be between 1 s and 365 days");
        }
        Restriction r = new Restriction(kind, subject, rate, clock.instant().plus(duration),
                reason == null ? "" : reason, origin == null || origin.isBlank() ? "unknown" : origin);
        synchronized (this) {
            if (!table.containsKey(key(kind, subject)) && table.size() >= MAX_RESTRICTIONS) {
                makeRoomFor(r);
            }
            insert(r);
        }
        LOG.warn("Restriction in force: {}", r);
        markDirty();
        for (RestrictionListener l : listeners) {
            try {
                l.restrictionAdded(r);
            } catch (RuntimeException e) {
                LOG.warn("Restriction listener {} failed: {}", l.getClass().getName(), e.toString());
            }
        }
        return r;
    }

    /** Called with the table full: drops ended restrictions, then the one ending soonest that {@code r} may displace. */
    private void makeRoomFor(Restriction r) {
        Instant now = clock.instant();
        table.values().removeIf(e -> !now.isBefore(e.restriction().until()));
        if (table.size() < MAX_RESTRICTIONS) {
            rebuildPrefixes();
            return;
        }
        boolean operator = byOperator(r);
        Entry victim = null;
        for (Entry e : table.values()) {
            if ((operator || !byOperator(e.restriction()))
                    && (victim == null || e.restriction().until().isBefore(victim.restriction().until()))) {
                victim = e;
            }
        }
        if (victim == null) {
            refusedFull.increment();
            throw new IllegalStateException("restriction table is full (" + MAX_RESTRICTIONS
                    + " restrictions put in place by operators); lift some first");
        }
        table.remove(key(victim.restriction().kind(), victim.restriction().subject()), victim);
        evicted.increment();
        LOG.warn("Restriction table full ({}): {} displaced by {}", MAX_RESTRICTIONS, victim.restriction(), r);
        if (victim.prefix() != null) {
            rebuildPrefixes();
        }
    }

    @Override
    public Restriction quarantine(String deviceId, Duration duration, String reason, String origin) {
        return put(Kind.QUARANTINE, deviceId == null ? null : deviceId.trim(), 0, duration, reason, origin);
    }

    @Override
    public Restriction throttle(String deviceId, double ratePerSecond, Duration duration, String reason, String origin) {
        if (!(ratePerSecond > 0) || ratePerSecond > 1_000_000) {
            throw new IllegalArgumentException("ratePerSecond must be > 0 and at most 1,000,000");
        }
        return put(Kind.THROTTLE, deviceId == null ? null : deviceId.trim(), ratePerSecond, duration, reason, origin);
    }

    @Override
    public Restriction blockAddress(String address, Duration duration, String reason, String origin) {
        return blockAddress(IpLiterals.parse(address), duration, reason, origin);
    }

    @Override
    public Restriction blockAddress(InetAddress address, Duration duration, String reason, String origin) {
        if (address == null) {
            throw new IllegalArgumentException("address must not be empty");
        }
        return put(Kind.BLOCK_ADDRESS, address.getHostAddress(), 0, duration, reason, origin);
    }

    @Override
    public Restriction blockPrefix(InetAddress network, int prefixLength, Duration duration, String reason,
            String origin) {
        if (network == null) {
            throw new IllegalArgumentException("network must not be empty");
        }
        return put(Kind.BLOCK_PREFIX, Prefix.of(network, prefixLength).toString(), 0, duration, reason, origin);
    }

    @Override
    public Restriction limitHandshakes(InetAddress address, double perSecond, Duration duration, String reason,
            String origin) {
        if (address == null) {
            throw new IllegalArgumentException("address must not be empty");
        }
        if (!(perSecond > 0) || perSecond > 1_000_000) {
            throw new IllegalArgumentException("perSecond must be > 0 and at most 1,000,000");
        }
        return put(Kind.LIMIT_HANDSHAKES, address.getHostAddress(), perSecond, duration, reason, origin);
    }

    @Override
    public boolean tryAcquireHandshake(InetAddress address) {
        if (table.isEmpty() || address == null) {
            return true;
        }
        Entry e = active(Kind.LIMIT_HANDSHAKES, address.getHostAddress());
        return e == null || e.bucket().tryTake();
    }

    /** The canonical subject of a restriction as an operator may type it. */
    static String canonical(Kind kind, String subject) {
        String s = subject == null ? "" : subject.trim();
        return switch (kind) {
            case BLOCK_ADDRESS, LIMIT_HANDSHAKES -> IpLiterals.parse(s).getHostAddress();
            case BLOCK_PREFIX -> Prefix.parse(s).toString();
            default -> s;
        };
    }

    @Override
    public boolean lift(Kind kind, String subject) {
        String s = canonical(kind, subject);
        Entry e;
        synchronized (this) {
            e = table.remove(key(kind, s));
            if (e != null && e.prefix() != null) {
                rebuildPrefixes();
            }
        }
        if (e == null) {
            return false;
        }
        LOG.warn("Restriction lifted: {} {}", kind, s);
        markDirty();
        notifyLifted(e.restriction());
        return true;
    }

    private void notifyLifted(Restriction r) {
        for (RestrictionListener l : listeners) {
            try {
                l.restrictionLifted(r);
            } catch (RuntimeException ex) {
                LOG.warn("Restriction listener {} failed: {}", l.getClass().getName(), ex.toString());
            }
        }
    }

    /** @return the entry in force, or null; an ended one is removed on the way */
    private Entry active(Kind kind, String subject) {
        if (table.isEmpty() || subject == null) {
            return null;
        }
        Entry e = table.get(key(kind, subject));
        if (e != null && !clock.instant().isBefore(e.restriction().until())) {
            ended(e);
            return null;
        }
        return e;
    }

    private void ended(Entry e) {
        Restriction r = e.restriction();
        boolean removed;
        synchronized (this) {
            removed = table.remove(key(r.kind(), r.subject()), e);
            if (removed && e.prefix() != null) {
                rebuildPrefixes();
            }
        }
        if (removed) {
            LOG.info("Restriction ended: {} {}", r.kind(), r.subject());
            markDirty();
            notifyLifted(r);
        }
    }

    @Override
    public boolean isQuarantined(String deviceId) {
        return active(Kind.QUARANTINE, deviceId) != null;
    }

    @Override
    public boolean isBlocked(InetAddress address) {
        if (table.isEmpty() || address == null) {
            return false;
        }
        if (active(Kind.BLOCK_ADDRESS, address.getHostAddress()) != null) {
            return true;
        }
        List<Entry> prefixes = prefixBlocks;
        if (prefixes.isEmpty()) {
            return false;
        }
        Instant now = clock.instant();
        for (Entry e : prefixes) {
            if (e.prefix().contains(address)) {
                if (now.isBefore(e.restriction().until())) {
                    return true;
                }
                ended(e);
            }
        }
        return false;
    }

    @Override
    public boolean tryAcquire(String deviceId) {
        Entry e = active(Kind.THROTTLE, deviceId);
        return e == null || e.bucket().tryTake();
    }

    @Override
    public List<Restriction> restrictions() {
        List<Restriction> out = new ArrayList<>();
        Instant now = clock.instant();
        for (Entry e : List.copyOf(table.values())) {
            if (now.isBefore(e.restriction().until())) {
                out.add(e.restriction());
            } else {
                ended(e);
            }
        }
        out.sort(Comparator.comparing(Restriction::until));
        return out;
    }

    private void markDirty() {
        if (saver != null) {
            saver.changed();
        }
    }

    // --- status ---

    @Override
    public String statusName() {
        return "device-access";
    }

    @Override
    public String statusLine() {
        List<Restriction> rs = restrictions();
        if (rs.isEmpty()) {
            return "no restrictions in force";
        }
        StringBuilder b = new StringBuilder(rs.size() + " in force:");
        rs.stream().limit(20).forEach(r -> b.append(" [").append(r).append(']'));
        if (rs.size() > 20) {
            b.append(" ... and ").append(rs.size() - 20).append(" more");
        }
        return b.toString();
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>();
        List<Restriction> rs = restrictions();
        for (Kind k : Kind.values()) {
            out.put(k.name().toLowerCase(), rs.stream().filter(r -> r.kind() == k).count());
        }
        out.put("refused.table.full", refusedFull.sum());
        out.put("evicted.table.full", evicted.sum());
        out.put("save.failures", saver == null ? 0 : saver.failures());
        return out;
    }
}
