/**
 * {@code --metrics [ADDR:]PORT}: the Prometheus text format at {@code /metrics}, liveness at
 * {@code /-/healthy} and readiness at {@code /-/ready} ({@link dev.stampede.metrics.ReadinessChecks})
 * for the server, the client and the merge.
 *
 * <p>Nothing here is on a hot path: each program's loop already publishes an immutable stats
 * snapshot every 100 ms ({@code ServerStats}, {@code ClientStats}, {@code MergeStats}); a scrape
 * reads the latest one once and turns it into metric families ({@link ServerMetrics},
 * {@link ClientMetrics}, {@link MergeMetrics}), so every figure of one scrape comes from the same
 * snapshot and the counters add up as they do in the stats lines. {@link MetricsServer} runs the
 * exporter's HTTP server on one daemon thread.
 *
 * <p>One job: exposition. The figures themselves, their snapshots and the stderr lines are
 * {@code stats}' job; this package only turns a snapshot into metric families (and names the
 * rejection reasons from the protocol's codes) and serves them.
 */
package dev.stampede.metrics;
