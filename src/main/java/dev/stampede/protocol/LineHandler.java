package dev.stampede.protocol;

/**
 * Receives what a {@link LineDecoder} finds in a connection's bytes, in order.
 *
 * <p>Called on the decoding thread, synchronously from {@link LineDecoder#decode}; implementations
 * must not block. Bad input is a call to {@link #onReject}, never an exception.
 */
public interface LineHandler {

    /** A well-formed line within {@code --max-skew} of the server clock. */
    void onValue(long epochMillis);

    /**
     * A rejected line. {@code lineNumber} counts the connection's lines from 1 (the line being
     * read when the reject is about an unfinished line); when {@link Reject#closesConnection()}
     * the decoder takes no more input.
     */
    void onReject(long lineNumber, Reject reason);

    /**
     * The connection's first line was {@link LineDecoder#ACK_OPENER}: it asks to be told how many
     * of its lines are durable. A handler that does not acknowledge ignores it (the client then
     * hears no acknowledgement and falls back to its replay).
     */
    default void onAcksRequested(long lineNumber) {
    }
}
