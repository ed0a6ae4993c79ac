package dev.stampede.client;

import org.HdrHistogram.AtomicHistogram;

/**
 * How long values wait to be acknowledged: per acknowledgement that forgets values, now minus the
 * send time of the newest value it acknowledged (values are send times in ms), since the start, in
 * milliseconds. Recording never allocates (a fixed range; a longer wait counts as the range's
 * top, an hour).
 *
 * <p>Thread-safe: the client's loops record into one histogram (lock-free), the stats read it.
 */
final class AckLatency {
    static final long HIGHEST_MS = 3_600_000;

    private final AtomicHistogram histogram = new AtomicHistogram(HIGHEST_MS, 2);

    /** Records one acknowledgement of a value sent at {@code sentMs}, received at {@code nowMs}. */
    void record(long nowMs, long sentMs) {
        histogram.recordValue(Math.min(HIGHEST_MS, Math.max(0, nowMs - sentMs)));
    }

    /** Acknowledgements recorded. */
    long count() {
        return histogram.getTotalCount();
    }

    /** The median wait in ms (0 before any). */
    long p50Ms() {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(50);
    }

    /** The 99th percentile in ms (0 before any). */
    long p99Ms() {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(99);
    }
}
