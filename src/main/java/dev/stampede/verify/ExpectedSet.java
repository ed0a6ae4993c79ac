package dev.stampede.verify;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * The timestamps a client recorded as sent ({@code --record} files), for {@code verify --expect}:
 * marks which were seen and reports those never seen.
 *
 * <p>Timestamps cluster in time, so the set is a bitmap over [min, max] at one bit per millisecond
 * (a day of timestamps in 11 MB, whatever their count). A span too wide for that falls back to a
 * sorted array of the distinct values.
 */
final class ExpectedSet {
    /** Widest span kept as a bitmap: 2^31 ms (~25 days) in 256 MB. */
    private static final long MAX_BITMAP_SPAN = 1L << 31;

    private final long min;
    private final long max;
    private final long total;
    private final long distinct;
    /** Bitmap mode: bit (v - min) set while v is expected and not yet seen. */
    private final BitSet bits;
    /** Array mode: sorted distinct values, and which were seen. */
    private final long[] sorted;
    private final BitSet seen;

    private ExpectedSet(long min, long max, long total, BitSet bits, long[] sorted) {
        this.min = min;
        this.max = max;
        this.total = total;
        this.bits = bits;
        this.sorted = sorted;
        this.seen = sorted == null ? null : new BitSet(sorted.length);
        this.distinct = missing();
    }

    /**
     * Reads the files (two passes: range, then values).
     *
     * @throws VerifyException if a file has a line that is not a timestamp
     */
    static ExpectedSet load(List<Path> files) throws IOException {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        long count = 0;
        for (Path f : files) {
            try (LineReader r = new LineReader(f)) {
                for (int k = r.next(); k != LineReader.END; k = r.next()) {
                    if (k != LineReader.NUMBER) {
                        throw new VerifyException(f + ": line " + r.lineNumber() + " is not a timestamp");
                    }
                    min = Math.min(min, r.value());
                    max = Math.max(max, r.value());
                    count++;
                }
            }
        }
        if (count == 0) {
            return new ExpectedSet(0, -1, 0, new BitSet(), null);
        }
        if (max - min < MAX_BITMAP_SPAN) {
            // max - min < 2^31: every bit index is an int (the size hint is capped at the largest).
            final BitSet bits = new BitSet((int) Math.min(max - min + 1, Integer.MAX_VALUE));
            for (Path f : files) {
                try (LineReader r = new LineReader(f)) {
                    while (r.next() != LineReader.END) {
                        bits.set((int) (r.value() - min));
                    }
                }
            }
            return new ExpectedSet(min, max, count, bits, null);
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new VerifyException("too many expected timestamps over too wide a span");
        }
        final long[] values = new long[(int) count];
        int n = 0;
        for (Path f : files) {
            try (LineReader r = new LineReader(f)) {
                while (r.next() != LineReader.END) {
                    values[n++] = r.value();
                }
            }
        }
        Arrays.sort(values);
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (i == 0 || values[i] != values[i - 1]) {
                values[distinct++] = values[i];
            }
        }
        return new ExpectedSet(min, max, count, null, Arrays.copyOf(values, distinct));
    }

    /** Expected lines read (with repeats). */
    long total() {
        return total;
    }

    /** Marks {@code v} as seen, if it is expected. */
    void see(long v) {
        if (v < min || v > max) {
            return;
        }
        if (bits != null) {
            bits.clear((int) (v - min));
        } else {
            final int i = Arrays.binarySearch(sorted, v);
            if (i >= 0) {
                seen.set(i);
            }
        }
    }

    /** Distinct expected values. */
    long distinct() {
        return distinct;
    }

    /** Expected values not seen. */
    long missing() {
        return bits != null ? bits.cardinality() : sorted.length - seen.cardinality();
    }

    /** The smallest expected value not seen, or {@code -1}. */
    long firstMissing() {
        if (bits != null) {
            final int i = bits.nextSetBit(0);
            return i < 0 ? -1 : min + i;
        }
        final int i = seen.nextClearBit(0);
        return i < sorted.length ? sorted[i] : -1;
    }
}
