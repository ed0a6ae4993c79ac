package dev.stampede.protocol;

import java.nio.ByteBuffer;

/**
 * Decimal formatting of non-negative longs straight into a {@link ByteBuffer}: the number format
 * shared by the wire protocol, the output file and the late file. Allocation-free.
 */
public final class Ascii {
    /** Bytes of the longest line: 19 digits and {@code \n}. */
    public static final int MAX_LINE = 20;

    private Ascii() {}

    /** Number of decimal digits of {@code value} (which must be {@code >= 0}). */
    public static int digits(long value) {
        int n = 1;
        for (long v = value; v >= 10; v /= 10) {
            n++;
        }
        return n;
    }

    /** Writes {@code value} (must be {@code >= 0}) in decimal at the buffer's position. */
    public static void putDecimal(ByteBuffer dst, long value) {
        final int n = digits(value);
        final int start = dst.position();
        long v = value;
        for (int i = start + n - 1; i >= start; i--) {
            dst.put(i, (byte) ('0' + (int) (v % 10)));
            v /= 10;
        }
        dst.position(start + n);
    }

    /** Writes {@code value} (must be {@code >= 0}) and a newline: one line of the file format. */
    public static void putLine(ByteBuffer dst, long value) {
        putDecimal(dst, value);
        dst.put((byte) '\n');
    }
}
