package org.m2mgw.codec.internal;

/**
 * A resolved SenML record (RFC 8428 section 4.6): full name, absolute time, and the base value
 * and sum applied.
 *
 * @param name the full name, base name included
 * @param time absolute time in seconds since the Unix epoch, a Long or a Double
 * @param unit the unit, or null
 * @param value a Number (Long or Double), String, Boolean or byte[]; null for a record with only
 *     a sum
 * @param sum the sum, or null
 * @param updateTime the update time in seconds, or null
 * @param version the SenML version the pack declared
 */
record SenmlRecord(String name, Number time, String unit, Object value, Number sum, Number updateTime,
        long version) {

    /** Appends the record as a SenML JSON object: n, t, u, one of v/vs/vb/vd, s, ut, bver. */
    void writeJson(StringBuilder sb) {
        JsonOut.member(sb.append('{'), "n");
        JsonOut.string(sb, name);
        JsonOut.member(sb.append(','), "t");
        JsonOut.number(sb, time);
        if (unit != null) {
            JsonOut.string(JsonOut.member(sb.append(','), "u"), unit);
        }
        if (value instanceof Number n) {
            JsonOut.member(sb.append(','), "v");
            JsonOut.number(sb, n);
        } else if (value instanceof String s) {
            JsonOut.string(JsonOut.member(sb.append(','), "vs"), s);
        } else if (value instanceof Boolean b) {
            JsonOut.member(sb.append(','), "vb").append(b.booleanValue());
        } else if (value instanceof byte[] d) {
            JsonOut.string(JsonOut.member(sb.append(','), "vd"), Values.base64url(d));
        }
        if (sum != null) {
            JsonOut.member(sb.append(','), "s");
            JsonOut.number(sb, sum);
        }
        if (updateTime != null) {
            JsonOut.member(sb.append(','), "ut");
            JsonOut.number(sb, updateTime);
        }
        if (version != SenmlResolver.DEFAULT_VERSION) {
            // RFC 8428 section 4.6: a resolved record keeps a version other than the default.
            JsonOut.member(sb.append(','), "bver").append(version);
        }
        sb.append('}');
    }
}
