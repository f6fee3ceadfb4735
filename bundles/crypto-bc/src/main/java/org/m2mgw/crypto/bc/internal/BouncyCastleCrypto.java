package org.m2mgw.crypto.bc.internal;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Hashtable;
import javax.crypto.KeyAgreement;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.m2mgw.api.crypto.CryptoProvider;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * While this bundle is active, Bouncy Castle (this bundle's private copy) is a JCE provider of the
 * gateway:
 * <ul>
 * <li>{@code BC}, added <em>last</em>, for code that asks for it by name; added last, it changes no
 * one's default choice of implementation;</li>
 * <li>{@value ScandiumScopedProvider#NAME}, inserted <em>first</em>: Bouncy Castle's ECDHE and ECDSA
 * for Scandium's threads only (see {@link ScandiumScopedProvider} for why, and why nothing else).</li>
 * </ul>
 * It then registers a {@link CryptoProvider} service, on which the transports restart their
 * connectors (sessions kept) so that their threads pick up the providers present now. Deactivation
 * undoes both, service first.
 *
 * <p>Not configurable: it is either installed or not.
 */
@Component(immediate = true, service = {})
public class BouncyCastleCrypto implements CryptoProvider {
    private static final Logger LOG = LoggerFactory.getLogger(BouncyCastleCrypto.class);

    /** Service property: the JCE provider that Scandium's threads get elliptic-curve algorithms from. */
    static final String SCOPED_PROVIDER_PROPERTY = "crypto.provider.scoped";

    private final Provider bouncyCastle;
    private final Provider scoped;
    private boolean addedLast;
    private ServiceRegistration<CryptoProvider> registration;

    @Activate
    public BouncyCastleCrypto(BundleContext context) throws GeneralSecurityException {
        this.bouncyCastle = new BouncyCastleProvider();
        selfTest(bouncyCastle);
        this.scoped = new ScandiumScopedProvider(bouncyCastle);
        install();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("crypto.provider.name", name());
        props.put("crypto.provider.version", version());
        props.put(SCOPED_PROVIDER_PROPERTY, ScandiumScopedProvider.NAME);
        props.put(Constants.SERVICE_DESCRIPTION, bouncyCastle.getInfo());
        registration = context.registerService(CryptoProvider.class, this, props);
    }

    private void install() {
        Provider present = Security.getProvider(bouncyCastle.getName());
        if (present == null) {
            Security.addProvider(bouncyCastle);
            addedLast = true;
        } else {
            // Someone else installed a BC already (a launcher, another bundle); theirs stays, and
            // only Scandium's threads get this bundle's copy.
            LOG.warn("A JCE provider named {} ({}) is installed already; leaving it, Scandium's threads get this "
                    + "bundle's Bouncy Castle {} through {}", present.getName(), present.getClass().getName(),
                    version(), ScandiumScopedProvider.NAME);
        }
        Security.removeProvider(ScandiumScopedProvider.NAME);
        Security.insertProviderAt(scoped, 1);
        LOG.info("Bouncy Castle {} installed: {} first (ECDHE and ECDSA for Scandium's threads), {} last; providers "
                + "now {}", version(), ScandiumScopedProvider.NAME, bouncyCastle.getName(), providerNames());
    }

    @Deactivate
    void deactivate() {
        ServiceRegistration<CryptoProvider> r = registration;
        registration = null;
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregistered it with the stopping bundle
            }
        }
        // Remove only what this bundle put there, never a namesake.
        if (Security.getProvider(ScandiumScopedProvider.NAME) == scoped) {
            Security.removeProvider(ScandiumScopedProvider.NAME);
        }
        if (addedLast && Security.getProvider(bouncyCastle.getName()) == bouncyCastle) {
            Security.removeProvider(bouncyCastle.getName());
        }
        LOG.info("Bouncy Castle {} removed; providers now {}", version(), providerNames());
    }

    @Override
    public String name() {
        return bouncyCastle.getName();
    }

    @Override
    public String version() {
        return bouncyCastle.getVersionStr();
    }

    /**
     * Checks the lent algorithms once before anything depends on them (a P-256 key pair, ECDH both
     * ways, ECDSA sign and verify), which also loads the classes they need: after an update the
     * old revision's jar may be closed while Scandium's threads still hold its objects until their
     * connector restarts.
     */
    static void selfTest(Provider bc) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", bc);
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair a = g.generateKeyPair();
        KeyPair b = g.generateKeyPair();
        KeyAgreement ka = KeyAgreement.getInstance("ECDH", bc);
        ka.init(a.getPrivate());
        ka.doPhase(b.getPublic(), true);
        byte[] ab = ka.generateSecret();
        ka.init(b.getPrivate());
        ka.doPhase(a.getPublic(), true);
        if (!Arrays.equals(ab, ka.generateSecret())) {
            throw new GeneralSecurityException("Bouncy Castle self-test: ECDH secrets differ");
        }
        byte[] message = "m2mgw crypto-bc self-test".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (String[] s : ScandiumScopedProvider.SERVICES) {
            if (!s[0].equals("Signature")) {
                continue;
            }
            Signature sign = Signature.getInstance(s[1], bc);
            sign.initSign(a.getPrivate());
            sign.update(message);
            byte[] sig = sign.sign();
            Signature verify = Signature.getInstance(s[1], bc);
            verify.initVerify(a.getPublic());
            verify.update(message);
            if (!verify.verify(sig)) {
                throw new GeneralSecurityException("Bouncy Castle self-test: " + s[1] + " does not verify");
            }
        }
    }

    private static String providerNames() {
        StringBuilder s = new StringBuilder();
        for (Provider p : Security.getProviders()) {
            s.append(s.length() == 0 ? "" : ", ").append(p.getName());
        }
        return s.toString();
    }
}
