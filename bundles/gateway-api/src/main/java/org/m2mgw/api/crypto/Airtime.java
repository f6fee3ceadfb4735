package org.m2mgw.api.crypto;

import java.util.Objects;

/**
 * What one security protocol cost one device on the air: datagrams and their bytes in each
 * direction, counted as the UDP payloads the gateway received and sent (not the decrypted CoAP
 * messages), and the handshakes they belong to. Radios pay per byte and per wake-up, so this is
 * the energy that security costs a battery device.
 *
 * @param protocol what the datagrams carried: one of the constants of this class
 * @param datagramsIn datagrams received from the device
 * @param bytesIn their UDP payload bytes
 * @param datagramsOut datagrams sent to the device
 * @param bytesOut their UDP payload bytes
 * @param handshakes handshakes completed (for the handshake protocols; 0 for record traffic)
 * @since 1.1
 */
public record Airtime(String protocol, long datagramsIn, long bytesIn, long datagramsOut, long bytesOut,
        long handshakes) {

    /** DTLS 1.2 full handshakes: every flight, from the first ClientHello to the last Finished. */
    public static final String DTLS_FULL_HANDSHAKE = "DTLS full handshake";
    /** DTLS 1.2 abbreviated handshakes (session resumption). */
    public static final String DTLS_RESUMPTION = "DTLS resumption";
    /** DTLS 1.2 records of an established session without a connection ID (application data, alerts). */
    public static final String DTLS_RECORDS = "DTLS records";
    /** DTLS 1.2 records with a connection ID (RFC 9146). */
    public static final String DTLS_CID_RECORDS = "DTLS records with CID";
    /** EDHOC (RFC 9528) messages, with their CoAP framing. */
    public static final String EDHOC = "EDHOC";
    /** OSCORE-protected CoAP messages (RFC 8613). */
    public static final String OSCORE = "OSCORE";

    /**
     * @throws NullPointerException if the protocol is null
     */
    public Airtime {
        Objects.requireNonNull(protocol, "protocol");
    }

    /** @return nothing yet for {@code protocol} */
    public static Airtime none(String protocol) {
        return new Airtime(protocol, 0, 0, 0, 0, 0);
    }

    /**
     * @param other counts of the same protocol
     * @return the sum
     * @throws IllegalArgumentException if the protocols differ
     */
    public Airtime plus(Airtime other) {
        if (!protocol.equals(other.protocol)) {
            throw new IllegalArgumentException("cannot add " + other.protocol + " to " + protocol);
        }
        return new Airtime(protocol, datagramsIn + other.datagramsIn, bytesIn + other.bytesIn,
                datagramsOut + other.datagramsOut, bytesOut + other.bytesOut, handshakes + other.handshakes);
    }

    /** @return bytes in both directions */
    public long bytes() {
        return bytesIn + bytesOut;
    }

    /** @return datagrams in both directions */
    public long datagrams() {
        return datagramsIn + datagramsOut;
    }

    /** @return mean bytes per completed handshake, both directions; NaN without handshakes */
    public double bytesPerHandshake() {
        return handshakes == 0 ? Double.NaN : bytes() / (double) handshakes;
    }

    /** @return mean UDP payload bytes per datagram; NaN without datagrams */
    public double bytesPerDatagram() {
        long n = datagrams();
        return n == 0 ? Double.NaN : bytes() / (double) n;
    }
}
