package dev.stampede.client;

import dev.stampede.protocol.AckReply;
import java.nio.ByteBuffer;

/**
 * Splits what a server sends on one connection into lines ({@code ACK <n>\n}, {@code ERR <line>
 * <reason>\n}, or anything a wrong server might send), keeping a line across reads. Only the first
 * {@value #MAX_KEPT} bytes of a line are kept; the text is made safe to print (control and
 * non-ASCII bytes shown as {@code ?}).
 *
 * <p>Created for a connection only when its server first says something, so a quiet connection
 * costs nothing. Not thread-safe: owned by the client's event loop.
 */
final class ReplyReader {
    /** Bytes of a line kept for display. */
    static final int MAX_KEPT = 160;

    private final byte[] line = new byte[MAX_KEPT];
    private int length;
    private boolean truncated;
    private boolean complete;

    /**
     * Consumes bytes from {@code src} up to and including the next newline.
     *
     * @return true if a line is now complete (read it with {@link #text}); false if {@code src}
     *     ran out first (the partial line is kept for the next read)
     */
    boolean next(ByteBuffer src) {
        if (complete) {
            length = 0;
            truncated = false;
            complete = false;
        }
        while (src.hasRemaining()) {
            final byte b = src.get();
            if (b == '\n') {
                complete = true;
                return true;
            }
            if (length < MAX_KEPT) {
                line[length++] = b;
            } else {
                truncated = true;
            }
        }
        return false;
    }

    /**
     * The line count of the last complete line if it is an acknowledgement, else {@link
     * AckReply#NOT_AN_ACK}. Allocates nothing.
     */
    long ack() {
        return truncated ? AckReply.NOT_AN_ACK : AckReply.parse(line, length);
    }

    /**
     * The line number of the last complete line if it is {@code ERR <line> ...}, else -1.
     * Allocates nothing.
     */
    long errLine() {
        if (length < 6 || line[0] != 'E' || line[1] != 'R' || line[2] != 'R' || line[3] != ' ') {
            return -1;
        }
        long n = 0;
        int i = 4;
        for (; i < length && i < 4 + 18 && line[i] >= '0' && line[i] <= '9'; i++) {
            n = n * 10 + (line[i] - '0');
        }
        return i > 4 && (i == length || line[i] == ' ' || line[i] == '\r') ? n : -1;
    }

    /** The last complete line, printable, without its newline (or {@code \r\n}). */
    String text() {
        int n = length;
        if (n > 0 && line[n - 1] == '\r' && !truncated) {
            n--;
        }
        final StringBuilder b = new StringBuilder(n + 4);
        for (int i = 0; i < n; i++) {
            final int c = line[i] & 0xFF;
            b.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
        }
        if (truncated) {
            b.append("...");
        }
        return b.toString();
    }
}
