package org.m2mgw.core.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Metatype of {@link GatewayRuntimeComponent}; the OCD id is the component's PID. */
@ObjectClassDefinition(id = GatewayRuntimeComponent.PID, name = "Gateway",
        description = "Identity of this gateway. The data directory is set when the gateway is "
                + "launched (framework property m2mgw.data.dir) and is shown here for reference.")
@interface GatewayConfig {

    @AttributeDefinition(name = "gateway.id", description = "Id of this gateway in cloud topics "
            + "and alerts: letters, digits, '.', '_' and '-', at most 64 characters. Empty means the "
            + "host name. Default: empty.", required = false)
    String gateway_id() default "";

    @AttributeDefinition(name = "gateway.description", description = "Free text shown in the "
            + "console, for example the site or cabinet. Default: empty.", required = false)
    String gateway_description() default "";
}
