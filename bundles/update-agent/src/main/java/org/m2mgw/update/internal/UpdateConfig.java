package org.m2mgw.update.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = UpdateAgent.PID, name = "m2mgw update agent",
        description = "Remote updates of the gateway's deployment packages (Kura DEPLOY-V2 over MQTT). "
                + "Every package must carry a detached signature by the trust store's keys (ES256 and "
                + "ML-DSA-65) and be newer than the highest version installed before; it is installed "
                + "through Deployment Admin, health-checked, and rolled back automatically if unhealthy.")
public @interface UpdateConfig {

    @AttributeDefinition(name = "cloud.enabled", description = "Accept DEPLOY-V2 requests over MQTT. Off: "
            + "updates only from the shell (m2mgw:updateinstall).")
    boolean cloud_enabled() default true;

    @AttributeDefinition(name = "broker.url", description = "The MQTT broker the requests come from: "
            + "tcp://host:port or ssl://host:port. The agent keeps its own connection, so that it can "
            + "report the outcome of an update of the cloud feature itself.")
    String broker_url() default "tcp://127.0.0.1:1883";

    @AttributeDefinition(name = "broker.username", description = "MQTT user name, empty for none.", required = false)
    String broker_username() default "";

    @AttributeDefinition(name = "broker.password", description = "MQTT password, empty for none.",
            type = AttributeType.PASSWORD, required = false)
    String broker_password() default "";

    @AttributeDefinition(name = "account.name", description = "The account of Kura's topic namespace: "
            + "requests arrive on $EDC/{account}/{client}/DEPLOY-V2/#.")
    String account_name() default "m2mgw";

    @AttributeDefinition(name = "client.id", description = "The gateway's client id in the topics; empty: "
            + "the gateway id.", required = false)
    String client_id() default "";

    @AttributeDefinition(name = "bundles.remote.control", description = "Allow DEPLOY-V2 EXEC/start and "
            + "EXEC/stop of single bundles. Off by default: whoever may publish on the request topics could "
            + "otherwise stop the device transport without any signature.")
    boolean bundles_remote_control() default false;

    @AttributeDefinition(name = "download.max.bytes", description = "Largest package accepted, in bytes.")
    long download_max_bytes() default 100L * 1024 * 1024;

    @AttributeDefinition(name = "download.stall.seconds", description = "A download that receives no byte "
            + "for this long fails (and can be resumed).")
    int download_stall_seconds() default 30;

    @AttributeDefinition(name = "download.timeout.seconds", description = "Longest time a download may take.")
    int download_timeout_seconds() default 1800;

    @AttributeDefinition(name = "download.notify.percent", description = "Download progress is notified "
            + "every this many percent.")
    int download_notify_percent() default 10;

    @AttributeDefinition(name = "download.truststore", description = "PKCS12 or JKS trust store for HTTPS "
            + "downloads; empty: the JVM's. Host names are always verified.", required = false)
    String download_truststore() default "";

    @AttributeDefinition(name = "download.truststore.password", description = "Its password.",
            type = AttributeType.PASSWORD, required = false)
    String download_truststore_password() default "";

    @AttributeDefinition(name = "health.timeout.seconds", description = "After an install, every bundle of "
            + "the package must be active, no component failed, and every listener and cloud connection that "
            + "worked before must work again within this time; otherwise the previous version comes back.")
    int health_timeout_seconds() default 60;
}
