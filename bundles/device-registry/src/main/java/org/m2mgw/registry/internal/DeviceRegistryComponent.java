package org.m2mgw.registry.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.kura.configuration.ConfigurableComponent;
import org.m2mgw.api.device.CredentialType;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.device.DeviceRegistryListener;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.m2mgw.registry.internal.RegistryJson.InvalidFileException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The {@link DeviceRegistry}: field devices and their credentials, kept encrypted in the data
 * directory ({@link RegistryStore}), filled from an import file ({@code registry.import.file},
 * watched by {@link ImportFileWatcher}) and from the shell ({@link DeviceCommands}).
 *
 * <p>Lookups read an immutable {@link Snapshot} and never block. Changes are made by
 * {@link RegistryAdministration}: serialised by a lock, each one is validated, written to disk,
 * published as the new snapshot and then announced to every {@link DeviceRegistryListener} with
 * the device before and after (and, when an import changes them, with the new trust anchors).
 * Listeners are called in order, while further changes wait: they must return quickly.
 *
 * <p>If the key file or the store cannot be read or decrypted, the registry logs one error naming
 * the file and the reason, starts empty and read-only, and never overwrites the unreadable file.
 */
@Component(name = DeviceRegistryComponent.PID, immediate = true,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = "service.pid=" + DeviceRegistryComponent.PID,
        service = {DeviceRegistry.class, ConfigurableComponent.class, DeviceRegistryComponent.class})
@Designate(ocd = RegistryConfig.class)
public class DeviceRegistryComponent implements DeviceRegistry, ConfigurableComponent {
    static final String PID = "org.m2mgw.registry";
    /** The sub-directory of the data directory that holds the key and the store. */
    static final String DATA_DIR = "registry";

    private final RegistryListeners listeners = new RegistryListeners();
    private final RegistryAdministration admin;
    private final ImportFileWatcher watcher;

    /** Activation by DS. */
    @Activate
    public DeviceRegistryComponent(@Reference(name = "runtime") GatewayRuntime runtime, RegistryConfig config) {
        this(runtime, RegistrySettings.from(config));
    }

    /** For tests: no OSGi framework needed. Call {@link #deactivate()} when done. */
    DeviceRegistryComponent(GatewayRuntime runtime, RegistrySettings settings) {
        RegistryJson j = null;
        Path dir = null;
        String unavailable = null;
        try {
            j = new RegistryJson();
            dir = runtime.dataDirectory(DATA_DIR);
        } catch (UncheckedIOException e) {
            unavailable = "the data directory '" + DATA_DIR + "' cannot be created: " + e.getCause();
        } catch (IllegalArgumentException | IllegalStateException e) {
            unavailable = e.getMessage();
        }
        RegistryStore store = dir == null ? null : new RegistryStore(dir, new SecureRandom());
        admin = new RegistryAdministration(j, store, listeners);
        if (unavailable != null) {
            admin.goReadOnly(unavailable);
        }
        if (store != null) {
            admin.load();
        }
        watcher = new ImportFileWatcher(admin);
        watcher.apply(settings);
    }

    @Modified
    void modified(RegistryConfig config) {
        watcher.apply(RegistrySettings.from(config));
    }

    @Deactivate
    void deactivate() {
        watcher.stop();
    }

    /**
     * Imports {@code registry.import.file} if it changed since the last import (or always, if
     * {@code force}). Problems are logged once each, not at every check.
     */
    void checkImportFile(boolean force) {
        watcher.check(force);
    }

    // ---------------------------------------------------------------- DeviceRegistry (lookups)

    @Override
    public Optional<Device> device(String deviceId) {
        return admin.snapshot().device(deviceId);
    }

    @Override
    public Optional<Device> byPskIdentity(String pskIdentity) {
        return admin.snapshot().byPskIdentity(pskIdentity);
    }

    @Override
    public Optional<Device> byPublicKey(byte[] subjectPublicKeyInfo) {
        return admin.snapshot().byPublicKey(subjectPublicKeyInfo);
    }

    @Override
    public Optional<Device> byCertificateSubject(String subject) {
        if (subject == null) {
            return Optional.empty();
        }
        try {
            return admin.snapshot().bySubject(Validation.normaliseSubject(subject));
        } catch (IllegalArgumentException notADistinguishedName) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Device> byCertificate(String issuer, String subject) {
        if (issuer == null || subject == null) {
            return Optional.empty();
        }
        try {
            return admin.snapshot().byCertificate(Validation.normaliseSubject(issuer),
                    Validation.normaliseSubject(subject));
        } catch (IllegalArgumentException notADistinguishedName) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<byte[]> pskSecret(String pskIdentity) {
        return admin.snapshot().pskSecret(pskIdentity);
    }

    @Override
    public Collection<Device> devices() {
        return admin.snapshot().devices();
    }

    @Override
    public List<X509Certificate> trustAnchors() {
        return admin.snapshot().trustAnchors();
    }

    // ---------------------------------------------------------------- administration

    /** @return why the registry is read-only, or empty when changes are possible */
    Optional<String> readOnlyReason() {
        return admin.readOnlyReason();
    }

    /**
     * Adds a device or replaces the device with the same id.
     *
     * @param device the device
     * @param pskSecret its pre-shared key, required exactly when it has a PSK identity; copied
     * @return the device as stored (normalised subject and issuer, canonical public key)
     * @throws IllegalArgumentException if the device is invalid or a credential belongs to
     *     another device; the message names the device and the field
     * @throws IllegalStateException if the registry is read-only
     * @throws UncheckedIOException if the registry cannot be saved; nothing changed then
     */
    Device put(Device device, byte[] pskSecret) {
        return admin.put(device, pskSecret);
    }

    /**
     * @return whether the device changed (false if it already was in that state)
     * @throws IllegalArgumentException if there is no such device
     * @throws IllegalStateException if the registry is read-only
     */
    boolean setEnabled(String id, boolean enabled) {
        return admin.setEnabled(id, enabled);
    }

    /**
     * @return the removed device, or empty if there was none
     * @throws IllegalStateException if the registry is read-only
     */
    Optional<Device> remove(String id) {
        return admin.remove(id);
    }

    /**
     * Adds or updates the devices listed in a JSON file; devices not in it are left alone. When
     * the file has "trustAnchors", they replace the registry's (and listeners are told, after the
     * changes of devices). An entry without "enabled" keeps the current state of an existing
     * device (new devices are enabled), so that a device disabled in the shell stays disabled
     * when the file is imported again. Invalid entries are rejected (and logged) one by one; the
     * others are imported.
     *
     * @throws IOException if the file cannot be read
     * @throws InvalidFileException if it is not JSON or not in the registry format
     * @throws IllegalStateException if the registry is read-only
     * @throws UncheckedIOException if the registry cannot be saved; nothing changed then
     */
    ImportResult importFile(Path file) throws IOException, InvalidFileException {
        return admin.importFile(file);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeListener")
    void addListener(DeviceRegistryListener listener) {
        listeners.add(listener);
    }

    void removeListener(DeviceRegistryListener listener) {
        listeners.remove(listener);
    }

    /** @return the device's credential types */
    static Set<CredentialType> credentialTypes(Device d) {
        Set<CredentialType> types = EnumSet.noneOf(CredentialType.class);
        d.pskIdentity().ifPresent(i -> types.add(CredentialType.PSK));
        d.publicKey().ifPresent(k -> types.add(CredentialType.RAW_PUBLIC_KEY));
        d.certificateSubject().ifPresent(s -> types.add(CredentialType.X509));
        return types;
    }
}
