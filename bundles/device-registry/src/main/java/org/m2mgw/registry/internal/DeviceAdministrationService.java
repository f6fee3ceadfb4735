package org.m2mgw.registry.internal;

import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceAdministration;
import org.m2mgw.api.device.DeviceAdministrationException;
import org.m2mgw.api.device.DeviceAdministrationException.Reason;
import org.m2mgw.api.device.ImportSummary;
import org.m2mgw.api.device.IssuedKey;
import org.m2mgw.registry.internal.RegistryJson.InvalidFileException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The registry's {@link DeviceAdministration} service: the same changes the shell and the web
 * console make, through {@link DeviceRegistryComponent} and so through one
 * {@link RegistryAdministration} (its lock, validation, store and listeners). This class only
 * adds the key generation for new PSK devices and sorts failures into the API's reasons.
 */
@Component(service = DeviceAdministration.class)
public class DeviceAdministrationService implements DeviceAdministration {
    /** Keys made for new devices, as for rotations. */
    static final int GENERATED_KEY_BYTES = DeviceRegistryComponent.ROTATED_KEY_BYTES;
    private static final Pattern DEVICE_PREFIX = Pattern.compile("^device '([A-Za-z0-9._-]{1,64})': (.*)$",
            Pattern.DOTALL);

    private final DeviceRegistryComponent registry;
    private final SecureRandom random = new SecureRandom();

    @Activate
    public DeviceAdministrationService(@Reference DeviceRegistryComponent registry) {
        this.registry = registry;
    }

    @Override
    public IssuedKey add(Device device, byte[] pskKey) {
        if (device == null) {
            throw new DeviceAdministrationException(Reason.INVALID, "no device given");
        }
        String id = device.deviceId();
        if (registry.device(id).isPresent()) {
            throw new DeviceAdministrationException(Reason.CONFLICT, "device '" + Validation.sanitize(id)
                    + "' exists already");
        }
        if (device.pskIdentity().isPresent() && registry.byPskIdentity(device.pskIdentity().get()).isPresent()) {
            throw new DeviceAdministrationException(Reason.CONFLICT, "device '" + Validation.sanitize(id)
                    + "': PSK identity '" + Validation.sanitize(device.pskIdentity().get())
                    + "' belongs to another device");
        }
        if (device.publicKey().isPresent() && registry.byPublicKey(device.publicKey().get()).isPresent()) {
            throw new DeviceAdministrationException(Reason.CONFLICT, "device '" + Validation.sanitize(id)
                    + "': the public key belongs to another device");
        }
        byte[] key = pskKey == null ? null : pskKey.clone();
        boolean generated = false;
        if (key == null && device.pskIdentity().isPresent()) {
            key = new byte[GENERATED_KEY_BYTES];
            random.nextBytes(key);
            generated = true;
        }
        final byte[] given = key;
        try {
            Device stored = call(() -> registry.put(device, given));
            if (generated) {
                byte[] shown = key;
                return new IssuedKey(stored, stored.pskIdentity().orElseThrow(), shown);
            }
            return new IssuedKey(stored, null, null);
        } finally {
            if (!generated && key != null) {
                Arrays.fill(key, (byte) 0);
            }
        }
    }

    @Override
    public Device update(String deviceId, Boolean enabled, Collection<String> resources, Map<String, String> metadata) {
        requireDevice(deviceId);
        return call(() -> registry.updateFields(deviceId, enabled, resources, metadata));
    }

    @Override
    public boolean setEnabled(String deviceId, boolean enabled) {
        requireDevice(deviceId);
        return call(() -> registry.setEnabled(deviceId, enabled));
    }

    @Override
    public Optional<Device> remove(String deviceId) {
        return call(() -> registry.remove(deviceId));
    }

    @Override
    public ImportSummary importJson(String json, String source) {
        if (json == null) {
            throw new DeviceAdministrationException(Reason.INVALID, "no text given");
        }
        ImportResult r = call(() -> {
            try {
                return registry.importText(json, source == null ? "import" : source);
            } catch (InvalidFileException e) {
                throw new DeviceAdministrationException(Reason.INVALID, e.getMessage());
            }
        });
        List<ImportSummary.Refusal> refused = new ArrayList<>();
        for (String reason : r.rejected()) {
            Matcher m = DEVICE_PREFIX.matcher(reason);
            refused.add(m.matches() ? new ImportSummary.Refusal(m.group(1), m.group(2))
                    : new ImportSummary.Refusal(null, reason));
        }
        return new ImportSummary(r.added(), r.updated(), r.unchanged(), refused, r.warnings());
    }

    @Override
    public IssuedKey rotatePsk(String deviceId) {
        requireDevice(deviceId);
        RotatedPsk rotated = call(() -> registry.rotatePsk(deviceId, null));
        // The caller owns the key from here on (IssuedKey.close wipes it); RotatedPsk's copy is wiped.
        byte[] key = java.util.HexFormat.of().parseHex(rotated.keyHex());
        rotated.close();
        return new IssuedKey(rotated.device(), rotated.identity(), key);
    }

    @Override
    public Device rotatePublicKey(String deviceId, byte[] nextPublicKey) {
        requireDevice(deviceId);
        if (nextPublicKey == null) {
            throw new DeviceAdministrationException(Reason.INVALID, "no public key given");
        }
        if (registry.byPublicKey(nextPublicKey).isPresent()) {
            throw new DeviceAdministrationException(Reason.CONFLICT, "device '" + deviceId
                    + "': the public key belongs to a device already");
        }
        return call(() -> registry.startRollover(deviceId, null, null, nextPublicKey, null));
    }

    @Override
    public Optional<String> readOnlyReason() {
        return registry.readOnlyReason();
    }

    private void requireDevice(String deviceId) {
        if (deviceId == null || registry.device(deviceId).isEmpty()) {
            throw new DeviceAdministrationException(Reason.NOT_FOUND, "no device '"
                    + Validation.sanitize(String.valueOf(deviceId)) + "'");
        }
    }

    /** Runs a change, sorting its failures into the API's reasons. */
    private static <T> T call(java.util.function.Supplier<T> change) {
        try {
            return change.get();
        } catch (IllegalArgumentException e) {
            String m = e.getMessage() == null ? "invalid" : e.getMessage();
            Reason r = m.startsWith("no device '") ? Reason.NOT_FOUND
                    : m.contains("already belongs to") || m.contains("belongs to device") ? Reason.CONFLICT
                    : Reason.INVALID;
            throw new DeviceAdministrationException(r, m, e);
        } catch (IllegalStateException | UncheckedIOException e) {
            throw new DeviceAdministrationException(Reason.UNAVAILABLE, e.getMessage(), e);
        }
    }
}
