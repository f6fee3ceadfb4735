package org.m2mgw.api.device;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * A device after a change, with the pre-shared key the registry made for it, if it made one. The
 * key is for showing once to the operator; {@link #close()} wipes it. It never appears in
 * {@link #toString()}.
 *
 * @since 2.3
 */
public final class IssuedKey implements AutoCloseable {
    private final Device device;
    private final String identity;
    private final byte[] key;

    /**
     * @param device the device after the change
     * @param identity the PSK identity the key belongs to, or {@code null} when no key was made
     * @param key the key, or {@code null}; this object owns it from now on
     */
    public IssuedKey(Device device, String identity, byte[] key) {
        this.device = Objects.requireNonNull(device, "device");
        if ((identity == null) != (key == null)) {
            throw new IllegalArgumentException("a key needs its identity, and an identity its key");
        }
        this.identity = identity;
        this.key = key;
    }

    /** @return the device after the change */
    public Device device() {
        return device;
    }

    /** @return the PSK identity of the key that was made, if one was */
    public Optional<String> identity() {
        return Optional.ofNullable(identity);
    }

    /** @return the key that was made, in lower-case hex, if one was; show it once, never log it */
    public Optional<String> keyHex() {
        return key == null ? Optional.empty() : Optional.of(HexFormat.of().formatHex(key));
    }

    /** Wipes the key. */
    @Override
    public void close() {
        if (key != null) {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** Never the key. */
    @Override
    public String toString() {
        return "IssuedKey[" + device.deviceId() + (identity == null ? ", no key made" : ", PSK identity '" + identity
                + "', key not shown") + "]";
    }
}
