package dev.stampede.store;

import java.util.Arrays;

/**
 * One window's late values read by {@link LateRepair} and not merged yet, and where the first of
 * them is in the late journal (what holds the checkpoint back).
 */
final class PendingWindow {
    long[] values = new long[16];
    int count;
    /** Where the first of them is: the segment (null: the current file) and offset; read in order, the first added. */
    String firstSegment;
    long firstOffset = -1;

    void add(long v, String segment, long offset) {
        if (count == values.length) {
            values = Arrays.copyOf(values, count * 2);
        }
        if (count == 0) {
            firstSegment = segment;
            firstOffset = offset;
        }
        values[count++] = v;
    }

    void sortUnique() {
        Arrays.sort(values, 0, count);
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (n == 0 || values[i] != values[n - 1]) {
                values[n++] = values[i];
            }
        }
        count = n;
    }
}
