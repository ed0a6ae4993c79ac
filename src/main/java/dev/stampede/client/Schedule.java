package dev.stampede.client;

/**
 * The fixed-rate send schedule of {@code n} connections, without drift: the {@code k}-th send of
 * connection {@code i} is due at {@code start + k × interval + phase(i)}, where {@code phase(i)}
 * is {@code i × interval / n} ({@link Phase#SPREAD}) or 0 ({@link Phase#ALIGNED}).
 *
 * <p>With several client loops each loop walks the schedule of its own connections only: loop
 * {@code j} of {@code L} owns connections {@code j, j + L, j + 2L, ...} of the {@code n}, and a
 * connection's phase is that of its index among all {@code n}, so every connection sends at exactly
 * the instants it would with one loop. {@link #connection()} is then the position among the loop's
 * own connections ({@code m} for connection {@code j + m × L}).
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
    /** Most sends one wake-up waits for ({@link #wakeAt}): bounds the look-ahead. */
    static final int MAX_COALESCED = 256;
    private final long startNs;
    private final long intervalNs;
    private final int connections;
    private final int total;
    private final int first;
    private final int stride;
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
        this(startNs, intervalNs, connections, 0, 1, phase, endNs);
    }

    /**
     * The schedule of one loop's share of the connections: those of index {@code first},
     * {@code first + stride}, {@code first + 2 × stride}, ... below {@code total}.
     *
     * @param total how many connections all loops have together (the spread phases' divisor)
     * @param first the loop's first connection ({@code 0 <= first < stride})
     * @param stride how many loops share the connections
     */
    public Schedule(long startNs, long intervalNs, int total, int first, int stride, Phase phase, long endNs) {
        if (intervalNs < 1 || total < 1 || stride < 1 || first < 0 || first >= Math.min(stride, total)) {
            throw new IllegalArgumentException("interval and connections must be positive, and each loop have one");
        }
        // The spread phase multiplies i by the interval: make sure that never overflows.
        Math.multiplyExact((long) total, intervalNs);
        this.startNs = startNs;
        this.intervalNs = intervalNs;
        this.total = total;
        this.first = first;
        this.stride = stride;
        this.connections = share(total, first, stride);
        this.phase = phase;
        this.endNs = endNs;
        this.due = dueOf(0, 0);
    }

    /** How many connections share the schedule (this loop's share). */
    public int connections() {
        return connections;
    }

    /** How many of {@code total} connections loop {@code first} of {@code stride} owns. */
    public static int share(int total, int first, int stride) {
        return (total - first + stride - 1) / stride;
    }

    /** The index among all connections of the loop's {@code m}-th connection. */
    public int globalIndex(int m) {
        return first + m * stride;
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

    /**
     * When to wake up for the send at the cursor so that the sends due soon after it go out on
     * the same wake-up: the due time of the last send in due-time order that is due at most
     * {@code windowNs} after the cursor's (looking at most {@value #MAX_COALESCED} sends ahead, and
     * never at or past the end). The cursor's send is then up to {@code windowNs} late, measured
     * against its own due time, which does not move: coalescing costs lateness, never drift.
     *
     * @param windowNs how much later than its due time a send may go out to share a wake-up; 0 for none
     */
    public long wakeAt(long windowNs) {
        final long limit = due + windowNs;
        long wake = due;
        long r = round;
        int c = connection;
        for (int n = 0; n < MAX_COALESCED; n++) {
            if (++c == connections) {
                c = 0;
                r++;
            }
            final long next = dueOf(r, c);
            if (next > limit || next >= endNs) {
                break;
            }
            wake = next;
        }
        return wake;
    }

    /** When the {@code k}-th send of connection {@code i} is due. */
    public long dueOf(long k, int i) {
        return startNs + k * intervalNs + phaseOf(i);
    }

    /** Offset within each interval of the loop's {@code i}-th connection. */
    public long phaseOf(int i) {
        return phase == Phase.SPREAD ? (first + (long) i * stride) * intervalNs / total : 0;
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
