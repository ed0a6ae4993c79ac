package dev.stampede.runtime;

import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * When the thread that owns a loop's counters publishes a snapshot (every {@value #SNAPSHOT_MS}
 * ms, for {@code stats()} and the metrics) and logs the stats line (every
 * {@code --stats-interval}, if it is the loop that reports). Nothing is measured on the hot path:
 * the loop copies its counters into an immutable snapshot ten times a second, and every other
 * thread reads the latest through a volatile reference. Only the owner thread calls
 * {@link #tick} and {@link #publish}.
 *
 * @param <S> the snapshot type (server, client, merge stats)
 */
public final class StatsCadence<S> {
    /** How often a snapshot is published. */
    public static final long SNAPSHOT_MS = 100;

    private final Cadence snapshots;
    private final Cadence reports;
    private final Consumer<String> log;
    private final BiFunction<S, S, String> reportLine;
    private S lastReport;
    private volatile S published;

    /**
     * @param reportIntervalMs how often to log the stats line; 0 for never
     * @param zero the snapshot before anything happened
     * @param reportLine the line for a snapshot, given the one last reported (rates are differences)
     */
    public StatsCadence(long reportIntervalMs, Consumer<String> log, long nowMs, S zero,
            BiFunction<S, S, String> reportLine) {
        this.snapshots = new Cadence(SNAPSHOT_MS, nowMs);
        this.reports = new Cadence(reportIntervalMs, nowMs);
        this.log = log;
        this.reportLine = reportLine;
        this.lastReport = zero;
        this.published = zero;
    }

    /** Publishes a snapshot (and logs it) if its time has come. */
    public void tick(long nowMs, Supplier<S> snapshot) {
        if (!snapshots.due(nowMs)) {
            return;
        }
        final S now = snapshot.get();
        published = now;
        if (reports.due(nowMs)) {
            log.accept(reportLine.apply(now, lastReport));
            lastReport = now;
        }
    }

    /** Publishes {@code stats} now (at the end: the exact figures). */
    public void publish(S stats) {
        published = stats;
    }

    /** The latest snapshot. Any thread. */
    public S latest() {
        return published;
    }
}
