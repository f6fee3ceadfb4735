package org.m2mgw.codec.internal;

import com.upokecenter.cbor.CBORObject;
import com.upokecenter.numbers.EInteger;
import java.math.BigInteger;
import java.util.Map;

/** Builds JSON through the CBOR library's data model, which writes it. */
final class JsonOut {

    private JsonOut() {
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
