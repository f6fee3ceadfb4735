package org.m2mgw.support.config;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * A component's metatype, read from the {@code OSGI-INF/metatype/<pid>.xml} that bnd generates from
 * its {@code @ObjectClassDefinition}: the one definition of its configuration keys, their types,
 * defaults, ranges and options. Components check their configuration against it instead of
 * repeating ranges in code, and tests check the docs and the Kura snapshot against it.
 */
public final class Metatype {

    /**
     * One attribute definition ({@code AD}).
     *
     * @param defaults the default values, unescaped (the metatype writes them comma separated, with
     *        commas and spaces inside a value escaped by a backslash)
     */
    public record Attribute(String id, String type, List<String> defaults, String min, String max,
            List<String> options, int cardinality, String description) {

        /** @return the default of a single-valued key, all defaults joined by commas otherwise; null if none */
        public String defaultValue() {
            return defaults == null ? null : String.join(",", defaults);
        }

        /** @return the name of the configuration annotation's method for this key (OSGi DS 1.3 mangling) */
        public String methodName() {
            return id.replace("-", "$_$").replace(".", "_");
        }

        /** @return whether the value is a secret (Password type) */
        public boolean isPassword() {
            return "Password".equals(type);
        }
    }

    private final String pid;
    private final String name;
    private final Map<String, Attribute> attributes;

    private Metatype(String pid, String name, Map<String, Attribute> attributes) {
        this.pid = pid;
        this.name = name;
        this.attributes = Collections.unmodifiableMap(attributes);
    }

