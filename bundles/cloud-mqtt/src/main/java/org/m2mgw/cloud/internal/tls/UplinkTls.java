package org.m2mgw.cloud.internal.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of one cloud connection: which provider makes its TLS sockets (Bouncy Castle's
 * JSSE, which applies {@code tls.groups} per socket and has the hybrid post-quantum group, or the
 * JDK's), the socket factory Paho uses, and what the live uplink negotiated.
 *
 * <p>{@code tls.provider=auto} takes Bouncy Castle's JSSE whenever it is there: only it can apply
 * the configured groups to one connection on Java 17 (the JDK reads them from one JVM-wide system
 * property). Without it the uplink still connects, with the JDK and its classical groups, and
 * says so once in the log, unless {@code tls.groups} holds post-quantum groups only: the
 * operator asked for no classical fallback, so the connection does not start.
 */
public final class UplinkTls {
    private static final Logger LOG = LoggerFactory.getLogger(UplinkTls.class);

    /** The configuration key of the provider choice. */
    public static final String PROVIDER_KEY = "tls.provider";

    /**
     * Whether Bouncy Castle's JSSE can be loaded. Tests replace it to act out a runtime without
     * the bctls bundle; nothing else should.
     */
    public static volatile BooleanSupplier bcJsseAvailable = UplinkTls::bcJsseResolvable;

    /** The provider choices of {@code tls.provider}. */
    public enum Choice {
        /** Bouncy Castle's JSSE if present, else the JDK's. */
        AUTO,
        /** Bouncy Castle's JSSE, or no connection. */
        BCJSSE,
        /** The JDK's TLS, with its default groups. */
        JDK;

        /**
         * @throws IllegalArgumentException naming the key, for anything else than auto, bcjsse, jdk
         */
        public static Choice parse(String value) {
            String v = value == null ? "" : value.trim().toUpperCase(Locale.ROOT);
            for (Choice c : values()) {
                if (c.name().equals(v)) {
                    return c;
                }
            }
            throw new IllegalArgumentException(PROVIDER_KEY + " must be auto, bcjsse or jdk, not '" + value + "'");
        }
    }

    private final TlsGroups groups;
    private final boolean bouncyCastle;
    private final SSLSocketFactory sockets;
    private volatile ServerHelloWatcher.Seen seen;

    private UplinkTls(TlsGroups groups, boolean bouncyCastle, SSLContext context) {
        this.groups = groups;
        this.bouncyCastle = bouncyCastle;
        Consumer<SSLSocket> configure = bouncyCastle
                ? s -> BcJsse.applyGroups(s, groups.names(), groups.earlyKeyShares())
                : s -> { };
        this.sockets = new UplinkSocketFactory(context.getSocketFactory(), configure, s -> this.seen = s);
    }

    /**
     * @param connection the connection's name, for the log
     * @param brokerUrl for the log
     * @param groups the groups to offer
     * @param choice which provider to use
     * @param trust the broker's CAs; {@code null} for the JVM's default CAs
     * @param keys the gateway's key and certificate; {@code null} for none
     * @param keyPassword the password of {@code keys}
     * @throws IllegalArgumentException naming the key, when the configuration cannot be honoured here
     * @throws GeneralSecurityException when the stores cannot be used
     */
    public static UplinkTls create(String connection, String brokerUrl, TlsGroups groups, Choice choice,
            KeyStore trust, KeyStore keys, char[] keyPassword) throws GeneralSecurityException {
        boolean present = bcJsseAvailable.getAsBoolean();
        boolean useBc = switch (choice) {
            case BCJSSE -> {
                if (!present) {
                    throw new IllegalArgumentException(PROVIDER_KEY + " is bcjsse, but Bouncy Castle's JSSE (the bctls "
                            + "bundle) is not available to the cloud connection");
                }
                yield true;
            }
            case JDK -> false;
            case AUTO -> present;
        };
        if (!useBc && groups.onlyPostQuantum()) {
            throw new IllegalArgumentException(TlsGroups.KEY + " '" + groups + "' lists post-quantum groups only, "
                    + "which need Bouncy Castle's JSSE (the bctls bundle), and "
                    + (choice == Choice.JDK ? PROVIDER_KEY + " is jdk" : "it is not available")
                    + "; add a classical group (x25519) to allow a classical uplink, or install bctls");
        }
        if (!useBc && choice == Choice.AUTO) {
            LOG.warn("Cloud connection {}: Bouncy Castle's JSSE (the bctls bundle) is not available, so the uplink to {} "
                    + "uses the JDK's TLS with its default, classical key-exchange groups: tls.groups ({}) is not "
                    + "applied{}. Install the bctls bundle and refresh the cloud-mqtt bundle to get it.", connection,
                    brokerUrl, groups, groups.anyPostQuantum() ? " and the uplink has no post-quantum protection" : "");
        } else if (!useBc && groups.anyPostQuantum()) {
            LOG.warn("Cloud connection {}: tls.provider is jdk, so the uplink to {} uses the JDK's default, classical "
                    + "key-exchange groups: tls.groups ({}) is not applied and the uplink has no post-quantum "
                    + "protection", connection, brokerUrl, groups);
        }
        if (useBc && !groups.names().contains("secp256r1")) {
            LOG.warn("Cloud connection {}: tls.groups ({}) has no secp256r1: a broker with a P-256 (ECDSA) certificate "
                    + "will fail the TLS handshake", connection, groups);
        }
        SSLContext context = useBc ? BcJsse.context(trust, keys, keyPassword) : jdkContext(trust, keys, keyPassword);
        if (useBc) {
            LOG.debug("Cloud connection {}: TLS through {}, groups {}", connection, BcJsse.version(), groups);
        }
        return new UplinkTls(groups, useBc, context);
    }

    private static SSLContext jdkContext(KeyStore trust, KeyStore keys, char[] keyPassword)
            throws GeneralSecurityException {
        TrustManagerFactory tmf = null;
        if (trust != null) {
            tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
        }
        KeyManagerFactory kmf = null;
        if (keys != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, keyPassword);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
        return ctx;
    }

    /**
     * Whether the bctls packages are wired to this bundle (they are imported optionally) or on the
     * class path, together with the bcprov provider class they need.
     */
    static boolean bcJsseResolvable() {
        ClassLoader loader = UplinkTls.class.getClassLoader();
        try {
            Class.forName("org.bouncycastle.jsse.BCSSLSocket", false, loader);
            Class.forName("org.bouncycastle.jsse.provider.BouncyCastleJsseProvider", false, loader);
            Class.forName("org.bouncycastle.jce.provider.BouncyCastleProvider", false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** @return the socket factory for Paho */
    public SSLSocketFactory socketFactory() {
        return sockets;
    }

    /** @return "Bouncy Castle JSSE" or "JDK" */
    public String providerName() {
        return bouncyCastle ? "Bouncy Castle JSSE" : "JDK";
    }

    public TlsGroups groups() {
        return groups;
    }

    /** Forgets what the last connection negotiated; called before each connection attempt. */
    public void reset() {
        seen = null;
    }

    /**
     * @return the key-exchange group the server chose for the last connection, by its JSSE name;
     *     empty when not seen (no connection yet, or a key exchange without a group)
     */
    public Optional<String> negotiatedGroup() {
        ServerHelloWatcher.Seen s = seen;
        return s == null || s.group() < 0 ? Optional.empty() : Optional.of(TlsGroups.nameOf(s.group()));
    }

    /** @return the TLS version of the last connection, e.g. TLSv1.3; empty when not seen */
    public Optional<String> negotiatedVersion() {
        ServerHelloWatcher.Seen s = seen;
        return s == null ? Optional.empty() : Optional.of(s.versionName());
    }
}
