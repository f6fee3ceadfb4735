package org.m2mgw.cloud.internal.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Provider;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.BCSSLParameters;
import org.bouncycastle.jsse.BCSSLSocket;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * The only class that touches Bouncy Castle's JSSE (bctls). The bundle imports its packages
 * optionally, so this class is loaded only after {@link UplinkTls} has checked that they are there.
 *
 * <p>The providers are instances of our own, handed to each JCA call, never registered with
 * {@code Security.addProvider}: nothing else in the framework sees them, and they go with this
 * bundle. The JSSE provider does its crypto with Bouncy Castle's JCA provider, which has ML-KEM
 * (the JDK 17 providers do not).
 */
final class BcJsse {

    private BcJsse() {
    }

    /** Made on first use: creating the providers costs a few hundred milliseconds. */
    private static final class Providers {
        /**
         * BCJSSE logs through java.util.logging, at INFO, every system and security property it
         * reads: kept to warnings unless the operator set a level. Held here, because JUL keeps
         * only weak references to its loggers.
         */
        static final java.util.logging.Logger LOG = quiet(java.util.logging.Logger.getLogger("org.bouncycastle.jsse"));
        static final Provider CRYPTO = new BouncyCastleProvider();
        static final Provider JSSE = new BouncyCastleJsseProvider(CRYPTO);

        private static java.util.logging.Logger quiet(java.util.logging.Logger l) {
            if (l.getLevel() == null) {
                l.setLevel(java.util.logging.Level.WARNING);
            }
            return l;
        }
    }

    /**
     * @param trust the broker's CAs; {@code null} for the JVM's default CAs
     * @param keys the gateway's key and certificate for mutual TLS; {@code null} for none
     */
    static SSLContext context(KeyStore trust, KeyStore keys, char[] keyPassword) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX", Providers.JSSE);
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (keys != null) {
            kmf = KeyManagerFactory.getInstance("X509", Providers.JSSE);
            kmf.init(keys, keyPassword);
        }
        SSLContext ctx = SSLContext.getInstance("TLS", Providers.JSSE);
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /**
     * Sets the groups on one socket. Called again after each {@code setSSLParameters}: from Java
     * 20 on, {@code SSLParameters} carries named groups too, and Paho's fresh
     * {@code SSLParameters} (for SNI and hostname verification) would reset them to the defaults.
     */
    static void applyGroups(SSLSocket socket, List<String> groups, List<String> earlyKeyShares) {
        if (socket instanceof BCSSLSocket bc) {
            BCSSLParameters p = bc.getParameters();
            p.setNamedGroups(groups.toArray(new String[0]));
            p.setEarlyKeyShares(earlyKeyShares.toArray(new String[0]));
            bc.setParameters(p);
        }
    }

    /** @return the version of the bctls in use, for the log */
    static String version() {
        return Providers.JSSE.getName() + " " + Providers.JSSE.getVersionStr();
    }
}