    /**
     * @param owner a class of the bundle that holds the metatype
     * @param pid the PID (or factory PID) the metatype describes
     * @return its metatype
     * @throws IllegalStateException if the bundle has none: a build error, never a user error
     */
    public static Metatype of(Class<?> owner, String pid) {
        String path = "OSGI-INF/metatype/" + pid + ".xml";
        ClassLoader loader = owner.getClassLoader();
        try (InputStream in = loader == null ? null : loader.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("no " + path + " next to " + owner.getName());
            }
            return parse(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path + ": " + e, e);
        }
    }

    /** Parses a metatype document holding one {@code OCD}. */
    public static Metatype parse(InputStream in) throws IOException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Element root = f.newDocumentBuilder().parse(in).getDocumentElement();
            NodeList ocds = root.getElementsByTagName("OCD");
            if (ocds.getLength() != 1) {
                throw new IOException("expected one OCD, found " + ocds.getLength());
            }
            Element ocd = (Element) ocds.item(0);
            Map<String, Attribute> ads = new LinkedHashMap<>();
            NodeList list = ocd.getElementsByTagName("AD");
            for (int i = 0; i < list.getLength(); i++) {
                Element ad = (Element) list.item(i);
                List<String> options = new ArrayList<>();
                NodeList opts = ad.getElementsByTagName("Option");
                for (int j = 0; j < opts.getLength(); j++) {
                    options.add(((Element) opts.item(j)).getAttribute("value"));
                }
                String card = ad.getAttribute("cardinality");
                ads.put(ad.getAttribute("id"), new Attribute(ad.getAttribute("id"), orDefault(ad.getAttribute("type"),
                        "String"), ad.hasAttribute("default") ? splitDefaults(ad.getAttribute("default")) : null,
                        empty(ad.getAttribute("min")), empty(ad.getAttribute("max")), List.copyOf(options),
                        card.isEmpty() ? 0 : Integer.parseInt(card), ad.getAttribute("description")));
            }
            return new Metatype(ocd.getAttribute("id"), ocd.getAttribute("name"), ads);
        } catch (ParserConfigurationException | SAXException | NumberFormatException e) {
            throw new IOException("not a metatype document: " + e.getMessage(), e);
        }
    }

    /** Splits a metatype default at unescaped commas and removes the escapes. */
    static List<String> splitDefaults(String raw) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\\' && i + 1 < raw.length()) {
                cur.append(raw.charAt(++i));
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return List.copyOf(out);
    }

    private static String empty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String orDefault(String s, String d) {
        return s == null || s.isEmpty() ? d : s;
    }

    /** @return the PID */
    public String pid() {
        return pid;
    }

    /** @return the component's name as the console shows it */
    public String name() {
        return name;
    }

    /** @return the attributes by key, in declaration order */
    public Map<String, Attribute> attributes() {
        return attributes;
    }

    /** @return the attribute of a key */
    public Optional<Attribute> attribute(String key) {
        return Optional.ofNullable(attributes.get(key));
    }

    /**
     * Checks one value against its key's type, range and options.
     *
     * @return the problem in words, naming the key, or {@code null} if the value is fine
     */
    public String problem(String key, Object value) {
        Attribute a = attributes.get(key);
        if (a == null) {
            return key + " is not a configuration key of " + pid;
        }
        if (value == null) {
            return null;
        }
        if (value.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(value); i++) {
                String p = problem(key, Array.get(value, i));
                if (p != null) {
                    return p;
                }
            }
            return null;
        }
        if (value instanceof java.util.Collection<?> c) {
            for (Object o : c) {
                String p = problem(key, o);
                if (p != null) {
                    return p;
                }
            }
            return null;
        }
        switch (a.type()) {
            case "Integer", "Long", "Short", "Byte", "Double", "Float" -> {
                double d;
                if (value instanceof Number n) {
                    d = n.doubleValue();
                } else {
                    try {
                        d = Double.parseDouble(value.toString().trim());
                    } catch (NumberFormatException e) {
                        return key + " '" + value + "' is not a number";
                    }
                }
                boolean low = a.min() != null && !(d >= Double.parseDouble(a.min()));
                boolean high = a.max() != null && !(d <= Double.parseDouble(a.max()));
                if (low || high || Double.isNaN(d)) {
                    return key + (a.min() != null && a.max() != null ? " must be between " + a.min() + " and " + a.max()
                            : a.min() != null ? " must be at least " + a.min() : " must be at most " + a.max())
                            + ": " + format(d);
                }
                if (a.type().equals("Integer") || a.type().equals("Long") || a.type().equals("Short")
                        || a.type().equals("Byte")) {
                    if (d != Math.rint(d)) {
                        return key + " must be a whole number: '" + value + "'";
                    }
                }
            }
            case "Boolean" -> {
                if (!(value instanceof Boolean) && !value.toString().matches("(?i)true|false")) {
                    return key + " '" + value + "' is not true or false";
                }
            }
            default -> {
                if (!a.options().isEmpty() && !a.options().contains(value.toString().trim())) {
                    return key + " '" + value + "' is not one of " + a.options();
                }
            }
        }
        return null;
    }

    /**
     * Checks every key of a configuration annotation instance (as Declarative Services hands it
     * to a component) against the metatype.
     *
     * @param config the configuration annotation instance
     * @return the problems, each naming its key; empty if none
     */
    public List<String> problems(Object config) {
        List<String> out = new ArrayList<>();
        for (Attribute a : attributes.values()) {
            Object value;
            try {
                Method m = findMethod(config, a.methodName());
                if (m == null) {
                    out.add(a.id() + " has no accessor " + a.methodName() + "() in " + config.getClass().getName());
                    continue;
                }
                // configuration annotations are usually package-private
                m.setAccessible(true);
                value = m.invoke(config);
            } catch (IllegalAccessException | InvocationTargetException e) {
                out.add(a.id() + " cannot be read: " + e.getCause());
                continue;
            }
            String p = problem(a.id(), value);
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * Checks the keys present in a configuration map. Keys that are not in the metatype are
     * reported too, except the framework's own ({@code service.*}, {@code component.*},
     * {@code felix.*}, {@code kura.*}, {@code :configurator:*}).
     */
    public List<String> problems(Map<String, ?> properties) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, ?> e : properties.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("service.") || k.startsWith("component.") || k.startsWith("felix.")
                    || k.startsWith("kura.") || k.startsWith(":") || k.startsWith("objectClass")) {
                continue;
            }
            String p = problem(k, e.getValue());
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static Method findMethod(Object config, String name) {
        for (Class<?> i : config.getClass().getInterfaces()) {
            try {
                return i.getMethod(name);
            } catch (NoSuchMethodException e) {
                // next
            }
        }
        try {
            return config.getClass().getMethod(name);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }
}
