package org.m2mgw.bench.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.m2mgw.api.crypto.CoseAead;
import org.m2mgw.crypto.bc.internal.BcCoseAead;
import org.m2mgw.oscore.internal.edhoc.CredentialResolver;
import org.m2mgw.oscore.internal.edhoc.IdCred;
import org.m2mgw.oscore.internal.edhoc.LocalCredential;
import org.m2mgw.oscore.internal.edhoc.PeerCredential;

/**
 * EDHOC devices for the OSCORE transport: each has a P-256 key pair for static Diffie-Hellman
 * (EDHOC method 3, cipher suite 2, the gateway's first choice), named by a kid; its credential is a
 * CWT Claims Set (RFC 8392) holding its COSE_Key, which the registry gets as
 * {@code "edhoc": {"kid": "<hex>", "ccs": "<hex>"}} (docs/devices.md). The gateway's own credentials
 * are read from its data directory ({@code <data>/oscore/identity/*.pub}) and encoded as the gateway
 * encodes them (GatewayIdentity), so that a device can resolve the gateway's kid.
 */
public final class EdhocDevices {

    /** One EDHOC device: its id, kid, key pair and CCS (exactly the bytes the registry holds). */
    public record Device(String id, byte[] kid, KeyPair keyPair, byte[] ccs) {
        public LocalCredential credential() {
            return LocalCredential.ccs(IdCred.kid(kid), ccs, keyPair.getPrivate());
        }

        /** @return its entry in a registry import file, allowed telemetry/*, events/* and commands */
        public String registryEntry() {
            HexFormat hex = HexFormat.of();
            return "{\"id\":\"" + id + "\",\"resources\":[\"telemetry/*\",\"events/*\",\"commands\"],\"edhoc\":{"
                    + "\"kid\":\"" + hex.formatHex(kid) + "\",\"ccs\":\"" + hex.formatHex(ccs) + "\"}}";
        }
    }

    /** The AEADs of the crypto-bc bundle (AES-CCM, ChaCha20-Poly1305, AES-GCM, Ascon-AEAD128) by COSE id. */
    public static final Map<Integer, CoseAead> AEADS;

    static {
        Map<Integer, CoseAead> m = new HashMap<>();
        for (BcCoseAead a : BcCoseAead.all()) {
            m.put(a.algorithm(), a);
        }
        AEADS = Map.copyOf(m);
    }

    private EdhocDevices() {
    }

    /**
     * Generates {@code n} devices named {@code prefix-001}..., with kids of {@code kidBytes} bytes
     * counting up from {@code firstKid} (1-byte kids are what a small deployment would use, and what
     * the published EDHOC sizes assume).
     */
    public static List<Device> generate(int n, String prefix, int kidBytes, int firstKid) {
        try {
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
            kpg.initialize(new ECGenParameterSpec("secp256r1"));
            List<Device> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String id = String.format("%s-%03d", prefix, i + 1);
                int v = firstKid + i;
                byte[] kid = new byte[kidBytes];
                for (int b = 0; b < kidBytes; b++) {
                    kid[kidBytes - 1 - b] = (byte) (v >>> (8 * b));
                }
                KeyPair kp = kpg.generateKeyPair();
                out.add(new Device(id, kid, kp, ccs(kid, kp.getPublic(), "bench device " + id)));
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 key pairs cannot be generated", e);
        }
    }

    /**
     * The gateway's credentials by kid, as it builds them from {@code <data>/oscore/identity}: kid 01
     * Ed25519, 02 X25519, 03 P-256 (ES256), 04 P-256 (static DH). Those whose file is missing are left out.
     *
     * @param identityDir the gateway's {@code <data>/oscore/identity}
     * @return a resolver for the device's EDHOC initiator
     * @throws IOException if no credential can be read
     */
    public static CredentialResolver gatewayCredentials(Path identityDir) throws IOException {
        String[][] keys = {{"ed25519", "01", "Ed25519"}, {"x25519", "02", "X25519"}, {"p256-es256", "03", "EC"},
            {"p256-dh", "04", "EC"}};
        Map<String, PeerCredential> byKid = new HashMap<>();
        HexFormat hex = HexFormat.of();
        for (String[] k : keys) {
            Path pub = identityDir.resolve(k[0] + ".pub");
            if (!Files.exists(pub)) {
                continue;
            }
            try {
                PublicKey key = KeyFactory.getInstance(k[2]).generatePublic(new X509EncodedKeySpec(Files.readAllBytes(pub)));
                byte[] ccs = ccs(hex.parseHex(k[1]), key, "m2mgw gateway " + k[0]);
                Path written = identityDir.resolve(k[0] + ".ccs");
                if (Files.exists(written) && !Arrays.equals(Files.readAllBytes(written), ccs)) {
                    throw new IOException(written + " differs from the CCS built from " + pub
                            + ": the gateway encodes its credentials differently now (see GatewayIdentity)");
                }
                byKid.put(k[1], PeerCredential.ccs(ccs, "gateway"));
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot read the gateway's EDHOC key " + pub + ": " + e, e);
            }
        }
        if (byKid.isEmpty()) {
            throw new IOException("no gateway EDHOC credential in " + identityDir);
        }
        return id -> id.kid().map(hex::formatHex).map(byKid::get);
    }

    /** The device's CWT Claims Set, encoded the way the gateway encodes its own. */
    public static byte[] ccs(byte[] kid, PublicKey key, String subject) {
        return org.m2mgw.oscore.internal.GatewayIdentity.ccsWithSubject(kid, key, subject);
    }
}
