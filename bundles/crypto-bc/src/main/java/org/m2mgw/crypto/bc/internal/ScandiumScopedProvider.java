package org.m2mgw.crypto.bc.internal;

import java.security.InvalidParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.util.List;

/**
 * A JCE provider that lends a few of Bouncy Castle's elliptic-curve services to Scandium's own
 * threads and to nobody else.
 *
 * <p>Scandium asks the JCA for its algorithms by name only ({@code KeyAgreement.getInstance("ECDH")},
 * {@code Signature.getInstance("SHA256withECDSA")}, ...), so the only way to have it use Bouncy
 * Castle is a provider placed before the JDK's. Placing Bouncy Castle itself first would hand
 * every caller in the JVM Bouncy Castle's AES, SHA-2, HMAC, SecureRandom, KeyStore and X.509 too:
 * Jetty's and Paho's TLS would lose the JDK's AES-NI intrinsics (AES-GCM about 6x slower here), and
 * key stores would be read by another implementation. This provider is inserted first instead, and
 * answers only
 * <ul>
 * <li>for the services Scandium's ECDHE and ECDSA code uses ({@link #SERVICES}), where Bouncy Castle
 * is several times faster than JDK 17's SunEC; AES, SHA-2 and HMAC stay with the JDK, which is
 * faster for them; key factories stay with the JDK too, so that no long-lived key object (a
 * device's public key kept in a cache) is ever a Bouncy Castle object; and</li>
 * <li>on threads of Scandium's thread group ({@value #SCANDIUM_THREAD_GROUP}), which are the
 * connectors' receiver, worker and timer threads. Every other thread (Jetty, Paho, the framework,
 * Declarative Services) gets the {@code NoSuchAlgorithmException} that makes the JCA go on to the
 * next provider, which is what it got before this bundle came.</li>
 * </ul>
 * Scandium keeps the objects it gets in thread locals; as its threads end when a connector stops,
 * restarting a connector lets this provider's classes go.
 */
final class ScandiumScopedProvider extends Provider {
    private static final long serialVersionUID = 1L;

    /** The JCE name of this provider. */
    static final String NAME = "BC-DTLS";

    /** The name of Californium's {@code NamedThreadFactory.SCANDIUM_THREAD_GROUP}. */
    static final String SCANDIUM_THREAD_GROUP = "Scandium";

    /** Type and algorithm of each service lent; the JCA's standard names, as Scandium asks for them. */
    static final List<String[]> SERVICES = List.of(
            new String[] {"KeyPairGenerator", "EC"},
            new String[] {"KeyAgreement", "ECDH"},
            new String[] {"Signature", "SHA256withECDSA"},
            new String[] {"Signature", "SHA384withECDSA"},
            new String[] {"Signature", "SHA512withECDSA"});

    ScandiumScopedProvider(Provider bouncyCastle) {
        super(NAME, bouncyCastle.getVersionStr(), "Bouncy Castle " + bouncyCastle.getVersionStr()
                + " elliptic-curve key pairs, ECDH and ECDSA, for Scandium's DTLS threads only");
        for (String[] s : SERVICES) {
            Service target = bouncyCastle.getService(s[0], s[1]);
            if (target == null) {
                throw new IllegalStateException(bouncyCastle.getName() + " has no " + s[0] + "." + s[1]);
            }
            putService(new Lent(this, target));
        }
    }

    /** @return whether the calling thread is one of Scandium's */
    static boolean inScope() {
        ThreadGroup g = Thread.currentThread().getThreadGroup();
        return g != null && SCANDIUM_THREAD_GROUP.equals(g.getName());
    }

    /** A Bouncy Castle service, offered under this provider, to Scandium's threads only. */
    private static final class Lent extends Service {
        private final Service target;

        Lent(Provider owner, Service target) {
            super(owner, target.getType(), target.getAlgorithm(), target.getClassName(), null, null);
            this.target = target;
        }

        @Override
        public Object newInstance(Object constructorParameter) throws NoSuchAlgorithmException {
            if (!inScope()) {
                throw new NotForThisThread(getType() + "." + getAlgorithm());
            }
            return target.newInstance(constructorParameter);
        }

        @Override
        public boolean supportsParameter(Object parameter) {
            if (!inScope()) {
                return false;
            }
            try {
                return target.supportsParameter(parameter);
            } catch (InvalidParameterException e) {
                return false;
            }
        }
    }

    /** Declines a request from a thread that is not Scandium's; cheap, as it happens on every TLS handshake. */
    private static final class NotForThisThread extends NoSuchAlgorithmException {
        private static final long serialVersionUID = 1L;

        NotForThisThread(String what) {
            super(what + " from " + NAME + " is for Scandium's threads only");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
