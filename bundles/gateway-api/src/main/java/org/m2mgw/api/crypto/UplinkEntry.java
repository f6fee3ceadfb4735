package org.m2mgw.api.crypto;

import java.time.Instant;
import java.util.Objects;

/**
 * The protection of one cloud uplink (an MQTT connection over TLS), as negotiated.
 *
 * @param name the connection's name (its configuration PID)
 * @param protocol the TLS version ({@code TLSv1.3}), or {@code none} for a plain connection
 * @param suite the negotiated cipher suite, or empty
 * @param group the negotiated key-exchange group ({@code X25519MLKEM768}), or empty if unknown
 * @param since when the connection was established
 * @since 1.0
 */
public record UplinkEntry(String name, String protocol, String suite, String group, Instant since) {

    /**
     * @throws NullPointerException if a field is null
     */
    public UplinkEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(suite, "suite");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(since, "since");
    }

    /** @return whether the key exchange includes ML-KEM (hybrid or pure), so recorded traffic stays safe */
    public boolean postQuantum() {
        return group.toUpperCase(java.util.Locale.ROOT).contains("MLKEM");
    }
}
