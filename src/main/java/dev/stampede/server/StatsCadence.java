package dev.stampede.server;

import dev.stampede.stats.ServerStats;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * When the thread that owns the server's counters publishes a snapshot (every
 * {@value #SNAPSHOT_MS} ms, for {@code stats()} and the metrics) and logs the stats line (every
 * {@code --stats-interval}, if it is the thread that reports). The snapshot is a volatile
 * reference: any thread reads it; only the owner thread calls {@link #tick} and {@link #publish}.
 */
final class StatsCadence {
    /** How often a snapshot is published. */
    static final long SNAPSHOT_MS = 100;

    private final long reportIntervalMs;
    private final Consumer<String> log;
    private long nextSnapshotMs;
    private long nextReportMs;
    private ServerStats lastReport = ServerStats.zero();
    private volatile ServerStats published = ServerStats.zero();

    /** @param reportIntervalMs how often to log the stats line; 0 for never */
    StatsCadence(long reportIntervalMs, Consumer<String> log, long nowMs) {
        this.reportIntervalMs = reportIntervalMs;
        this.log = log;
        this.nextSnapshotMs = nowMs + SNAPSHOT_MS;
        this.nextReportMs = reportIntervalMs > 0 ? nowMs + reportIntervalMs : Long.MAX_VALUE;
    }

    /** Publishes a snapshot (and logs it) if its time has come. */
    void tick(long nowMs, Supplier<ServerStats> snapshot) {
        if (nowMs < nextSnapshotMs) {
            return;
        }
        published = snapshot.get();
        nextSnapshotMs = nowMs + SNAPSHOT_MS;
        if (nowMs >= nextReportMs) {
            log.accept(published.reportLine(lastReport));
            lastReport = published;
            nextReportMs = nowMs + reportIntervalMs;
        }
    }

    /** Publishes {@code stats} now (at the end: the exact figures). */
    void publish(ServerStats stats) {
        published = stats;
    }

    /** The latest snapshot. Any thread. */
    ServerStats latest() {
        return published;
    }
}
