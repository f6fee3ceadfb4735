package org.m2mgw.crypto.bc.internal;

import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import org.m2mgw.api.crypto.CoseAead;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers this bundle's {@link CoseAead} services, one per algorithm with its
 * {@value CoseAead#ALGORITHM} property, after each passed a round trip and a tampered-tag check.
 * An update of this bundle replaces them; consumers track the services.
 */
@Component(immediate = true, service = {})
public class CoseAeadServices {
    private static final Logger LOG = LoggerFactory.getLogger(CoseAeadServices.class);

    private final List<ServiceRegistration<CoseAead>> registrations = new ArrayList<>();

    @Activate
    public CoseAeadServices(BundleContext context) throws GeneralSecurityException {
        List<String> names = new ArrayList<>();
        for (BcCoseAead aead : BcCoseAead.all()) {
            selfTest(aead);
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(CoseAead.ALGORITHM, aead.algorithm());
            props.put("cose.alg.name", aead.name());
            props.put(Constants.SERVICE_DESCRIPTION, aead.toString() + " from Bouncy Castle");
            registrations.add(context.registerService(CoseAead.class, aead, props));
            names.add(aead.toString());
        }
        LOG.info("COSE AEADs offered: {}", String.join(", ", names));
    }

    @Deactivate
    void deactivate() {
        for (ServiceRegistration<CoseAead> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // unregistered with the stopping bundle
            }
        }
        registrations.clear();
    }

    /** A seal/open round trip, and a flipped tag bit that must not open. */
    static void selfTest(CoseAead aead) throws GeneralSecurityException {
        CoseAead.Keyed k = aead.key(new byte[aead.keyLength()]);
        byte[] nonce = new byte[aead.nonceLength()];
        byte[] aad = {1, 2, 3};
        byte[] pt = "m2mgw self-test".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] ct = k.seal(nonce, aad, pt);
        if (ct.length != pt.length + aead.tagLength() || !Arrays.equals(pt, k.open(nonce, aad, ct))) {
            throw new GeneralSecurityException(aead + " failed its self-test round trip");
        }
        ct[ct.length - 1] ^= 1;
        try {
            k.open(nonce, aad, ct);
        } catch (javax.crypto.AEADBadTagException expected) {
            return;
        }
        throw new GeneralSecurityException(aead + " opened a message with a tampered tag");
    }
}
