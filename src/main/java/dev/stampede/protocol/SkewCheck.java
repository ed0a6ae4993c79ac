package dev.stampede.protocol;

/**
 * Rejects timestamps too far from the server clock, and says what unit they look like.
 *
 * <p>A client that sends seconds, microseconds or nanoseconds instead of milliseconds is the most
 * common mistake with a protocol of bare numbers; naming the unit in the reply turns a puzzling
 * "too far" into a fix. Stateless and allocation-free.
 */
public final class SkewCheck {
    private static final long YEAR_MS = 365L * 24 * 3600 * 1000;

    private final long maxSkewMs;

    /** @param maxSkewMs largest accepted distance from the server clock; 0 disables the check */
    public SkewCheck(long maxSkewMs) {
        if (maxSkewMs < 0) {
            throw new IllegalArgumentException("maxSkewMs must be >= 0: " + maxSkewMs);
        }
        this.maxSkewMs = maxSkewMs;
    }

    /** The largest accepted distance from the server clock in ms, 0 when disabled. */
    public long maxSkewMs() {
        return maxSkewMs;
    }

    /** {@code null} if {@code value} is acceptable at server time {@code nowMs}, else the reason. */
    public Reject check(long value, long nowMs) {
        if (maxSkewMs == 0 || Math.abs(value - nowMs) <= maxSkewMs) {
            return null;
        }
        // Within a year of "now" once read in another unit: name that unit.
        if (Math.abs(value - nowMs / 1000) <= YEAR_MS / 1000) {
            return Reject.SKEW_SECONDS;
        }
        if (Math.abs(value / 1000 - nowMs) <= YEAR_MS) {
            return Reject.SKEW_MICROS;
        }
        if (Math.abs(value / 1_000_000 - nowMs) <= YEAR_MS) {
            return Reject.SKEW_NANOS;
        }
        return Reject.SKEW;
    }
}
