package org.m2mgw.crypto.internal;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.kura.configuration.ConfigurableComponent;
import org.m2mgw.api.crypto.AeadLimits;
import org.m2mgw.api.crypto.CryptoPolicy;
import org.m2mgw.api.crypto.CryptoPolicyListener;
import org.m2mgw.api.crypto.KeyFacts;
import org.m2mgw.api.crypto.Verdict;
import org.m2mgw.api.device.CredentialType;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The crypto policy service. Its rules are replaced as a whole on each configuration change, so
 * readers never see half a policy; listeners are told after the new rules are in force.
 */
@Component(name = CryptoPolicyComponent.PID, configurationPid = CryptoPolicyComponent.PID, immediate = true,
        // Kura finds a configurable component by its service.pid, also before it has a configuration.
        property = "service.pid=" + CryptoPolicyComponent.PID,
        service = {CryptoPolicy.class, ConfigurableComponent.class, CryptoPolicyComponent.class})
@Designate(ocd = PolicyConfig.class)
public class CryptoPolicyComponent implements CryptoPolicy, ConfigurableComponent {
    static final String PID = "org.m2mgw.crypto.policy";
    private static final Logger LOG = LoggerFactory.getLogger(CryptoPolicyComponent.class);

    private final AtomicLong revision = new AtomicLong();
    private final List<CryptoPolicyListener> listeners = new CopyOnWriteArrayList<>();
    private volatile PolicyRules rules;

    @Activate
    public CryptoPolicyComponent(PolicyConfig config) {
        apply(config, false);
    }

    @Modified
    void modified(PolicyConfig config) {
        apply(config, true);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(CryptoPolicyListener l) {
        listeners.add(l);
    }

    void removeListener(CryptoPolicyListener l) {
        listeners.remove(l);
    }

    private void apply(PolicyConfig config, boolean announce) {
        PolicyRules next = PolicyRules.from(config);
        for (String p : next.problems()) {
            LOG.error("Crypto policy: {}", p);
        }
        rules = next;
        long r = revision.incrementAndGet();
        LOG.info("Crypto policy revision {} in force: PSK {}, RPK {}, X.509 {}, minimum {} bits, "
                + "quantum-vulnerable keys deprecated {} and disallowed {}", r,
                next.suites(CredentialType.PSK).keySet(), next.suites(CredentialType.RAW_PUBLIC_KEY).keySet(),
                next.suites(CredentialType.X509).keySet(), next.minStrength(),
                PolicyRules.day(next.quantumDeprecated()), PolicyRules.day(next.quantumDisallowed()));
        if (announce) {
            for (CryptoPolicyListener l : listeners) {
                try {
                    l.policyChanged(this);
                } catch (RuntimeException e) {
                    LOG.error("Crypto policy listener {} failed: {}", l.getClass().getName(), e.toString());
                }
            }
        }
    }

    PolicyRules rules() {
        return rules;
    }

    @Override
    public Verdict suite(CredentialType type, String suiteId, Instant at) {
        return rules.suite(type, suiteId, at);
    }

    @Override
    public Verdict key(KeyFacts key, Instant at) {
        return rules.key(key, at);
    }

    @Override
    public Optional<AeadLimits> limits(String suiteId) {
        return rules.limits(suiteId);
    }

    @Override
    public int warningDays() {
        return rules.warningDays();
    }

    @Override
    public double deviceTxNanojoulesPerByte() {
        return rules.deviceTxNanojoulesPerByte();
    }

    @Override
    public double deviceRxNanojoulesPerByte() {
        return rules.deviceRxNanojoulesPerByte();
    }

    @Override
    public long revision() {
        return revision.get();
    }
}
