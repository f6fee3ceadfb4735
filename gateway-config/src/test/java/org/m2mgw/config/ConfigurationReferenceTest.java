package org.m2mgw.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.m2mgw.support.config.Metatype;

/**
 * The metatypes that bnd generates from the components' {@code @ObjectClassDefinition}s are the one
 * definition of the configuration keys. This test holds the rest of the project to them: the
 * configuration reference ({@code docs/configuration.md}) and the Kura snapshot
 * ({@code gateway-config/kura/snapshot_m2mgw.xml}) are generated from them, and the Configurator
 * defaults may only set declared keys. When a metatype changes, regenerate with
 * {@code mvn -pl gateway-config test -Dm2mgw.update.docs=true} and review the diff.
 */
class ConfigurationReferenceTest {
    /** Components that exist only in the standalone distro: no Kura snapshot entry. */
    static final List<String> DISTRO_ONLY = List.of("org.m2mgw.broker");
    /** Factory PIDs: each has one instance, {@code <pid>~default}, in the defaults. */
    static final List<String> FACTORIES = List.of("org.m2mgw.transport.coaps", "org.m2mgw.cloud.mqtt");
    static final boolean UPDATE = Boolean.getBoolean("m2mgw.update.docs");

    static Map<String, Metatype> metatypes;
    static Path root;

