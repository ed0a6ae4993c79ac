package dev.stampede.client;

/**
 * The fixed-rate send schedule of {@code n} connections, without drift: the {@code k}-th send of
 * connection {@code i} is due at {@code start + k × interval + phase(i)}, where {@code phase(i)}
 * is {@code i × interval / n} ({@link Phase#SPREAD}) or 0 ({@link Phase#ALIGNED}).
 *
 * <p>Every due time is computed from {@code k}, never accumulated from the previous one, so rounding
 * never adds up however long the client runs. Phases ascend with {@code i} and stay below one
 * interval, so the sends in due-time order are a plain round robin: {@code (k, 0), (k, 1), ...,
 * (k, n-1), (k+1, 0), ...}. A cursor walks it in O(1) per send, with no heap and no per-connection
 * timer.
 *
 * <p>Pure: no clock and no I/O, time is passed in (monotonic nanoseconds), so tests drive it with
 * any time they like. Not thread-safe: owned by the client's event loop.
 */
public final class Schedule {
    private final long startNs;
    private final long intervalNs;
    private final int connections;
    private final Phase phase;
    private final long endNs;
    private long round;
    private int connection;
    private long due;

    /**
     * @param startNs when connection 0 is first due (monotonic nanoseconds)
     * @param intervalNs time between two sends of one connection
     * @param connections how many connections share the schedule
     * @param endNs no send is due at or after this; {@link Long#MAX_VALUE} for none
     */
    public Schedule(long startNs, long intervalNs, int connections, Phase phase, long endNs) {
        if (intervalNs < 1 || connections < 1) {
            throw new IllegalArgumentException("interval and connections must be positive");
        }
        // The spread phase multiplies i by the interval: make sure that never overflows.
        Math.multiplyExact((long) connections, intervalNs);
        this.startNs = startNs;
        this.intervalNs = intervalNs;
        this.connections = connections;
        this.phase = phase;
        this.endNs = endNs;
        this.due = dueOf(0, 0);
    }

    /** How many connections share the schedule. */
    public int connections() {
        return connections;
    }

    /** When the send at the cursor is due. */
    public long due() {
        return due;
    }

    /** The connection whose send is at the cursor. */
    public int connection() {
        return connection;
    }

    /** Whether the cursor has reached the end: no send is due any more. */
    public boolean finished() {
        return due >= endNs;
    }

    /** Moves the cursor to the next send in due-time order. */
    public void advance() {
        if (++connection == connections) {
            connection = 0;
            round++;
        }
        due = dueOf(round, connection);
    }

    /** When the {@code k}-th send of connection {@code i} is due. */
    public long dueOf(long k, int i) {
        return startNs + k * intervalNs + phaseOf(i);
    }

    /** Offset of connection {@code i} within each interval. */
    public long phaseOf(int i) {
        return phase == Phase.SPREAD ? i * intervalNs / connections : 0;
    }

    /**
     * Skips every send that is overdue by one interval or more at {@code nowNs} (the process was
     * paused, or the loop fell behind), so that each connection sends once, its latest due tick, and
     * never a burst of the ones it missed.
     *
     * <p>Whole rounds are skipped at once, so a long pause costs O(1) plus at most one round of
     * single skips, not one step per missed tick. Sends at or after the end are not counted.
     *
     * @return how many sends were skipped (missed ticks)
     */
    public long skipOverdue(long nowNs) {
        long missed = 0;
        final long lag = nowNs - due;
        if (lag >= 2 * intervalNs) {
            long rounds = lag / intervalNs - 1;
            if (endNs != Long.MAX_VALUE) {
                // Never skip past the end: the ticks there were never due.
                rounds = Math.min(rounds, Math.max(0, (endNs - due - 1) / intervalNs));
            }
            round += rounds;
            due = dueOf(round, connection);
            missed += rounds * connections;
        }
        while (due < endNs && nowNs - due >= intervalNs) {
            missed++;
            advance();
        }
        return missed;
    }
}
