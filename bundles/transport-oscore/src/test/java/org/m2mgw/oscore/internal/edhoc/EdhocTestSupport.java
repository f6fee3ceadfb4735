package org.m2mgw.oscore.internal.edhoc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.m2mgw.api.crypto.CoseAead;
import org.m2mgw.crypto.bc.internal.BcCoseAead;

/** Shared by the EDHOC tests: the AEADs, trace files, keys. */
final class EdhocTestSupport {
    static final HexFormat HEX = HexFormat.of();
    static final SecureRandom RANDOM = new SecureRandom();
    private static final Map<Integer, CoseAead> AEADS = BcCoseAead.all().stream()
            .collect(Collectors.toMap(CoseAead::algorithm, a -> a));
    /** The AEAD services, as the OSGi lookup would give them. */
    static final IntFunction<CoseAead> AEAD_LOOKUP = AEADS::get;

    private EdhocTestSupport() {
    }

    /** @return the "NAME = hex" lines of a test resource, in file order; '#' lines are comments */
    static Map<String, byte[]> vectors(String resource) {
        try (InputStream in = EdhocTestSupport.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            Map<String, byte[]> v = new LinkedHashMap<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int eq = line.indexOf('=');
                v.put(line.substring(0, eq).strip(), HEX.parseHex(line.substring(eq + 1).strip()));
            }
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static KeyPair generate(KeyType t) throws Exception {
        return EdhocKeys.generate(t, RANDOM);
    }

    static String hex(byte[] b) {
        return HEX.formatHex(b);
    }
}
