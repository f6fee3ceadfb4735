package org.m2mgw.api.device;

import java.util.regex.Pattern;

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
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._~-]{1," + MAX_SEGMENT_LENGTH + "}");

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
        String[] segments = name.split("/", -1);
        if (segments.length > MAX_SEGMENTS) {
            return "resource name with more than " + MAX_SEGMENTS + " segments";
        }
        for (String s : segments) {
            if (s.isEmpty()) {
                return "resource name with an empty segment";
            }
            if (s.equals(".") || s.equals("..")) {
                return "resource name with a '.' or '..' segment";
            }
            if (!SEGMENT.matcher(s).matches()) {
                return s.length() > MAX_SEGMENT_LENGTH ? "resource name segment longer than " + MAX_SEGMENT_LENGTH
                        + " characters" : "resource name with a character outside A-Z a-z 0-9 . _ ~ -";
            }
        }
        return null;
    }

    /** @return whether {@code name} is a valid resource name */
    public static boolean isValid(String name) {
        return problem(name) == null;
    }
}
