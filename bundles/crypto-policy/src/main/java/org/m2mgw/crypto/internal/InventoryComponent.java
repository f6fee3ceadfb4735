package org.m2mgw.crypto.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.m2mgw.api.crypto.Airtime;
import org.m2mgw.api.crypto.CryptoInventory;
import org.m2mgw.api.crypto.CryptoPolicy;
import org.m2mgw.api.crypto.CryptoStatus;
import org.m2mgw.api.crypto.Finding;
import org.m2mgw.api.crypto.InventoryEntry;
import org.m2mgw.api.crypto.KeyFacts;
import org.m2mgw.api.crypto.Verdict;
import org.m2mgw.api.device.CredentialType;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.m2mgw.api.runtime.StatusProvider;
import org.m2mgw.support.PrivateFiles;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The crypto inventory: what transports report per device, joined with the registry's credentials
 * and judged by the policy. Usage is kept in memory and saved to
 * {@code <data>/crypto/inventory.tsv} every 30 seconds when it changed (and at shutdown). A
 * summary goes to Event Admin ({@link #TOPIC}) every hour and soon after a change, for the cloud
 * connection to publish.
 */
@Component(service = {CryptoInventory.class, StatusProvider.class, InventoryComponent.class}, immediate = true)
public class InventoryComponent implements CryptoInventory, StatusProvider {
    /** Event Admin topic of inventory summaries. */
    public static final String TOPIC = "org/m2mgw/crypto/INVENTORY";
    static final int NO_RESUMPTION_AFTER = 5;
    /** The first line of {@code inventory.tsv}. */
    static final String HEADER = "# m2mgw crypto inventory v2";
    private static final Logger LOG = LoggerFactory.getLogger(InventoryComponent.class);

    private final DeviceRegistry registry;
    private final CryptoPolicy policy;
    private final Path file;
    private final byte[] fingerprintKey;
    private final Clock clock;
    private final Map<String, DeviceUsage> usage = new ConcurrentHashMap<>();
    private final Map<String, org.m2mgw.api.crypto.UplinkEntry> uplinks = new ConcurrentHashMap<>();
    private final AtomicBoolean dirty = new AtomicBoolean();
    private final AtomicBoolean changed = new AtomicBoolean();
    private final ScheduledExecutorService timer;
    private volatile long lastPublished;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile EventAdmin events;

    @Activate
    public InventoryComponent(@Reference DeviceRegistry registry, @Reference CryptoPolicy policy,
            @Reference GatewayRuntime runtime) {
        this(registry, policy, runtime.dataDirectory("crypto"), Clock.systemUTC(), true);
    }

    InventoryComponent(DeviceRegistry registry, CryptoPolicy policy, Path dir, Clock clock, boolean schedule) {
        this.registry = registry;
        this.policy = policy;
        this.clock = clock;
        this.file = dir.resolve("inventory.tsv");
        this.fingerprintKey = loadOrCreateKey(dir.resolve("fingerprint.key"));
        load();
        if (schedule) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "m2mgw-crypto-inventory");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(this::tick, 30, 30, TimeUnit.SECONDS);
        } else {
            timer = null;
        }
    }

    @Deactivate
    void deactivate() {
        if (timer != null) {
            timer.shutdownNow();
        }
        save();
    }

    // --- reports from transports ---

    @Override
    public void handshake(String deviceId, String protocol, String suiteId, CredentialType type, boolean full,
            Instant at) {
        DeviceUsage u = usage.computeIfAbsent(deviceId, k -> new DeviceUsage());
        synchronized (u) {
            if (!suiteId.equals(u.suite) || type != u.credentialType) {
                changed.set(true);
            }
            u.suite = suiteId;
            u.protocol = protocol;
            u.credentialType = type;
            // Every handshake, full or abbreviated, derives new record keys.
            u.recordsProtected = 0;
            u.macFailures = 0;
            u.lastHandshake = at;
            u.countHandshake(DeviceUsage.day(clock.millis()));
            if (full) {
                u.fullHandshakes++;
            } else {
                u.resumptions++;
            }
        }
        dirty.set(true);
    }

    @Override
    public void certificate(String deviceId, X509Certificate leaf) {
        KeyAnalysis.PublicKeyInfo info = KeyAnalysis.publicKey(leaf.getPublicKey());
        DeviceUsage u = usage.computeIfAbsent(deviceId, k -> new DeviceUsage());
        synchronized (u) {
            u.certificateNotAfter = leaf.getNotAfter().toInstant();
            u.certificateAlgorithm = info.algorithm();
            u.certificateStrength = info.strengthBits();
        }
        dirty.set(true);
    }

    @Override
    public void usage(String deviceId, long recordsProtected, long macFailures) {
        DeviceUsage u = usage.get(deviceId);
        if (u != null) {
            synchronized (u) {
                if (u.recordsProtected == recordsProtected && u.macFailures == macFailures) {
                    return; // an idle session: nothing to save
                }
                u.recordsProtected = recordsProtected;
                u.macFailures = macFailures;
            }
            dirty.set(true);
        }
    }

    @Override
    public void airtime(String deviceId, Collection<Airtime> delta) {
        if (delta == null || delta.isEmpty()) {
            return;
        }
        DeviceUsage u = usage.get(deviceId);
        if (u == null) {
            u = usage.computeIfAbsent(deviceId, k -> new DeviceUsage());
        }
        synchronized (u) {
            u.addAirtime(delta);
        }
        dirty.set(true);
    }

    @Override
    public void ended(String deviceId, String reason, Instant at) {
        DeviceUsage u = usage.computeIfAbsent(deviceId, k -> new DeviceUsage());
        synchronized (u) {
            u.lastEvent = reason;
            u.lastEventAt = at;
        }
        dirty.set(true);
        changed.set(true);
    }

    @Override
    public void uplink(org.m2mgw.api.crypto.UplinkEntry uplink) {
        org.m2mgw.api.crypto.UplinkEntry before = uplinks.put(uplink.name(), uplink);
        if (before == null || !before.group().equals(uplink.group()) || !before.suite().equals(uplink.suite())) {
            changed.set(true);
            LOG.info("Crypto inventory: uplink {} uses {} {} with key exchange {}{}", uplink.name(), uplink.protocol(),
                    uplink.suite(), uplink.group().isEmpty() ? "unknown" : uplink.group(),
                    uplink.postQuantum() ? " (post-quantum hybrid)" : "");
        }
    }

    @Override
    public List<org.m2mgw.api.crypto.UplinkEntry> uplinks() {
        List<org.m2mgw.api.crypto.UplinkEntry> out = new ArrayList<>(uplinks.values());
        out.sort(Comparator.comparing(org.m2mgw.api.crypto.UplinkEntry::name));
        return out;
    }

    // --- reading ---

    @Override
    public List<InventoryEntry> entries() {
        Instant now = clock.instant();
        List<InventoryEntry> out = new ArrayList<>();
        for (Device d : registry.devices()) {
            out.add(entry(d, now));
        }
        out.sort(Comparator.comparing(InventoryEntry::deviceId));
        return out;
    }

    @Override
    public Optional<InventoryEntry> entry(String deviceId) {
        return registry.device(deviceId).map(d -> entry(d, clock.instant()));
    }

    private InventoryEntry entry(Device d, Instant now) {
        DeviceUsage u = Optional.ofNullable(usage.get(d.deviceId())).map(DeviceUsage::copy).orElseGet(DeviceUsage::new);
        u.roll(DeviceUsage.day(now.toEpochMilli())); // a device silent since yesterday made none today
        Key key = key(d, u);
        KeyFacts facts = new KeyFacts(key.type, key.algorithm, key.strength == 0 && key.type == CredentialType.X509
                ? policyMinimumPlaceholder() : key.strength, key.type != CredentialType.PSK,
                d.keyCreated(), Optional.ofNullable(u.certificateNotAfter));
        Verdict v = policy.key(facts, now);
        if (key.weakness != null) {
            // The weakness says more than the strength estimate: it comes first.
            Verdict weak = Verdict.of(CryptoStatus.WARN, "pre-shared key is " + key.weakness, null);
            v = v.status() == CryptoStatus.WARN && v.reason().contains("below the policy minimum") ? weak : v.worst(weak);
        }
        if (u.suite != null && u.credentialType != null) {
            v = v.worst(policy.suite(u.credentialType, u.suite, now));
        }
        Optional<Instant> anchor = Optional.empty();
        if (key.type == CredentialType.X509) {
            anchor = registry.trustAnchors().stream().map(c -> c.getNotAfter().toInstant()).min(Comparator.naturalOrder());
            if (anchor.isPresent()) {
                Instant end = anchor.get();
                if (!now.isBefore(end)) {
                    v = v.worst(Verdict.of(CryptoStatus.EXPIRED, "a trust anchor expired on " + PolicyRules.day(end), end));
                } else if (now.plusSeconds(86_400L * policy.warningDays()).isAfter(end)) {
                    v = v.worst(Verdict.of(CryptoStatus.EXPIRING, "a trust anchor expires on " + PolicyRules.day(end), end));
                }
            }
        }
        return new InventoryEntry(d.deviceId(), key.type, key.algorithm, key.strength, key.fingerprint,
                d.keyCreated(), Optional.ofNullable(u.suite), Optional.ofNullable(u.protocol), u.recordsProtected,
                u.macFailures, Optional.ofNullable(u.lastHandshake), u.fullHandshakes, u.resumptions,
                Optional.ofNullable(u.certificateNotAfter), anchor, v,
                Optional.ofNullable(u.lastEvent).map(e -> e + (u.lastEventAt == null ? "" : " (" + u.lastEventAt + ")")),
                u.airtimeList(), u.handshakesToday, u.handshakesYesterday);
    }

    /** A certificate not seen yet has no known strength; it is not judged weak for that. */
    private static int policyMinimumPlaceholder() {
        return 256;
    }

    private record Key(CredentialType type, String algorithm, int strength, String fingerprint, String weakness) {
    }

    /**
     * What was worked out of each device's key, kept while the device is unchanged (a new secret
     * comes with a new key date, so an equal device has the same key): a keyed hash and an entropy
     * estimate per device per status poll would cost a large fleet seconds of CPU.
     */
    private final Map<String, Map.Entry<Device, Key>> keys = new ConcurrentHashMap<>();

    private Key key(Device d, DeviceUsage u) {
        Map.Entry<Device, Key> cached = keys.get(d.deviceId());
        if (cached != null && cached.getKey().equals(d)
                && (u.credentialType == null || u.credentialType == cached.getValue().type())
                && (cached.getValue().type() != CredentialType.X509 || u.certificateAlgorithm == null)) {
            return cached.getValue();
        }
        Key k = analyse(d, u);
        if (keys.size() > 200_000) {
            keys.clear();
        }
        keys.put(d.deviceId(), Map.entry(d, k));
        return k;
    }

    private Key analyse(Device d, DeviceUsage u) {
        CredentialType type = u.credentialType != null ? u.credentialType
                : d.pskIdentity().isPresent() ? CredentialType.PSK
                : d.publicKey().isPresent() ? CredentialType.RAW_PUBLIC_KEY : CredentialType.X509;
        switch (type) {
            case PSK: {
                Optional<byte[]> secret = d.pskIdentity().flatMap(registry::pskSecret);
                if (secret.isEmpty()) {
                    return new Key(type, "PSK", 0, "", null);
                }
                byte[] s = secret.get();
                try {
                    KeyAnalysis.PskQuality q = KeyAnalysis.psk(s);
                    return new Key(type, "PSK " + s.length * 8 + " bits", q.strengthBits(), keyedFingerprint(s),
                            q.weakness());
                } finally {
                    Arrays.fill(s, (byte) 0);
                }
            }
            case RAW_PUBLIC_KEY: {
                byte[] spki = d.publicKey().orElse(new byte[0]);
                KeyAnalysis.PublicKeyInfo info = KeyAnalysis.publicKey(spki);
                return new Key(type, info.algorithm(), info.strengthBits(), KeyAnalysis.sha256Fingerprint(spki), null);
            }
            default: {
                String fp = d.certificateSha256().map(h -> "sha256:" + HexFormat.of().formatHex(h, 0, 16))
                        .or(() -> d.certificateSpkiSha256().map(h -> "spki-sha256:" + HexFormat.of().formatHex(h, 0, 16)))
                        .orElse("subject:" + d.certificateSubject().orElse(""));
                return u.certificateAlgorithm == null ? new Key(type, "X.509 (not seen yet)", 0, fp, null)
                        : new Key(type, "X.509 " + u.certificateAlgorithm, u.certificateStrength, fp, null);
            }
        }
    }

    /** A keyed hash of a PSK: equal keys give equal fingerprints on this gateway, and nothing else. */
    String keyedFingerprint(byte[] secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(fingerprintKey, "HmacSHA256"));
            return "hmac:" + HexFormat.of().formatHex(mac.doFinal(secret), 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** @return the device radio energy per byte of the policy in force now */
    Energy energy() {
        return Energy.of(policy);
    }

    @Override
    public List<Finding> findings() {
        return Findings.of(entries(), registry, this, policy, clock.instant());
    }

    // --- status ---

    @Override
    public String statusName() {
        return "crypto inventory";
    }

    /**
     * The status line's counts and the counters, at most 30 seconds old: status pages poll, and
     * each computation walks every device. Only the sums are kept, not the entries they came
     * from (a list of every device's entry would cost the heap hundreds of bytes per device).
     */
    private record StatusView(long at, Map<CryptoStatus, Long> counts, Map<String, Long> counters,
            List<Airtime> airtime) {
    }

    private volatile StatusView forStatus;

    private StatusView statusView() {
        StatusView c = forStatus;
        long now = clock.millis();
        if (c == null || now - c.at() > 30_000 || now < c.at()) {
            List<InventoryEntry> all = entries();
            Map<CryptoStatus, Long> counts = counts(all);
            List<Airtime> airtime = airtimeTotals(all);
            Map<String, Long> out = new LinkedHashMap<>();
            counts.forEach((k, v) -> out.put("devices." + k.name().toLowerCase(java.util.Locale.ROOT), v));
            out.put("devices.quantum.vulnerable", all.stream().filter(InventoryEntry::quantumVulnerable).count());
            out.put("handshakes.today", all.stream().mapToLong(InventoryEntry::handshakesToday).sum());
            out.put("handshakes.yesterday", all.stream().mapToLong(InventoryEntry::handshakesYesterday).sum());
            for (Airtime a : airtime) {
                String k = "airtime." + slug(a.protocol());
                out.put(k + ".bytes.in", a.bytesIn());
                out.put(k + ".bytes.out", a.bytesOut());
                out.put(k + ".datagrams", a.datagrams());
                out.put(k + ".handshakes", a.handshakes());
            }
            c = new StatusView(now, counts, Collections.unmodifiableMap(out), airtime);
            forStatus = c;
        }
        return c;
    }

    @Override
    public String statusLine() {
        Map<CryptoStatus, Long> counts = statusView().counts();
        return counts.isEmpty() ? "no devices" : counts.toString();
    }

    @Override
    public Map<String, Long> counters() {
        StatusView v = statusView();
        Map<String, Long> out = new LinkedHashMap<>(v.counters());
        // energy from the policy in force now: a new coefficient applies at once
        Energy energy = energy();
        for (Airtime a : v.airtime()) {
            out.put("energy." + slug(a.protocol()) + ".millijoules", Energy.rounded(energy.millijoules(a)));
        }
        return out;
    }

    /** @return the fleet's airtime per protocol, in the order of the {@link Airtime} constants */
    static List<Airtime> airtimeTotals(List<InventoryEntry> entries) {
        Map<String, Airtime> sum = new java.util.TreeMap<>(DeviceUsage.PROTOCOL_ORDER);
        for (InventoryEntry e : entries) {
            for (Airtime a : e.airtime()) {
                sum.merge(a.protocol(), a, Airtime::plus);
            }
        }
        return List.copyOf(sum.values());
    }

    /** @return {@code protocol} as a counter name part: "DTLS full handshake" is {@code dtls-full-handshake} */
    static String slug(String protocol) {
        String s = protocol.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        return s.replaceAll("^-|-$", "");
    }

    static Map<CryptoStatus, Long> counts(List<InventoryEntry> entries) {
        Map<CryptoStatus, Long> counts = new EnumMap<>(CryptoStatus.class);
        for (InventoryEntry e : entries) {
            counts.merge(e.verdict().status(), 1L, Long::sum);
        }
        return counts;
    }

    // --- persistence and publication ---

    void tick() {
        try {
            if (dirty.getAndSet(false)) {
                save();
            }
            long now = clock.millis();
            if (changed.getAndSet(false) || now - lastPublished > TimeUnit.HOURS.toMillis(1)) {
                publish();
                lastPublished = now;
            }
        } catch (RuntimeException e) {
            LOG.warn("Crypto inventory upkeep failed: {}", e.toString());
        }
    }

    private void publish() {
        EventAdmin ea = events;
        if (ea == null) {
            return;
        }
        List<InventoryEntry> all = entries();
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("time", clock.instant().toString());
        props.put("devices", (long) all.size());
        counts(all).forEach((k, v) -> props.put("status." + k.name().toLowerCase(java.util.Locale.ROOT), v));
        props.put("quantum.vulnerable", all.stream().filter(InventoryEntry::quantumVulnerable).count());
        // one pass over the fleet for the findings (it walks every device), not one per use
        List<Finding> findings = Findings.of(all, registry, this, policy, clock.instant());
        props.put("findings", (long) findings.size());
        props.put("policy.revision", policy.revision());
        props.put("json", InventoryJson.summary(all, findings, uplinks(), clock.instant(), energy()));
        ea.postEvent(new Event(TOPIC, props));
    }

    synchronized void save() {
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        usage.forEach((id, u) -> b.append(u.toLine(id)).append('\n'));
        try {
            Files.createDirectories(file.getParent());
            PrivateFiles.write(file, b.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            dirty.set(true);
            LOG.warn("Crypto inventory not saved to {}: {}", file, e.toString());
        }
    }

    private void load() {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            LOG.warn("Crypto inventory {} not readable, starting empty: {}", file, e.toString());
            return;
        }
        if (!lines.isEmpty() && !HEADER.equals(lines.get(0))) {
            keepOldFormat(lines.get(0));
        }
        int damaged = 0;
        for (String line : lines) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Map.Entry<String, DeviceUsage> e = DeviceUsage.fromLine(line);
            if (e == null) {
                damaged++;
            } else {
                usage.put(e.getKey(), e.getValue());
            }
        }
        if (damaged > 0) {
            LOG.warn("Crypto inventory {}: {} damaged line(s) left out", file, damaged);
        }
        LOG.info("Crypto inventory: {} device(s) loaded from {}", usage.size(), file);
    }

    /**
     * Keeps a copy of an inventory of another format ({@code inventory.tsv.v1}) before the next
     * save rewrites it as v2: the v1 lines load, but a downgrade could not read v2 lines, and a
     * line this version cannot read would be gone. An existing copy is not replaced.
     */
    private void keepOldFormat(String header) {
        String version = header.startsWith("# m2mgw crypto inventory ")
                ? header.substring("# m2mgw crypto inventory ".length()).replaceAll("[^A-Za-z0-9.]", "") : "";
        Path copy = file.resolveSibling(file.getFileName() + "." + (version.isEmpty() ? "old" : version));
        try {
            if (!Files.exists(copy)) {
                PrivateFiles.write(copy, Files.readAllBytes(file));
                LOG.info("Crypto inventory {} is in format {}: kept a copy as {}; it is saved as v2 from now on",
                        file, version.isEmpty() ? "unknown" : version, copy);
            }
        } catch (IOException e) {
            LOG.warn("Crypto inventory: no copy of the {} inventory kept as {}: {}", version, copy, e.toString());
        }
    }

    private static byte[] loadOrCreateKey(Path keyFile) {
        try {
            if (Files.exists(keyFile)) {
                byte[] k = Files.readAllBytes(keyFile);
                if (k.length == 32) {
                    return k;
                }
                LOG.warn("Crypto inventory fingerprint key {} damaged; making a new one (fingerprints change)", keyFile);
            }
            byte[] k = new byte[32];
            new SecureRandom().nextBytes(k);
            Files.createDirectories(keyFile.getParent());
            PrivateFiles.write(keyFile, k);
            return k;
        } catch (IOException e) {
            LOG.warn("Crypto inventory fingerprint key {} not stored ({}); fingerprints change at restart",
                    keyFile, e.toString());
            byte[] k = new byte[32];
            new SecureRandom().nextBytes(k);
            return k;
        }
    }
}
