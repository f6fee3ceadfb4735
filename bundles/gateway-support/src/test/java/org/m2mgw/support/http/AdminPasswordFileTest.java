package org.m2mgw.support.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminPasswordFileTest {

    @TempDir
    Path dir;

    @Test
    void givenNoFile_whenOpened_thenARandomPasswordIsWrittenOwnerOnly() throws Exception {
        AdminPasswordFile f = AdminPasswordFile.openOrCreate(dir, new SecureRandom());

        assertThat(f.wasCreated()).isTrue();
        String stored = Files.readString(f.path()).strip();
        assertThat(stored).hasSize(AdminPasswordFile.GENERATED_LENGTH).isNotEqualTo("admin");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f.path())))
                .isEqualTo("rw-------");
        assertThat(f.matches(stored)).isTrue();
        assertThat(f.matches("admin")).isFalse();
        assertThat(f.matches(stored + "x")).isFalse();
    }

    @Test
    void givenTwoGateways_whenGenerated_thenPasswordsDiffer() throws Exception {
        Path a = Files.createDirectory(dir.resolve("a"));
        Path b = Files.createDirectory(dir.resolve("b"));
        AdminPasswordFile.openOrCreate(a, new SecureRandom());
        AdminPasswordFile.openOrCreate(b, new SecureRandom());
        assertThat(Files.readString(a.resolve(AdminPasswordFile.FILE_NAME)))
                .isNotEqualTo(Files.readString(b.resolve(AdminPasswordFile.FILE_NAME)));
    }

    @Test
    void givenExistingWorldReadableFile_whenOpened_thenKeptAndTightened() throws Exception {
        Path file = dir.resolve(AdminPasswordFile.FILE_NAME);
        Files.writeString(file, "operator-chosen\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        AdminPasswordFile f = AdminPasswordFile.openOrCreate(dir, new SecureRandom());

        assertThat(f.wasCreated()).isFalse();
        assertThat(f.matches("operator-chosen")).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
    }

    @Test
    void givenOperatorChangesFile_whenReloaded_thenNewPasswordApplies() throws Exception {
        AdminPasswordFile f = AdminPasswordFile.openOrCreate(dir, new SecureRandom());
        Files.writeString(f.path(), "new-secret\n");
        Files.setLastModifiedTime(f.path(),
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));

        f.reloadIfChanged();

        assertThat(f.matches("new-secret")).isTrue();
    }

    @Test
    void givenEmptyFile_whenOpened_thenNothingMatches() throws Exception {
        Files.writeString(dir.resolve(AdminPasswordFile.FILE_NAME), "\n");
        AdminPasswordFile f = AdminPasswordFile.openOrCreate(dir, new SecureRandom());
        assertThat(f.isUsable()).isFalse();
        assertThat(f.matches("")).isFalse();
    }

    @Test
    void basicHeaderParsing() {
        String h = "Basic " + Base64.getEncoder().encodeToString("admin:pa:ss".getBytes(StandardCharsets.UTF_8));
        BasicCredentials c = BasicCredentials.parse(h);
        assertThat(c.user()).isEqualTo("admin");
        assertThat(c.password()).isEqualTo("pa:ss");
        assertThat(BasicCredentials.parse("Bearer x")).isNull();
        assertThat(BasicCredentials.parse("Basic !!!")).isNull();
        assertThat(BasicCredentials.parse(null)).isNull();
    }
}
