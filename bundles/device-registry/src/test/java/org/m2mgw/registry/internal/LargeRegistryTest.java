package org.m2mgw.registry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A registry of 100,000 devices is larger than the JSON parser's default document limit. */
class LargeRegistryTest {

    @Test
    void parsesAHundredThousandDevices() throws Exception {
        int n = 100_000;
        StringBuilder sb = new StringBuilder(n * 170).append("{\"devices\":[");
        for (int i = 0; i < n; i++) {
            String id = String.format("sensor-%06d", i);
            sb.append(i == 0 ? "" : ",").append("{\"id\":\"").append(id)
                    .append("\",\"resources\":[\"telemetry/*\",\"events/*\",\"commands\"],\"psk\":{\"identity\":\"")
                    .append(id).append("\",\"key\":\"hex:00112233445566778899aabbccddeeff\"}}");
        }
        String text = sb.append("]}").toString();
        assertTrue(text.length() > 15_000_000, "larger than Parsson's default limit: " + text.length());

        RegistryJson.Parsed parsed = new RegistryJson().parse(text, "large.json");

        assertEquals(n, parsed.devices().size());
        assertEquals(0, parsed.rejected().size(), parsed.rejected().toString());
    }
}
