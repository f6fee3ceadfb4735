package org.m2mgw.oscore.internal.oscore;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Arrays;
import org.m2mgw.api.crypto.CoseAead;
import org.m2mgw.oscore.internal.cbor.CborWriter;

/**
 * An OSCORE security context (RFC 8613 section 3): the Common Context (AEAD algorithm, ID Context,
 * Common IV), the Sender Context (Sender ID, Sender Key, Sender Sequence Number) and the Recipient
 * Context (Recipient ID, Recipient Key, replay window), derived with HKDF-SHA256 (section 3.2.1).
 *
 * <p>The AEAD is a {@link CoseAead} the caller supplies (the transport looks its service up by
 * COSE algorithm id); the context never creates one. Its nonce length decides the nonce layout of
 * section 5.2 and the longest id allowed (nonce length - 6).
 *
 * <p>The Sender Sequence Number is handed out atomically, up to 2^40 - 1 (section 7.2.1); past
 * that the context is exhausted and must be replaced. With a {@link ContextStore} attached
 * ({@link #persistTo(ContextStore, int)}) a high-water mark is stored {@code lookahead} numbers
 * ahead before any number beyond the last stored mark is used, so a crash never reuses a nonce
 * (Appendix B.1.1). Thread-safe.
 */
public final class OscoreContext {
    /** The largest Sender Sequence Number (RFC 8613 section 7.2.1: 2^40 - 1). */
    public static final long MAX_SSN = (1L << 40) - 1;
    /** Default number of sequence numbers reserved per stored high-water mark (Appendix B.1.1). */
    public static final int DEFAULT_LOOKAHEAD = 64;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final OscoreParameters parameters;
    private final CoseAead aead;
    private final byte[] senderKey;
    private final byte[] recipientKey;
    private final byte[] commonIv;
    private final CoseAead.Keyed sender;
    private final CoseAead.Keyed recipient;
    private final ReplayWindow replayWindow;
    private final AeadUsage usage;
    /** random, per context object: binds Echo values to this context (RFC 9175 section 2.4) */
    private final byte[] instanceTag = new byte[16];

    private long nextSequenceNumber;
    /** numbers below this are covered by the stored high-water mark */
    private long reservedUpTo;
    private ContextStore store;
    private int lookahead = DEFAULT_LOOKAHEAD;

    private OscoreContext(OscoreParameters p, CoseAead aead, long sequenceNumber, ReplayWindow window) {
        if (p.algorithm() != aead.algorithm()) {
            throw new IllegalArgumentException("AEAD " + aead.name() + " (" + aead.algorithm()
                    + ") does not match the context's algorithm " + p.algorithm());
        }
        int maxId = aead.nonceLength() - 6;
        if (maxId < 1 || p.senderId().length > maxId || p.recipientId().length > maxId) {
            throw new IllegalArgumentException("OSCORE ids longer than " + maxId + " bytes cannot be used with "
                    + aead.name() + " (RFC 8613 section 3.3: nonce length - 6)");
        }
        if (sequenceNumber < 0) {
            throw new IllegalArgumentException("negative sequence number");
        }
        this.parameters = p;
        this.aead = aead;
        byte[] secret = p.masterSecret();
        byte[] salt = p.masterSalt();
        this.senderKey = Hkdf.derive(salt, secret, info(p.senderId(), p, "Key", aead.keyLength()), aead.keyLength());
        this.recipientKey = Hkdf.derive(salt, secret, info(p.recipientId(), p, "Key", aead.keyLength()),
                aead.keyLength());
        this.commonIv = Hkdf.derive(salt, secret, info(new byte[0], p, "IV", aead.nonceLength()), aead.nonceLength());
        Arrays.fill(secret, (byte) 0);
        this.sender = aead.key(senderKey);
        this.recipient = aead.key(recipientKey);
        this.replayWindow = window;
        this.usage = new AeadUsage(aead.limits());
        this.nextSequenceNumber = sequenceNumber;
        this.reservedUpTo = sequenceNumber;
        RANDOM.nextBytes(instanceTag);
    }

