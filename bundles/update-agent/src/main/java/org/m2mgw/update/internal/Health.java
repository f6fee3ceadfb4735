package org.m2mgw.update.internal;

import java.util.Set;

/** The health check's view of the gateway: what must work again after an update. */
final class Health {
    private Health() {
    }

    /**
     * What ran before an update.
     *
     * @param readyProviders status providers (listeners, cloud connections) that were ready
     * @param activeComponents components that were satisfied or active, by name
     * @param activeBundles bundles that were active, by symbolic name
     */
    record Baseline(Set<String> readyProviders, Set<String> activeComponents, Set<String> activeBundles) {

        /** @return a baseline that asks for nothing beyond the package's own bundles */
        static Baseline none() {
            return new Baseline(Set.of(), Set.of(), Set.of());
        }
    }
}
