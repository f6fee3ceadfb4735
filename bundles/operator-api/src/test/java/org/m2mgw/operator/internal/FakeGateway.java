package org.m2mgw.operator.internal;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.m2mgw.api.access.DeviceAccessControl;
import org.m2mgw.api.command.CommandQueue;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceAdministration;
import org.m2mgw.api.device.DeviceAdministrationException;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.device.ImportSummary;
import org.m2mgw.api.device.IssuedKey;
import org.m2mgw.api.runtime.StatusProvider;
import org.m2mgw.api.session.SessionDirectory;

/** An in-memory registry and administration, enough for the calls' checks. */
final class FakeGateway implements Gateway, DeviceRegistry, DeviceAdministration {
    final Map<String, Device> devices = new TreeMap<>();
    final Map<String, byte[]> keys = new TreeMap<>();
    final List<SessionDirectory> directories = new ArrayList<>();
    final List<StatusProvider> providers = new ArrayList<>();
    int changes;

    @Override
    public DeviceRegistry registry() {
        return this;
    }

    @Override
    public DeviceAdministration administration() {
        return this;
    }

    @Override
    public DeviceAccessControl access() {
        return null;
    }

    @Override
    public CommandQueue commands() {
        return null;
    }

    @Override
    public List<SessionDirectory> sessionDirectories() {
        return directories;
    }

    @Override
    public List<StatusProvider> statusProviders() {
        return providers;
    }

    @Override
    public Optional<Device> device(String deviceId) {
        return Optional.ofNullable(devices.get(deviceId));
    }

    @Override
    public Optional<Device> byPskIdentity(String pskIdentity) {
        return devices.values().stream().filter(d -> d.pskIdentity().map(pskIdentity::equals).orElse(false)).findAny();
    }

    @Override
    public Optional<Device> byPublicKey(byte[] spki) {
        return Optional.empty();
    }

    @Override
    public Optional<Device> byCertificateSubject(String subject) {
        return Optional.empty();
    }

    @Override
    public Optional<Device> byCertificate(String issuer, String subject) {
        return Optional.empty();
    }

    @Override
    public Optional<byte[]> pskSecret(String pskIdentity) {
        return Optional.empty();
    }

    @Override
    public Optional<Device> promoteNextCredential(String deviceId) {
        return device(deviceId);
    }

    @Override
    public Collection<Device> devices() {
        return List.copyOf(devices.values());
    }

    @Override
    public List<X509Certificate> trustAnchors() {
        return List.of();
    }

    @Override
    public IssuedKey add(Device device, byte[] pskKey) {
        if (devices.containsKey(device.deviceId()) || device.pskIdentity().flatMap(this::byPskIdentity).isPresent()) {
            throw new DeviceAdministrationException(DeviceAdministrationException.Reason.CONFLICT, "taken");
        }
        changes++;
        devices.put(device.deviceId(), device);
        if (device.pskIdentity().isPresent() && pskKey == null) {
            byte[] k = new byte[32];
            new java.security.SecureRandom().nextBytes(k);
            keys.put(device.deviceId(), k.clone());
            return new IssuedKey(device, device.pskIdentity().get(), k);
        }
        return new IssuedKey(device, null, null);
    }

    @Override
    public Device update(String deviceId, Boolean enabled, Collection<String> resources, Map<String, String> metadata) {
        changes++;
        Device d = devices.get(deviceId).toBuilder().enabled(enabled == null ? devices.get(deviceId).enabled() : enabled)
                .build();
        devices.put(deviceId, d);
        return d;
    }

    @Override
    public boolean setEnabled(String deviceId, boolean enabled) {
        changes++;
        devices.put(deviceId, devices.get(deviceId).toBuilder().enabled(enabled).build());
        return true;
    }

    @Override
    public Optional<Device> remove(String deviceId) {
        changes++;
        return Optional.ofNullable(devices.remove(deviceId));
    }

    @Override
    public ImportSummary importJson(String json, String source) {
        changes++;
        return new ImportSummary(0, 0, 0, List.of(), List.of());
    }

    @Override
    public IssuedKey rotatePsk(String deviceId) {
        changes++;
        return new IssuedKey(devices.get(deviceId), deviceId + "-k1", new byte[32]);
    }

    @Override
    public Device rotatePublicKey(String deviceId, byte[] nextPublicKey) {
        changes++;
        return devices.get(deviceId);
    }

    @Override
    public Optional<String> readOnlyReason() {
        return Optional.empty();
    }
}
