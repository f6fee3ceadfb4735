package org.eclipse.kura.configuration;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Marker for components whose configuration the Kura configuration service manages and whose
 * metatype the Kura web console renders. Same name and shape as the Eclipse Kura API type, so
 * that gateway bundles bind to Kura's own package when they run on Kura.
 */
@ConsumerType
public interface ConfigurableComponent {
}
