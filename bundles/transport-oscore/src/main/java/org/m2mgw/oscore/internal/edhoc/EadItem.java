package org.m2mgw.oscore.internal.edhoc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.m2mgw.oscore.internal.cbor.CborException;
import org.m2mgw.oscore.internal.cbor.CborReader;
import org.m2mgw.oscore.internal.cbor.CborWriter;

/**
 * One item of External Authorization Data (RFC 9528 section 3.8): a label, negative for a critical
 * item, and an optional byte-string value. Immutable.
 */
public final class EadItem {
    private final int label;
    private final byte[] value;

    private EadItem(int label, byte[] value) {
        this.label = label;
        this.value = value;
    }

    /** @return an item with this label and value (null for none) */
    public static EadItem of(int label, byte[] value) {
        return new EadItem(label, value == null ? null : value.clone());
    }

    /** @return the label */
    public int label() {
        return label;
    }

    /** @return whether the item is critical (negative label): a receiver that does not understand it aborts */
    public boolean critical() {
        return label < 0;
    }

    /** @return a copy of the value, if any */
    public Optional<byte[]> value() {
        return Optional.ofNullable(value).map(byte[]::clone);
    }

    static byte[] encode(List<EadItem> items) {
        CborWriter w = new CborWriter();
        for (EadItem i : items) {
            w.integer(i.label);
            if (i.value != null) {
                w.bytes(i.value);
            }
        }
        return w.toByteArray();
    }

    /** Reads the items up to the end of the input. */
    static List<EadItem> readAll(CborReader r) throws CborException {
        List<EadItem> items = new ArrayList<>();
        while (r.hasNext()) {
            int label = r.readSmallInt();
            byte[] value = null;
            if (r.hasNext() && r.peek() == CborReader.Type.BYTES) {
                value = r.readBytes();
            }
            items.add(new EadItem(label, value));
        }
        return List.copyOf(items);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EadItem e && label == e.label && Arrays.equals(value, e.value);
    }

    @Override
    public int hashCode() {
        return 31 * label + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "EAD(" + label + (value == null ? "" : ", h'" + HexFormat.of().formatHex(value) + "'") + ")";
    }
}
