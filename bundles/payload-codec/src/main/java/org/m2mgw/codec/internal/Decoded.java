package org.m2mgw.codec.internal;

import java.util.List;

/** A device payload decoded according to its content format. */
sealed interface Decoded {

    /** JSON or CBOR. */
    record Structured(Value value) implements Decoded {
    }

    /** SenML JSON or SenML CBOR, resolved. */
    record Senml(List<SenmlRecord> records) implements Decoded {
    }

    /** text/plain. */
    record Text(String text) implements Decoded {
    }

    /** application/octet-stream, no content format, or one this gateway does not decode. */
    record Opaque(byte[] bytes) implements Decoded {
    }
}
