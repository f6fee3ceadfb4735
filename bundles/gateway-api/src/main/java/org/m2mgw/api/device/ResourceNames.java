package org.m2mgw.api.device;

/**
 * The one alphabet of resource names, shared by the registry's resource rules, the transports'
 * check of every request and the cloud side's topics: a path of 1 to 8 segments separated by
 * {@code /}, each segment 1 to 64 characters of {@code A-Z a-z 0-9 . _ ~ -} (the unreserved
 * characters of RFC 3986), not {@code .} or {@code ..}, at most 255 characters in all. Nothing
 * else can reach an MQTT topic: no control characters, no MQTT wildcards ({@code + #}), no empty
 * segments, no {@code $}, no non-ASCII text.
 *
 * @since 2.0
 */
public final class ResourceNames {
    /** The longest resource name, in characters. */
    public static final int MAX_LENGTH = 255;
    /** The most segments of a resource name. */
    public static final int MAX_SEGMENTS = 8;
    /** The longest segment, in characters. */
    public static final int MAX_SEGMENT_LENGTH = 64;

    private ResourceNames() {
    }

    /**
     * @param name a resource path without a leading {@code /}, e.g. {@code telemetry/temp}
     * @return why it is not a valid resource name, in words that never echo the name itself; or
     *         {@code null} if it is valid
     */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "empty resource name";
        }
        if (name.length() > MAX_LENGTH) {
            return "resource name longer than " + MAX_LENGTH + " characters";
        }
        // plain loops over the characters (this runs for every message, twice): no split, no regex
        int slashes = 0;
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) == '/') {
                slashes++;
            }
        }
        if (slashes + 1 > MAX_SEGMENTS) {
            return "resource name with more than " + MAX_SEGMENTS + " segments";
        }
        int start = 0;
        while (start <= name.length()) {
            int end = name.indexOf('/', start);
            if (end < 0) {
                end = name.length();
            }
            int length = end - start;
            if (length == 0) {
                return "resource name with an empty segment";
            }
            if (length <= 2 && name.charAt(start) == '.' && (length == 1 || name.charAt(start + 1) == '.')) {
                return "resource name with a '.' or '..' segment";
            }
            if (length > MAX_SEGMENT_LENGTH) {
                return "resource name segment longer than " + MAX_SEGMENT_LENGTH + " characters";
            }
            for (int i = start; i < end; i++) {
                char c = name.charAt(i);
                if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                        || c == '~' || c == '-')) {
                    return "resource name with a character outside A-Z a-z 0-9 . _ ~ -";
                }
            }
            start = end + 1;
        }
        return null;
    }

    /** @return whether {@code name} is a valid resource name */
    public static boolean isValid(String name) {
        return problem(name) == null;
    }
}
