package dev.stampede.client;

import dev.stampede.stats.ClientStats.Lateness;
import org.HdrHistogram.Histogram;

/**
 * Schedule lateness (send time minus due time), in microseconds, in two HdrHistograms: one for the
 * current stats interval, one since the start. Both have a fixed range (no auto-resize: recording
 * never allocates); a value beyond it is recorded as the maximum.
 *
 * <p>Not thread-safe: recorded and read on the client's event loop, which copies the figures into
 * {@link dev.stampede.stats.ClientStats} snapshots for other threads.
 */
final class LatenessRecorder {
    /**
     * 1% precision is plenty for lateness, and keeps the count arrays small (~1,800 slots instead
     * of ~11,000 at 3 digits): reading percentiles walks them on the loop thread every second, and
     * before the JIT has compiled that walk a long array stalls the sends for milliseconds.
     */
    static final int SIGNIFICANT_DIGITS = 2;

    private final Histogram window;
    private final Histogram total;
    private final long highestUs;

    /** The range of a client's lateness histograms: twice its interval, at least a second, in microseconds. */
    static long highestUs(ClientConfig config) {
        return Math.max(1_000_000, 2 * config.intervalMs() * 1_000);
    }

    /** @param highestUs the largest lateness told apart; above it values count as this */
    LatenessRecorder(long highestUs) {
        this.highestUs = Math.max(1_000, highestUs);
        this.window = new Histogram(this.highestUs, SIGNIFICANT_DIGITS);
        this.total = new Histogram(this.highestUs, SIGNIFICANT_DIGITS);
    }

    /** Records one send that was {@code lateNs} after its due time. */
    void record(long lateNs) {
        final long us = Math.min(highestUs, Math.max(0, lateNs / 1_000));
        window.recordValue(us);
        total.recordValue(us);
    }

    /** The current window's figures; starts a new window. */
    Lateness takeWindow() {
        return takeWindow(null, 0, 0);
    }

    /**
     * The current window's figures; hands the window to {@code hlog} (if not {@code null}) as the
     * interval {@code startMs} to {@code endMs} (epoch ms); starts a new window.
     */
    Lateness takeWindow(HistogramLog hlog, long startMs, long endMs) {
        final Lateness l = summarize(window);
        if (hlog != null) {
            hlog.offer(window, startMs, endMs);
        }
        window.reset();
        return l;
    }


    /** The figures since the start. */
    Lateness total() {
        return summarize(total);
    }

    private static Lateness summarize(Histogram h) {
        final long n = h.getTotalCount();
        if (n == 0) {
            return Lateness.NONE;
        }
        return new Lateness(n, h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getMaxValue());
    }
}
