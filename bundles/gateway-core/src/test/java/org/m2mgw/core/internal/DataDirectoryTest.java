package org.m2mgw.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {

    @TempDir
    Path tmp;

    @Test
    void givenAbsentDirectory_whenOpened_thenCreatedOwnerOnly() throws Exception {
        Path target = tmp.resolve("a/b/data");
        DataDirectory d = DataDirectory.fromProperty(target.toString());
        assertThat(d.root()).isEqualTo(target);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target)))
                .isEqualTo("rwx------");
        Path sub = d.sub("cloud-mqtt");
        assertThat(sub).isDirectory().hasParent(target);
    }

    @Test
    void givenNoValue_whenOpened_thenErrorNamesTheProperty() {
        assertThatThrownBy(() -> DataDirectory.fromProperty(null))
                .hasMessageContaining(DataDirectory.PROPERTY);
        assertThatThrownBy(() -> DataDirectory.fromProperty("  "))
                .hasMessageContaining(DataDirectory.PROPERTY);
    }

    @Test
    void givenAFileInTheWay_whenOpened_thenErrorNamesThePropertyAndValue() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThatThrownBy(() -> DataDirectory.fromProperty(file.resolve("data").toString()))
                .hasMessageContaining(DataDirectory.PROPERTY).hasMessageContaining("cannot be created");
    }

    @Test
    void givenSubDirectoryNameWithTraversal_thenRefused() {
        DataDirectory d = DataDirectory.fromProperty(tmp.toString());
        assertThatThrownBy(() -> d.sub("../etc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.sub("..")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void givenKuraDataOnly_thenSubDirectoryOfKuraDataIsUsed() {
        Map<String, String> props = Map.of(DataDirectory.KURA_DATA, "/opt/eclipse/kura/data");
        assertThat(DataDirectory.configuredPath(props::get)).isEqualTo("/opt/eclipse/kura/data/m2mgw");
        Map<String, String> both = Map.of(DataDirectory.KURA_DATA, "/k", DataDirectory.PROPERTY, "/d");
        assertThat(DataDirectory.configuredPath(both::get)).isEqualTo("/d");
    }

    @Test
    void gatewayIdValidation() {
        assertThat(GatewayRuntimeComponent.resolveGatewayId("gw-01.site_a")).isEqualTo("gw-01.site_a");
        assertThat(GatewayRuntimeComponent.resolveGatewayId("bad/id")).isEqualTo("gateway");
        assertThat(GatewayRuntimeComponent.resolveGatewayId("")).isNotBlank();
    }
}
