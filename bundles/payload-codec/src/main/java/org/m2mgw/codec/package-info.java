/**
 * Turns device messages into cloud payloads: gateway JSON, the Eclipse Kura protobuf payload, or
 * the device's bytes unchanged. Start at {@link org.m2mgw.codec.PayloadEncoders#byId(String)}.
 *
 * @since 0.1
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.m2mgw.codec;
