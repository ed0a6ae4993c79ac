package dev.stampede.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Why a line (or a connection) was rejected: the reason codes of protocol v1.
 *
 * <p>Each constant carries the exact text sent after {@code ERR <line-number> } and whether the
 * server closes the connection after sending it. The texts are part of the wire contract
 * (docs/PROTOCOL.md lists them): change them only with the docs. The bytes are precomputed so that
 * encoding a reply allocates nothing.
 */
public enum Reject {
    /** An empty line (or only {@code \r}). */
    EMPTY_LINE("empty line", false),
    /** A {@code +} or {@code -} sign: timestamps are unsigned digits. */
    SIGN("sign not allowed: digits only", false),
    /** A space or tab inside or around the number. */
    WHITESPACE("whitespace not allowed: digits only", false),
    /** A decimal point or comma: the protocol carries integer milliseconds. */
    FRACTION("decimal point not allowed: integer milliseconds only", false),
    /** Any other byte that is not a digit. */
    NOT_A_NUMBER("not a decimal number", false),
    /** More than 19 digits. */
    TOO_MANY_DIGITS("more than 19 digits", false),
    /** 19 digits above {@link Long#MAX_VALUE}. */
    OVERFLOW("number too large (max 9223372036854775807)", false),
    /** Within range of the server clock only if read as seconds. */
    SKEW_SECONDS("far from server time: looks like seconds, send milliseconds", false),
    /** Within range of the server clock only if read as microseconds. */
    SKEW_MICROS("far from server time: looks like microseconds, send milliseconds", false),
    /** Within range of the server clock only if read as nanoseconds. */
    SKEW_NANOS("far from server time: looks like nanoseconds, send milliseconds", false),
    /** A millisecond timestamp too far from the server clock (see {@code --max-skew}). */
    SKEW("too far from server time (see --max-skew)", false),
    /**
     * Within {@code --max-skew} but further ahead of the server clock than the pending window
     * holds (10 minutes): only with a {@code --max-skew} above that.
     */
    AHEAD("too far ahead of server time (at most 10 min)", false),
    /** More than {@link LineDecoder#MAX_LINE_BYTES} bytes without a newline. */
    LINE_TOO_LONG("line longer than " + LineDecoder.MAX_LINE_BYTES + " bytes", true),
    /** The connection sent too many bad lines: most likely not a stampede client at all. */
    TOO_MANY_ERRORS("too many errors", true),
    /** The server is at {@code --max-connections}. */
    SERVER_FULL("server full", true),
    /** No valid timestamp for {@code --silent-timeout}: a connection that says nothing, or dribbles. */
    SILENT("no timestamp for too long (see --silent-timeout)", true),
    /**
     * The server is at {@code --max-connections}, and a new connection takes the place of this
     * one, the connection without a valid timestamp for the longest (at least the idle timeout).
     */
    EVICTED("server full and this connection the longest silent", true);

    private final String text;
    private final boolean closes;
    private final byte[] wireText;

    Reject(String text, boolean closes) {
        this.text = text;
        this.closes = closes;
        this.wireText = (closes ? text + "; closing" : text).getBytes(StandardCharsets.US_ASCII);
    }

    /** The human-readable reason, without the {@code "; closing"} suffix. */
    public String text() {
        return text;
    }

    /** Whether the server closes the connection after this reply. */
    public boolean closesConnection() {
        return closes;
    }

    /** The reason as it goes on the wire (with {@code "; closing"} where it closes), ASCII. */
    byte[] wireText() {
        return wireText;
    }
}
