package dev.stampede.metrics;

import dev.stampede.stats.ClientStats;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import java.util.function.Supplier;

/**
 * The client's metrics, read from its latest published {@link ClientStats} at each scrape.
 *
 * <p>The send lateness is a summary, not a histogram: the loop already computes its percentiles
 * since the start from its HdrHistogram (1 % precision) when it publishes a snapshot, so the
 * quantiles here are exactly the summary line's {@code late_p50_us=} and {@code late_p99_us=}, and a
 * scrape costs the loop nothing. A histogram would need the HdrHistogram's buckets copied into
 * each snapshot (or read across threads), for a figure that is aggregatable across clients but
 * coarser. The summary has no {@code _sum} (the snapshot has none). The loop reads the histogram
 * once per stats interval (a second without a status line), so the lateness lags the counters by
 * up to that much while running; after the stop both are exact.
 */
public final class ClientMetrics implements MultiCollector {
    private final Supplier<ClientStats> stats;

    /** @param stats the latest snapshot, e.g. {@code LoadClient::stats} */
    public ClientMetrics(Supplier<ClientStats> stats) {
        this.stats = stats;
    }

    @Override
    public MetricSnapshots collect() {
        final ClientStats s = stats.get();
        final ClientStats.Lateness l = s.total();
        return new Families()
                .counter("stampede_client_sent", "Timestamps sent, each once; replays not included (sent=).", s.sent())
                .counter("stampede_client_missed", "Ticks not sent: overdue by an interval, connection down, or "
                        + "socket full (missed=).", s.missed())
                .counter("stampede_client_replayed", "Timestamps sent again after a reconnect (replayed=).",
                        s.replayed())
                .counter("stampede_client_reconnects", "Connections established again after a failure "
                        + "(reconnects=).", s.reconnects())
                .counter("stampede_client_failovers", "Connections moved to another server (failovers=).",
                        s.failovers())
                .counter("stampede_client_errors", "Lines the server sent (ERR replies) (errors=).", s.errors())
                .counter("stampede_client_acked", "Timestamps the servers acknowledged as durable, each once "
                        + "(acked=).", s.acks().acked())
                .gauge("stampede_client_unacked", "Timestamps sent and not acknowledged yet, kept to be sent "
                        + "again (unacked=).", s.acks().unacked())
                .counter("stampede_client_dropped_unacked", "Timestamps dropped before they were acknowledged: "
                        + "past --unacked (dropped_unacked=).", s.acks().droppedUnacked())
                .counter("stampede_client_ack_timeouts", "Connections given up because a server known to "
                        + "acknowledge said nothing for --ack-timeout (ack_timeouts=).", s.acks().ackTimeouts())
                .add(summary("stampede_client_ack_latency_seconds", "Time from a send to its acknowledgement, "
                        + "since the start (ack_p50_ms=, ack_p99_ms=); the count is acked=.", s.acks().acked(),
                        s.acks().p50Ms() / 1_000.0, s.acks().p99Ms() / 1_000.0))
                .gauge("stampede_client_connections_up", "Connections up now (up=).", s.connected())
                .gauge("stampede_client_connections_target", "Connections asked for (-c, target=).", s.target())
                .add(summary("stampede_client_send_lateness_seconds", "How late sends were against their "
                        + "schedule, since the start (late_p50_us=, late_p99_us=).", l.count(), micros(l.p50Us()),
                        micros(l.p99Us())))
                .gauge("stampede_client_send_lateness_max_seconds", "The latest send since the start "
                        + "(late_max_us=).", micros(l.maxUs()))
                .build();
    }

    /** A summary of a median and a 99th percentile, without {@code _sum} (the snapshot has none). */
    private static SummarySnapshot summary(String name, String help, long count, double p50, double p99) {
        return SummarySnapshot.builder().name(name).help(help)
                .dataPoint(SummaryDataPointSnapshot.builder()
                        .count(count)
                        .quantiles(Quantiles.of(new Quantile(0.5, p50), new Quantile(0.99, p99)))
                        .build())
                .build();
    }

    private static double micros(long us) {
        return us / 1_000_000.0;
    }
}
