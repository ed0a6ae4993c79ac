package dev.stampede.server;

import java.util.concurrent.TimeUnit;

/**
 * When {@code --read-batch} pauses before a poll, and how long. A fixed pause ({@code --read-batch
 * 100ms}) is taken after every round of polls that found something ({@link PollRound}), whatever
 * share of the connections was ready: the C reference's {@code --batch-ms}, the one lever that
 * trades freshness of the file for CPU (docs/PERFORMANCE.md). The default ({@code auto}, 1 ms)
 * pauses only while values arrive fast enough for a pause to have reads to share (the rate is
 * judged over short windows), and only while most connections are not ready already (then a 1-ms
 * pause would only sit idle).
 *
 * <p><b>Overload.</b> A loop that finds most connections ready round after round for {@value
 * #SATURATED_FOR_MS} ms, each read bringing a line or two, is saturated: it reads one line per
 * {@code read()} (the dearest way), each line older than the last, and has no time to spare. The
 * default then takes, for {@value #OVERLOAD_MS} ms, a pause half as long as its last round took
 * (at most {@value #OVERLOAD_MAX_PAUSE_MS} ms, and half the idle timeout): the next round finds
 * about one and a half lines in each socket, a third fewer reads, so the loop gets out of
 * saturation (busy about two thirds of the time), where the lines it read kept getting older. A
 * pause as long as the round saved about as much CPU and let the file lag more (measured side by
 * side: docs/PERFORMANCE.md). Then the rule goes back to the 1-ms pause, and looks again. Reads
 * that bring many lines each (a flood) are not an overload: there a pause would cost throughput,
 * not save reads. Owned by the loop's thread.
 */
final class ReadBatchRule {
    /**
     * Values a second from which a pause pays: ten a millisecond or more. Below it a pause only
     * adds a wake-up (measured: at 4,000 values a second it cost 20 % more CPU; at 20,000 it
     * halved it).
     */
    private static final long BATCH_FROM_VALUES_PER_S = 10_000;
    private static final long RATE_WINDOW_MS = 100;
    /** How long full rounds must go on before the loop is deemed saturated (a GC pause or a stall is shorter). */
    static final long SATURATED_FOR_MS = 200;
    /**
     * How long an overload pause is kept before the 1-ms rule is tried again; the system property
     * {@code stampede.server.overloadMs} sets another, 0 for none (for measurements).
     */
    static final long OVERLOAD_MS = Long.getLong("stampede.server.overloadMs", 1_000);
    /** The longest overload pause (with 5,000 connections a saturated round takes about 50 ms, its pause 25). */
    static final long OVERLOAD_MAX_PAUSE_MS = 100;
    /** Reads that bring this many lines each on average are a flood, not an overload of small reads. */
    private static final long FLOOD_LINES_PER_READ = 4;

    private final long pauseMs;
    private final boolean adaptive;
    private final long maxOverloadPauseMs;
    /** Whether values arrive fast enough for a pause (see the constant). */
    private boolean busy;
    private long rateWindowEndMs;
    private long offeredAtWindowStart;
    /** Since when every round found most connections ready, with few lines a read; -1 if the last did not. */
    private long fullRoundsSinceMs = -1;
    private boolean overloaded;
    private long overloadUntilMs;
    private long overloadPauseMs;

    /**
     * @param pauseMs the {@code --read-batch} pause; 0 never pauses
     * @param adaptive pause only while busy and while most connections are not ready ({@code auto})
     * @param idleTimeoutMs the engine's idle timeout: an overload pause stays under half of it, so
     *     that no source is judged idle between two reads
     */
    ReadBatchRule(long pauseMs, boolean adaptive, long idleTimeoutMs) {
        this.pauseMs = pauseMs;
        this.adaptive = adaptive;
        this.maxOverloadPauseMs = Math.max(pauseMs, Math.min(OVERLOAD_MAX_PAUSE_MS, idleTimeoutMs / 2));
    }

    /** After a pass: the engine has been offered {@code offered} values since the start. */
    void observe(long nowMs, long offered) {
        if (nowMs >= rateWindowEndMs) {
            busy = (offered - offeredAtWindowStart) * 1000 >= BATCH_FROM_VALUES_PER_S * RATE_WINDOW_MS;
            offeredAtWindowStart = offered;
            rateWindowEndMs = nowMs + RATE_WINDOW_MS;
        }
    }

    /**
     * A round of polls ended at {@code nowMs}: it took {@code tookMs}, read {@code keys} sockets of
     * {@code open} connections and {@code lines} values. Decides whether the loop is in overload.
     *
     * @return whether an overload began with this round
     */
    boolean roundEnded(long nowMs, long tookMs, int keys, int open, long lines) {
        if (!adaptive || pauseMs == 0 || OVERLOAD_MS <= 0) {
            return false;
        }
        if (overloaded && nowMs >= overloadUntilMs) {
            overloaded = false;
            fullRoundsSinceMs = -1;
        }
        final boolean full = busy && open > 0 && keys >= open / 2 && lines < FLOOD_LINES_PER_READ * keys;
        if (!full) {
            fullRoundsSinceMs = -1;
        } else if (fullRoundsSinceMs < 0) {
            fullRoundsSinceMs = nowMs - tookMs;
        }
        final boolean begins = !overloaded && full && nowMs - fullRoundsSinceMs >= SATURATED_FOR_MS;
        if (begins) {
            overloaded = true;
            overloadUntilMs = nowMs + OVERLOAD_MS;
        }
        if (overloaded) {
            overloadPauseMs = Math.max(pauseMs, Math.min(maxOverloadPauseMs, tookMs / 2));
        }
        return begins;
    }

    /**
     * Whether the next round of polls should take a batch: {@code ready} sockets came in the last
     * round, of {@code open} connections. A pause lets more sockets become ready for the next poll;
     * when most already were it would only leave the loop idle, unless the loop is in overload.
     */
    boolean batching(int ready, int open) {
        return pauseMs > 0 && (!adaptive || busy && (overloaded || ready < open / 2));
    }

    /** The pause before a batching poll, in milliseconds. */
    long pauseMs() {
        return overloaded ? overloadPauseMs : pauseMs;
    }

    /** The pause before a batching poll. */
    long pauseNanos() {
        return TimeUnit.MILLISECONDS.toNanos(pauseMs());
    }
}
