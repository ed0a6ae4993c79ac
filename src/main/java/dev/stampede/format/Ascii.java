package dev.stampede.format;

import java.nio.ByteBuffer;

/**
 * The number format of stampede's lines, both ways: one non-negative decimal long of 1 to
 * {@value #MAX_DIGITS} ASCII digits per line. The wire protocol, the output file, the late file
 * and the client's record files all use it; this class is the only place that reads or writes it.
 *
 * <p>Reading has two forms that follow one rule: {@link #parse} for a whole line in a buffer, and
 * {@link #hasRoom} / {@link #accumulate} / {@link #valueOf} for a streaming reader that sees one
 * byte at a time and keeps the running value and digit count in its own fields:
 *
 * <pre>{@code
 * int d = Ascii.digit(b);
 * if (d >= 0 && Ascii.hasRoom(digits)) { acc = Ascii.accumulate(acc, d); digits++; }  // else: a 20th digit
 * ...
 * long value = Ascii.valueOf(acc, digits);  // -1: no digits, or above Long.MAX_VALUE
 * }</pre>
 *
 * <p>Stateless, allocation-free: no String per line, no boxing.
 */
public final class Ascii {
    /** Most digits a number may have: {@link Long#MAX_VALUE} has 19. */
    public static final int MAX_DIGITS = 19;
    /** Bytes of the longest line: {@value #MAX_DIGITS} digits and {@code \n}. */
    public static final int MAX_LINE = MAX_DIGITS + 1;

    private Ascii() {}

    // ---- reading

    /** The value of an ASCII digit byte, or -1 if {@code b} is not one. */
    public static int digit(byte b) {
        return b >= '0' && b <= '9' ? b - '0' : -1;
    }

    /** Whether a number that has {@code digits} digits so far may take one more. */
    public static boolean hasRoom(int digits) {
        return digits < MAX_DIGITS;
    }

    /**
     * {@code acc} with {@code digit} appended. Only while {@link #hasRoom}: up to 19 digits never
     * lose a bit (they fit in 64 unsigned bits), and a number above {@link Long#MAX_VALUE} shows as
     * negative, which {@link #valueOf} reports.
     */
    public static long accumulate(long acc, int digit) {
        return acc * 10 + digit;
    }

    /**
     * The number that {@code digits} calls of {@link #accumulate} from 0 built, or -1 if there
     * were none or it is above {@link Long#MAX_VALUE}.
     */
    public static long valueOf(long acc, int digits) {
        return digits == 0 || acc < 0 ? -1 : acc;
    }

    /**
     * The number in bytes [{@code from}, {@code to}) of {@code b} (absolute indices within the
     * limit; the position is neither used nor changed), or -1 if they are not 1 to
     * {@value #MAX_DIGITS} digits of a value within a signed long.
     */
    public static long parse(ByteBuffer b, int from, int to) {
        final int n = to - from;
        if (n < 1 || n > MAX_DIGITS) {
            return -1;
        }
        long acc = 0;
        for (int i = from; i < to; i++) {
            final int d = digit(b.get(i));
            if (d < 0) {
                return -1;
            }
            acc = accumulate(acc, d);
        }
        return valueOf(acc, n);
    }

    // ---- writing

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

    /** Writes {@code value} (must be {@code >= 0}) and a newline: one line of the format. */
    public static void putLine(ByteBuffer dst, long value) {
        putDecimal(dst, value);
        dst.put((byte) '\n');
    }
}
