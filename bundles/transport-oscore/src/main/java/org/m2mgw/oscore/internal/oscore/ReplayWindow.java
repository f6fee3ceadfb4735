package org.m2mgw.oscore.internal.oscore;

import java.util.Arrays;

/**
 * The replay window of a Recipient Context (RFC 8613 section 7.4): which of the last {@code size}
 * Partial IVs up to the highest one received were already accepted. Anything older than the
 * window, or already marked, is a replay. Thread-safe.
 *
 * <p>A window is either initialised or not: a context restored after a restart that did not save
 * its window (Appendix B.1.2) has none, and must not accept requests as fresh until a request has
 * been verified fresh by other means (the Echo option, RFC 9175); {@link #initialize(long)} then
 * makes that request's Partial IV the lower limit.
 */
public final class ReplayWindow {
    private final int size;
    /** bit i set: Partial IV {@code highest - i} was accepted (only i < size). */
    private final long[] bits;
    private long highest = -1;
    private boolean initialized;

    private ReplayWindow(int size, boolean initialized) {
        if (size < 1 || size > OscoreParameters.MAX_REPLAY_WINDOW) {
            throw new IllegalArgumentException("replay window size out of range: " + size);
        }
        this.size = size;
        this.bits = new long[(size + 63) / 64];
        this.initialized = initialized;
    }

    /**
     * @param size the window size
     * @return an initialised window that has seen nothing (a new security context)
     */
    public static ReplayWindow empty(int size) {
        return new ReplayWindow(size, true);
    }

    /**
     * @param size the window size
     * @return a window that is not initialised (a context restored without its saved window)
     */
    public static ReplayWindow uninitialized(int size) {
        return new ReplayWindow(size, false);
    }

    /**
     * Restores a window saved by {@link #state()}.
     *
     * @param state the saved state
     * @return the window
     * @throws IllegalArgumentException if the state is inconsistent
     */
    public static ReplayWindow restore(State state) {
        ReplayWindow w = new ReplayWindow(state.size(), true);
        byte[] b = state.received();
        if (b.length != (state.size() + 7) / 8 || state.highest() < -1 || state.highest() > OscoreContext.MAX_SSN) {
            throw new IllegalArgumentException("inconsistent replay window state");
        }
        w.highest = state.highest();
        for (int i = 0; i < state.size(); i++) {
            if ((b[i / 8] & (0x80 >>> (i % 8))) != 0) {
                w.bits[i / 64] |= 1L << (i % 64);
            }
        }
        return w;
    }

    /** @return the window size */
    public int size() {
        return size;
    }

    /** @return whether the window is initialised, i.e. may judge freshness (Appendix B.1.2) */
    public synchronized boolean isInitialized() {
        return initialized;
    }

    /** @return the highest Partial IV accepted, -1 if none */
    public synchronized long highest() {
        return highest;
    }

    /**
     * @param piv a verified message's Partial IV
     * @return whether it was not seen before and is not older than the window (does not mark it);
     *     always {@code false} while the window is not initialised
     */
    public synchronized boolean isFresh(long piv) {
        if (!initialized || piv < 0) {
            return false;
        }
        if (piv > highest) {
            return true;
        }
        long age = highest - piv;
        return age < size && !bit((int) age);
    }

    /**
     * @param piv a Partial IV
     * @return a short reason why it is not fresh, for logs ({@code null} when fresh)
     */
    public synchronized String whyNotFresh(long piv) {
        if (!initialized) {
            return "replay window not initialised";
        }
        if (piv > highest) {
            return null;
        }
        long age = highest - piv;
        if (age >= size) {
            return "Partial IV " + piv + " is older than the replay window (highest " + highest + ", size " + size + ")";
        }
        return bit((int) age) ? "Partial IV " + piv + " was received before" : null;
    }

    /**
     * Marks a verified message's Partial IV as received, if it is fresh; the check and the mark are
     * one atomic step, so of two copies of a message decrypted at once only one is accepted.
     * Call it only after the message was verified (section 7.4).
     *
     * @param piv the Partial IV
     * @return whether it was fresh (and is now marked)
     */
    public synchronized boolean accept(long piv) {
        if (!isFresh(piv)) {
            return false;
        }
        if (piv > highest) {
            long shift = highest < 0 ? size : piv - highest;
            shiftLeft(shift);
            highest = piv;
            setBit(0);
        } else {
            setBit((int) (highest - piv));
        }
        return true;
    }

    /**
     * Initialises the window from a request verified fresh by other means (the Echo option,
     * Appendix B.1.2): its Partial IV becomes the lower limit, so it and everything older is
     * refused from now on, and everything newer is accepted once.
     *
     * @param piv the fresh request's Partial IV
     */
    public synchronized void initialize(long piv) {
        Arrays.fill(bits, 0);
        for (int i = 0; i < size; i++) {
            setBit(i);
        }
        highest = piv;
        initialized = true;
    }

    /** @return the state to save on orderly shutdown */
    public synchronized State state() {
        byte[] b = new byte[(size + 7) / 8];
        for (int i = 0; i < size; i++) {
            if (bit(i)) {
                b[i / 8] |= (byte) (0x80 >>> (i % 8));
            }
        }
        return new State(size, initialized ? highest : -1, b);
    }

    private boolean bit(int i) {
        return (bits[i / 64] & (1L << (i % 64))) != 0;
    }

    private void setBit(int i) {
        bits[i / 64] |= 1L << (i % 64);
    }

    private void shiftLeft(long n) {
        if (n >= size) {
            Arrays.fill(bits, 0);
            return;
        }
        // bit i moves to i + n; bits beyond size are dropped
        for (int i = size - 1; i >= 0; i--) {
            boolean v = i - n >= 0 && bit((int) (i - n));
            if (v) {
                setBit(i);
            } else {
                bits[i / 64] &= ~(1L << (i % 64));
            }
        }
    }

    /**
     * A saved window.
     *
     * @param size the window size
     * @param highest the highest Partial IV accepted, -1 if none
     * @param received {@code (size + 7) / 8} bytes: bit i (most significant first) set when
     *     {@code highest - i} was accepted
     */
    public record State(int size, long highest, byte[] received) {
        /** Copies the bitmap in. */
        public State {
            received = received.clone();
        }

        @Override
        public byte[] received() {
            return received.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && s.size == size && s.highest == highest
                    && Arrays.equals(s.received, received);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(highest) * 31 + size;
        }

        @Override
        public String toString() {
            return "ReplayWindow.State[size=" + size + ", highest=" + highest + "]";
        }
    }
}
