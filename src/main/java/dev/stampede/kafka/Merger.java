package dev.stampede.kafka;

import dev.stampede.engine.EngineConfig;
import dev.stampede.engine.OrderingEngine;
import dev.stampede.runtime.AgentRunner;
import dev.stampede.runtime.ErrorPolicy;
import dev.stampede.runtime.IdleStrategy;
import dev.stampede.stats.MergeStats;
import dev.stampede.journal.AppendChannel;
import dev.stampede.store.OutputStore;
import java.io.IOException;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code stampede merge}: reads every node's partition and writes the one global file, with the
 * same ordering engine and the same store as a server (docs/SCALE-OUT.md).
 *
 * <h2>Model</h2>
 * Each partition is a source of the engine. A node's values count as sent, and its published
 * watermark as a promise ({@link OrderingEngine#promise}): the merged watermark is the lowest over
 * the live nodes, and a value is written once every live node has passed it. A node that
 * publishes no value for the idle timeout (it has no clients, or it is gone), and whose partition
 * has nothing left to read, stops holding the merge back, like a silent connection at a server;
 * a node that says it is leaving stops at once. What a node publishes later below the merged
 * watermark goes to the global late file. Values from two nodes, or read twice, are written once.
 *
 * <h2>Event time</h2>
 * The merge runs on the nodes' time, not the wall clock, so that it can catch up from a full topic:
 * the engine's clock is the merged watermark plus a window of {@value PartitionIntake#WINDOW_MS} ms (never past
 * the wall clock). Values beyond the window wait in their records, and their partition is paused,
 * until the slower nodes catch up: memory stays bounded, and no fast partition makes a slow one
 * late.
 *
 * <h2>Restart</h2>
 * The store resumes the global file (torn line cut, duplicate filter from its tail). After each
 * sync the merge saves, per partition, the offset of the first record whose values may not all be
 * in the file ({@link MergeOffsets}); a restarted merge reads again from there and drops what the
 * file already has. A clean stop writes what is final, saves the offsets and leaves pending values
 * to the next run.
 *
 * <h2>Threading</h2>
 * One loop thread ({@link MergeLoop}, run by an {@link AgentRunner}) owns the consumer, the engine
 * and the store; the files are written by the store's writer threads. Its rooms: the intake
 * ({@link PartitionIntake}: partitions found, read, paused, their records taken within the window)
 * and the checkpoints ({@link OffsetCheckpoints}: offsets saved with the file's syncs). Other
 * threads only stop it and read {@link #stats()}.
 */
public final class Merger implements AutoCloseable {
    private static final long HISTORY_MS = 1L << 20;

    private final MergeLoop loop;
    private final AgentRunner runner;

    private Merger(MergeLoop loop, Consumer<String> log) {
        this.loop = loop;
        // A failure is logged ("merge: loop failed: ...; stopping"); the loop's orderly end then
        // saves what it has, and isRunning() turns false.
        this.runner = new AgentRunner(loop, IdleStrategy.NONE, ErrorPolicy.logging(log), "stampede-merge");
    }

    /**
     * Opens (or resumes) the global file and its offsets, and starts merging.
     *
     * @throws IOException if the file is not stampede output, is locked by another process, or its
     *     offsets file belongs to another topic
     */
    public static Merger start(MergeConfig config, Consumer<String> log) throws IOException {
        final MergeOffsets offsets = new MergeOffsets(config.output(), config.kafka().topic());
        Map<Integer, Long> saved = offsets.load();
        final OutputStore store = OutputStore.open(config.output(), false, HISTORY_MS, AppendChannel.FILES,
                config.rotation());
        try {
            if (!saved.isEmpty() && !store.resumePoint().hasData()) {
                log.accept("merge: " + config.output() + " is empty: ignoring " + offsets.path()
                        + " and reading every partition from its beginning");
                saved = Map.of();
            }
            final long window = PartitionIntake.WINDOW_MS;
            final OrderingEngine engine = new OrderingEngine(
                    EngineConfig.builder().idleTimeoutMs(config.idleTimeoutMs()).maxDelayMs(window)
                            .maxAheadMs(PartitionIntake.AHEAD_MS).historyMs(HISTORY_MS).build(), store);
            store.resume(engine, "merge", log);
            if (!saved.isEmpty()) {
                log.accept("merge: continuing " + saved.size() + " partitions from " + offsets.path());
            }
            final Merger m = new Merger(new MergeLoop(config, store, engine, offsets, saved, log), log);
            m.runner.start();
            return m;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** Counters as of about 100 ms ago (exact once stopped). */
    public MergeStats stats() {
        return loop.stats();
    }

    /** Whether the loop is still running. */
    public boolean isRunning() {
        return runner.isRunning();
    }

    /** Stops cleanly: writes what is final, syncs, saves the offsets; pending values wait for the next run. */
    public MergeStats stop() {
        runner.stop();
        return loop.stats();
    }

    @Override
    public void close() {
        stop();
    }
}