    @BeforeAll
    static void load() throws IOException {
        root = Path.of("").toAbsolutePath().getParent();
        metatypes = new TreeMap<>();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : cp.split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (!p.toString().contains("m2mgw") && !p.toString().contains("bundles")) {
                continue;
            }
            if (Files.isDirectory(p.resolve("OSGI-INF/metatype"))) {
                try (Stream<Path> s = Files.list(p.resolve("OSGI-INF/metatype"))) {
                    for (Path x : s.filter(f -> f.toString().endsWith(".xml")).toList()) {
                        try (InputStream in = Files.newInputStream(x)) {
                            add(Metatype.parse(in));
                        }
                    }
                }
            } else if (Files.isRegularFile(p) && p.toString().endsWith(".jar")) {
                try (JarFile jar = new JarFile(p.toFile())) {
                    Enumeration<JarEntry> e = jar.entries();
                    while (e.hasMoreElements()) {
                        JarEntry je = e.nextElement();
                        if (je.getName().startsWith("OSGI-INF/metatype/") && je.getName().endsWith(".xml")) {
                            try (InputStream in = jar.getInputStream(je)) {
                                add(Metatype.parse(in));
                            }
                        }
                    }
                }
            }
        }
    }

    private static void add(Metatype m) {
        if (m.pid().startsWith("org.m2mgw.")) {
            metatypes.put(m.pid(), m);
        }
    }

    @Test
    void everyConfigurableComponentOfTheGatewayIsFound() {
        assertThat(metatypes.keySet()).contains("org.m2mgw.gateway", "org.m2mgw.registry",
                "org.m2mgw.transport.coaps", "org.m2mgw.cloud.mqtt", "org.m2mgw.anomaly", "org.m2mgw.broker");
    }

    // --- docs/configuration.md ---

    static String table(Metatype m) {
        StringBuilder b = new StringBuilder();
        b.append("| key | type | default | allowed | description |\n|---|---|---|---|---|\n");
        for (Metatype.Attribute a : m.attributes().values()) {
            String type = a.type() + (a.cardinality() != 0 ? "[]" : "");
            String def = a.defaultValue() == null || a.defaultValue().isEmpty() ? "empty"
                    : a.isPassword() ? "(none)" : "`" + String.join("`, `", a.defaults()) + "`";
            String allowed = !a.options().isEmpty() ? "`" + String.join("`, `", a.options()) + "`"
                    : a.min() != null || a.max() != null
                            ? (a.min() == null ? "" : a.min()) + ".." + (a.max() == null ? "" : a.max()) : "";
            b.append("| `").append(a.id()).append("` | ").append(type).append(" | ").append(def).append(" | ")
                    .append(allowed).append(" | ").append(cell(a.description())).append(" |\n");
        }
        return b.toString();
    }

    private static String cell(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }

    @Test
    void theConfigurationReferenceListsEveryKeyWithItsMetatypeDefault() throws IOException {
        Path doc = root.resolve("docs/configuration.md");
        String text = Files.readString(doc);
        String updated = text;
        List<String> missing = new ArrayList<>();
        for (Metatype m : metatypes.values()) {
            String begin = "<!-- metatype " + m.pid() + " (generated, do not edit) -->\n";
            String end = "<!-- end metatype " + m.pid() + " -->";
            int i = updated.indexOf(begin);
            int j = updated.indexOf(end);
            if (i < 0 || j < i) {
                missing.add(m.pid());
                continue;
            }
            updated = updated.substring(0, i + begin.length()) + table(m) + updated.substring(j);
        }
        if (UPDATE && !updated.equals(text)) {
            Files.writeString(doc, updated);
            text = updated;
        }
        assertThat(missing).as("components without a generated table in " + doc).isEmpty();
        if (!updated.equals(text)) {
            fail(doc + " is out of date with the metatypes; run mvn -pl gateway-config test -Dm2mgw.update.docs=true");
        }
    }

    // --- Configurator defaults ---

    static Map<String, Map<String, String>> configuratorDefaults() throws IOException {
        String json = Files.readString(Path.of("src/main/resources/OSGI-INF/configurator/m2mgw-defaults.json"));
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        Matcher pids = Pattern.compile("\"(org\\.m2mgw\\.[^\"]+)\"\\s*:\\s*\\{([^}]*)\\}").matcher(json);
        while (pids.find()) {
            Map<String, String> kv = new LinkedHashMap<>();
            Matcher e = Pattern.compile("\"([^\":]+)(?::[A-Za-z\\[\\]]+)?\"\\s*:\\s*(\"[^\"]*\"|[^,\\s}]+)")
                    .matcher(pids.group(2));
            while (e.find()) {
                String v = e.group(2);
                kv.put(e.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1) : v);
            }
            out.put(pids.group(1), kv);
        }
        return out;
    }

    private static String factoryOf(String pid) {
        int tilde = pid.indexOf('~');
        return tilde < 0 ? pid : pid.substring(0, tilde);
    }

    @Test
    void theConfiguratorDefaultsSetOnlyDeclaredKeysWithValidValues() throws IOException {
        Map<String, Map<String, String>> defaults = configuratorDefaults();
        assertThat(defaults).isNotEmpty();
        defaults.forEach((pid, kv) -> {
            Metatype m = metatypes.get(factoryOf(pid));
            assertThat(m).as("metatype of " + pid).isNotNull();
            kv.forEach((k, v) -> assertThat(m.problem(k, v)).as(pid + " " + k).isNull());
        });
    }

    // --- Kura snapshot ---

    static String snapshot(Map<String, Map<String, String>> defaults) {
        StringBuilder b = new StringBuilder("""
                <?xml version="1.0" encoding="UTF-8"?>
                <!--
                  The gateway's default configuration for an Eclipse Kura gateway: every key of every
                  component that the Kura deployment packages hold, with the metatype defaults and the
                  values of src/main/resources/OSGI-INF/configurator/m2mgw-defaults.json. Generated by
                  ConfigurationReferenceTest from the metatypes; do not edit by hand. Upload it in the
                  Kura web console (Settings > Snapshots > Upload and Apply) or merge its
                  <esf:configuration> elements into a snapshot. Passwords are left empty: set them in the
                  console. The embedded broker is not part of the Kura packages.
                -->
                <esf:configurations xmlns:esf="http://eurotech.com/esf/2.0" xmlns:ocd="http://www.osgi.org/xmlns/metatype/v1.2.0">
                """);
        for (Metatype m : metatypes.values()) {
            if (DISTRO_ONLY.contains(m.pid())) {
                continue;
            }
            boolean factory = FACTORIES.contains(m.pid());
            String pid = factory ? m.pid() + "~default" : m.pid();
            Map<String, String> values = defaults.getOrDefault(pid, Map.of());
            b.append("  <esf:configuration pid=\"").append(pid).append("\">\n    <esf:properties>\n");
            if (factory) {
                property(b, "service.factoryPid", "String", false, false, List.of(m.pid()));
                property(b, "kura.service.pid", "String", false, false, List.of(pid));
            }
            for (Metatype.Attribute a : m.attributes().values()) {
                List<String> v = values.containsKey(a.id()) ? List.of(values.get(a.id()))
                        : a.isPassword() || a.defaults() == null ? List.of("") : a.defaults();
                property(b, a.id(), a.type(), a.cardinality() != 0, a.isPassword(), v);
            }
            b.append("    </esf:properties>\n  </esf:configuration>\n");
        }
        return b.append("</esf:configurations>\n").toString();
    }

    private static void property(StringBuilder b, String name, String type, boolean array, boolean encrypted,
            List<String> values) {
        b.append("      <esf:property name=\"").append(name).append("\" array=\"").append(array)
                .append("\" encrypted=\"").append(encrypted).append("\" type=\"").append(type).append("\">\n");
        for (String v : values) {
            if (!(array && v.isEmpty())) {
                b.append("        <esf:value>").append(xml(v)).append("</esf:value>\n");
            }
        }
        b.append("      </esf:property>\n");
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    @Test
    void theKuraSnapshotCoversEveryKuraComponentAndKey() throws IOException {
        Path file = root.resolve("gateway-config/kura/snapshot_m2mgw.xml");
        String expected = snapshot(configuratorDefaults());
        String actual = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        if (UPDATE && !expected.equals(actual)) {
            Files.writeString(file, expected);
            actual = expected;
        }
        if (!expected.equals(actual)) {
            fail(file + " is out of date with the metatypes; run mvn -pl gateway-config test -Dm2mgw.update.docs=true");
        }
    }
}
