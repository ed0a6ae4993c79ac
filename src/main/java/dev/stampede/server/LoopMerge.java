package dev.stampede.server;

import dev.stampede.engine.FinalMerge;
import dev.stampede.runtime.Agent;
import dev.stampede.runtime.IdleStrategy;
import dev.stampede.runtime.MonoClock;
import dev.stampede.runtime.StatsCadence;
import dev.stampede.stats.ServerStats;
import dev.stampede.store.OutputStore;
import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * With several event loops, the thread between their engines and the files: takes each loop's
 * batches ({@link LoopOutlet.Batch}), merges them with a {@link FinalMerge} into the one ordered
 * (unique) stream, appends it to the {@link OutputStore}, flushes on its {@link OutputFlushes}, and
 * makes the server's stats from the loops' and its own. An {@link Agent} run with {@link #IDLE}.
 *
 * <h2>Threading</h2>
 * Runs on its own thread, which owns the merge and the store. Loops call {@link #submit} (a bounded
 * queue that always has room for every batch in circulation) and read {@link #isBackedUp()} and
 * {@link #isFailing()}; any thread reads {@link #stats()}. It ends by itself once every loop has
 * sent its last batch ({@link Agent#DONE}): it drains the merge and closes the files. So its runner
 * is never asked to stop, only waited for.
 */
final class LoopMerge implements Agent {
    /**
     * A duty cycle, not a wake-up per batch: the loops hand over a batch a pass, thousands a
     * second, and one wake-up a millisecond takes them all.
     */
    static final IdleStrategy IDLE = IdleStrategy.parking(1_000_000);
    private static final long SHUTDOWN_WRITE_TIMEOUT_MS = 5_000;

    private final OutputStore store;
    private final FinalMerge merge;
    private final EventLoop[] loops;
    private final Consumer<String> log;
    private final ArrayBlockingQueue<LoopOutlet.Batch> inbox;
    private final OutputFlushes flushes;
    private final MergedDurability durable;
    private final long startMs;
    private final StatsCadence<ServerStats> stats;
    private final Supplier<ServerStats> snapshot = this::snapshot;
    private long pausedSinceMs = -1;
    private int ended;

    private volatile boolean backedUp;
    private volatile boolean failing;
    private volatile LongSupplier publishLagMs = () -> -1;

    LoopMerge(ServerConfig config, OutputStore store, FinalMerge merge, int loops, Durability durability,
            Consumer<String> log) {
        this.store = store;
        this.durable = new MergedDurability(durability, loops);
        this.merge = merge;
        this.loops = new EventLoop[loops];
        this.log = log;
        this.inbox = new ArrayBlockingQueue<>(loops * LoopOutlet.BATCHES);
        this.startMs = MonoClock.monoMs();
        this.flushes = new OutputFlushes(config, startMs);
        this.stats = new StatsCadence<>(config.statsIntervalMs(), log, startMs, ServerStats.zero(),
                ServerStats::reportLine);
    }

    /** The loops whose stats it sums; set before the threads start. */
    void setLoop(int index, EventLoop loop) {
        loops[index] = loop;
    }

    /** A loop hands over a batch (loop threads). */
    void submit(LoopOutlet.Batch batch) {
        if (!inbox.offer(batch)) {
            throw new IllegalStateException("merge inbox full: more batches than in circulation");
        }
    }

    /** Whether the loops should stop reading: the writers are behind or failing. */
    boolean isBackedUp() {
        return backedUp;
    }

    /** Whether writes to the files are failing. */
    boolean isFailing() {
        return failing;
    }

    /** Loop {@code loop}'s batches up to this one are durable (loop threads). */
    long durableBatches(int loop) {
        return durable.durableBatches(loop);
    }

    /** Every final value below this is durable (loop threads). */
    long durableWatermark() {
        return durable.durableWatermark();
    }

    /** Where the stats get the lag of publication to Kafka. */
    void publishLag(LongSupplier lagMs) {
        this.publishLagMs = lagMs;
    }

    /** The server's counters, refreshed every {@value StatsCadence#SNAPSHOT_MS} ms and at the end. */
    ServerStats stats() {
        return stats.latest();
    }

    @Override
    public String roleName() {
        return "server: merge";
    }

    @Override
    public int doWork() {
        int taken = 0;
        for (LoopOutlet.Batch batch = inbox.poll(); batch != null; batch = inbox.poll()) {
            take(batch);
            taken++;
        }
        housekeeping(MonoClock.monoMs());
        return ended < loops.length ? taken : DONE;
    }

    @Override
    public void onClose() {
        finish();
    }

    private void take(LoopOutlet.Batch batch) {
        final long[] values = batch.values;
        for (int i = 0, n = batch.size; i < n; i++) {
            final long v = values[i];
            merge.offer(v >= 0 ? v : -1 - v, 1);
        }
        final int input = batch.owner.index;
        durable.taken(input, batch.seq);
        if (batch.last) {
            ended++;
            merge.advance(input, Long.MAX_VALUE);
        } else {
            merge.advance(input, batch.watermark);
        }
        batch.owner.recycle(batch);
    }

    private void housekeeping(long nowMs) {
        flushes.maybeFlush(store, nowMs, merge.watermark());
        durable.afterPass(merge.watermark());
        backedUp = store.isBackedUp();
        failing = store.isFailing();
        if (pausedSinceMs < 0 && failing) {
            pausedSinceMs = nowMs;
            log.accept("server: cannot write " + store.output().path() + ": " + store.lastError()
                    + "; reading paused (clients wait in TCP), retrying");
        } else if (pausedSinceMs >= 0 && !failing) {
            log.accept("server: writing " + store.output().path() + " again after " + (nowMs - pausedSinceMs)
                    + " ms; reading resumed");
            pausedSinceMs = -1;
        }
        stats.tick(nowMs, snapshot);
    }

    private void finish() {
        merge.drain(System.currentTimeMillis());
        try {
            store.close(SHUTDOWN_WRITE_TIMEOUT_MS);
        } catch (IOException e) {
            log.accept("server: " + e.getMessage() + (e.getCause() != null ? ": " + e.getCause().getMessage() : ""));
        }
        failing = store.isFailing();
        stats.publish(snapshot());
    }

    /**
     * The loops' counters summed, with the merge's figures where the merge decides: what is
     * written, what is late, the duplicates across loops, the watermark.
     */
    private ServerStats snapshot() {
        final ServerStats[] parts = new ServerStats[loops.length];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = loops[i].stats();
        }
        final long w = merge.watermark();
        return ServerStats.combine(parts, MonoClock.monoMs() - startMs, merge.released(), merge.duplicates(),
                merge.late(), merge.pendingValues(), Math.max(0, System.currentTimeMillis() - w), failing,
                publishLagMs.getAsLong(), store.writeFailures())
                .withRepair(store.repairedValues(), store.repairRewrites());
    }
}
