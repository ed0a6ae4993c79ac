package dev.stampede.stats;

/**
 * A point-in-time copy of the client's counters, made by its event loop and safe to hand to any
 * thread. Formats the live status line and the exit summary ({@code key=value} pairs
 * that scripts can read). Counters are totals since the start, so the last line is the truth.
 *
 * <p>Every scheduled tick is either sent or missed, for one of three reasons: it was overdue by a
 * whole interval (the process was paused or the loop fell behind), its connection was down, or its
 * socket was full with the small backlog used up.
 *
 * @param uptimeMs time since the client started
 * @param runMs time since the schedule started (0 during the connect phase)
 * @param connectMs how long the connect phase took (-1 while it lasts)
 * @param connected connections up now
 * @param target connections asked for
 * @param sent timestamps written in full, each once (replays not included)
 * @param missedLate ticks skipped because they were overdue by an interval or more
 * @param missedDown ticks of a connection that was down
 * @param missedFull ticks of a connection whose socket and backlog were full
 * @param replayed timestamps sent again after a reconnect
 * @param replayDropped timestamps that were waiting to be replayed but made room for new ones
 * @param reconnects connections established again after a failure
 * @param failovers connections moved to another server because theirs kept failing (several
 *     {@code --host}s only)
 * @param failures connects refused or failed, and connections lost
 * @param errors lines the server sent ({@code ERR ...}, or anything else)
 * @param window schedule lateness over the last stats interval
 * @param total schedule lateness since the start
 * @param acks acknowledged delivery: what the servers acknowledged, what waits, what was lost
 */
