package dev.stampede.client;

import dev.stampede.runtime.Cadence;
import dev.stampede.runtime.StatsCadence;
import dev.stampede.stats.ClientStats;
import dev.stampede.stats.ClientStats.Lateness;

/**
 * One client loop's figures: its {@link ClientCounters} and lateness window, published as a
 * {@link ClientStats} snapshot every {@value StatsCadence#SNAPSHOT_MS} ms (for {@code stats()} and
 * the metrics), and handed to the {@link ClientLoops} at the end of every stats window (aligned
 * across loops), which merges them into the one status line.
 *
 * <p>Owned by the loop's thread; {@link #latest()} may be read by any thread.
 */
final class LoopStats {
    private static final long MS = 1_000_000L;

    private final int index;
    private final ClientLoops group;
    private final ClientCounters counters;
    private final LatenessRecorder lateness;
    private final ClientConnection[] connections;
    private final long startNs;

    private Cadence snapshots;
    private long nextWindowNs;
    private long scheduleStartNs = -1;
    private long connectMs = -1;
    private volatile ClientStats published;

    /** @param connections the connections the loop owns (their unacknowledged values are counted) */
    LoopStats(int index, ClientLoops group, ClientCounters counters, LatenessRecorder lateness,
            ClientConnection[] connections, long startNs) {
        this.index = index;
        this.group = group;
        this.counters = counters;
        this.lateness = lateness;
        this.connections = connections;
        this.startNs = startNs;
        this.published = ClientStats.zero(connections.length);
    }

    /** Snapshots and windows start counting from {@code nowNs} (the connect phase's start). */
    void begin(long nowNs) {
        snapshots = new Cadence(StatsCadence.SNAPSHOT_MS, nowNs / MS);
        nextWindowNs = group.nextWindowNs(nowNs);
    }

    /** The connect phase took {@code ms}. */
    void connectMs(long ms) {
        connectMs = ms;
    }

    /** The connect phase's length so far, or -1 until it ended. */
    long connectMs() {
        return connectMs;
    }

    /** The schedule started at {@code nowNs} (monotonic): the run's time counts from it. */
    void scheduleStarted(long nowNs) {
        scheduleStartNs = nowNs;
    }

    /** Closes the stats window if it is over, and publishes a snapshot if one is due. */
    void tick(long nowNs) {
        if (nowNs - nextWindowNs >= 0) {
            // Every loop's windows end at the same instants: the group merges them into one line.
            group.contribute(index, lateness.window(), snapshot(nowNs, counters.connected), nowNs);
            lateness.reset();
            nextWindowNs = group.nextWindowNs(nowNs);
        }
        if (snapshots.due(nowNs / MS)) {
            published = snapshot(nowNs, counters.connected);
        }
    }

    /**
     * The loop has ended: its final figures are published and, with its last window, handed to the
     * group (the last loop to leave closes the record file and the histogram log).
     */
    void leave(long nowNs, int connectedAtStop) {
        final ClientStats last = snapshot(nowNs, connectedAtStop);
        published = last;
        group.leave(index, lateness.window(), last, nowNs);
    }

    /** The latest snapshot. Any thread. */
    ClientStats latest() {
        return published;
    }

    private ClientStats snapshot(long now, int connected) {
        return new ClientStats(
                (now - startNs) / MS,
                scheduleStartNs < 0 ? 0 : (now - scheduleStartNs) / MS,
                connectMs,
                connected,
                connections.length,
                counters.sent,
                counters.missedLate,
                counters.missedDown,
                counters.missedFull,
                counters.replayed,
                counters.replayDropped,
                counters.reconnects,
                counters.failovers,
                counters.failures,
                counters.errors,
                Lateness.NONE,
                Lateness.NONE, // the group's merged lateness replaces these
                new ClientStats.Acks(counters.acked, Acknowledgements.unacked(connections), counters.droppedUnacked,
                        counters.ackTimeouts, 0, 0)); // and the group's ack latency these
    }
}
