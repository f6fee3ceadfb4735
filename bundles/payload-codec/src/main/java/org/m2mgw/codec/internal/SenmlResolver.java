package org.m2mgw.codec.internal;

import com.upokecenter.cbor.CBORObject;
import com.upokecenter.cbor.CBORType;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Resolves a SenML pack (RFC 8428) into records that stand on their own: base name, base time,
 * base unit, base value and base sum applied (section 4.6), relative times made absolute against
 * the receive time (section 4.5.3).
 */
final class SenmlResolver {
    /** The SenML version of RFC 8428, and the highest this gateway understands. */
    static final long DEFAULT_VERSION = 10;
    // RFC 8428 section 4.5.3: times below 2**28 are relative to "now".
    private static final double RELATIVE_TIME_LIMIT = 268_435_456d;
    // RFC 8428 section 4.5.1
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9:./_-]*");

    /** The fields of RFC 8428 section 4.1/4.2, with their JSON names and CBOR labels (section 6). */
    enum Field {
        BVER("bver", -1), BN("bn", -2), BT("bt", -3), BU("bu", -4), BV("bv", -5), BS("bs", -6),
        N("n", 0), U("u", 1), V("v", 2), VS("vs", 3), VB("vb", 4), S("s", 5), T("t", 6), UT("ut", 7),
        VD("vd", 8);

        final String json;
        final int label;

        Field(String json, int label) {
            this.json = json;
            this.label = label;
        }

        boolean isBase() {
            return label < 0;
        }

        static Field byName(String name) {
            for (Field f : values()) {
                if (f.json.equals(name)) {
                    return f;
                }
            }
            return null;
        }

        static Field byLabel(int label) {
            for (Field f : values()) {
                if (f.label == label) {
                    return f;
                }
            }
            return null;
        }
    }

    private final boolean cbor;
    private final Number now;

    private String baseName = "";
    private Number baseTime;
    private String baseUnit;
    private Number baseValue;
    private Number baseSum;
    private long version = DEFAULT_VERSION;

    private SenmlResolver(boolean cbor, Instant receivedAt) {
        this.cbor = cbor;
        this.now = receivedAt.getNano() == 0 ? (Number) receivedAt.getEpochSecond()
                : (Number) (receivedAt.getEpochSecond() + receivedAt.getNano() / 1e9);
    }

    /**
     * @param pack the decoded pack
     * @param cbor whether it came as SenML CBOR (integer labels) rather than SenML JSON
     * @param receivedAt what "now" is for relative times
     * @return the resolved records, in pack order; records with only base fields yield none
     * @throws Malformed if the pack is not an array of records, a field has the wrong type, a
     *     record has no value, a name is not allowed, or the pack needs a newer SenML version
     */
    static List<SenmlRecord> resolve(CBORObject pack, boolean cbor, Instant receivedAt) throws Malformed {
        return new SenmlResolver(cbor, receivedAt).resolve(pack);
    }

    private List<SenmlRecord> resolve(CBORObject pack) throws Malformed {
        String format = cbor ? "SenML CBOR" : "SenML JSON";
        if (pack.getType() != CBORType.Array) {
            throw new Malformed(format + " payload is not an array of records");
        }
        if (pack.size() > Values.MAX_ITEMS) {
            throw new Malformed(format + " pack has more than " + Values.MAX_ITEMS + " records");
        }
        List<SenmlRecord> records = new ArrayList<>(pack.size());
        for (int i = 0; i < pack.size(); i++) {
            SenmlRecord r = record(i, pack.get(i));
            if (r != null) {
                records.add(r);
            }
        }
        return records;
    }

    private SenmlRecord record(int index, CBORObject item) throws Malformed {
        if (item.getType() != CBORType.Map) {
            throw new Malformed(prefix(index) + " is not " + (cbor ? "a map" : "an object"));
        }
        Map<Field, CBORObject> fields = fields(index, item);

        if (fields.containsKey(Field.BVER)) {
            Number v = number(index, fields, Field.BVER);
            if (!(v instanceof Long l) || l < 1) {
                throw new Malformed(prefix(index) + ": 'bver' must be a positive integer");
            }
            if (l > DEFAULT_VERSION) {
                throw new Malformed(prefix(index) + " needs SenML version " + l + "; this gateway supports up to "
                        + DEFAULT_VERSION);
            }
            version = l;
        }
        if (fields.containsKey(Field.BN)) {
            baseName = text(index, fields, Field.BN);
        }
        if (fields.containsKey(Field.BT)) {
            baseTime = number(index, fields, Field.BT);
        }
        if (fields.containsKey(Field.BU)) {
            baseUnit = text(index, fields, Field.BU);
        }
        if (fields.containsKey(Field.BV)) {
            baseValue = number(index, fields, Field.BV);
        }
        if (fields.containsKey(Field.BS)) {
            baseSum = number(index, fields, Field.BS);
        }
        if (!fields.isEmpty() && fields.keySet().stream().allMatch(Field::isBase)) {
            // Only base fields: it sets context for the records after it (RFC 8428 section 5.1.7).
            return null;
        }

        String name = baseName + (fields.containsKey(Field.N) ? text(index, fields, Field.N) : "");
        if (name.isEmpty()) {
            throw new Malformed(prefix(index) + " has no name: neither 'n' nor a base name 'bn'");
        }
        if (!NAME.matcher(name).matches()) {
            throw new Malformed(prefix(index) + " has the name " + Texts.quote(name)
                    + ", which RFC 8428 section 4.5.1 does not allow");
        }

        Object value = null;
        int values = 0;
        if (fields.containsKey(Field.V)) {
            Number v = number(index, fields, Field.V);
            value = baseValue == null ? v : add(baseValue, v);
            values++;
        }
        if (fields.containsKey(Field.VS)) {
            value = text(index, fields, Field.VS);
            values++;
        }
        if (fields.containsKey(Field.VB)) {
            CBORObject vb = Values.untag(fields.get(Field.VB));
            if (vb.getType() != CBORType.Boolean) {
                throw new Malformed(prefix(index) + ": 'vb' must be a boolean");
            }
            value = vb.isTrue();
            values++;
        }
        if (fields.containsKey(Field.VD)) {
            value = data(index, Values.untag(fields.get(Field.VD)));
            values++;
        }
        Number sum = null;
        if (fields.containsKey(Field.S)) {
            Number s = number(index, fields, Field.S);
            sum = baseSum == null ? s : add(baseSum, s);
        }
        if (values > 1) {
            throw new Malformed(prefix(index) + " " + Texts.quote(name) + " has more than one of v, vs, vb, vd");
        }
        if (values == 0 && sum == null) {
            throw new Malformed(prefix(index) + " " + Texts.quote(name) + " has no value (v, vs, vb or vd) and no sum");
        }

        Number time = add(baseTime == null ? 0L : baseTime,
                fields.containsKey(Field.T) ? number(index, fields, Field.T) : 0L);
        if (time.doubleValue() < RELATIVE_TIME_LIMIT) {
            time = add(now, time);
        }
        String unit = fields.containsKey(Field.U) ? text(index, fields, Field.U) : baseUnit;
        Number updateTime = fields.containsKey(Field.UT) ? number(index, fields, Field.UT) : null;
        return new SenmlRecord(name, time, unit, value, sum, updateTime, version);
    }

    private Map<Field, CBORObject> fields(int index, CBORObject item) throws Malformed {
        Map<Field, CBORObject> fields = new EnumMap<>(Field.class);
        for (Map.Entry<CBORObject, CBORObject> e : item.getEntries()) {
            CBORObject key = e.getKey();
            Field f = null;
            if (cbor && key.getType() == CBORType.Integer && key.CanValueFitInInt32()) {
                f = Field.byLabel(key.AsInt32Value());
            } else if (!cbor && key.getType() == CBORType.TextString) {
                f = Field.byName(key.AsString());
            }
            if (f != null) {
                fields.put(f, e.getValue());
            } else if (key.getType() == CBORType.TextString && key.AsString().endsWith("_")) {
                // RFC 8428 section 4.4: a field whose name ends in "_" must be understood.
                throw new Malformed(prefix(index) + " has the must-understand field " + Texts.quote(key.AsString())
                        + ", which this gateway does not know");
            }
            // Any other unknown field is an extension this gateway may ignore (RFC 8428 section 4.4).
        }
        return fields;
    }

    private String prefix(int index) {
        return "SenML record " + index;
    }

    private String text(int index, Map<Field, CBORObject> fields, Field f) throws Malformed {
        CBORObject o = Values.untag(fields.get(f));
        if (o.getType() != CBORType.TextString) {
            throw new Malformed(prefix(index) + ": '" + f.json + "' must be a text string");
        }
        return o.AsString();
    }

    private Number number(int index, Map<Field, CBORObject> fields, Field f) throws Malformed {
        CBORObject o = Values.untag(fields.get(f));
        if (!o.isNumber()) {
            throw new Malformed(prefix(index) + ": '" + f.json + "' must be a number");
        }
        Number n = Values.number(o);
        if (n instanceof BigInteger b) {
            n = b.doubleValue();
        }
        if (n instanceof Double d && !Double.isFinite(d)) {
            throw new Malformed(prefix(index) + ": '" + f.json + "' must be a finite number");
        }
        return n;
    }

    private byte[] data(int index, CBORObject o) throws Malformed {
        if (cbor) {
            if (o.getType() != CBORType.ByteString) {
                throw new Malformed(prefix(index) + ": 'vd' must be a byte string");
            }
            return o.GetByteString();
        }
        if (o.getType() != CBORType.TextString) {
            throw new Malformed(prefix(index) + ": 'vd' must be a base64url text string");
        }
        try {
            return Base64.getUrlDecoder().decode(o.AsString());
        } catch (IllegalArgumentException e) {
            throw new Malformed(prefix(index) + ": 'vd' is not base64url");
        }
    }

    /** Adds exactly while both are integers that do not overflow, in doubles otherwise. */
    static Number add(Number a, Number b) {
        if (a instanceof Long x && b instanceof Long y) {
            long sum = x + y;
            if (((x ^ sum) & (y ^ sum)) >= 0) {
                return sum;
            }
        }
        return a.doubleValue() + b.doubleValue();
    }
}