public record ClientStats(
        long uptimeMs,
        long runMs,
        long connectMs,
        int connected,
        int target,
        long sent,
        long missedLate,
        long missedDown,
        long missedFull,
        long replayed,
        long replayDropped,
        long reconnects,
        long failovers,
        long failures,
        long errors,
        Lateness window,
        Lateness total,
        Acks acks) {

    /** Figures without acknowledgements ({@link Acks#NONE}). */
    public ClientStats(long uptimeMs, long runMs, long connectMs, int connected, int target, long sent,
            long missedLate, long missedDown, long missedFull, long replayed, long replayDropped, long reconnects,
            long failovers, long failures, long errors, Lateness window, Lateness total) {
        this(uptimeMs, runMs, connectMs, connected, target, sent, missedLate, missedDown, missedFull, replayed,
                replayDropped, reconnects, failovers, failures, errors, window, total, Acks.NONE);
    }

    /**
     * Acknowledged delivery's figures.
     *
     * @param acked values the servers acknowledged (each once)
     * @param unacked values sent and not acknowledged now (on connections whose servers acknowledge)
     * @param droppedUnacked values dropped before they were acknowledged: past {@code --unacked}
     * @param ackTimeouts connections given up because a server known to acknowledge went silent
     * @param p50Ms median time from a value's send to its acknowledgement, since the start
     * @param p99Ms its 99th percentile
     */
    public record Acks(long acked, long unacked, long droppedUnacked, long ackTimeouts, long p50Ms, long p99Ms) {
        /** Nothing acknowledged. */
        public static final Acks NONE = new Acks(0, 0, 0, 0, 0, 0);

        /** These counters plus {@code o}'s; the latencies are {@code o}'s if it has any, else these. */
        public Acks plus(Acks o) {
            final boolean theirs = o.p50Ms != 0 || o.p99Ms != 0;
            return new Acks(acked + o.acked, unacked + o.unacked, droppedUnacked + o.droppedUnacked,
                    ackTimeouts + o.ackTimeouts, theirs ? o.p50Ms : p50Ms, theirs ? o.p99Ms : p99Ms);
        }

        /** These counters with the latencies given. */
        public Acks withLatency(long p50, long p99) {
            return new Acks(acked, unacked, droppedUnacked, ackTimeouts, p50, p99);
        }
    }

    /** These figures with {@code a} as the acknowledgements'. */
    public ClientStats withAcks(Acks a) {
        return new ClientStats(uptimeMs, runMs, connectMs, connected, target, sent, missedLate, missedDown,
                missedFull, replayed, replayDropped, reconnects, failovers, failures, errors, window, total, a);
    }

    /**
     * Schedule lateness (send time minus due time) percentiles, in microseconds.
     *
     * @param count sends measured
     */
    public record Lateness(long count, long p50Us, long p99Us, long maxUs) {
        /** No sends measured. */
        public static final Lateness NONE = new Lateness(0, 0, 0, 0);
    }

    /** All missed ticks. */
    public long missed() {
        return missedLate + missedDown + missedFull;
    }

    /**
     * The live status line: totals, the send rate since {@code previous}, and the lateness of the
     * last interval. Its lateness key differs from the summary's on purpose: a script reading the
     * last {@code late_p99_us=} gets the run's figure, never one interval's.
     *
     * <p>Built with an explicit {@link StringBuilder}: the client's event loop formats it, and the
     * first {@code +} concatenation of a new shape makes the JVM generate code (milliseconds in
     * which no timestamp is sent).
     */
    public String reportLine(ClientStats previous) {
        final long dtMs = Math.max(1, uptimeMs - previous.uptimeMs);
        final StringBuilder b = new StringBuilder(160).append("client:");
        pair(b, "up", connected);
        pair(b, "target", target);
        pair(b, "rate_per_s", (sent - previous.sent) * 1000 / dtMs);
        pair(b, "sent", sent);
        pair(b, "missed", missed());
        pair(b, "late_us_p50", window.p50Us());
        pair(b, "late_us_p99", window.p99Us());
        pair(b, "late_us_max", window.maxUs());
        pair(b, "reconnects", reconnects);
        pair(b, "failovers", failovers);
        pair(b, "errors", errors);
        if (failures > 0) {
            pair(b, "failures", failures);
        }
        if (replayed > 0) {
            pair(b, "replayed", replayed);
        }
        if (acks.acked > 0 || acks.unacked > 0) {
            pair(b, "acked", acks.acked);
            pair(b, "unacked", acks.unacked);
        }
        if (acks.droppedUnacked > 0) {
            pair(b, "dropped_unacked", acks.droppedUnacked);
        }
        if (acks.ackTimeouts > 0) {
            pair(b, "ack_timeouts", acks.ackTimeouts);
        }
        return b.toString();
    }

    /** The exit summary. */
    public String summaryLine() {
        final StringBuilder b = new StringBuilder(400).append("client: stopped");
        pair(b, "connected", connected);
        pair(b, "target", target);
        pair(b, "sent", sent);
        pair(b, "missed", missed());
        pair(b, "late_p50_us", total.p50Us());
        pair(b, "late_p99_us", total.p99Us());
        pair(b, "late_max_us", total.maxUs());
        pair(b, "reconnects", reconnects);
        pair(b, "failovers", failovers);
        pair(b, "errors", errors);
        pair(b, "replayed", replayed);
        pair(b, "rate_per_s", runMs > 0 ? sent * 1000 / runMs : 0);
        pair(b, "missed_late", missedLate);
        pair(b, "missed_down", missedDown);
        pair(b, "missed_full", missedFull);
        pair(b, "failures", failures);
        pair(b, "replay_dropped", replayDropped);
        pair(b, "acked", acks.acked);
        pair(b, "unacked", acks.unacked);
        pair(b, "dropped_unacked", acks.droppedUnacked);
        pair(b, "ack_timeouts", acks.ackTimeouts);
        pair(b, "ack_p50_ms", acks.p50Ms);
        pair(b, "ack_p99_ms", acks.p99Ms);
        pair(b, "connect_ms", connectMs);
        pair(b, "run_ms", runMs);
        return b.toString();
    }

    private static void pair(StringBuilder b, String key, long value) {
        b.append(' ').append(key).append('=').append(value);
    }

    /** All zeros, as before the start. */
    public static ClientStats zero(int target) {
        return new ClientStats(0, 0, -1, 0, target, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Lateness.NONE, Lateness.NONE);
    }
}
