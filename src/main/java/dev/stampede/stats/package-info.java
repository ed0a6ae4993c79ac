/**
 * Counters as immutable snapshots: what each program's loop counted ({@link
 * dev.stampede.stats.ServerStats}, {@link dev.stampede.stats.ClientStats}, {@link
 * dev.stampede.stats.MergeStats}), made by the loop on its own cadence and safe to hand to any
 * thread, and the text they become: the periodic stats line and the exit summary on stderr
 * ({@code key=value} pairs, listed in docs/USAGE.md).
 *
 * <p>One job: hold and word the figures. Serving them to Prometheus is {@code metrics}' job, which
 * reads these snapshots; this package knows nothing of it, nor of the protocol (rejections are
 * counted by the reason code's ordinal).
 */
package dev.stampede.stats;
