package dev.stampede.protocol;

import dev.stampede.format.Ascii;
import java.nio.ByteBuffer;

/**
 * The acknowledgement a server sends on a connection that asked for it ({@link
 * LineDecoder#ACK_OPENER}): {@code ACK <n>\n}, meaning the connection's lines 1 to n (the opener
 * included) are durable or were answered with {@code ERR}. Cumulative, so a newer one replaces an
 * older one: a server that cannot send one now sends the newest later, and a client that misses
 * one loses nothing. Encoded and parsed without allocating.
 */
public final class AckReply {
    private static final byte[] PREFIX = {'A', 'C', 'K', ' '};

    /** Longest encoded acknowledgement, to size buffers. */
    public static final int MAX_BYTES = PREFIX.length + 19 + 1;

    /** What {@link #parse} returns for a line that is not an acknowledgement. */
    public static final long NOT_AN_ACK = -1;

    private AckReply() {}

    /** Bytes {@link #put} writes for {@code lines}. */
    public static int length(long lines) {
        return PREFIX.length + Ascii.digits(lines) + 1;
    }

    /** Writes {@code ACK <lines>\n} at the buffer's position; the caller checks room. */
    public static void put(ByteBuffer dst, long lines) {
        dst.put(PREFIX);
        Ascii.putDecimal(dst, lines);
        dst.put((byte) '\n');
    }

    /**
     * The line count of an acknowledgement held in {@code line[0..length)} (without its newline; a
     * trailing {@code \r} is allowed), or {@link #NOT_AN_ACK}.
     */
    public static long parse(byte[] line, int length) {
        int n = length;
        if (n > 0 && line[n - 1] == '\r') {
            n--;
        }
        if (n <= PREFIX.length || n > PREFIX.length + 18) {
            return NOT_AN_ACK;
        }
        for (int i = 0; i < PREFIX.length; i++) {
            if (line[i] != PREFIX[i]) {
                return NOT_AN_ACK;
            }
        }
        long value = 0;
        for (int i = PREFIX.length; i < n; i++) {
            final int d = Ascii.digit(line[i]);
            if (d < 0) {
                return NOT_AN_ACK;
            }
            value = value * 10 + d;
        }
        return value;
    }
}
