package org.m2mgw.codec.internal;

import com.upokecenter.cbor.CBORObject;

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

    /** @return the record as a SenML JSON object: n, t, u, one of v/vs/vb/vd, s, ut, bver */
    CBORObject toJson() {
        CBORObject o = CBORObject.NewOrderedMap();
        o.Add("n", name);
        o.Add("t", JsonOut.number(time));
        if (unit != null) {
            o.Add("u", unit);
        }
        if (value instanceof Number n) {
            o.Add("v", JsonOut.number(n));
        } else if (value instanceof String s) {
            o.Add("vs", s);
        } else if (value instanceof Boolean b) {
            o.Add("vb", b ? CBORObject.True : CBORObject.False);
        } else if (value instanceof byte[] d) {
            o.Add("vd", Values.base64url(d));
        }
        if (sum != null) {
            o.Add("s", JsonOut.number(sum));
        }
        if (updateTime != null) {
            o.Add("ut", JsonOut.number(updateTime));
        }
        if (version != SenmlResolver.DEFAULT_VERSION) {
            // RFC 8428 section 4.6: a resolved record keeps a version other than the default.
            o.Add("bver", version);
        }
        return o;
    }
}
