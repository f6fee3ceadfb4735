package org.m2mgw.api.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ResourceNamesTest {

    /** The rules as first written (split and a regular expression per segment), to compare with. */
    private static String reference(String name) {
        if (name == null || name.isEmpty()) {
            return "empty resource name";
        }
        if (name.length() > ResourceNames.MAX_LENGTH) {
            return "resource name longer than " + ResourceNames.MAX_LENGTH + " characters";
        }
        String[] segments = name.split("/", -1);
        if (segments.length > ResourceNames.MAX_SEGMENTS) {
            return "resource name with more than " + ResourceNames.MAX_SEGMENTS + " segments";
        }
        Pattern segment = Pattern.compile("[A-Za-z0-9._~-]{1," + ResourceNames.MAX_SEGMENT_LENGTH + "}");
        for (String s : segments) {
            if (s.isEmpty()) {
                return "resource name with an empty segment";
            }
            if (s.equals(".") || s.equals("..")) {
                return "resource name with a '.' or '..' segment";
            }
            if (!segment.matcher(s).matches()) {
                return s.length() > ResourceNames.MAX_SEGMENT_LENGTH ? "resource name segment longer than "
                        + ResourceNames.MAX_SEGMENT_LENGTH + " characters"
                        : "resource name with a character outside A-Z a-z 0-9 . _ ~ -";
            }
        }
        return null;
    }

    @Test
    void givenTypicalNames_whenChecked_thenTheVerdictIsAsWritten() {
        assertNull(ResourceNames.problem("telemetry/temp"));
        assertNull(ResourceNames.problem("a.b/c_d/e~f/g-h"));
        assertNull(ResourceNames.problem("..."));
        assertEquals("resource name with an empty segment", ResourceNames.problem("telemetry/"));
        assertEquals("resource name with an empty segment", ResourceNames.problem("/telemetry"));
        assertEquals("resource name with a '.' or '..' segment", ResourceNames.problem("a/../b"));
        assertEquals("resource name with a character outside A-Z a-z 0-9 . _ ~ -", ResourceNames.problem("a b"));
        assertEquals("resource name with more than 8 segments", ResourceNames.problem("a/b/c/d/e/f/g/h/i"));
        assertEquals("resource name segment longer than 64 characters", ResourceNames.problem("x".repeat(65)));
    }

    @Test
    void givenRandomNames_whenChecked_thenTheLoopAgreesWithTheRegularExpression() {
        Random random = new Random(42);
        String alphabet = "ab.//~-_ Z9é%";
        for (int n = 0; n < 200_000; n++) {
            int length = random.nextInt(n % 50 == 0 ? 300 : 20);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < length; i++) {
                sb.append(random.nextInt(8) == 0 ? "a".repeat(random.nextInt(70))
                        : String.valueOf(alphabet.charAt(random.nextInt(alphabet.length()))));
            }
            String name = sb.toString();
            assertEquals(reference(name), ResourceNames.problem(name), name);
        }
    }
}
