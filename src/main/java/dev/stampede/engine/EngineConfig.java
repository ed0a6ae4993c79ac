package dev.stampede.engine;

/**
 * Settings of an {@link OrderingEngine}. All times are in milliseconds.
 *
 * @param idleTimeoutMs a source silent this long stops holding the watermark back
 * @param maxDelayMs the watermark never lags the clock by more than this (outside a hold)
 * @param maxAheadMs how far ahead of the clock a value may be: it is held until the clock reaches
 *     it; a value further ahead is refused ({@link OrderingEngine#AHEAD}). The pending window is
 *     sized for it, so it costs memory: 4 bytes a millisecond
 * @param holdLagMs how far below the clock a hold ({@link OrderingEngine#holdUntil}, a startup
 *     grace) may keep the watermark; at least {@code maxDelayMs}
 * @param keepDuplicates keep repeated values (non-decreasing output) instead of dropping them
 * @param historyMs how far below the watermark a value can still be recognised as a duplicate of
 *     a written one (rounded up to a power of two; values older than that are reported late)
 */
public record EngineConfig(long idleTimeoutMs, long maxDelayMs, long maxAheadMs, long holdLagMs,
        boolean keepDuplicates, long historyMs) {
    /** Longest max delay, or hold lag. */
    public static final long MAX_MAX_DELAY_MS = 1L << 24;
    /** Furthest a value may be ahead of the clock: the pending window's memory grows with it. */
    public static final long MAX_AHEAD_MS = 10 * 60_000;
    /** Longest duplicate history: one bit per millisecond. */
    public static final long MAX_HISTORY_MS = 1L << 27;

    /** Validates the ranges. */
    public EngineConfig {
        if (idleTimeoutMs < 1) {
            throw new IllegalArgumentException("idle timeout must be at least 1 ms");
        }
        if (maxDelayMs < 1 || maxDelayMs > MAX_MAX_DELAY_MS) {
            throw new IllegalArgumentException("max delay must be 1 ms to " + MAX_MAX_DELAY_MS + " ms");
        }
        if (maxAheadMs < 0 || maxAheadMs > MAX_AHEAD_MS) {
            throw new IllegalArgumentException("max ahead must be 0 to " + MAX_AHEAD_MS + " ms");
        }
        if (holdLagMs < maxDelayMs || holdLagMs > MAX_MAX_DELAY_MS) {
            throw new IllegalArgumentException("hold lag must be max delay to " + MAX_MAX_DELAY_MS + " ms");
        }
        if (historyMs < 1 || historyMs > MAX_HISTORY_MS) {
            throw new IllegalArgumentException("history must be 1 ms to " + MAX_HISTORY_MS + " ms");
        }
    }

    /** Unique values; no hold beyond the max delay; a minute ahead; 2^19 ms (~8.7 min) history. */
    public static EngineConfig of(long idleTimeoutMs, long maxDelayMs) {
        return new EngineConfig(idleTimeoutMs, maxDelayMs, 60_000, maxDelayMs, false, 1L << 19);
    }

    /** The server's defaults: idle 500 ms, max delay 5 s, 5 min ahead, 18 s hold, unique. */
    public static EngineConfig defaults() {
        return new EngineConfig(500, 5_000, 300_000, 18_000, false, 1L << 20);
    }

    /** The same settings with duplicates kept (or not). */
    public EngineConfig withKeepDuplicates(boolean keep) {
        return new EngineConfig(idleTimeoutMs, maxDelayMs, maxAheadMs, holdLagMs, keep, historyMs);
    }
}
