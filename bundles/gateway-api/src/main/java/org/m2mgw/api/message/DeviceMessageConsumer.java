package org.m2mgw.api.message;

import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Takes over device messages from a transport. The cloud bridge implements it with a durable
 * queue.
 *
 * <p><b>Contract (architecture invariant 1).</b> The returned stage completes with
 * {@link Acceptance#accepted()} only once the message is stored so that a crash or power cut
 * cannot lose it. A transport acknowledges a message to the device only after that. Any other
 * outcome, including an exceptional completion, means the message was not taken over, and the
 * transport tells the device to retry.
 *
 * @since 0.1
 */
@ConsumerType
public interface DeviceMessageConsumer {

    /**
     * Offers a message.
     *
     * @param message the message, never {@code null}
     * @return a stage that completes once the message is durably stored or refused
     */
    CompletionStage<Acceptance> accept(DeviceMessage message);
}