    /**
     * Derives a new context (RFC 8613 section 3.2) with Sender Sequence Number 0 and an empty,
     * initialised replay window.
     *
     * @param parameters the input parameters
     * @param aead the AEAD for {@link OscoreParameters#algorithm()}
     * @return the context
     * @throws IllegalArgumentException if the AEAD does not match or an id is too long for it
     */
    public static OscoreContext derive(OscoreParameters parameters, CoseAead aead) {
        return derive(parameters, aead, 0);
    }

    /**
     * Derives a context that continues from a given Sender Sequence Number (for a peer's view in
     * tests and interop, like the SSN 20 of RFC 8613 Appendix C.4).
     *
     * @param parameters the input parameters
     * @param aead the AEAD for {@link OscoreParameters#algorithm()}
     * @param sequenceNumber the next Sender Sequence Number to use
     * @return the context
     */
    public static OscoreContext derive(OscoreParameters parameters, CoseAead aead, long sequenceNumber) {
        return new OscoreContext(parameters, aead, sequenceNumber,
                ReplayWindow.empty(parameters.replayWindowSize()));
    }

    /**
     * Restores a stored context (Appendix B.1): it continues from the stored Sender Sequence Number
     * high-water mark, and with the saved replay window if the gateway shut down in order; without
     * one the window is not initialised and the context {@link #needsFreshness() needs} a fresh
     * request (Echo, Appendix B.1.2) before it accepts any.
     *
     * @param stored what the store loaded
     * @param aead the AEAD for its algorithm
     * @return the context
     * @throws IllegalArgumentException if the AEAD does not match or an id is too long for it
     */
    public static OscoreContext restore(StoredContext stored, CoseAead aead) {
        ReplayWindow w = stored.replayWindow() == null
                ? ReplayWindow.uninitialized(stored.parameters().replayWindowSize())
                : ReplayWindow.restore(stored.replayWindow());
        return new OscoreContext(stored.parameters(), aead, stored.sequenceNumber(), w);
    }

    private static byte[] info(byte[] id, OscoreParameters p, String type, int length) {
        // info = [id, id_context, alg_aead, type, L] (RFC 8613 section 3.2.1)
        CborWriter w = new CborWriter().array(5).bytes(id);
        byte[] ctx = p.idContext();
        if (ctx == null) {
            w.nil();
        } else {
            w.bytes(ctx);
        }
        return w.integer(p.algorithm()).text(type).integer(length).toByteArray();
    }

    /**
     * Attaches a store: from now on a high-water mark {@code lookahead} numbers ahead is written
     * before a number beyond the previous mark is used (Appendix B.1.1). Writes the context at once
     * (parameters and a new mark, no replay window), so a saved window read at start-up is not
     * reused after this context has accepted anything. Call it before the context is used.
     *
     * @param store the store
     * @param lookahead numbers reserved per write, at least 1
     * @throws IOException if the first write fails
     */
    public synchronized void persistTo(ContextStore store, int lookahead) throws IOException {
        if (lookahead < 1) {
            throw new IllegalArgumentException("lookahead must be at least 1");
        }
        long mark = Math.min(nextSequenceNumber + lookahead, MAX_SSN + 1);
        store.save(new StoredContext(parameters, mark, null));
        this.store = store;
        this.lookahead = lookahead;
        this.reservedUpTo = mark;
    }

    /**
     * Saves the context with its replay window, for an orderly shutdown (Appendix B.1.2): call it
     * after the endpoint has stopped receiving, so the saved window is complete.
     *
     * @throws IOException if it cannot be written
     * @throws IllegalStateException if no store is attached
     */
    public synchronized void saveForShutdown() throws IOException {
        if (store == null) {
            throw new IllegalStateException("no context store attached");
        }
        store.save(new StoredContext(parameters, reservedUpTo,
                replayWindow.isInitialized() ? replayWindow.state() : null));
    }

