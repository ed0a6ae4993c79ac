package dev.stampede.client;

/**
 * Where in each interval a connection sends: the {@code --phase} option. Immutable.
 */
public enum Phase {
    /**
     * Connection {@code i} of {@code n} sends at {@code i × interval / n}: the load is even over the
     * interval, one send every {@code interval / n}.
     */
    SPREAD,
    /**
     * Every connection sends at the same instant: the server receives each value many times and
     * must remove the duplicates (a test of its uniqueness), and the load comes in bursts.
     */
    ALIGNED
}
