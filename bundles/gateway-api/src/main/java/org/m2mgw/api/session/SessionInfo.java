package org.m2mgw.api.session;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One live secure session of a device: a DTLS connection, or an OSCORE security context. Holds no
 * key material.
 *
 * @since 1.0
 */
public final class SessionInfo {
    private final String deviceId;
    private final String protocol;
    private final InetSocketAddress address;
    private final String suite;
    private final String cid;
    private final boolean resumed;
    private final Instant since;
    private final Instant lastSeen;
    private final long bytesIn;
    private final long bytesOut;

    /**
     * @param deviceId the device
     * @param protocol {@code coaps} or {@code oscore}
     * @param address the device's last address, or {@code null} when not known yet
     * @param suite the cipher suite (DTLS) or EDHOC suite id (OSCORE)
     * @param cid the connection id in hex (DTLS), the OSCORE recipient id in hex, or {@code null}
     * @param resumed whether the session was resumed (DTLS abbreviated handshake) or restored
     *     from storage (OSCORE context after a restart) rather than made by a full handshake
     * @param since when its keys were made (its last handshake)
     * @param lastSeen when the device was last heard in it, or {@code null} when not known
     * @param bytesIn bytes received in it, or -1 when the transport does not count them per session
     * @param bytesOut bytes sent in it, or -1 likewise
     */
    public SessionInfo(String deviceId, String protocol, InetSocketAddress address, String suite, String cid,
            boolean resumed, Instant since, Instant lastSeen, long bytesIn, long bytesOut) {
        this.deviceId = Objects.requireNonNull(deviceId, "deviceId");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.address = address;
        this.suite = Objects.requireNonNull(suite, "suite");
        this.cid = cid;
        this.resumed = resumed;
        this.since = Objects.requireNonNull(since, "since");
        this.lastSeen = lastSeen;
        this.bytesIn = bytesIn;
        this.bytesOut = bytesOut;
    }

    /** @return the device */
    public String deviceId() {
        return deviceId;
    }

    /** @return {@code coaps} or {@code oscore} */
    public String protocol() {
        return protocol;
    }

    /** @return the device's last address, if known */
    public Optional<InetSocketAddress> address() {
        return Optional.ofNullable(address);
    }

    /** @return the cipher suite or EDHOC suite */
    public String suite() {
        return suite;
    }

    /** @return the connection id or OSCORE recipient id in hex, if any */
    public Optional<String> cid() {
        return Optional.ofNullable(cid);
    }

    /** @return whether it was resumed or restored rather than made by a full handshake */
    public boolean resumed() {
        return resumed;
    }

    /** @return when its keys were made */
    public Instant since() {
        return since;
    }

    /** @return when the device was last heard in it, if known */
    public Optional<Instant> lastSeen() {
        return Optional.ofNullable(lastSeen);
    }

    /** @return bytes received in it, or -1 when not counted per session */
    public long bytesIn() {
        return bytesIn;
    }

    /** @return bytes sent in it, or -1 when not counted per session */
    public long bytesOut() {
        return bytesOut;
    }

    @Override
    public String toString() {
        return "SessionInfo[" + deviceId + " " + protocol + " " + suite + " since " + since + "]";
    }
}
