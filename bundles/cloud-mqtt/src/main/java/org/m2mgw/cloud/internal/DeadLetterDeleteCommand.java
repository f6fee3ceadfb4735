package org.m2mgw.cloud.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code m2mgw:deadletter-delete <id|all>}: see {@link DeadLetterCommands}. */
@Component(service = DeadLetterDeleteCommand.class,
        property = {"osgi.command.scope=m2mgw", "osgi.command.function=deadletter-delete"})
public class DeadLetterDeleteCommand {
    private final DeadLetterCommands commands;

    @Activate
    public DeadLetterDeleteCommand(@Reference DeadLetterCommands commands) {
        this.commands = commands;
    }

    /**
     * Gogo calls the method named {@code _main} when no method has the command's name.
     *
     * @param which an id, {@code <connection>:<id>}, {@code all} or {@code <connection>:all}
     * @return what happened, one line per letter
     */
    public String _main(String which) {
        return commands.delete(which);
    }
}
