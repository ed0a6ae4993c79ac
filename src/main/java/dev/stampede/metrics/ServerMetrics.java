package dev.stampede.metrics;

import dev.stampede.protocol.Reject;
import dev.stampede.stats.ServerStats;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The server's metrics, read from its latest published {@link ServerStats} at each scrape (one
 * snapshot per scrape, so {@code received = written + duplicates + late + pending} holds in it).
 */
public final class ServerMetrics implements MultiCollector {
    private static final Reject[] REASONS = Reject.values();
    private static final Labels[] REASON_LABELS = new Labels[REASONS.length];
    /** The reasons that are about a connection, not a line (a line too long is a bad line that also closes). */
    private static final Set<Reject> CONNECTION_REASONS =
            EnumSet.of(Reject.TOO_MANY_ERRORS, Reject.SERVER_FULL, Reject.SILENT, Reject.EVICTED);

    static {
        for (Reject r : REASONS) {
            REASON_LABELS[r.ordinal()] = Labels.of("reason", r.name().toLowerCase(Locale.ROOT));
        }
    }

    private final Supplier<ServerStats> stats;

    /** @param stats the latest snapshot, e.g. {@code IngestServer::stats} */
    public ServerMetrics(Supplier<ServerStats> stats) {
        this.stats = stats;
    }

    @Override
    public MetricSnapshots collect() {
        final ServerStats s = stats.get();
        final Families f = new Families()
                .counter("stampede_received", "Valid timestamps received (msgs=).", s.msgs())
                .counter("stampede_written", "Values written to the output file (written=).", s.written())
                .counter("stampede_duplicates", "Values dropped as duplicates (dups=).", s.dups())
                .counter("stampede_late", "Values that came after the file had passed them, kept in the .late "
                        + "file (late=).", s.late())
                .add(byReason(s, false))
                .add(byReason(s, true))
                .gauge("stampede_connections", "Connections open now (conns=).", s.connectionsOpen())
                .counter("stampede_connections_opened", "Connections accepted since start, refused ones "
                        + "included (conns_total=).", s.connectionsTotal())
                .counter("stampede_connections_refused", "Connections refused: server at --max-connections "
                        + "(refused=).", s.refused())
                .counter("stampede_silent_closed", "Connections closed for sending no timestamp for "
                        + "--silent-timeout (silent_closed=).", s.silentClosed())
                .counter("stampede_evicted", "Silent connections closed to make room for a new one "
                        + "(evicted=).", s.evicted())
                .counter("stampede_tls_failures", "TLS connections closed before their handshake completed: "
                        + "not TLS, a refused or missing certificate, a handshake timeout (tls_failures=).",
                        s.tlsFailures())
                .counter("stampede_replies_dropped", "ERR replies a client did not read and the server could "
                        + "not hold (replies_dropped=).", s.repliesDropped())
                .gauge("stampede_pending", "Values waiting until every connection has sent past them "
                        + "(pending=).", s.pending())
                .counter("stampede_write_failures", "Failed writes and fsyncs of the output and late files, "
                        + "each retried.", s.writeFailures())
                .counter("stampede_late_repaired", "With --repair-late: late values merged into their window "
                        + "files (repaired=).", s.repaired())
                .counter("stampede_window_rewrites", "With --repair-late: window files rewritten to merge late "
                        + "values (rewrites=).", s.rewrites())
                .gauge("stampede_writes_failing", "1 while writes are failing and reading is paused, else 0.",
                        s.writesFailing() ? 1 : 0);
        if (s.watermarkLagMs() >= 0) {
            f.gauge("stampede_watermark_lag_seconds", "How far the file's end trails the server clock "
                    + "(wm_lag_ms=); absent while there is no watermark yet.", Families.seconds(s.watermarkLagMs()));
        }
        if (s.publishLagMs() >= 0) {
            f.gauge("stampede_kafka_lag_seconds", "With --kafka: how far publication to the node's partition "
                    + "trails the file, in watermark time (kafka_lag_ms=).", Families.seconds(s.publishLagMs()));
        }
        return f.build();
    }

    /**
     * Two families from the one count by reason code: the bad lines ({@code stampede_rejected_lines_total},
     * whose sum is {@code invalid=}), and the connections the server closed, or refused, for what
     * the connection did or for room ({@code stampede_connections_closed_total}).
     */
    private static CounterSnapshot byReason(ServerStats s, boolean connections) {
        final CounterSnapshot.Builder b = connections
                ? CounterSnapshot.builder().name("stampede_connections_closed")
                        .help("Connections the server closed after an ERR, by reason: too_many_errors, server_full "
                                + "(refused at --max-connections), silent (--silent-timeout), evicted (to make room).")
                : CounterSnapshot.builder().name("stampede_rejected_lines")
                        .help("Lines rejected with ERR, by reason (the protocol's reason codes); their sum is "
                                + "invalid=.");
        for (Reject r : REASONS) {
            if (CONNECTION_REASONS.contains(r) == connections) {
                b.dataPoint(CounterDataPointSnapshot.builder().labels(REASON_LABELS[r.ordinal()])
                        .value(s.rejected(r.ordinal())).build());
            }
        }
        return b.build();
    }
}
