package org.m2mgw.cloud.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.m2mgw.codec.PayloadEncoder;
import org.m2mgw.codec.PayloadEncoders;

/** The routing table: which resource goes to which topic, in which format, at which QoS. */
final class Routes {

    /** One route. */
    record Route(String rule, String topicTemplate, PayloadEncoder encoder, int qos) {
        boolean matches(String resource) {
            if (rule.equals("*") || rule.equals(resource)) {
                return true;
            }
            if (rule.endsWith("/*")) {
                String prefix = rule.substring(0, rule.length() - 2);
                return resource.equals(prefix) || resource.startsWith(prefix + "/");
            }
            return false;
        }
    }

    private final List<Route> routes;

    private Routes(List<Route> routes) {
        this.routes = routes;
    }

    /**
     * @throws IllegalArgumentException naming {@code routes[i]} and the problem
     */
    static Routes parse(String[] entries) {
        List<Route> out = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (int i = 0; entries != null && i < entries.length; i++) {
            String e = entries[i] == null ? "" : entries[i].trim();
            if (e.isEmpty()) {
                continue;
            }
            String[] f = e.split("\\s+");
            if (f.length != 4) {
                errors.add("routes[" + i + "] '" + e + "' must be '<resource rule> <topic template> <encoder> <qos>'");
                continue;
            }
            Optional<PayloadEncoder> enc = PayloadEncoders.byId(f[2]);
            if (enc.isEmpty()) {
                errors.add("routes[" + i + "]: unknown encoder '" + f[2] + "', use one of " + PayloadEncoders.ids());
            }
            if (!f[3].equals("0") && !f[3].equals("1")) {
                errors.add("routes[" + i + "]: qos must be 0 or 1, not '" + f[3] + "'");
            }
            if (f[1].contains("+") || f[1].contains("#")) {
                errors.add("routes[" + i + "]: topic template must not contain MQTT wildcards");
            }
            if (enc.isPresent() && (f[3].equals("0") || f[3].equals("1"))) {
                String rule = f[0].startsWith("/") ? f[0].substring(1) : f[0];
                out.add(new Route(rule, f[1], enc.get(), Integer.parseInt(f[3])));
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("routes must contain at least one route");
        }
        return new Routes(List.copyOf(out));
    }

    Optional<Route> match(String resource) {
        for (Route r : routes) {
            if (r.matches(resource)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    static String topic(String template, String prefix, String gateway, String device, String resource) {
        return template.replace("{prefix}", prefix).replace("{gateway}", gateway)
                .replace("{device}", safe(device)).replace("{resource}", safeResource(resource));
    }

    /** Device ids and resources end up in topic levels: keep MQTT wildcards and NUL out. */
    private static String safe(String level) {
        return level.replace('+', '_').replace('#', '_').replace('/', '_').replace('\0', '_');
    }

    private static String safeResource(String resource) {
        return resource.replace('+', '_').replace('#', '_').replace('\0', '_');
    }

    /** Parses device ids out of command topics built from a template. */
    static final class CommandTopic {
        final String subscription;
        private final Pattern pattern;

        CommandTopic(String template, String prefix, String gateway) {
            String t = template.replace("{prefix}", prefix).replace("{gateway}", gateway);
            if (!t.contains("{device}")) {
                throw new IllegalArgumentException("command.topic must contain {device}: " + template);
            }
            subscription = t.replace("{device}", "+");
            StringBuilder re = new StringBuilder();
            int at = t.indexOf("{device}");
            re.append(Pattern.quote(t.substring(0, at))).append("([^/]+)")
                    .append(Pattern.quote(t.substring(at + "{device}".length())));
            pattern = Pattern.compile(re.toString());
        }

        Optional<String> device(String topic) {
            Matcher m = pattern.matcher(topic);
            return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
        }
    }
}