    /**
     * Takes the next Sender Sequence Number (section 7.2.1), storing a new high-water mark first
     * when the reserved ones are used up.
     *
     * @return the number to use as Partial IV
     * @throws OscoreException {@link OscoreException.Reason#SEQUENCE_EXHAUSTED} past 2^40 - 1 (the
     *     context must be re-keyed), {@link OscoreException.Reason#PERSISTENCE_FAILED} if the mark
     *     cannot be stored
     */
    public synchronized long nextSequenceNumber() throws OscoreException {
        if (nextSequenceNumber > MAX_SSN) {
            throw new OscoreException(OscoreException.Reason.SEQUENCE_EXHAUSTED,
                    "Sender Sequence Number exhausted for " + this + "; a new security context is needed");
        }
        if (store != null && nextSequenceNumber >= reservedUpTo) {
            long mark = Math.min(nextSequenceNumber + lookahead, MAX_SSN + 1);
            try {
                store.save(new StoredContext(parameters, mark, null));
            } catch (IOException e) {
                throw new OscoreException(OscoreException.Reason.PERSISTENCE_FAILED,
                        "cannot store the sequence number mark of " + this, e);
            }
            reservedUpTo = mark;
        }
        return nextSequenceNumber++;
    }

    /** @return the next Sender Sequence Number that will be used (not taken) */
    public synchronized long sequenceNumber() {
        return nextSequenceNumber;
    }

    /** @return whether the Sender Sequence Number is used up and the context must be replaced */
    public synchronized boolean isExhausted() {
        return nextSequenceNumber > MAX_SSN;
    }

    /** @return the input parameters (including the Master Secret: never log them in full) */
    OscoreParameters parameters() {
        return parameters;
    }

    /** @return the COSE AEAD algorithm identifier */
    public int algorithm() {
        return parameters.algorithm();
    }

    /** @return the AEAD this context uses */
    public CoseAead aead() {
        return aead;
    }

    /** @return the Sender ID (the kid of this endpoint's requests) */
    public byte[] senderId() {
        return parameters.senderId();
    }

    /** @return the Recipient ID (the kid of the peer's requests) */
    public byte[] recipientId() {
        return parameters.recipientId();
    }

    /** @return the ID Context, or {@code null} when there is none */
    public byte[] idContext() {
        return parameters.idContext();
    }

    /** @return the recipient replay window (section 7.4) */
    public ReplayWindow replayWindow() {
        return replayWindow;
    }

    /** @return the AEAD usage counts, for the transport's limits */
    public AeadUsage usage() {
        return usage;
    }

    /**
     * @return whether the replay window is not initialised, so a request must be verified fresh
     *     (Echo, RFC 9175) before one is accepted (RFC 8613 Appendix B.1.2)
     */
    public boolean needsFreshness() {
        return !replayWindow.isInitialized();
    }

    byte[] senderKey() {
        return senderKey.clone();
    }

    byte[] recipientKey() {
        return recipientKey.clone();
    }

    byte[] commonIv() {
        return commonIv.clone();
    }

    byte[] instanceTag() {
        return instanceTag.clone();
    }

    CoseAead.Keyed senderAead() {
        return sender;
    }

    CoseAead.Keyed recipientAead() {
        return recipient;
    }

    /**
     * The AEAD nonce of RFC 8613 section 5.2: the id's length, the id left-padded to nonce length
     * - 6 bytes, the Partial IV left-padded to 5 bytes, XOR the Common IV.
     *
     * @param id the Sender ID of the endpoint that generated the Partial IV
     * @param piv the Partial IV as a number
     * @return the nonce
     */
    byte[] nonce(byte[] id, long piv) {
        int n = commonIv.length;
        byte[] nonce = new byte[n];
        nonce[0] = (byte) id.length;
        System.arraycopy(id, 0, nonce, 1 + (n - 6) - id.length, id.length);
        for (int i = 0; i < 5; i++) {
            nonce[n - 1 - i] = (byte) (piv >>> (8 * i));
        }
        for (int i = 0; i < n; i++) {
            nonce[i] ^= commonIv[i];
        }
        return nonce;
    }

    /** Shows ids and algorithm, never keys. */
    @Override
    public String toString() {
        return "OscoreContext[sender=" + Hex.of(parameters.senderId()) + ", recipient="
                + Hex.of(parameters.recipientId()) + (parameters.idContext() == null ? ""
                        : ", idContext=" + Hex.of(parameters.idContext())) + ", alg=" + aead.name() + "]";
    }
}
