package org.m2mgw.api.device;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Changes the device registry: what an operator does from the console, the REST API or the
 * shell. Each change is validated, saved and announced to {@link DeviceRegistryListener}s before
 * the method returns; a change that fails leaves the registry as it was.
 *
 * <p>Failures are {@link DeviceAdministrationException}s whose {@link
 * DeviceAdministrationException.Reason reason} tells an invalid request from a conflict, an
 * unknown device or a registry that cannot change now. Their messages name the device and the
 * field, never a secret.
 *
 * @since 2.3
 */
@ProviderType
public interface DeviceAdministration {

    /**
     * Registers a new device.
     *
     * <p>A device with a PSK identity needs its key: when {@code pskKey} is {@code null}, the
     * registry makes one (32 random bytes from a {@code SecureRandom}) and returns it once in the
     * answer; it never shows it again and never logs it.
     *
     * @param device the device; its "keyCreated" is set by the registry
     * @param pskKey the pre-shared key (copied), or {@code null} to have one made when the device
     *     has a PSK identity; must be {@code null} for a device without one
     * @return the device as stored, with the key that was made, if any
     * @throws DeviceAdministrationException CONFLICT if the id or a credential is taken, INVALID
     *     if a field is invalid, UNAVAILABLE if the registry cannot change now
     */
    IssuedKey add(Device device, byte[] pskKey);

    /**
     * Changes the fields of a device that are not credentials: whether it is enabled, the
     * resources it may use, its metadata. Its credentials stay.
     *
     * @param deviceId the device
     * @param enabled the new state, or {@code null} to keep it
     * @param resources the new resource rules (replacing the old ones), or {@code null} to keep them
     * @param metadata the new metadata (replacing the old), or {@code null} to keep it
     * @return the device after the change
     * @throws DeviceAdministrationException NOT_FOUND, INVALID or UNAVAILABLE
     */
    Device update(String deviceId, Boolean enabled, java.util.Collection<String> resources,
            java.util.Map<String, String> metadata);

    /**
     * @param deviceId the device
     * @param enabled whether it may connect
     * @return whether it changed (false if it already was in that state)
     * @throws DeviceAdministrationException NOT_FOUND or UNAVAILABLE
     */
    boolean setEnabled(String deviceId, boolean enabled);

    /**
     * Removes a device; its sessions end.
     *
     * @param deviceId the device
     * @return the removed device, or empty if there was none
     * @throws DeviceAdministrationException UNAVAILABLE
     */
    Optional<Device> remove(String deviceId);

    /**
     * Adds or updates the devices of a text in the registry's import-file format (see the
     * registry's documentation). Invalid entries are refused one by one; the others are taken.
     *
     * @param json the text
     * @param source what to call it in messages and the log, e.g. {@code REST API}
     * @return what the import did
     * @throws DeviceAdministrationException INVALID if the text as a whole is not in the format,
     *     UNAVAILABLE if the registry cannot change now
     */
    ImportSummary importJson(String json, String source);

    /**
     * Starts a PSK key rollover with a new key made by the registry (32 random bytes): the device
     * gets a next PSK identity {@code <id>-k<n>}, and both keys work until the device first uses
     * the new one.
     *
     * @param deviceId the device
     * @return the device after the change and the new key, shown once
     * @throws DeviceAdministrationException NOT_FOUND, INVALID (no PSK, a rollover under way) or
     *     UNAVAILABLE
     */
    IssuedKey rotatePsk(String deviceId);

    /**
     * Starts a raw public key rollover: the device may use {@code nextPublicKey} from now on, and
     * its old key until it first does.
     *
     * @param deviceId the device
     * @param nextPublicKey the next key, DER SubjectPublicKeyInfo
     * @return the device after the change
     * @throws DeviceAdministrationException NOT_FOUND, INVALID, CONFLICT (the key is another
     *     device's) or UNAVAILABLE
     */
    Device rotatePublicKey(String deviceId, byte[] nextPublicKey);

    /** @return why the registry cannot change now (for example its store is unreadable), or empty */
    Optional<String> readOnlyReason();
}
