package dev.stampede.client;

import org.HdrHistogram.Histogram;

/**
 * Schedule lateness (send time minus due time), in microseconds, of one loop's current stats
 * window, in an HdrHistogram with a fixed range (no auto-resize: recording never allocates); a
 * value beyond it is recorded as the maximum. At the end of each window the loop hands it to its
 * {@link ClientLoops}, which merges the loops' windows and keeps the total since the start.
 *
 * <p>Not thread-safe: recorded on the client's event loop, and read there.
 */
final class LatenessRecorder {
    /**
     * 1% precision is plenty for lateness, and keeps the count arrays small (~1,800 slots instead
     * of ~11,000 at 3 digits): reading percentiles walks them on a loop thread every second, and
     * before the JIT has compiled that walk a long array stalls the sends for milliseconds.
     */
    static final int SIGNIFICANT_DIGITS = 2;

    private final Histogram window;
    private final long highestUs;

    /** The range of a client's lateness histograms: twice its interval, at least a second, in microseconds. */
    static long highestUs(ClientConfig config) {
        return Math.max(1_000_000, 2 * config.intervalMs() * 1_000);
    }

    /** @param highestUs the largest lateness told apart; above it values count as this */
    LatenessRecorder(long highestUs) {
        this.highestUs = Math.max(1_000, highestUs);
        this.window = new Histogram(this.highestUs, SIGNIFICANT_DIGITS);
    }

    /** Records one send that was {@code lateNs} after its due time. */
    void record(long lateNs) {
        window.recordValue(Math.min(highestUs, Math.max(0, lateNs / 1_000)));
    }

    /** The current window (read it, then {@link #reset}). */
    Histogram window() {
        return window;
    }

    /** Starts a new window. */
    void reset() {
        window.reset();
    }
}
