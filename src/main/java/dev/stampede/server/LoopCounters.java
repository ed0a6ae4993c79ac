package dev.stampede.server;

import dev.stampede.engine.OrderingEngine;
import dev.stampede.protocol.Reject;
import dev.stampede.stats.ServerStats;
import dev.stampede.transport.TlsAcceptor;

/**
 * One event loop's own counters (the engine counts the values): connections and why they ended,
 * copied into each stats snapshot. Plain fields, owned by the loop's thread.
 */
final class LoopCounters {
    int connectionsOpen;
    long connectionsTotal;
    /** Lines rejected as invalid (every reason but too many errors). */
    long invalid;
    long refused;
    long silentClosed;
    long evicted;
    long repliesDropped;
    /** Rejections by {@link Reject} ordinal, for the metrics. */
    final long[] rejects = new long[Reject.values().length];

    /** A rejection, counted by reason. */
    void reject(Reject reason) {
        rejects[reason.ordinal()]++;
    }

    /** These counters with the engine's and the output's, as of now (wall clock {@code wallMs}). */
    ServerStats snapshot(long uptimeMs, OrderingEngine engine, long wallMs, LoopOutput output, long publishLagMs,
            TlsAcceptor tls) {
        final long w = engine.watermark();
        return new ServerStats(
                uptimeMs,
                connectionsOpen,
                connectionsTotal,
                engine.offered(),
                engine.released(),
                engine.duplicates(),
                engine.late(),
                invalid,
                refused,
                engine.pendingValues(),
                w == Long.MIN_VALUE ? -1 : Math.max(0, wallMs - w),
                output.isFailing(),
                repliesDropped,
                silentClosed,
                evicted,
                publishLagMs,
                output.writeFailures(),
                rejects.clone(),
                tls == null ? 0 : tls.failures()).withRepair(output.repairedValues(), output.repairRewrites());
    }
}
