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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The simulated devices: PSK identities and keys, read from a registry import file (the format
 * the gateway imports) or generated. Generated keys are HMAC-SHA256(seed, identity) cut to 16
 * bytes, so a load generator and a gateway given the same seed agree without sharing a file.
 */
public final class Fleet {

    /** One simulated device. */
    public record Device(String id, String identity, byte[] key) {
    }

    private final List<Device> devices;

    private Fleet(List<Device> devices) {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("the fleet has no PSK device");
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
     * {@code telemetry/*} and {@code events/*}.
     */
    public void writeRegistry(Path file) throws IOException {
        StringBuilder sb = new StringBuilder(devices.size() * 160).append("{\"devices\":[\n");
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < devices.size(); i++) {
            Device d = devices.get(i);
            sb.append("{\"id\":\"").append(d.id()).append("\",\"resources\":[\"telemetry/*\",\"events/*\",\"commands\"],")
                    .append("\"psk\":{\"identity\":\"").append(d.identity()).append("\",\"key\":\"hex:")
                    .append(hex.formatHex(d.key())).append("\"}}").append(i + 1 < devices.size() ? ",\n" : "\n");
        }
        sb.append("]}\n");
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, sb, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
