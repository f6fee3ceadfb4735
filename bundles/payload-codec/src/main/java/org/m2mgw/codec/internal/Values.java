package org.m2mgw.codec.internal;

import com.upokecenter.cbor.CBORNumber;
import com.upokecenter.cbor.CBORObject;
import com.upokecenter.cbor.CBORType;
import com.upokecenter.numbers.EFloat;
import com.upokecenter.numbers.EInteger;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns decoded CBOR (from a CBOR or a JSON payload) into {@link Value}s, within limits. */
final class Values {
    /** Arrays and maps nested deeper than this are refused. */
    static final int MAX_DEPTH = 32;
    /** Payloads with more data items than this are refused. */
    static final int MAX_ITEMS = 16_384;
    // Integers up to this size stay exact in JSON; larger ones become doubles, so that no
    // device can make the gateway print a million-digit number.
    private static final int MAX_EXACT_INTEGER_BITS = 128;

    private final String format;
    private int items;

    private Values(String format) {
        this.format = format;
    }

    /**
     * @param item the decoded payload
     * @param format {@code JSON} or {@code CBOR}, for error messages
     * @return the item as a value
     * @throws Malformed if it nests deeper than {@link #MAX_DEPTH}, has more than
     *     {@link #MAX_ITEMS} items, or has map keys that collide as JSON member names
     */
    static Value of(CBORObject item, String format) throws Malformed {
        return new Values(format).convert(item, 0);
    }

    private Value convert(CBORObject item, int depth) throws Malformed {
        if (++items > MAX_ITEMS) {
            throw new Malformed(format + " payload has more than " + MAX_ITEMS + " data items");
        }
        CBORObject o = untag(item);
        if (o.isNumber()) {
            return new Value.Num(number(o));
        }
        switch (o.getType()) {
            case Boolean:
                return new Value.Bool(o.isTrue());
            case ByteString:
                return new Value.Bytes(o.GetByteString());
            case TextString:
                return new Value.Text(o.AsString());
            case Array: {
                checkDepth(depth);
                List<Value> list = new ArrayList<>(o.size());
                for (CBORObject element : o.getValues()) {
                    list.add(convert(element, depth + 1));
                }
                return new Value.Array(list);
            }
            case Map: {
                checkDepth(depth);
                Map<String, Value> members = new LinkedHashMap<>();
                for (Map.Entry<CBORObject, CBORObject> e : o.getEntries()) {
                    String name = memberName(e.getKey(), depth);
                    if (members.put(name, convert(e.getValue(), depth + 1)) != null) {
                        throw new Malformed(format + " map has two keys that both become the JSON member name "
                                + Texts.quote(name));
                    }
                }
                return new Value.Obj(members);
            }
            default:
                // null, undefined and the other simple values: JSON has only null for them
                return Value.Null.INSTANCE;
        }
    }

    private void checkDepth(int depth) throws Malformed {
        if (depth >= MAX_DEPTH) {
            throw new Malformed(format + " payload nests arrays or maps deeper than " + MAX_DEPTH + " levels");
        }
    }

    private String memberName(CBORObject key, int depth) throws Malformed {
        CBORObject k = untag(key);
        if (k.getType() == CBORType.TextString) {
            return k.AsString();
        }
        if (k.getType() == CBORType.ByteString && !k.isNumber()) {
            return base64url(k.GetByteString());
        }
        // Integer keys (SenML CBOR, COSE, ...) and anything else: the key's own JSON text.
        return JsonOut.toCbor(convert(k, depth + 1)).ToJSONString();
    }

    /** Removes tags that do not make the item a number; the item stays what it is inside. */
    static CBORObject untag(CBORObject item) {
        CBORObject o = item;
        while (o.isTagged() && !o.isNumber()) {
            o = o.UntagOne();
        }
        return o;
    }

    /**
     * @param o a number ({@link CBORObject#isNumber()})
     * @return a Long when it is an integer of 64 bits, a BigInteger for larger integers up to
     *     128 bits, otherwise a Double (possibly infinite or NaN)
     */
    static Number number(CBORObject o) {
        CBORNumber n = o.AsNumber();
        switch (n.getKind()) {
            case Integer:
                return n.ToInt64Checked();
            case EInteger: {
                EInteger e = n.ToEInteger();
                if (e.CanFitInInt64()) {
                    return e.ToInt64Checked();
                }
                if (e.GetSignedBitLengthAsInt64() <= MAX_EXACT_INTEGER_BITS) {
                    return new BigInteger(e.toString());
                }
                return EFloat.FromEInteger(e).ToDouble();
            }
            case EDecimal:
                return n.ToEDecimal().ToDouble();
            case EFloat:
                return n.ToEFloat().ToDouble();
            case ERational:
                return n.ToERational().ToDouble();
            default:
                return o.AsDoubleValue();
        }
    }

    static String base64url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
