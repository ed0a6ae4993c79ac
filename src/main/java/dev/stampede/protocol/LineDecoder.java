package dev.stampede.protocol;

import dev.stampede.format.Ascii;
import java.nio.ByteBuffer;

/**
 * Decodes protocol v1 (one decimal epoch-millisecond number per line) straight from a read buffer.
 *
 * <p>One instance per connection: a resumable byte state machine, so a line split across reads at
 * any byte is decoded the same as a whole one, and no line is ever copied or turned into a String.
 * Valid values and rejects go to a {@link LineHandler} in line order. Bad client input is a reject
 * code, never an exception: the decoder keeps going after a bad line, and stops (the connection
 * should be closed) only after a line longer than {@link #MAX_LINE_BYTES}, or after
 * {@code maxErrors} rejects.
 *
 * <p>Accepted: 1 to 19 ASCII digits, optionally followed by {@code \r}, then {@code \n}; the value
 * must fit a signed long and lie within the {@link SkewCheck} of the server clock. The first line of
 * a connection may instead be the {@linkplain #ACK_OPENER opening line} that asks for
 * acknowledgements ({@link LineHandler#onAcksRequested}); anywhere else it is a bad line like any.
 *
 * <p>Not thread-safe; allocation-free.
 */
public final class LineDecoder {
    /** Bytes a line may have before its {@code \n}: more closes the connection. */
    public static final int MAX_LINE_BYTES = 64;
    /** Rejects after which a connection is closed: enough for a human at nc, few for a port scan. */
    public static final int DEFAULT_MAX_ERRORS = 10;
    /**
     * The opening line by which a client asks for acknowledgements (docs/PROTOCOL.md): not a
     * timestamp, so a server that does not know it answers {@code ERR 1 not a decimal number}.
     */
    public static final String ACK_OPENER = "ACKS 1";
    private static final byte[] OPENER = ACK_OPENER.getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final SkewCheck skew;
    private final int maxErrors;

    private long acc;
    private int digits;
    private int lineBytes;
    private boolean cr;
    private Reject problem;
    private long lineNumber;
    private int errors;
    private boolean closed;
    /** Bytes of line 1 that matched {@link #OPENER} so far; -1 once it cannot be the opener. */
    private int openerMatched;

    /** A decoder with the default error budget. */
    public LineDecoder(SkewCheck skew) {
        this(skew, DEFAULT_MAX_ERRORS);
    }

    /** @param maxErrors rejects after which the decoder closes (the last reply says so) */
    public LineDecoder(SkewCheck skew, int maxErrors) {
        if (maxErrors < 1) {
            throw new IllegalArgumentException("maxErrors must be >= 1: " + maxErrors);
        }
        this.skew = skew;
        this.maxErrors = maxErrors;
    }

    /**
     * Decodes the bytes between the buffer's position and limit, and advances the position past
     * what it consumed (all of it, unless the decoder closes on the way).
     *
     * @param nowMs server wall-clock time for the skew check
     * @return {@code true} if the connection must now be closed; the handler has been told why
     */
    public boolean decode(ByteBuffer src, long nowMs, LineHandler handler) {
        if (closed) {
            src.position(src.limit());
            return true;
        }
        final int limit = src.limit();
        for (int i = src.position(); i < limit; i++) {
            final byte b = src.get(i);
            if (b == '\n') {
                if (endLine(nowMs, handler)) {
                    src.position(i + 1);
                    return true;
                }
            } else if (++lineBytes > MAX_LINE_BYTES) {
                src.position(i + 1);
                return reject(lineNumber + 1, Reject.LINE_TOO_LONG, handler);
            } else {
                if (openerMatched >= 0) {
                    matchOpener(b);
                }
                take(b);
            }
        }
        src.position(limit);
        return false;
    }

    /**
     * Orderly end of stream: a final line without {@code \n} counts like any other.
     *
     * @return {@code true} if that last line's reject used up the error budget
     */
    public boolean finish(long nowMs, LineHandler handler) {
        if (closed || lineBytes == 0) {
            return closed;
        }
        return endLine(nowMs, handler);
    }

    /** Lines completed so far (valid or not). */
    public long lineCount() {
        return lineNumber;
    }

    /** Rejects so far. */
    public int errorCount() {
        return errors;
    }

    /** Whether the decoder has closed: it ignores all further input. */
    public boolean isClosed() {
        return closed;
    }

    /** Whether bytes of an unfinished line are held (the connection is mid-line). */
    public boolean hasPartialLine() {
        return lineBytes > 0;
    }

    private void matchOpener(byte b) {
        if (!cr && openerMatched < OPENER.length && b == OPENER[openerMatched]) {
            openerMatched++;
        } else if (cr || b != '\r' || openerMatched != OPENER.length) {
            openerMatched = -1;
        }
    }

    private void take(byte b) {
        final int d = Ascii.digit(b);
        if (d >= 0 && !cr) {
            if (Ascii.hasRoom(digits)) {
                acc = Ascii.accumulate(acc, d);
                digits++;
            } else if (problem == null) {
                problem = Reject.TOO_MANY_DIGITS;
            }
        } else if (b == '\r' && !cr) {
            cr = true;
        } else if (problem == null) {
            problem = classify(b);
        }
    }

    private static Reject classify(byte b) {
        switch (b) {
            case '+':
            case '-':
                return Reject.SIGN;
            case ' ':
            case '\t':
                return Reject.WHITESPACE;
            case '.':
            case ',':
                return Reject.FRACTION;
            default:
                return Reject.NOT_A_NUMBER;
        }
    }

    /** Ends the current line; returns true if the connection must close. */
    private boolean endLine(long nowMs, LineHandler handler) {
        lineNumber++;
        final boolean opener = openerMatched == OPENER.length;
        openerMatched = -1;
        Reject r = problem;
        if (r == null) {
            if (digits == 0) {
                r = Reject.EMPTY_LINE;
            } else if (Ascii.valueOf(acc, digits) < 0) {
                r = Reject.OVERFLOW;
            } else {
                r = skew.check(acc, nowMs);
            }
        }
        final long value = acc;
        acc = 0;
        digits = 0;
        lineBytes = 0;
        cr = false;
        problem = null;
        if (opener) {
            handler.onAcksRequested(lineNumber);
            return false;
        }
        if (r == null) {
            handler.onValue(value);
            return false;
        }
        return reject(lineNumber, r, handler);
    }

    private boolean reject(long line, Reject reason, LineHandler handler) {
        errors++;
        handler.onReject(line, reason);
        if (!reason.closesConnection() && errors >= maxErrors) {
            handler.onReject(line, Reject.TOO_MANY_ERRORS);
            closed = true;
        }
        closed |= reason.closesConnection();
        return closed;
    }
}
