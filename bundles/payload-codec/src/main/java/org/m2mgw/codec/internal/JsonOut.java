package org.m2mgw.codec.internal;

import com.upokecenter.cbor.CBORObject;
import com.upokecenter.numbers.EInteger;
import java.math.BigInteger;
import java.util.Map;

/**
 * Writes JSON (RFC 8259) straight into a {@link StringBuilder}: the gateway JSON of every message
 * is built here, on the cloud connection's single publishing thread, so it must be cheap. Also
 * converts a value to a CBOR item, for the few places that need the CBOR library's model.
 */
final class JsonOut {

    private JsonOut() {
    }

    /** Appends the value as JSON. */
    static void write(StringBuilder sb, Value value) {
        if (value instanceof Value.Null) {
            sb.append("null");
        } else if (value instanceof Value.Bool b) {
            sb.append(b.value());
        } else if (value instanceof Value.Num n) {
            number(sb, n.value());
        } else if (value instanceof Value.Text t) {
            string(sb, t.value());
        } else if (value instanceof Value.Bytes b) {
            string(sb, Values.base64url(b.value()));
        } else if (value instanceof Value.Array a) {
            sb.append('[');
            boolean first = true;
            for (Value item : a.items()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                write(sb, item);
            }
            sb.append(']');
        } else {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, Value> e : ((Value.Obj) value).members().entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                string(sb, e.getKey());
                sb.append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        }
    }

    /** Appends {@code "name":} */
    static StringBuilder member(StringBuilder sb, String name) {
        return string(sb, name).append(':');
    }

    /** Appends the text as a JSON string: quote, backslash and control characters escaped. */
    static StringBuilder string(StringBuilder sb, String s) {
        sb.append('"');
        int plain = 0;
        while (plain < s.length()) {
            char c = s.charAt(plain);
            if (c < 0x20 || c == '"' || c == '\\') {
                break;
            }
            plain++;
        }
        // most strings (ids, names, topics) need no escape: one append for all of it
        sb.append(s, 0, plain);
        for (int i = plain; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }

    /** Appends the number; NaN and infinities, which JSON cannot write, become null. */
    static void number(StringBuilder sb, Number n) {
        if (n instanceof Long || n instanceof Integer || n instanceof BigInteger) {
            sb.append(n.toString());
            return;
        }
        double d = n.doubleValue();
        if (!Double.isFinite(d)) {
            sb.append("null");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            sb.append((long) d); // an integral double as an integer, as JSON producers usually write it
        } else {
            sb.append(d); // Java's shortest form, e.g. 21.5 or 1.0E-7: valid JSON numbers
        }
    }

    /** @return the value as a CBOR item that holds only what JSON can express */
    static CBORObject toCbor(Value value) {
        if (value instanceof Value.Null) {
            return CBORObject.Null;
        } else if (value instanceof Value.Bool b) {
            return b.value() ? CBORObject.True : CBORObject.False;
        } else if (value instanceof Value.Num n) {
            return number(n.value());
        } else if (value instanceof Value.Text t) {
            return CBORObject.FromObject(t.value());
        } else if (value instanceof Value.Bytes b) {
            return CBORObject.FromObject(Values.base64url(b.value()));
        } else if (value instanceof Value.Array a) {
            CBORObject array = CBORObject.NewArray();
            for (Value item : a.items()) {
                array.Add(toCbor(item));
            }
            return array;
        } else {
            CBORObject map = CBORObject.NewOrderedMap();
            for (Map.Entry<String, Value> e : ((Value.Obj) value).members().entrySet()) {
                map.Add(e.getKey(), toCbor(e.getValue()));
            }
            return map;
        }
    }

    /** @return the number; NaN and infinities, which JSON cannot write, become null */
    static CBORObject number(Number n) {
        if (n instanceof Long l) {
            return CBORObject.FromObject(l.longValue());
        } else if (n instanceof BigInteger b) {
            return CBORObject.FromObject(EInteger.FromString(b.toString()));
        }
        double d = n.doubleValue();
        return Double.isFinite(d) ? CBORObject.FromObject(d) : CBORObject.Null;
    }
}
