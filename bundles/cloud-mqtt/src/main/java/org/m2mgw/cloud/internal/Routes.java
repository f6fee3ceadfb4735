package org.m2mgw.cloud.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.m2mgw.codec.PayloadEncoder;
import org.m2mgw.codec.PayloadEncoders;

/**
 * The routing table: which resource goes to which topic, in which format, at which QoS; and the
 * rules every topic template follows.
 *
 * <p><b>Templates.</b> {@code {device}} is one topic level (a device id's {@code /}, wildcards and
 * control characters become {@code _}); {@code {resource}} may span several levels, so it must come
 * after {@code {device}}: otherwise one device could name a resource that makes its topic look like
 * another device's. Templates hold no MQTT wildcards and no control characters.
 */
final class Routes {
    private static final String DEVICE = "{device}";
    private static final String RESOURCE = "{resource}";
    /** The CoAP Content-Format numbers (RFC 7252, 12.3), and "none" (-1). */
    private static final int MIN_FORMAT = -1;
    private static final int MAX_FORMAT = 65_535;

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

        /**
         * @param contentFormat a message's CoAP Content-Format
         * @return whether this route's encoder takes it. The encoders of payload-codec take every
         *     CoAP Content-Format (those they do not decode travel as opaque bytes), so only numbers
         *     that are no Content-Format at all are refused.
         */
        boolean takes(int contentFormat) {
            return contentFormat >= MIN_FORMAT && contentFormat <= MAX_FORMAT;
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
            String problem = templateProblem("routes[" + i + "]", f[1], true);
            if (problem != null) {
                errors.add(problem);
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

    /**
     * Checks a topic template, or any text that becomes part of a topic.
     *
     * @param key the configuration key, for the message
     * @param template the template
     * @param resourceAllowed whether {@code {resource}} is replaced in this template
     * @return the problem, naming the key; {@code null} if there is none
     */
    static String templateProblem(String key, String template, boolean resourceAllowed) {
        if (template == null || template.isBlank()) {
            return key + ": topic template is empty";
        }
        if (template.indexOf('+') >= 0 || template.indexOf('#') >= 0) {
            return key + ": topic template must not contain MQTT wildcards (+ #)";
        }
        for (int i = 0; i < template.length(); i++) {
            if (unsafe(template, i)) {
                return key + ": topic template must not contain a control character (at index " + i + ")";
            }
        }
        int resource = template.indexOf(RESOURCE);
        if (resource >= 0) {
            if (!resourceAllowed) {
                return key + ": {resource} is not replaced in this topic";
            }
            int device = template.indexOf(DEVICE);
            if (device < 0 || device > resource) {
                return key + ": {resource} must come after {device} (a resource may span several topic levels, "
                        + "so before {device} it could make one device's topic look like another's)";
            }
        }
        return null;
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
                .replace(DEVICE, safe(device, true)).replace(RESOURCE, safe(resource, false));
    }

    /**
     * Device ids and resources end up in topic levels: keep MQTT wildcards, control characters and
     * what is not valid UTF-8 out (the client library drops the connection over such a topic).
     * Resources are valid {@code ResourceNames} already when accepted; this also covers entries
     * queued by earlier versions.
     */
    static String safe(String level, boolean oneLevel) {
        StringBuilder b = null;
        for (int i = 0; i < level.length(); i++) {
            char c = level.charAt(i);
            boolean bad = c == '+' || c == '#' || (oneLevel && c == '/') || unsafe(level, i);
            if (bad && b == null) {
                b = new StringBuilder(level.length()).append(level, 0, i);
            }
            if (b != null) {
                b.append(bad ? '_' : c);
            }
        }
        return b == null ? level : b.toString();
    }

    /** Control characters, lone surrogates and the non-characters U+FFFE and U+FFFF. */
    private static boolean unsafe(String s, int i) {
        char c = s.charAt(i);
        if (Character.isISOControl(c) || c == '\uFFFE' || c == '\uFFFF') {
            return true;
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }

    /** Parses device ids out of command topics built from a template. */
    static final class CommandTopic {
        final String subscription;
        private final Pattern pattern;

        /** @throws IllegalArgumentException naming command.topic */
        CommandTopic(String template, String prefix, String gateway) {
            String problem = templateProblem("command.topic", template, false);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            String t = template.replace("{prefix}", prefix).replace("{gateway}", gateway);
            if (!t.contains(DEVICE)) {
                throw new IllegalArgumentException("command.topic must contain {device}: " + template);
            }
            int at = t.indexOf(DEVICE);
            boolean wholeLevel = (at == 0 || t.charAt(at - 1) == '/')
                    && (at + DEVICE.length() == t.length() || t.charAt(at + DEVICE.length()) == '/');
            if (!wholeLevel || t.indexOf(DEVICE, at + 1) >= 0) {
                throw new IllegalArgumentException("command.topic: {device} must be one whole topic level, once: "
                        + template);
            }
            subscription = t.replace(DEVICE, "+");
            pattern = Pattern.compile(Pattern.quote(t.substring(0, at)) + "([^/]+)"
                    + Pattern.quote(t.substring(at + DEVICE.length())));
        }

        Optional<String> device(String topic) {
            Matcher m = pattern.matcher(topic);
            return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
        }
    }
}
