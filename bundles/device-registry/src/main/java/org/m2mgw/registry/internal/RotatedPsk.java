package org.m2mgw.registry.internal;

import java.util.Arrays;
import java.util.HexFormat;
import org.m2mgw.api.device.Device;

/**
 * A PSK rollover that {@link DeviceRegistryComponent#rotatePsk} just started: the device with its
 * next PSK identity, and the next key, held only until the operator has been shown it once.
 * {@link #close()} wipes the key; use it in try-with-resources.
 */
final class RotatedPsk implements AutoCloseable {
    private final Device device;
    private final byte[] key;

    /** @param key the next key; this object owns it from now on and wipes it on {@link #close()} */
    RotatedPsk(Device device, byte[] key) {
        this.device = device;
        this.key = key;
    }

    /** @return the device after the change, with its next PSK identity and any deadline */
    Device device() {
        return device;
    }

    /** @return the next PSK identity */
    String identity() {
        return device.nextPskIdentity().orElseThrow();
    }

    /** @return the next key in hex, to be shown once; never log it */
    String keyHex() {
        return HexFormat.of().formatHex(key);
    }

    /** Wipes the key. */
    @Override
    public void close() {
        Arrays.fill(key, (byte) 0);
    }

    /** Never the key. */
    @Override
    public String toString() {
        return "RotatedPsk[" + device.deviceId() + ", next PSK identity '" + identity() + "', key not shown]";
    }
}
