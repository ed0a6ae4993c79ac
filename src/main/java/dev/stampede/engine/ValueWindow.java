package dev.stampede.engine;

import java.util.Arrays;

/**
 * The values waiting above a watermark, one slot per millisecond of a ring, and the history of
 * what was released below it: the storage shared by {@link OrderingEngine} and {@link FinalMerge}.
 *
 * <ul>
 *   <li>pending: a ring over [W, W + ring) of one bit per millisecond (unique mode), or one
 *       counter per millisecond when duplicates are kept;</li>
 *   <li>history: one bit per millisecond for [W - history, W): was that value released? So a
 *       value arriving below W is told apart as a duplicate or late.</li>
 * </ul>
 * The owner keeps the watermark and guarantees that every value it adds lies in [W, W + ring).
 * Allocation-free after construction; not thread-safe.
 */
final class ValueWindow {
    private final boolean keepDuplicates;
    private final int ringMask;
    /** Unique mode: one bit per millisecond, set while that value is pending. */
    private final long[] pendingBits;
    /** Duplicates kept: copies pending per millisecond; {@code null} in unique mode. */
    private final int[] pendingCounts;
    /** One bit per ms for [W - H, W): was that value released? */
    private final long[] released;
    private final long historyMask;
    private long pendingValues;

    ValueWindow(int ringSize, long historyMs, boolean keepDuplicates) {
        this.keepDuplicates = keepDuplicates;
        this.ringMask = ringSize - 1;
        this.pendingBits = keepDuplicates ? null : new long[Math.max(1, ringSize / 64)];
        this.pendingCounts = keepDuplicates ? new int[ringSize] : null;
        final int history = powerOfTwoAtLeast(Math.max(64, historyMs));
        this.historyMask = history - 1;
        this.released = new long[history / 64];
    }

    /** The smallest power of two at least {@code n}. */
    static int powerOfTwoAtLeast(long n) {
        long p = 1;
        while (p < n) {
            p <<= 1;
        }
        if (p > (1 << 30)) {
            throw new IllegalArgumentException("window too large: " + n);
        }
        return (int) p;
    }

    /** Ring slots: values pending must lie in [W, W + this). */
    int ringSize() {
        return ringMask + 1;
    }

    /** History span in ms: a value further below W than this cannot be told a duplicate. */
    long historySpan() {
        return historyMask;
    }

    /**
     * Adds {@code copies} of a value in [W, W + ring).
     *
     * @return false if the value was already pending in unique mode (a duplicate; nothing added)
     */
    boolean add(long value, int copies) {
        final int slot = (int) value & ringMask;
        if (keepDuplicates) {
            pendingCounts[slot] += copies;
            pendingValues += copies;
            return true;
        }
        final long bit = 1L << slot;
        if ((pendingBits[slot >>> 6] & bit) != 0) {
            return false;
        }
        pendingBits[slot >>> 6] |= bit;
        pendingValues++;
        return true;
    }

    /** W passes {@code t}: takes what is pending there and records whether it was released. */
    int pass(long t) {
        final int copies = take(t);
        setReleased(t, copies != 0);
        return copies;
    }

    /** Clears the pending slot of {@code t} without touching the history; returns its copies. */
    int take(long t) {
        final int slot = (int) t & ringMask;
        final int copies;
        if (keepDuplicates) {
            copies = pendingCounts[slot];
            pendingCounts[slot] = 0;
        } else {
            final long bit = 1L << slot;
            copies = (pendingBits[slot >>> 6] & bit) != 0 ? 1 : 0;
            pendingBits[slot >>> 6] &= ~bit;
        }
        pendingValues -= copies;
        return copies;
    }

    /**
     * W jumps from {@code from} to {@code to} past the ring's end: nothing can be pending there,
     * only the history needs clearing.
     */
    void skip(long from, long to) {
        if (to - from > historyMask) {
            Arrays.fill(released, 0L);
        } else {
            for (long t = from; t < to; t++) {
                setReleased(t, false);
            }
        }
    }

    /** Whether {@code value}, below {@code watermark}, was released (within the history). */
    boolean wasReleased(long value, long watermark) {
        if (watermark - value > historyMask) {
            return false;
        }
        final long bit = value & historyMask;
        return (released[(int) (bit >>> 6)] & (1L << bit)) != 0;
    }

    /** Records that {@code value}, below {@code watermark}, was released (by an earlier run). */
    void markReleased(long value, long watermark) {
        if (value < watermark && watermark - value <= historyMask) {
            setReleased(value, true);
        }
    }

    /** Values pending (each copy counted). */
    long pending() {
        return pendingValues;
    }

    private void setReleased(long value, boolean on) {
        final long bit = value & historyMask;
        final int word = (int) (bit >>> 6);
        if (on) {
            released[word] |= 1L << bit;
        } else {
            released[word] &= ~(1L << bit);
        }
    }
}
