package dev.stampede.server;

import java.util.concurrent.TimeUnit;

/**
 * When {@code --read-batch} pauses before a poll. A fixed pause ({@code --read-batch 100ms}) is
 * taken after every round of polls that found something ({@link PollRound}), whatever share of
 * the connections was ready: the C reference's {@code --batch-ms}, the one lever that trades
 * freshness of the file for CPU (docs/PERFORMANCE.md). The default ({@code auto}, 1 ms) pauses
 * only while values arrive fast enough for a pause to have reads to share (the rate is judged over
 * short windows), and only while most connections are not ready already (a saturated server,
 * where every connection has a backlog, would only sit idle). Owned by the loop's thread.
 */
final class ReadBatchRule {
    /**
     * Values a second from which a pause pays: ten a millisecond or more. Below it a pause only
     * adds a wake-up (measured: at 4,000 values a second it cost 20 % more CPU; at 20,000 it
     * halved it).
     */
    private static final long BATCH_FROM_VALUES_PER_S = 10_000;
    private static final long RATE_WINDOW_MS = 100;

    private final long pauseMs;
    private final boolean adaptive;
    /** Whether values arrive fast enough for a pause (see the constant). */
    private boolean busy;
    private long rateWindowEndMs;
    private long offeredAtWindowStart;

    /**
     * @param pauseMs the {@code --read-batch} pause; 0 never pauses
     * @param adaptive pause only while busy and while most connections are not ready ({@code auto})
     */
    ReadBatchRule(long pauseMs, boolean adaptive) {
        this.pauseMs = pauseMs;
        this.adaptive = adaptive;
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
     * Whether the next round of polls should take a batch: {@code ready} sockets came in the last
     * round, of {@code open} connections. A pause lets more sockets become ready for the next poll;
     * when most already were it would only leave the loop idle.
     */
    boolean batching(int ready, int open) {
        return pauseMs > 0 && (!adaptive || busy && ready < open / 2);
    }

    /** The pause before a batching poll, in milliseconds. */
    long pauseMs() {
        return pauseMs;
    }

    /** The pause before a batching poll. */
    long pauseNanos() {
        return TimeUnit.MILLISECONDS.toNanos(pauseMs);
    }
}
