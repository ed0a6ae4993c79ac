package dev.stampede.client;

import java.util.SplittableRandom;

/**
 * How long a connection waits before it tries again after failures in a row: exponential, with
 * "equal jitter" (a random delay in {@code [cap/2, cap]}, the cap doubling from {@code 2 × min}
 * up to {@code max}).
 *
 * <p>The jitter matters: when a server restarts, thousands of connections fail at the same
 * instant, and without it they would all come back in the same instant too, again and again.
 * With the defaults every delay lies in [100 ms, 5 s].
 *
 * <p>Not thread-safe (its random generator): owned by the client's event loop.
 */
public final class Backoff {
    /** Shortest wait: the first retry. */
    public static final long MIN_NS = 100_000_000L;
    /** Longest wait. */
    public static final long MAX_NS = 5_000_000_000L;
    /** A connection up this long was healthy: its next failure starts the back-off afresh. */
    public static final long HEALTHY_NS = 1_000_000_000L;

    private final long minNs;
    private final long maxNs;
    private final SplittableRandom random;

    /** The defaults ({@value #MIN_NS} ns to {@value #MAX_NS} ns). */
    public Backoff(long seed) {
        this(MIN_NS, MAX_NS, seed);
    }

    /**
     * @param minNs the shortest delay (the first retry waits between this and twice this)
     * @param maxNs the longest delay
     * @param seed for the jitter
     */
    public Backoff(long minNs, long maxNs, long seed) {
        if (minNs < 1 || maxNs < minNs) {
            throw new IllegalArgumentException("need 0 < min <= max");
        }
        this.minNs = minNs;
        this.maxNs = maxNs;
        this.random = new SplittableRandom(seed);
    }

    /** The upper bound of the delay after {@code failures} (from 1) failures in a row. */
    public long capNs(int failures) {
        long cap = Math.min(2 * minNs, maxNs);
        for (int f = 1; f < failures && cap < maxNs; f++) {
            cap = Math.min(cap * 2, maxNs);
        }
        return cap;
    }

    /** A random delay before the next attempt, after {@code failures} (from 1) failures in a row. */
    public long delayNs(int failures) {
        final long cap = capNs(failures);
        final long floor = Math.max(minNs, cap / 2);
        return floor + random.nextLong(cap - floor + 1);
    }
}
