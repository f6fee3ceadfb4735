package org.m2mgw.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Collectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DeviceCommandsTest extends RegistryTestSupport {

    @Test
    void givenDeviceAdd_whenListed_thenIdStateCredentialsAndResourcesShowButNeverTheKey() {
        DeviceRegistryComponent registry = start();
        DeviceCommands shell = new DeviceCommands(registry);
        String hex = HexFormat.of().formatHex(SECRET_1);

        String added = shell.deviceadd("sensor-1", "sensor-1-psk", hex, "telemetry/*", "events");

        assertThat(added).startsWith("Added device 'sensor-1'").doesNotContain(hex);
        assertThat(registry.pskSecret("sensor-1-psk")).hasValueSatisfying(k -> assertThat(k).isEqualTo(SECRET_1));
        String list = shell.devices();
        assertThat(list).contains("sensor-1").contains("yes").contains("PSK").contains("telemetry/* events")
                .doesNotContain(hex).doesNotContain(new String(SECRET_1)).contains("1 device(s)");
    }

    @Test
    void givenKeysInEveryNotation_whenAdded_thenAccepted() {
        DeviceRegistryComponent registry = start();
        DeviceCommands shell = new DeviceCommands(registry);

        assertThat(shell.deviceadd("a", "a", "hex:" + HexFormat.of().formatHex(SECRET_1))).startsWith("Added");
        assertThat(shell.deviceadd("b", "b", "base64:" + b64(SECRET_2))).startsWith("Added");

        assertThat(registry.pskSecret("b")).hasValueSatisfying(k -> assertThat(k).isEqualTo(SECRET_2));
        assertThat(registry.device("a").get().resources()).isEmpty();
    }

    @Test
    void givenBadInput_whenAdded_thenAnErrorNamesTheField() {
        DeviceCommands shell = new DeviceCommands(start());

        assertThat(shell.deviceadd("s1", "s1", "xyz")).isEqualTo("Error: device 's1': psk.key is not valid hex");
        assertThat(shell.deviceadd("s1", "s1", "0102")).isEqualTo("Error: device 's1': psk.key must be 16 to 64 bytes, got 2");
        assertThat(shell.deviceadd("s1", "s1", HexFormat.of().formatHex(SECRET_1), "../x")).contains("resources[0]");
        assertThat(shell.deviceadd("s1", "s1", HexFormat.of().formatHex(SECRET_1))).startsWith("Added");
        assertThat(shell.deviceadd("s1", "s1", HexFormat.of().formatHex(SECRET_1))).contains("already exists");
        assertThat(shell.deviceadd("s2", "s1", HexFormat.of().formatHex(SECRET_2)))
                .isEqualTo("Error: device 's2': psk.identity 's1' already belongs to device 's1'");
    }

    @Test
    void givenADevice_whenDisabledEnabledAndRemoved_thenEachCommandSaysWhatHappened() {
        DeviceRegistryComponent registry = start();
        DeviceCommands shell = new DeviceCommands(registry);
        shell.deviceadd("s1", "s1", HexFormat.of().formatHex(SECRET_1));

        assertThat(shell.devicedisable("s1")).isEqualTo("Device 's1' disabled");
        assertThat(registry.pskSecret("s1")).isEmpty();
        assertThat(shell.devices()).containsPattern("s1\\s+no\\s+PSK");
        assertThat(shell.devicedisable("s1")).isEqualTo("Device 's1' was already disabled");
        assertThat(shell.deviceenable("s1")).isEqualTo("Device 's1' enabled");
        assertThat(shell.deviceenable("nope")).isEqualTo("Error: no device 'nope'");
        assertThat(shell.deviceremove("s1")).isEqualTo("Removed device 's1'");
        assertThat(shell.deviceremove("s1")).isEqualTo("Error: no device 's1'");
        assertThat(shell.devices()).isEqualTo("No devices.");
    }

    @Test
    void givenAnImportFile_whenImportedFromTheShell_thenCountsAndRejectionsAreShown() throws Exception {
        DeviceCommands shell = new DeviceCommands(start());
        var file = write("devices.json", devicesFile(pskDevice("s1", "s1", SECRET_1),
                "{'id':'bad','psk':{'identity':'bad','key':'hex:zz'}}"));

        String out = shell.deviceimport(file.toString());

        assertThat(out).contains("1 added").contains("1 rejected")
                .contains("rejected device 'bad': psk.key is not valid hex");
        assertThat(shell.deviceimport(tmp.resolve("missing.json").toString())).contains("does not exist");
    }

    @Test
    void givenTheGeneratedDescriptors_thenEveryShellFunctionMapsToAPublicMethodAndThePidIsSet() throws Exception {
        String commands = Files.readString(Path.of("target/classes/OSGI-INF/"
                + DeviceCommands.class.getName() + ".xml"));
        Matcher m = Pattern.compile("osgi.command.function\" type=\"String\">([^<]*)<").matcher(commands);
        assertThat(m.find()).isTrue();
        Set<String> functions = Set.of(m.group(1).strip().split("\\s+"));
        Set<String> methods = Arrays.stream(DeviceCommands.class.getMethods()).map(Method::getName)
                .collect(Collectors.toSet());

        assertThat(commands).contains("name=\"osgi.command.scope\" type=\"String\" value=\"m2mgw\"");
        assertThat(functions).containsExactlyInAnyOrder("devices", "deviceshow", "deviceadd", "deviceaddcert",
                "deviceaddedhoc", "deviceedhoc", "devicedisable", "deviceenable", "deviceremove", "deviceimport",
                "rotate", "rotate-rpk", "promote", "cancel-rotation");
        // Gogo calls _main for a name with a dash, which cannot be a method's
        assertThat(methods).containsAll(functions.stream().filter(f -> !f.contains("-")).toList()).contains("_main");
        String registry = Files.readString(Path.of("target/classes/OSGI-INF/" + DeviceRegistryComponent.PID + ".xml"));
        assertThat(registry).contains("name=\"service.pid\" type=\"String\" value=\"org.m2mgw.registry\"")
                .contains("configuration-policy=\"optional\"").contains("immediate=\"true\"")
                .contains("interface=\"org.m2mgw.api.device.DeviceRegistryListener\"")
                .contains("policy=\"dynamic\"");
        assertThat(Path.of("target/classes/OSGI-INF/metatype/" + DeviceRegistryComponent.PID + ".xml")).exists();
    }
}
