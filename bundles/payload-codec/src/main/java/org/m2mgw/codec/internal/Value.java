package org.m2mgw.codec.internal;

import java.util.List;
import java.util.Map;

/**
 * A decoded JSON or CBOR data item in the shape JSON can carry, except that byte strings stay
 * bytes (the Kura payload has a type for them). Map keys are already JSON member names.
 */
sealed interface Value {

    /** JSON null; also CBOR undefined and other simple values. */
    record Null() implements Value {
        static final Null INSTANCE = new Null();
    }

    /** A boolean. */
    record Bool(boolean value) implements Value {
    }

    /** A number: a {@link Long}, a {@link java.math.BigInteger} beyond 64 bits, or a {@link Double}. */
    record Num(Number value) implements Value {
    }

    /** A text string. */
    record Text(String value) implements Value {
    }

    /** A CBOR byte string. */
    record Bytes(byte[] value) implements Value {
    }

    /** An array. */
    record Array(List<Value> items) implements Value {
    }

    /** A map or JSON object, in payload order. */
    record Obj(Map<String, Value> members) implements Value {
    }
}
