package org.m2mgw.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.m2mgw.api.alert.Alert;
import org.m2mgw.api.alert.AlertSeverity;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.traffic.FailureCause;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventType;

class ApiValuesTest {

    static final Device DEVICE = Device.builder("meter-1").pskIdentity("meter-1").allow("telemetry/*")
            .allow("events").build();

    @ParameterizedTest(name = "given rules telemetry/* and events, when {0} is used, then allowed={1}")
    @CsvSource({
        "telemetry, true", "/telemetry, true", "telemetry/temp, true", "telemetry/a/b, true",
        "telemetryx, false", "events, true", "events/x, false", "commands, false", "'', false"})
    void givenResourceRules_whenAResourceIsUsed_thenOnlyMatchingOnesAreAllowed(String resource, boolean allowed) {
        assertThat(DEVICE.mayUse(resource)).isEqualTo(allowed);
    }

    @Test
    void givenTheWildcardRule_thenEveryResourceIsAllowed() {
        Device any = Device.builder("d").pskIdentity("d").allow("*").build();
        assertThat(any.mayUse("anything/at/all")).isTrue();
    }

    @Test
    void givenNoCredentialOrNoId_whenBuilt_thenAClearError() {
        assertThatThrownBy(() -> Device.builder(" ").pskIdentity("x").build()).hasMessageContaining("deviceId");
        assertThatThrownBy(() -> Device.builder("d").build()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void givenAPublicKey_thenTheDeviceKeepsItsOwnCopy() {
        byte[] key = {1, 2, 3};
        Device d = Device.builder("d").publicKey(key).build();
        key[0] = 9;
        assertThat(d.publicKey().orElseThrow()).containsExactly(1, 2, 3);
        d.publicKey().orElseThrow()[1] = 9;
        assertThat(d.publicKey().orElseThrow()).containsExactly(1, 2, 3);
    }

    @Test
    void givenAnX509DeviceWithIssuerAndHashes_thenTheyAreKeptCopiedComparedAndRequireASubject() {
        byte[] hash = new byte[32];
        hash[0] = 7;
        Device bound = Device.builder("plc").certificateSubject("CN=plc").certificateIssuer("CN=CA")
                .certificateSha256(hash).build();
        hash[0] = 9;
        assertThat(bound.certificateIssuer()).hasValue("CN=CA");
        assertThat(bound.certificateSha256().orElseThrow()[0]).isEqualTo((byte) 7);
        bound.certificateSha256().orElseThrow()[0] = 9;
        assertThat(bound.certificateSha256().orElseThrow()[0]).isEqualTo((byte) 7);
        assertThat(bound.certificateSpkiSha256()).isEmpty();
        assertThat(bound.boundToSubjectOnly()).isFalse();
        assertThat(bound.toBuilder().build()).isEqualTo(bound);
        assertThat(bound.toBuilder().certificateIssuer("CN=Other CA").build()).isNotEqualTo(bound);
        assertThat(bound.toBuilder().certificateSha256(null).build()).isNotEqualTo(bound);
        assertThat(bound.toString()).contains("issuer=CN=CA").contains("pinned");

        Device legacy = Device.builder("old").certificateSubject("CN=old").build();
        assertThat(legacy.boundToSubjectOnly()).isTrue();
        assertThat(Device.builder("k").certificateSubject("CN=k").certificateSpkiSha256(new byte[32]).build()
                .boundToSubjectOnly()).isFalse();
        assertThat(DEVICE.boundToSubjectOnly()).isFalse();
        assertThatThrownBy(() -> Device.builder("x").pskIdentity("x").certificateIssuer("CN=CA").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no certificate subject");
    }

    @Test
    void givenAnIpv6Source_whenAnEventIsBuilt_thenTheSourceIsTypedAndPrintedWithBrackets() {
        TrafficEvent e = TrafficEvent.builder(TrafficEventType.HANDSHAKE_FAILED, "coaps", "[2001:db8::1]:5684")
                .cause(FailureCause.UNKNOWN_IDENTITY).claimedIdentity("x".repeat(100)).build();
        assertThat(e.source()).isEqualTo(new InetSocketAddress("2001:db8::1", 5684));
        assertThat(e.sourceAddress()).isEqualTo("[2001:db8:0:0:0:0:0:1]:5684");
        assertThat(e.claimedIdentity().orElseThrow()).hasSize(64);
        assertThat(TrafficEvent.builder(TrafficEventType.REQUEST, "coaps", (InetSocketAddress) null).build().cause())
                .isEqualTo(FailureCause.NONE);
        assertThatThrownBy(() -> TrafficEvent.builder(TrafficEventType.REQUEST, "coaps", "host.example:1"))
                .hasMessageContaining("not an IP literal");
    }

    @Test
    void givenAnAlert_whenItTravelsAsEventProperties_thenItComesBackTheSame() {
        Alert a = new Alert("id-1", "192.0.2.7", Alert.SubjectKind.ADDRESS, "rule.identity-guessing",
                AlertSeverity.WARNING, 12.5, "guessing", Map.of("failures", 12.0), Instant.parse("2026-01-01T00:00:00Z"));
        Map<String, Object> p = a.toEventProperties("block-address");
        assertThat(p).containsEntry(Alert.PROP_ACTION, "block-address").containsEntry(Alert.PROP_SUBJECT_KIND, "ADDRESS");
        Alert back = Alert.fromEventProperties(p::get);
        assertThat(back.subject()).isEqualTo("192.0.2.7");
        assertThat(back.subjectKind()).isEqualTo(Alert.SubjectKind.ADDRESS);
        assertThat(back.features()).containsEntry("failures", 12.0);
        assertThat(back.time()).isEqualTo(a.time());
        assertThatThrownBy(() -> Alert.fromEventProperties(Map.<String, Object>of()::get))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
