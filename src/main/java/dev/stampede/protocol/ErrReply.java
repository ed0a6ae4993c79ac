package dev.stampede.protocol;

import dev.stampede.format.Ascii;
import java.nio.ByteBuffer;

/**
 * Encodes the server's only message, {@code ERR <line-number> <reason>\n}, without allocating.
 * Line number 0 means the reply is about the connection, not one of its lines (server full).
 */
public final class ErrReply {
    private static final byte[] PREFIX = {'E', 'R', 'R', ' '};

    /** Longest encoded reply, to size reply buffers. */
    public static final int MAX_BYTES = PREFIX.length + 20 + 1 + maxReasonLength() + 1;

    private ErrReply() {}

    /** Bytes {@link #put} writes for this reply. */
    public static int length(long lineNumber, Reject reason) {
        return PREFIX.length + Ascii.digits(lineNumber) + 1 + reason.wireText().length + 1;
    }

    /** Writes the reply at the buffer's position; the caller checks room with {@link #length}. */
    public static void put(ByteBuffer dst, long lineNumber, Reject reason) {
        dst.put(PREFIX);
        Ascii.putDecimal(dst, lineNumber);
        dst.put((byte) ' ');
        dst.put(reason.wireText());
        dst.put((byte) '\n');
    }

    private static int maxReasonLength() {
        int max = 0;
        for (Reject r : Reject.values()) {
            max = Math.max(max, r.wireText().length);
        }
        return max;
    }
}
