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

    /** Settings named one by one; see {@link Builder} for the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to change some of them. */
    public Builder toBuilder() {
        return new Builder().idleTimeoutMs(idleTimeoutMs).maxDelayMs(maxDelayMs).maxAheadMs(maxAheadMs)
                .holdLagMs(holdLagMs).keepDuplicates(keepDuplicates).historyMs(historyMs);
    }

    /** Unique values; no hold beyond the max delay; a minute ahead; 2^19 ms (~8.7 min) history. */
    public static EngineConfig of(long idleTimeoutMs, long maxDelayMs) {
        return builder().idleTimeoutMs(idleTimeoutMs).maxDelayMs(maxDelayMs).maxAheadMs(60_000).historyMs(1L << 19)
                .build();
    }

    /** The server's defaults: idle 500 ms, max delay 5 s, 5 min ahead, 18 s hold, unique. */
    public static EngineConfig defaults() {
        return builder().holdLagMs(18_000).build();
    }

    /**
     * Builds an {@link EngineConfig} from named settings. Defaults: idle timeout 500 ms, max delay
     * 5 s, 5 min ahead, a hold lag equal to the max delay (no hold beyond it), unique values,
     * 2^20 ms (~17 min) of duplicate history. {@link #build()} validates.
     */
    public static final class Builder {
        private long idleTimeoutMs = 500;
        private long maxDelayMs = 5_000;
        private long maxAheadMs = 300_000;
        /** Unset (-1): the max delay. */
        private long holdLagMs = -1;
        private boolean keepDuplicates;
        private long historyMs = 1L << 20;

        private Builder() {}

        /** A source silent this long stops holding the watermark back. */
        public Builder idleTimeoutMs(long v) {
            idleTimeoutMs = v;
            return this;
        }

        /** The watermark never lags the clock by more than this (outside a hold). */
        public Builder maxDelayMs(long v) {
            maxDelayMs = v;
            return this;
        }

        /** How far ahead of the clock a value may be. */
        public Builder maxAheadMs(long v) {
            maxAheadMs = v;
            return this;
        }

        /** How far below the clock a hold may keep the watermark; at least the max delay. */
        public Builder holdLagMs(long v) {
            holdLagMs = v;
            return this;
        }

        /** Keep repeated values instead of dropping them. */
        public Builder keepDuplicates(boolean v) {
            keepDuplicates = v;
            return this;
        }

        /** How far below the watermark a value can still be recognised as a duplicate. */
        public Builder historyMs(long v) {
            historyMs = v;
            return this;
        }

        /** The settings, validated. */
        public EngineConfig build() {
            return new EngineConfig(idleTimeoutMs, maxDelayMs, maxAheadMs, holdLagMs < 0 ? maxDelayMs : holdLagMs,
                    keepDuplicates, historyMs);
        }
    }
}
