package dev.stampede.engine;

/**
 * Settings of an {@link OrderingEngine}. All times are in milliseconds.
 *
 * @param idleTimeoutMs a source silent this long stops holding the watermark back
 * @param maxDelayMs the watermark never lags the newest value by more than this
 * @param keepDuplicates keep repeated values (non-decreasing output) instead of dropping them
 * @param historyMs how far below the watermark a value can still be recognised as a duplicate of
 *     a written one (rounded up to a power of two; values older than that are reported late)
 */
public record EngineConfig(long idleTimeoutMs, long maxDelayMs, boolean keepDuplicates, long historyMs) {
    /** Longest max delay: the pending window is a ring of one counter per millisecond. */
    public static final long MAX_MAX_DELAY_MS = 1L << 24;
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
        if (historyMs < 1 || historyMs > MAX_HISTORY_MS) {
            throw new IllegalArgumentException("history must be 1 ms to " + MAX_HISTORY_MS + " ms");
        }
    }

    /** The defaults of SPEC 4: idle 500 ms, max delay 5 s, unique, 2^19 ms (~8.7 min) history. */
    public static EngineConfig defaults() {
        return new EngineConfig(500, 5_000, false, 1L << 19);
    }
}
