package dev.stampede.metrics;

import dev.stampede.stats.MergeStats;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.function.Supplier;

/** The merge's metrics, read from its latest published {@link MergeStats} at each scrape. */
public final class MergeMetrics implements MultiCollector {
    private final Supplier<MergeStats> stats;

    /** @param stats the latest snapshot, e.g. {@code Merger::stats} */
    public MergeMetrics(Supplier<MergeStats> stats) {
        this.stats = stats;
    }

    @Override
    public MetricSnapshots collect() {
        final MergeStats s = stats.get();
        final Families f = new Families()
                .counter("stampede_merge_received", "Values read from the partitions (msgs=).", s.msgs())
                .counter("stampede_merge_written", "Values written to the global file (written=).", s.written())
                .counter("stampede_merge_duplicates", "Values dropped as duplicates (dups=).", s.dups())
                .counter("stampede_merge_late", "Values below the merged watermark, in the global .late file "
                        + "(late=).", s.late())
                .counter("stampede_merge_late_repaired", "With --repair-late: late values merged into their "
                        + "window files (repaired=).", s.repaired())
                .counter("stampede_merge_window_rewrites", "With --repair-late: window files rewritten to merge "
                        + "late values (rewrites=).", s.rewrites())
                .gauge("stampede_merge_pending", "Values waiting for the merged watermark (pending=).", s.pending())
                .gauge("stampede_merge_nodes", "Partitions (nodes) of the topic (nodes=).", s.nodes())
                .gauge("stampede_merge_live_nodes", "Nodes holding the merged watermark now (live=).", s.live())
                .gauge("stampede_merge_behind_records", "Records in the partitions not read yet (behind=).",
                        s.behind())
                .gauge("stampede_merge_writes_failing", "1 while writes to the global file are failing, else 0.",
                        s.writesFailing() ? 1 : 0);
        if (s.watermarkLagMs() >= 0) {
            f.gauge("stampede_merge_watermark_lag_seconds", "How far the global file's end trails the clock "
                    + "(wm_lag_ms=); absent while there is no watermark yet.", Families.seconds(s.watermarkLagMs()));
        }
        return f.build();
    }
}
