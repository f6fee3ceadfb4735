package org.m2mgw.cloud.internal;

import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.m2mgw.support.Text;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Gogo shell commands for the dead letters of every cloud connection (scope {@code m2mgw}):
 *
 * <pre>
 * deadletters                       list them: connection, id, when, kind, device, size, reason
 * deadletter-retry ID|all           put one (or all) back at the end of its queue
 * deadletter-delete ID|all          delete one (or all) for good
 * </pre>
 *
 * An {@code ID} is the number {@code deadletters} shows, or {@code <connection>:<number>} when
 * several connections have a letter with that number; {@code <connection>:all} takes all of one
 * connection.
 *
 * <p>Gogo calls the public method named like the command; a name with a dash cannot be a Java
 * method, so for those it calls {@link #_main}, with the command's name first.
 */
@Component(service = DeadLetterCommands.class, property = {"osgi.command.scope=m2mgw",
    "osgi.command.function=deadletters", "osgi.command.function=deadletter-retry",
    "osgi.command.function=deadletter-delete"})
public class DeadLetterCommands {

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    volatile List<DeadLetterAdmin> connections = List.of();

    public DeadLetterCommands() {
    }

    /** For tests: the commands over these connections. */
    DeadLetterCommands(List<DeadLetterAdmin> connections) {
        this.connections = connections;
    }

    /** @return one line per dead letter, never its payload */
    public String deadletters() {
        StringBuilder out = new StringBuilder();
        int n = 0;
        for (DeadLetterAdmin c : connections) {
            List<DeadLetterAdmin.Summary> letters = c.deadLetters();
            n += letters.size();
            out.append(String.format("connection %s: %d dead letter%s%s%n", c.connectionName(), letters.size(),
                    letters.size() == 1 ? "" : "s", c.deadLettersFull() ? " (store full: the oldest go first)" : ""));
            for (DeadLetterAdmin.Summary l : letters) {
                out.append(String.format("  %-6d %s  %-7s %-24s %7d B  %s%n", l.id(),
                        l.parkedAt().truncatedTo(ChronoUnit.SECONDS), l.kind(), Text.printable(l.key(), 24),
                        l.bytes(), Text.printable(l.reason(), 300)));
            }
        }
        return connections.isEmpty() ? "no cloud connection" : out.append(n).append(" in all").toString();
    }

    /**
     * {@code deadletter-retry} and {@code deadletter-delete}: Gogo calls this method for a command
     * no method is named after, with the command's name first.
     *
     * @param command the command's name, as typed (Gogo lower-cases it)
     * @param which an id, {@code <connection>:<id>}, {@code all} or {@code <connection>:all}
     * @return what happened, one line per letter
     */
    public String _main(String command, String which) {
        String c = command.substring(command.indexOf(':') + 1);
        return switch (c) {
            case "deadletter-retry" -> retry(which);
            case "deadletter-delete" -> delete(which);
            default -> "usage: deadletters, deadletter-retry <id|all>, deadletter-delete <id|all>";
        };
    }

    /** @param which an id, {@code <connection>:<id>}, {@code all} or {@code <connection>:all} */
    String retry(String which) {
        return each(which, (c, id) -> "#" + id + " of " + c.connectionName() + ": " + c.retryDeadLetter(id));
    }

    /** @param which an id, {@code <connection>:<id>}, {@code all} or {@code <connection>:all} */
    String delete(String which) {
        return each(which, (c, id) -> "#" + id + " of " + c.connectionName() + ": "
                + (c.deleteDeadLetter(id) ? "deleted" : "no such dead letter"));
    }

    private String each(String which, BiFunction<DeadLetterAdmin, Long, String> action) {
        String w = which == null ? "" : which.trim();
        String connection = null;
        int colon = w.lastIndexOf(':');
        if (colon >= 0) {
            connection = w.substring(0, colon);
            w = w.substring(colon + 1);
        }
        List<DeadLetterAdmin> in = new ArrayList<>();
        for (DeadLetterAdmin c : connections) {
            if (connection == null || c.connectionName().equals(connection)) {
                in.add(c);
            }
        }
        if (in.isEmpty()) {
            return connection == null ? "no cloud connection" : "no cloud connection named '" + connection + "'";
        }
        List<String> lines = new ArrayList<>();
        if (w.equalsIgnoreCase("all")) {
            for (DeadLetterAdmin c : in) {
                for (DeadLetterAdmin.Summary l : c.deadLetters()) {
                    lines.add(action.apply(c, l.id()));
                }
            }
            return lines.isEmpty() ? "no dead letters" : String.join("\n", lines);
        }
        long id;
        try {
            id = Long.parseLong(w);
        } catch (NumberFormatException e) {
            return "usage: an id as deadletters shows it, <connection>:<id>, all or <connection>:all";
        }
        List<DeadLetterAdmin> having = in.stream()
                .filter(c -> c.deadLetters().stream().anyMatch(l -> l.id() == id)).toList();
        if (having.size() > 1) {
            return "#" + id + " is a dead letter of several connections: say which, e.g. "
                    + having.get(0).connectionName() + ":" + id;
        }
        return having.isEmpty() ? "no dead letter #" + id : action.apply(having.get(0), id);
    }
}
