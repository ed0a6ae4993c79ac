package dev.stampede.stats;

/**
 * A point-in-time copy of the server's counters, made by the event loop and safe to hand to any
 * thread. Formats the periodic stats line and the exit summary ({@code key=value} pairs that
 * scripts can read, listed in docs/USAGE.md; the counters are totals, so the last line seen is
 * always the truth).
 *
 * @param uptimeMs time since the server started
 * @param connectionsOpen connections open now
 * @param connectionsTotal connections accepted since start (refused ones included)
 * @param msgs valid values received
 * @param written values written to the output file (buffered or on disk)
 * @param dups values dropped as duplicates
 * @param late values that arrived below the watermark (in the late file)
 * @param invalid lines rejected with {@code ERR}
 * @param refused connections refused ({@code --max-connections})
 * @param pending values waiting for the watermark
 * @param watermarkLagMs server wall clock minus the watermark; -1 before the first value
 * @param writesFailing whether writes to the output are failing, so reading is paused
 * @param repliesDropped {@code ERR} replies dropped because a client did not read them
 * @param silentClosed connections closed for sending no valid value for {@code --silent-timeout}
 * @param evicted silent connections closed to make room for a new one when the server was full
 * @param publishLagMs how far publication to Kafka trails the file, in ms of watermark; -1 when
 *     not publishing (or nothing published yet)
 * @param writeFailures failed writes and fsyncs of the output and late files (each was retried)
 * @param rejectedByReason {@code ERR} rejections by reason, indexed by the ordinal of the protocol's
 *     reason code ({@code protocol.Reject}, which this package need not know): the lines counted in
 *     {@code invalid}, plus connections closed for too many errors, refused (server full), closed
 *     as silent or evicted. A copy made for this snapshot: read it, never change it
 * @param tlsFailures TLS connections that ended before their handshake completed: not TLS, a
 *     refused certificate, no certificate when one is required, a handshake timeout
 * @param repaired with {@code --repair-late}: late values merged into their window files
 * @param rewrites with {@code --repair-late}: window files rewritten to merge them
 */
