package org.m2mgw.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.Provider;
import java.security.Security;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.jar.JarFile;
import javax.crypto.KeyAgreement;
import javax.inject.Inject;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.util.NamedThreadFactory;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.cipher.ThreadLocalCipher;
import org.eclipse.californium.scandium.dtls.cipher.ThreadLocalKeyAgreement;
import org.eclipse.californium.scandium.dtls.cipher.ThreadLocalKeyPairGenerator;
import org.eclipse.californium.scandium.dtls.cipher.ThreadLocalSignature;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.m2mgw.api.crypto.CryptoProvider;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.message.Acceptance;
import org.m2mgw.api.message.DeviceMessageConsumer;
import org.m2mgw.api.runtime.StatusProvider;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventListener;
import org.m2mgw.api.traffic.TrafficEventType;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.options.UrlProvisionOption;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The crypto provider bundle swapped under load, on Felix and on Equinox: the gateway boots
 * without {@code crypto-bc} (JDK crypto), 100 PSK devices hold live DTLS sessions and post from
 * several threads, and crypto-bc is installed, updated and uninstalled. No request fails, no device
 * handshakes again (the listener restarts its connector and restores the saved sessions), Scandium's
 * threads use Bouncy Castle's ECDHE/ECDSA while it is there and the JDK's otherwise, and the class
 * loaders of the bundle's two revisions are collected once it is gone.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CryptoProviderSwapIT extends GatewayTestSupport {
    private static final String CRYPTO_BC = "org.m2mgw.crypto-bc";
    private static final int DEVICES = 100;
    private static final int TRAFFIC_THREADS = 4;
    private static final String PROBE = "swap-ecdhe-probe";

    @Inject
    ConfigurationAdmin configAdmin;

    @Inject
    DeviceRegistry registry;

    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private final Map<String, AtomicLong> handshakesByDevice = new ConcurrentHashMap<>();
    private final AtomicLong resumptions = new AtomicLong();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final AtomicBoolean trafficOn = new AtomicBoolean();
    private final List<Thread> traffic = new ArrayList<>();
    private DeviceFixture devices;

    /** The distro's bundles without crypto-bc: the test installs it itself. */
    @Override
    @org.ops4j.pax.exam.Configuration
    public Option[] config() throws IOException {
        return Arrays.stream(super.config())
                .filter(o -> !(o instanceof UrlProvisionOption u && u.getURL().startsWith("file:")
                        && isCryptoBc(Paths.get(java.net.URI.create(u.getURL())))))
                .toArray(Option[]::new);
    }

    private static boolean isCryptoBc(Path jar) {
        try (JarFile f = new JarFile(jar.toFile())) {
            String bsn = f.getManifest().getMainAttributes().getValue("Bundle-SymbolicName");
            return bsn != null && bsn.split(";")[0].trim().equals(CRYPTO_BC);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static Path cryptoBcJar() throws IOException {
        Path dir = Paths.get(System.getProperty("m2mgw.target", "target")).toAbsolutePath().resolve("distro-bundles");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "*.jar")) {
            for (Path p : jars) {
                if (isCryptoBc(p)) {
                    return p;
                }
            }
        }
        throw new AssertionError("crypto-bc is not in the distro's bundles in " + dir);
    }

    @After
    public void tearDown() throws InterruptedException {
        stopTraffic();
        if (devices != null) {
            devices.close();
        }
        registrations.forEach(ServiceRegistration::unregister);
    }

    @Test
    public void givenLiveSessionsAndTraffic_whenCryptoBcIsInstalledUpdatedAndUninstalled_thenNoRequestFailsNoDeviceHandshakesAndTheOldRevisionsAreCollected()
            throws Exception {
        long started = System.nanoTime();
        assertEquals("the gateway runs without crypto-bc", null, context.getServiceReference(CryptoProvider.class));
        Dictionary<String, Object> ranking = new Hashtable<>();
        ranking.put(org.osgi.framework.Constants.SERVICE_RANKING, 1000);
        registrations.add(context.registerService(DeviceMessageConsumer.class,
                m -> CompletableFuture.completedFuture(Acceptance.accepted()), ranking));
        registrations.add(context.registerService(TrafficEventListener.class, this::count, null));

        String[] ids = new String[DEVICES + 1];
        for (int i = 0; i < DEVICES; i++) {
            ids[i] = "swap-dev-" + i;
        }
        ids[DEVICES] = PROBE;
        devices = new DeviceFixture(configAdmin);
        devices.importDevices(Paths.get(System.getProperty("m2mgw.target", "target")).toAbsolutePath()
                .resolve("crypto-swap-it-" + framework()), ids);
        await("devices imported", 30_000, () -> registry.byPskIdentity(PROBE).isPresent());
        int port = devices.startListener("swap");
        StatusProvider listener;
        try {
            listener = awaitValue("the listener's status", 30_000, this::listenerStatus,
                    s -> s != null && s.statusLine().startsWith("listening"));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + listenerComponentState(), e);
        }
        assertTrue(listener.statusLine(), listener.statusLine().endsWith("crypto provider JDK"));

        List<CoapEndpoint> eps = new ArrayList<>();
        for (int i = 0; i < DEVICES; i++) {
            eps.add(devices.client(ids[i]));
        }
        awaitValue("the first device gets in", 30_000, () -> post(eps.get(0), port), c -> c == ResponseCode.CHANGED);
        for (CoapEndpoint ep : eps) {
            assertEquals(ResponseCode.CHANGED, post(ep, port));
        }
        awaitValue("100 full handshakes", 30_000, this::deviceHandshakes, n -> n >= DEVICES);
        long handshakesBefore = deviceHandshakes();
        long resumedBefore = resumptions.get();
        long restoredBefore = counter(listener, "connections.restored");
        long droppedBefore = counter(listener, "connections.restored.dropped");
        Map<String, String> jdk = scandiumProviders(null);
        assertEquals("SunEC", jdk.get("KeyAgreement"));

        startTraffic(eps, port);
        awaitTraffic(300);

        // 1. install: Scandium's threads get Bouncy Castle's elliptic curves, the rest of the JVM does not
        Bundle bc = context.installBundle(cryptoBcJar().toUri().toString());
        bc.start();
        awaitValue("one restart for the new provider", 20_000, () -> counter(listener, "crypto.provider.restarts"),
                n -> n == 1);
        String line = listener.statusLine();
        assertTrue(line, line.endsWith("crypto provider BC 1.87"));
        AtomicReference<WeakReference<ClassLoader>> loader1 = new AtomicReference<>();
        Map<String, String> installed = scandiumProviders(loader1);
        assertEquals("BC-DTLS", installed.get("KeyAgreement"));
        assertEquals("BC-DTLS", installed.get("Signature"));
        assertEquals("BC-DTLS", installed.get("KeyPairGenerator"));
        assertEquals("SunJCE", installed.get("Cipher"));
        assertEquals(CRYPTO_BC, installed.get("bundle"));
        assertEquals("BC is last and the JVM's other threads keep the JDK's", "SunEC",
                KeyAgreement.getInstance("ECDH").getProvider().getName());
        Provider[] list = Security.getProviders();
        assertEquals("BC-DTLS", list[0].getName());
        assertEquals("BC", list[list.length - 1].getName());
        list = null;
        awaitTraffic(300);
        // an ECDHE_PSK handshake on the gateway's new threads, with Bouncy Castle's ECDH
        CoapEndpoint probe = ecdhePskClient(PROBE);
        try {
            assertEquals(ResponseCode.CHANGED, post(probe, port));
        } finally {
            probe.destroy();
        }

        // 2. update: a new revision, a new class loader, one more restart
        bc.update();
        awaitValue("one restart for the update", 20_000, () -> counter(listener, "crypto.provider.restarts"),
                n -> n == 2);
        AtomicReference<WeakReference<ClassLoader>> loader2 = new AtomicReference<>();
        Map<String, String> updated = scandiumProviders(loader2);
        assertEquals("BC-DTLS", updated.get("KeyAgreement"));
        assertNotSame("the update brought new classes", loader1.get().get(), loader2.get().get());
        awaitTraffic(300);

        // 3. uninstall: back to the JDK
        bc.uninstall();
        bc = null;
        awaitValue("one restart for the removal", 20_000, () -> counter(listener, "crypto.provider.restarts"),
                n -> n == 3);
        // the removal's restart may be counted before the listener's status shows it
        line = awaitValue("the JDK's providers in the status", 20_000, listener::statusLine,
                l -> l.endsWith("crypto provider JDK"));
        assertTrue(line, line.endsWith("crypto provider JDK"));
        assertEquals("SunEC", scandiumProviders(null).get("KeyAgreement"));
        assertEquals(null, Security.getProvider("BC"));
        assertEquals(null, Security.getProvider("BC-DTLS"));
        awaitTraffic(300);
        refreshPackages();

        // The old revisions' class loaders go, while the traffic goes on. A Log Service that keeps
        // history (the distro's Felix Log keeps the last 100 entries) keeps the ServiceReference of
        // each service event, and Equinox's ServiceRegistration keeps its service object after the
        // unregistration: the crypto-bc bundle's CryptoProvider, and so its class loader. Felix drops
        // the service object. Where the first wait is not enough, newer entries push those out.
        boolean collected = awaitCollected(loader1.get(), loader2.get(), 10);
        boolean logHistoryHeldIt = false;
        if (!collected) {
            logHistoryHeldIt = true;
            pushOutLogHistory(150);
            collected = awaitCollected(loader1.get(), loader2.get(), 20);
        }
        if (!collected) {
            java.lang.management.ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=HotSpotDiagnostic"), "dumpHeap",
                    new Object[] {System.getProperty("m2mgw.target", "target") + "/crypto-swap-" + framework() + ".hprof",
                        true},
                    new String[] {String.class.getName(), "boolean"});
        }
        assertEquals("first revision's class loader collected", null, loader1.get().get());
        assertEquals("second revision's class loader collected", null, loader2.get().get());

        awaitTraffic(300);
        stopTraffic();
        long restored = counter(listener, "connections.restored") - restoredBefore;
        System.out.printf("CryptoProviderSwapIT on %s: %d requests ok, %d failed, device handshakes %d -> %d, "
                + "resumptions %d -> %d, sessions restored %d (dropped %d), provider restarts %d, old class loaders "
                + "collected%s, %d s%n",
                framework(), ok.get(), failed.get(), handshakesBefore, deviceHandshakes(), resumedBefore,
                resumptions.get(), restored, counter(listener, "connections.restored.dropped") - droppedBefore,
                counter(listener, "crypto.provider.restarts"),
                logHistoryHeldIt ? " after the log history moved on" : " at once",
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        System.out.printf("CryptoProviderSwapIT on %s: Scandium's providers without crypto-bc %s, installed %s, "
                + "updated %s%n", framework(), jdk, installed, updated);
        assertEquals("failed requests " + failures, 0, failed.get());
        assertEquals("new full handshakes of the 100 devices", handshakesBefore, deviceHandshakes());
        assertEquals("resumptions", resumedBefore, resumptions.get());
        assertTrue("sessions restored from saved state at each of the 3 restarts: " + restored,
                restored >= 3L * DEVICES);
        assertEquals("restored sessions dropped", droppedBefore, counter(listener, "connections.restored.dropped"));
    }

    /** System.gc() until both references are cleared or {@code seconds} pass; @return whether they were */
    private static boolean awaitCollected(WeakReference<?> a, WeakReference<?> b, int seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (a.get() != null || b.get() != null) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            System.gc();
            Thread.sleep(200);
        }
        return true;
    }

    /**
     * Registers and unregisters a service {@code n} times: a Log Service that records service events
     * (as Felix Log does) then has {@code 2n} newer entries, and drops older ones from its history.
     */
    private void pushOutLogHistory(int n) {
        for (int i = 0; i < n; i++) {
            context.registerService(Runnable.class, () -> { }, null).unregister();
        }
    }

    private void count(TrafficEvent e) {
        if (e.type() == TrafficEventType.HANDSHAKE_SUCCEEDED && !PROBE.equals(e.deviceId().orElse(null))) {
            handshakesByDevice.computeIfAbsent(e.deviceId().orElse("?"), k -> new AtomicLong()).incrementAndGet();
        } else if (e.type() == TrafficEventType.SESSION_RESUMED) {
            resumptions.incrementAndGet();
        }
    }

    private long deviceHandshakes() {
        return handshakesByDevice.values().stream().mapToLong(AtomicLong::get).sum();
    }

    private StatusProvider listenerStatus() {
        try {
            for (ServiceReference<StatusProvider> r : context.getServiceReferences(StatusProvider.class, null)) {
                StatusProvider s = context.getService(r);
                if (s != null && s.statusName().startsWith("org.m2mgw.transport.coaps") && s.statusName().contains("swap")) {
                    return s;
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        return null;
    }

    /** The listener component's state and activation failure, for a failed test's message. */
    private String listenerComponentState() {
        try {
            org.osgi.service.component.runtime.ServiceComponentRuntime scr =
                    service(org.osgi.service.component.runtime.ServiceComponentRuntime.class, 1000);
            StringBuilder out = new StringBuilder();
            for (var d : scr.getComponentDescriptionDTOs()) {
                if (d.name.contains("CoapsListener")) {
                    for (var c : scr.getComponentConfigurationDTOs(d)) {
                        out.append("CoapsListener state ").append(c.state).append(", failure: ").append(c.failure);
                    }
                }
            }
            return out.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static long counter(StatusProvider s, String name) {
        Long v = s.counters().get(name);
        return v == null ? 0 : v;
    }

    /**
     * Asks Scandium's own thread-local crypto factories, on a thread of Scandium's thread group (as
     * the connectors' threads are), which provider they get.
     *
     * @param loader if not null, receives a weak reference to the class loader of the provider
     *        Scandium got its KeyAgreement from
     */
    private static Map<String, String> scandiumProviders(AtomicReference<WeakReference<ClassLoader>> loader)
            throws InterruptedException {
        Map<String, String> out = new LinkedHashMap<>();
        Thread t = new Thread(NamedThreadFactory.SCANDIUM_THREAD_GROUP, () -> {
            try {
                Provider ka = new ThreadLocalKeyAgreement("ECDH").currentWithCause().getProvider();
                out.put("KeyAgreement", ka.getName());
                out.put("Signature", ThreadLocalSignature.SIGNATURES.get("SHA256withECDSA").currentWithCause()
                        .getProvider().getName());
                out.put("KeyPairGenerator", new ThreadLocalKeyPairGenerator("EC").currentWithCause().getProvider()
                        .getName());
                out.put("Cipher", new ThreadLocalCipher("AES/ECB/NoPadding").currentWithCause().getProvider().getName());
                Bundle b = FrameworkUtil.getBundle(ka.getClass());
                out.put("bundle", b == null ? "JDK" : b.getSymbolicName());
                if (loader != null) {
                    loader.set(new WeakReference<>(ka.getClass().getClassLoader()));
                    Provider bc = Security.getProvider("BC");
                    assertNotNull("BC installed", bc);
                    assertTrue("BC and BC-DTLS come from one class loader",
                            bc.getClass().getClassLoader() == ka.getClass().getClassLoader());
                }
            } catch (Throwable e) {
                out.put("error", e.toString());
            }
        }, "swap-it-scandium-probe");
        t.start();
        t.join();
        assertEquals(null, out.get("error"));
        return out;
    }

    private void startTraffic(List<CoapEndpoint> eps, int port) {
        trafficOn.set(true);
        for (int n = 0; n < TRAFFIC_THREADS; n++) {
            List<CoapEndpoint> mine = new ArrayList<>();
            for (int i = n; i < eps.size(); i += TRAFFIC_THREADS) {
                mine.add(eps.get(i));
            }
            Thread t = new Thread(() -> {
                while (trafficOn.get()) {
                    for (CoapEndpoint ep : mine) {
                        if (!trafficOn.get()) {
                            return;
                        }
                        ResponseCode c = post(ep, port);
                        if (c == ResponseCode.CHANGED) {
                            ok.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                            if (failures.size() < 10) {
                                failures.add(ep.getAddress() + ": " + c);
                            }
                        }
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }, "swap-it-traffic-" + n);
            traffic.add(t);
            t.start();
        }
    }

    /** Waits until another {@code n} requests succeeded. */
    private void awaitTraffic(long n) throws InterruptedException {
        long target = ok.get() + n;
        awaitValue("traffic flows (" + n + " more requests answered 2.04, " + failed.get() + " failed)", 30_000,
                ok::get, v -> v >= target);
    }

    private void stopTraffic() throws InterruptedException {
        trafficOn.set(false);
        for (Thread t : traffic) {
            t.join(30_000);
        }
        traffic.clear();
    }

    /** Posts a small reading; the timeout lets CoAP retransmit across a connector restart. */
    private static ResponseCode post(CoapEndpoint ep, int port) {
        return DeviceFixture.post(ep, port, 20_000L);
    }

    private static CoapEndpoint ecdhePskClient(String id) {
        Configuration c = Configuration.createStandardWithoutFile();
        c.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
        c.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256);
        DTLSConnector dtls = new DTLSConnector(DtlsConnectorConfig.builder(c)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setAdvancedPskStore(new AdvancedSinglePskStore(id,
                        DeviceFixture.keyOf(id).getBytes(StandardCharsets.US_ASCII)))
                .build());
        return new CoapEndpoint.Builder().setConfiguration(c).setConnector(dtls).build();
    }

    private void refreshPackages() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(null, e -> {
            if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED || e.getType() == FrameworkEvent.ERROR) {
                done.countDown();
            }
        });
        assertTrue("packages refreshed", done.await(30, TimeUnit.SECONDS));
    }
}
