package org.m2mgw.bench.loadgen;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The simulated devices, read from a registry import file (the format the gateway imports) or
 * generated. A device has either a PSK (identity and key) or a P-256 key pair it presents as its
 * raw public key (RFC 7250). Generated PSKs are HMAC-SHA256(seed, identity) cut to 16 bytes, so
 * a load generator and a gateway given the same seed agree without sharing a file. Generated key
 * pairs are random: the registry gets the public halves, the private halves go to a key file of
 * their own ({@link #writeRpkKeys}) that only the load generator reads.
 */
public final class Fleet {

    /**
     * One simulated device: a PSK device ({@code key} set, {@code keyPair} null) or a raw public
     * key device ({@code keyPair} set; {@code identity} is its id and {@code key} null).
     */
    public record Device(String id, String identity, byte[] key, KeyPair keyPair) {
        public Device(String id, String identity, byte[] key) {
            this(id, identity, key, null);
        }

        /** @return whether the device authenticates with its raw public key */
        public boolean rpk() {
            return keyPair != null;
        }
    }

    private final List<Device> devices;

    private Fleet(List<Device> devices) {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("the fleet has no device");
        }
        this.devices = List.copyOf(devices);
    }

    public List<Device> devices() {
        return devices;
    }

    public int size() {
        return devices.size();
    }

    public Device get(int i) {
        return devices.get(i % devices.size());
    }

    /** Devices {@code from} to {@code from + n - 1}. */
    public Fleet slice(int from, int n) {
        return new Fleet(devices.subList(from, Math.min(devices.size(), from + n)));
    }

    /** This fleet followed by {@code other}'s devices (one registry file for both, for example). */
    public Fleet plus(Fleet other) {
        List<Device> all = new ArrayList<>(devices);
        all.addAll(other.devices);
        return new Fleet(all);
    }

    /** Generates {@code n} devices named {@code prefix-000001}... with keys derived from {@code seed}. */
    public static Fleet generate(int n, String prefix, String seed) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(seed.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            List<Device> list = new ArrayList<>(n);
            for (int i = 1; i <= n; i++) {
                String id = String.format("%s-%06d", prefix, i);
                byte[] full = mac.doFinal(id.getBytes(StandardCharsets.UTF_8));
                byte[] key = new byte[16];
                System.arraycopy(full, 0, key, 0, 16);
                list.add(new Device(id, id, key));
            }
            return new Fleet(list);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /**
     * Generates {@code n} raw public key devices named {@code prefix-000001}..., each with a fresh
     * P-256 key pair (the JDK's generator).
     */
    public static Fleet generateRpk(int n, String prefix) {
        try {
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
            kpg.initialize(new ECGenParameterSpec("secp256r1"));
            List<Device> list = new ArrayList<>(n);
            for (int i = 1; i <= n; i++) {
                list.add(new Device(String.format("%s-%06d", prefix, i), String.format("%s-%06d", prefix, i), null,
                        kpg.generateKeyPair()));
            }
            return new Fleet(list);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 key pairs cannot be generated", e);
        }
    }

    /**
     * Reads the PSK devices of a registry import file ({@code {"devices":[{"id":..,"psk":{"identity":..,
     * "key":"hex:.."|"base64:.."}}]}}); devices without a PSK are skipped.
     */
    public static Fleet read(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                JsonReader jr = Json.createReaderFactory(
                        java.util.Map.of("org.eclipse.parsson.maxParsingLimit", Integer.MAX_VALUE)).createReader(r)) {
            List<Device> list = new ArrayList<>();
            for (JsonValue v : jr.readObject().getJsonArray("devices")) {
                JsonObject d = v.asJsonObject();
                JsonObject psk = d.getJsonObject("psk");
                if (psk == null) {
                    continue;
                }
                list.add(new Device(d.getString("id"), psk.getString("identity"), decodeKey(psk.getString("key"))));
            }
            return new Fleet(list);
        }
    }

    /**
     * Reads the raw public key devices of a registry import file ({@code "rpk": "<base64 DER
     * SubjectPublicKeyInfo>"}) and pairs each with its private key from {@code keyFile} (written by
     * {@link #writeRpkKeys}). Devices of the registry without a private key in the file are
     * skipped; a private key whose device is not in the registry, or a key that cannot be read,
     * is an error.
     */
    public static Fleet readRpk(Path registry, Path keyFile) throws IOException {
        Map<String, String> privateKeys = new HashMap<>();
        try (JsonReader jr = Json.createReader(Files.newBufferedReader(keyFile, StandardCharsets.UTF_8))) {
            for (JsonValue v : jr.readObject().getJsonArray("keys")) {
                JsonObject k = v.asJsonObject();
                privateKeys.put(k.getString("id"), k.getString("pkcs8"));
            }
        }
        try {
            KeyFactory kf = KeyFactory.getInstance("EC");
            List<Device> list = new ArrayList<>();
            for (Map.Entry<String, PublicKey> e : rpkEntries(registry).entrySet()) {
                String pkcs8 = privateKeys.remove(e.getKey());
                if (pkcs8 == null) {
                    continue;
                }
                PrivateKey priv = kf.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pkcs8)));
                list.add(new Device(e.getKey(), e.getKey(), null, new KeyPair(e.getValue(), priv)));
            }
            if (!privateKeys.isEmpty()) {
                throw new IOException(keyFile + " has private keys of devices with no \"rpk\" in " + registry + ": "
                        + privateKeys.keySet());
            }
            if (list.isEmpty()) {
                throw new IOException("no device of " + registry + " has a raw public key with a private key in "
                        + keyFile);
            }
            return new Fleet(list);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("cannot read the raw public key devices of " + registry + " with " + keyFile + ": "
                    + e, e);
        }
    }

    /** @return the raw public keys ({@code "rpk"}) of a registry import file's devices */
    public static List<PublicKey> readRpkPublicKeys(Path registry) throws IOException {
        return new ArrayList<>(rpkEntries(registry).values());
    }

    /** @return the devices of a registry import file that have a raw public key, by id, in file order */
    private static Map<String, PublicKey> rpkEntries(Path registry) throws IOException {
        try (Reader r = Files.newBufferedReader(registry, StandardCharsets.UTF_8);
                JsonReader jr = Json.createReaderFactory(
                        java.util.Map.of("org.eclipse.parsson.maxParsingLimit", Integer.MAX_VALUE)).createReader(r)) {
            KeyFactory kf = KeyFactory.getInstance("EC");
            Map<String, PublicKey> out = new java.util.LinkedHashMap<>();
            for (JsonValue v : jr.readObject().getJsonArray("devices")) {
                JsonObject d = v.asJsonObject();
                if (d.containsKey("rpk")) {
                    out.put(d.getString("id"),
                            kf.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(d.getString("rpk")))));
                }
            }
            return out;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("cannot read the raw public keys of " + registry + ": " + e, e);
        }
    }

    /** The devices of one kind: raw public key devices ({@code rpk}) or PSK devices. */
    public Fleet only(boolean rpk) {
        List<Device> list = devices.stream().filter(d -> d.rpk() == rpk).toList();
        if (list.isEmpty()) {
            throw new IllegalArgumentException("the fleet has no " + (rpk ? "raw public key" : "PSK") + " device");
        }
        return new Fleet(list);
    }

    static byte[] decodeKey(String text) {
        if (text.startsWith("hex:")) {
            return HexFormat.of().parseHex(text.substring(4));
        }
        if (text.startsWith("base64:")) {
            return java.util.Base64.getDecoder().decode(text.substring(7));
        }
        throw new IllegalArgumentException("key must start with hex: or base64:");
    }

    /**
     * Writes the fleet as a registry import file, mode 0600 (it holds keys). Each device may use
     * {@code telemetry/*}, {@code events/*} and {@code commands}. A raw public key device is
     * written with its public key only ({@code "rpk"}: base64 of the DER SubjectPublicKeyInfo).
     */
    public void writeRegistry(Path file) throws IOException {
        writeRegistry(file, List.of());
    }

    /**
     * Writes the fleet as a registry import file, mode 0600, followed by {@code moreDevices}: entries
     * of other kinds, each a JSON object (EDHOC devices: {@link EdhocDevices.Device#registryEntry}).
     */
    public void writeRegistry(Path file, List<String> moreDevices) throws IOException {
        StringBuilder sb = new StringBuilder(devices.size() * 160).append("{\"devices\":[\n");
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < devices.size(); i++) {
            Device d = devices.get(i);
            sb.append("{\"id\":\"").append(d.id())
                    .append("\",\"resources\":[\"telemetry/*\",\"events/*\",\"commands\"],");
            if (d.rpk()) {
                sb.append("\"rpk\":\"").append(Base64.getEncoder().encodeToString(d.keyPair().getPublic().getEncoded()))
                        .append("\"}");
            } else {
                sb.append("\"psk\":{\"identity\":\"").append(d.identity()).append("\",\"key\":\"hex:")
                        .append(hex.formatHex(d.key())).append("\"}}");
            }
            sb.append(i + 1 < devices.size() || !moreDevices.isEmpty() ? ",\n" : "\n");
        }
        for (int i = 0; i < moreDevices.size(); i++) {
            sb.append(moreDevices.get(i)).append(i + 1 < moreDevices.size() ? ",\n" : "\n");
        }
        sb.append("]}\n");
        writePrivate(file, sb);
    }

    /**
     * Writes the private keys of the fleet's raw public key devices, mode 0600:
     * {@code {"keys":[{"id":"..","pkcs8":"<base64 DER PKCS#8>"}]}}. The gateway never gets this
     * file; the load generator reads it with the registry ({@link #readRpk}).
     */
    public void writeRpkKeys(Path file) throws IOException {
        StringBuilder sb = new StringBuilder("{\"keys\":[\n");
        List<Device> rpk = devices.stream().filter(Device::rpk).toList();
        if (rpk.isEmpty()) {
            throw new IllegalStateException("the fleet has no raw public key device");
        }
        for (int i = 0; i < rpk.size(); i++) {
            Device d = rpk.get(i);
            sb.append("{\"id\":\"").append(d.id()).append("\",\"pkcs8\":\"")
                    .append(Base64.getEncoder().encodeToString(d.keyPair().getPrivate().getEncoded())).append("\"}")
                    .append(i + 1 < rpk.size() ? ",\n" : "\n");
        }
        sb.append("]}\n");
        writePrivate(file, sb);
    }

    private static void writePrivate(Path file, CharSequence text) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
