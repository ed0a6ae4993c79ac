package dev.stampede.client;

import java.util.function.Consumer;

/**
 * A log for messages that can come in floods (a server rejecting every line, thousands of
 * connections lost at once): at most one message per period; the rest are counted and the count
 * goes out with the next message, or with {@link #finish}.
 *
 * <p>Callers ask {@link #permit} first and build the message only when it says yes, so a
 * suppressed message costs nothing. Not thread-safe: owned by the client's event loop.
 */
final class RateLimitedLog {
    private final Consumer<String> log;
    private final long periodNs;
    private final String what;
    private boolean started;
    private long nextNs;
    private long suppressed;

    /**
     * @param what what the messages are, plural, for the count of the ones not shown
     */
    RateLimitedLog(Consumer<String> log, long periodNs, String what) {
        this.log = log;
        this.periodNs = periodNs;
        this.what = what;
    }

    /** Whether a message may go out at {@code nowNs}; if not, it is counted as suppressed. */
    boolean permit(long nowNs) {
        if (started && nowNs - nextNs < 0) {
            suppressed++;
            return false;
        }
        started = true;
        nextNs = nowNs + periodNs;
        return true;
    }

    /** Logs a permitted message, with the count of the ones suppressed since the last. */
    void emit(String message) {
        if (suppressed > 0) {
            log.accept(message + " (and " + suppressed + " more " + what + " not shown)");
            suppressed = 0;
        } else {
            log.accept(message);
        }
    }

    /** Says how many messages were suppressed since the last one shown, if any. */
    void finish(String prefix) {
        if (suppressed > 0) {
            log.accept(prefix + suppressed + " more " + what + " not shown");
            suppressed = 0;
        }
    }
}