public record ServerStats(
        long uptimeMs,
        int connectionsOpen,
        long connectionsTotal,
        long msgs,
        long written,
        long dups,
        long late,
        long invalid,
        long refused,
        long pending,
        long watermarkLagMs,
        boolean writesFailing,
        long repliesDropped,
        long silentClosed,
        long evicted,
        long publishLagMs,
        long writeFailures,
        long[] rejectedByReason,
        long tlsFailures,
        long repaired,
        long rewrites) {

    /** Without late repair. */
    public ServerStats(long uptimeMs, int connectionsOpen, long connectionsTotal, long msgs, long written, long dups,
            long late, long invalid, long refused, long pending, long watermarkLagMs, boolean writesFailing,
            long repliesDropped, long silentClosed, long evicted, long publishLagMs, long writeFailures,
            long[] rejectedByReason, long tlsFailures) {
        this(uptimeMs, connectionsOpen, connectionsTotal, msgs, written, dups, late, invalid, refused, pending,
                watermarkLagMs, writesFailing, repliesDropped, silentClosed, evicted, publishLagMs, writeFailures,
                rejectedByReason, tlsFailures, 0, 0);
    }

    /** This snapshot with the store's late-repair counters ({@code --repair-late}). */
    public ServerStats withRepair(long repairedValues, long windowRewrites) {
        return new ServerStats(uptimeMs, connectionsOpen, connectionsTotal, msgs, written, dups, late, invalid,
                refused, pending, watermarkLagMs, writesFailing, repliesDropped, silentClosed, evicted, publishLagMs,
                writeFailures, rejectedByReason, tlsFailures, repairedValues, windowRewrites);
    }

    private String repair() {
        return repaired > 0 || rewrites > 0 ? " repaired=" + repaired + " rewrites=" + rewrites : "";
    }

    /**
     * Rejections since start for the reason code with this ordinal ({@code Reject.ordinal()}); 0 for
     * a reason this snapshot holds no count of (the snapshot of {@link #zero()} holds none).
     */
    public long rejected(int reason) {
        return reason < rejectedByReason.length ? rejectedByReason[reason] : 0;
    }

    /** The periodic line: totals, plus the rate of valid values since {@code previous}. */
    public String reportLine(ServerStats previous) {
        final long dtMs = Math.max(1, uptimeMs - previous.uptimeMs);
        final long rate = (msgs - previous.msgs) * 1000 / dtMs;
        return "server: conns=" + connectionsOpen
                + " rate_per_s=" + rate
                + " msgs=" + msgs
                + " written=" + written
                + " dups=" + dups
                + " late=" + late
                + " invalid=" + invalid
                + " pending=" + pending
                + " wm_lag_ms=" + watermarkLagMs
                + repair()
                + (refused > 0 ? " refused=" + refused : "")
                + (silentClosed > 0 ? " silent_closed=" + silentClosed : "")
                + (evicted > 0 ? " evicted=" + evicted : "")
                + (tlsFailures > 0 ? " tls_failures=" + tlsFailures : "")
                + (publishLagMs >= 0 ? " kafka_lag_ms=" + publishLagMs : "")
                + (writesFailing ? " writes=failing reading=paused" : "");
    }

    /** The exit summary. */
    public String summaryLine() {
        return "server: stopped"
                + " conns_total=" + connectionsTotal
                + " msgs=" + msgs
                + " written=" + written
                + " dups=" + dups
                + " late=" + late
                + " invalid=" + invalid
                + " refused=" + refused
                + " replies_dropped=" + repliesDropped
                + " silent_closed=" + silentClosed
                + " evicted=" + evicted
                + " tls_failures=" + tlsFailures
                + repair()
                + (publishLagMs >= 0 ? " kafka_lag_ms=" + publishLagMs : "")
                + " uptime_s=" + uptimeMs / 1000;
    }

    /**
     * The stats of a server with several event loops: the loops' counters summed, with the figures
     * the merge of their outputs decides given here.
     *
     * @param loops each loop's own counters (their written, late and lag figures are not used)
     * @param written values the merge wrote
     * @param mergeDups duplicates the merge dropped (the same value from two loops), added to the loops'
     * @param late values late for the merged stream
     * @param mergePending values waiting in the merge, added to the loops'
     */
    public static ServerStats combine(ServerStats[] loops, long uptimeMs, long written, long mergeDups, long late,
            long mergePending, long watermarkLagMs, boolean writesFailing, long publishLagMs, long writeFailures) {
        int open = 0;
        long total = 0;
        long msgs = 0;
        long dups = mergeDups;
        long invalid = 0;
        long refused = 0;
        long pending = mergePending;
        long repliesDropped = 0;
        long silentClosed = 0;
        long evicted = 0;
        long tlsFailures = 0;
        int reasons = 0;
        for (ServerStats s : loops) {
            reasons = Math.max(reasons, s.rejectedByReason.length);
        }
        final long[] rejects = new long[reasons];
        for (ServerStats s : loops) {
            open += s.connectionsOpen;
            total += s.connectionsTotal;
            msgs += s.msgs;
            dups += s.dups;
            invalid += s.invalid;
            refused += s.refused;
            pending += s.pending;
            repliesDropped += s.repliesDropped;
            silentClosed += s.silentClosed;
            evicted += s.evicted;
            tlsFailures += s.tlsFailures;
            for (int i = 0; i < s.rejectedByReason.length; i++) {
                rejects[i] += s.rejectedByReason[i];
            }
        }
        return new ServerStats(uptimeMs, open, total, msgs, written, dups, late, invalid, refused, pending,
                watermarkLagMs, writesFailing, repliesDropped, silentClosed, evicted, publishLagMs, writeFailures,
                rejects, tlsFailures);
    }

    /** All zeros, as before the start (no rejection counted for any reason). */
    public static ServerStats zero() {
        return new ServerStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, false, 0, 0, 0, -1, 0, new long[0], 0);
    }
}
