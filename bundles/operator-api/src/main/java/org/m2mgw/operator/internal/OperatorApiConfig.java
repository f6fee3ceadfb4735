package org.m2mgw.operator.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Metatype of {@link OperatorApi}; the OCD id is the component's PID. */
@ObjectClassDefinition(id = OperatorApi.PID, name = "Operator REST API",
        description = "The operator's REST API under /m2mgw/api/v1 on the HTTP service (HTTP whiteboard): "
                + "devices, sessions, counters, rates, the metrics history of the last hour, the queue, alerts "
                + "and restrictions. It asks for the web console's admin user and password (HTTP Basic) and "
                + "refuses cross-origin changes, as the console does. The history, the alert log and the "
                + "recent-message metadata are kept in memory only, bounded by the values below.")
@interface OperatorApiConfig {

    @AttributeDefinition(name = "enabled", description = "Whether the REST API answers. When false it "
            + "answers every request with 404. Default: true.")
    boolean enabled() default true;

    @AttributeDefinition(name = "history.minutes", description = "How many minutes of metrics history "
            + "are kept, sampled every 10 s, 1 to 60. Default: 60 (360 points per series).",
            min = "1", max = "60")
    int history_minutes() default ApiSettings.DEFAULT_HISTORY_MINUTES;

    @AttributeDefinition(name = "recent.per.device", description = "How many recent messages' metadata "
            + "(time, resource, bytes, accepted; never payloads) are kept per device, 0 to 64. Default: 16.",
            min = "0", max = "64")
    int recent_per_device() default ApiSettings.DEFAULT_RECENT_PER_DEVICE;

    @AttributeDefinition(name = "max.devices.tracked", description = "Most devices whose recent activity "
            + "(last seen, message and byte counts, recent messages) is kept in memory; beyond it the least "
            + "recently active device is forgotten first. 100 to 100000. Default: 10000.",
            min = "100", max = "100000")
    int max_devices_tracked() default ApiSettings.DEFAULT_MAX_DEVICES;

    @AttributeDefinition(name = "alerts.max", description = "Most alerts kept in the alert log; beyond it "
            + "the oldest is dropped first. 100 to 100000. Default: 10000.", min = "100", max = "100000")
    int alerts_max() default ApiSettings.DEFAULT_MAX_ALERTS;
}
