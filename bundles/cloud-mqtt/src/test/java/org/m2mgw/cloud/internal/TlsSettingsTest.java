package org.m2mgw.cloud.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.m2mgw.cloud.internal.CloudHarness.accept;
import static org.m2mgw.cloud.internal.CloudHarness.message;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.m2mgw.api.message.Acceptance;
import org.m2mgw.cloud.internal.tls.TlsGroups;
import org.m2mgw.cloud.internal.tls.UplinkTls;

/** {@code tls.groups} and {@code tls.provider}: parsing, and a connection that refuses to start on a bad list. */
class TlsSettingsTest {
    @TempDir
    Path tmp;

    CloudHarness h;
    BooleanSupplier bcJsse;

    @BeforeEach
    void setUp() {
        h = new CloudHarness(tmp);
        bcJsse = UplinkTls.bcJsseAvailable;
    }

    @AfterEach
    void tearDown() {
        UplinkTls.bcJsseAvailable = bcJsse;
        h.close();
    }

    @Test
    void givenTheDefault_thenHybridFirst_thenClassical_withKeySharesForTheHybridAndX25519() {
        String dflt = CloudSettings.METATYPE.attribute("tls.groups").orElseThrow().defaultValue();
        assertThat(dflt).isEqualTo("X25519MLKEM768,x25519,secp256r1");
        TlsGroups g = TlsGroups.parse(dflt);
        assertThat(g.names()).containsExactly("X25519MLKEM768", "x25519", "secp256r1");
        assertThat(g.earlyKeyShares()).containsExactly("X25519MLKEM768", "x25519");
        assertThat(g.anyPostQuantum()).isTrue();
        assertThat(g.onlyPostQuantum()).isFalse();
    }

    @Test
    void givenOtherSpellings_thenNamesAreMatchedWithoutCase_andBlanksAndEscapedCommasAreIgnored() {
        assertThat(TlsGroups.parse(" x25519mlkem768 , X25519,SECP384R1 ").names())
                .containsExactly("X25519MLKEM768", "x25519", "secp384r1");
        // the metatype's escaped form, as a console may show it
        assertThat(TlsGroups.parse("X25519MLKEM768\\,x25519\\,secp256r1").names())
                .containsExactly("X25519MLKEM768", "x25519", "secp256r1");
        assertThat(TlsGroups.parse("secp256r1").earlyKeyShares()).containsExactly("secp256r1");
        assertThat(TlsGroups.parse("X25519MLKEM768").earlyKeyShares()).containsExactly("X25519MLKEM768");
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource(delimiter = '|', value = {
        "X25519Kyber768Draft00,x25519|unknown group 'X25519Kyber768Draft00'",
        "x25519,x25519|'x25519' is listed twice",
        "X25519MLKEM768,,x25519|an empty entry",
        "P-256|unknown group 'P-256'",
        "''|tls.groups is empty",
    })
    void givenABadList_thenTheErrorNamesTheKeyAndTheEntry(String value, String problem) {
        assertThatThrownBy(() -> TlsGroups.parse(value)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("tls.groups").hasMessageContaining(problem);
    }

    @Test
    void givenAnUnknownGroup_thenTheErrorListsTheKnownOnes() {
        assertThatThrownBy(() -> TlsGroups.parse("kyber")).hasMessageContaining(
                "known groups: X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024, MLKEM512, MLKEM768, MLKEM1024, "
                        + "x25519, x448, secp256r1");
    }

    @Test
    void givenABadList_thenTheConnectionDoesNotStart_andSaysWhy_evenForTcp() throws Exception {
        for (String url : new String[] {"ssl://127.0.0.1:8883", "tcp://127.0.0.1:1883"}) {
            CloudConnection c = h.connection(Map.of("broker_url", url, "tls_groups", "X25519MLKEM768,x25519,bogus"));
            assertThat(c.statusLine()).startsWith("not running: tls.groups 'X25519MLKEM768,x25519,bogus' has "
                    + "unknown group 'bogus'");
            Acceptance a = accept(c, message("dev", 1));
            assertThat(a.isAccepted()).isFalse();
            assertThat(c.counters()).isEmpty();
            assertThat(c.tlsGroup()).isEmpty();
            h.stop(c);
        }
    }

    @Test
    void givenAnUnknownProvider_thenTheConnectionDoesNotStart() {
        CloudConnection c = h.connection(Map.of("broker_url", "ssl://127.0.0.1:8883", "tls_provider", "openssl"));
        assertThat(c.statusLine()).startsWith("not running:").contains("tls.provider");
    }

    @Test
    void givenNoBouncyCastleJsse_whenOnlyPostQuantumGroupsAreAllowed_thenTheConnectionDoesNotStart() throws Exception {
        UplinkTls.bcJsseAvailable = () -> false;
        Map<String, Object> cfg = new HashMap<>(Map.of("broker_url", "ssl://127.0.0.1:8883",
                "tls_groups", "X25519MLKEM768"));
        CloudConnection c = h.connection(cfg);
        assertThat(c.statusLine()).startsWith(
                "not running: tls.groups 'X25519MLKEM768' lists post-quantum groups only, which need Bouncy Castle's "
                        + "JSSE (the bctls bundle), and it is not available");
        assertThat(accept(c, message("dev", 1)).isAccepted()).isFalse();
        h.stop(c);

        cfg.put("tls_groups", "X25519MLKEM768,x25519,secp256r1");
        cfg.put("tls_provider", "bcjsse");
        CloudConnection forced = h.connection(cfg);
        assertThat(forced.statusLine()).startsWith("not running: tls.provider is bcjsse, but Bouncy Castle's JSSE");
        h.stop(forced);

        // auto falls back to the JDK when a classical group is allowed: the connection runs
        cfg.put("tls_provider", "auto");
        CloudConnection fallback = h.connection(cfg);
        assertThat(fallback.statusLine()).doesNotStartWith("not running");
    }

    @Test
    void givenBouncyCastleJsse_thenAutoUsesIt() {
        assertThat(UplinkTls.bcJsseAvailable.getAsBoolean()).as("bctls is on the test class path").isTrue();
        CloudConnection c = h.connection(Map.of("broker_url", "ssl://127.0.0.1:1"));
        assertThat(c.statusLine()).doesNotStartWith("not running");
    }
}
