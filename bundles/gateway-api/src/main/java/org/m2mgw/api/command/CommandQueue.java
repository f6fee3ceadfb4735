package org.m2mgw.api.command;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Per-device queues of downlink commands. The cloud bridge fills them; a transport drains them
 * when a sleepy device wakes up and asks (for CoAP, {@code GET /commands}).
 *
 * <p>Implementations persist the queues, bound them, and drop expired commands. A command is
 * removed only when the transport confirms it was delivered.
 *
 * @since 0.1
 */
@ProviderType
public interface CommandQueue {

    /**
     * Queues a command.
     *
     * @param command the command
     * @return {@code false} if the device's queue is full and the command was refused
     */
    boolean offer(Command command);

    /**
     * Returns the oldest commands for a device that have not expired, without removing them.
     *
     * @param deviceId the device
     * @param max the most commands to return
     * @return the pending commands, oldest first; possibly empty
     */
    List<Command> peek(String deviceId, int max);

    /**
     * Removes commands the device has received.
     *
     * @param deviceId the device
     * @param commandIds the ids of the delivered commands
     */
    void delivered(String deviceId, List<String> commandIds);

    /**
     * @param deviceId the device
     * @return the number of pending commands that have not expired
     */
    int pending(String deviceId);
}
