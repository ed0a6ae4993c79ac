package dev.stampede.kafka;

import dev.stampede.engine.OrderingEngine;
import dev.stampede.runtime.Agent;
import dev.stampede.runtime.FlushSchedule;
import dev.stampede.runtime.MonoClock;
import dev.stampede.runtime.StatsCadence;
import dev.stampede.stats.MergeStats;
import dev.stampede.store.FsyncPolicy;
import dev.stampede.store.OutputStore;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;

/**
 * The merge's loop, an {@link Agent} run by {@link Merger}'s runner: each duty cycle discovers
 * partitions when due, polls and takes what the window allows ({@link PartitionIntake}), then does
 * the housekeeping: hands the files' lines to their writers every {@value #FLUSH_MS} ms, and with
 * the sync of every {@code --fsync-interval} saves the offsets ({@link OffsetCheckpoints}); publishes
 * the stats. Kafka trouble (a broker gone) is logged once and retried, the global file waiting; any
 * other error ends the loop. The orderly end writes what is final, syncs, saves the offsets and
 * closes the files and the consumer.
 *
 * <p>Waits in the consumer's poll (or a short park), so it runs with no idle strategy. Owned by the
 * runner's thread; other threads only read {@link #stats()}.
 */
final class MergeLoop implements Agent {
    /** How long a poll waits for records at most. */
    static final long POLL_MS = 20;
    private static final long FLUSH_MS = 10;
    private static final long TROUBLE_PAUSE_MS = 1_000;

    private final MergeConfig config;
    private final OutputStore store;
    private final OrderingEngine engine;
    private final Map<Integer, Long> saved;
    private final Consumer<String> log;
    private final OffsetCheckpoints checkpoints;
    private final FlushSchedule flushes;
    private final StatsCadence<MergeStats> stats;
    private final Supplier<MergeStats> snapshot = this::snapshot;
    private final long startMs = MonoClock.monoMs();

    private KafkaConsumer<byte[], byte[]> consumer;
    private PartitionIntake intake;
    private long nowMs;
    private long wallMs;
    private boolean troubleReported;

    /** @param saved the offsets of the last checkpoint, by partition (empty: every partition from its beginning) */
    MergeLoop(MergeConfig config, OutputStore store, OrderingEngine engine, MergeOffsets offsets,
            Map<Integer, Long> saved, Consumer<String> log) {
        this.config = config;
        this.store = store;
        this.engine = engine;
        this.saved = saved;
        this.log = log;
        this.checkpoints = new OffsetCheckpoints(store, offsets, log);
        // The offsets are saved every --fsync-interval, whatever the policy: fsynced unless it is never.
        this.flushes = new FlushSchedule(FLUSH_MS, config.fsyncIntervalMs(), startMs);
        this.stats = new StatsCadence<>(config.statsIntervalMs(), log, startMs, MergeStats.zero(),
                MergeStats::reportLine);
    }

    @Override
    public String roleName() {
        return "merge: loop";
    }

    /** Counters as of about 100 ms ago (exact once the loop has ended). */
    MergeStats stats() {
        return stats.latest();
    }

    @Override
    public void onStart() {
        consumer = new KafkaConsumer<>(config.kafka().consumer("stampede-merge"));
        intake = new PartitionIntake(consumer, config.kafka().topic(), saved, engine, store, log);
    }

    @Override
    public int doWork() {
        try {
            step();
        } catch (KafkaException e) {
            trouble(e);
        }
        return 1;
    }

    private void step() {
        readClock();
        intake.discoverIfDue();
        if (!intake.hasPartitions()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MS));
        } else {
            intake.poll();
            readClock();
            if (troubleReported) {
                log.accept("merge: reading " + config.kafka().topic() + " again");
                troubleReported = false;
            }
            intake.merge();
        }
        housekeeping();
    }

    private void housekeeping() {
        final FlushSchedule.Due due = flushes.due(nowMs);
        if (due != FlushSchedule.Due.NOTHING) {
            store.flush(false, engine.watermark());
            if (due == FlushSchedule.Due.FLUSH_AND_SYNC) {
                checkpoints.save(intake.safeOffsets(), config.fsync() != FsyncPolicy.NEVER);
            }
        }
        stats.tick(nowMs, snapshot);
    }

    private void trouble(KafkaException e) {
        if (!troubleReported) {
            log.accept("merge: kafka: " + NodePublisher.message(e) + "; retrying (the global file waits)");
            troubleReported = true;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TROUBLE_PAUSE_MS));
    }

    /** The orderly end, after a stop or a failure: what is final written and synced, the offsets saved. */
    @Override
    public void onClose() {
        readClock();
        if (intake != null) {
            checkpoints.save(intake.safeOffsets(), true);
        }
        stats.publish(snapshot());
        try {
            store.close();
        } catch (IOException e) {
            log.accept("merge: " + e.getMessage());
        }
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(1));
        }
    }

    private MergeStats snapshot() {
        final long w = engine.watermark();
        final long aheadToLate = intake == null ? 0 : intake.aheadToLate();
        return new MergeStats(MonoClock.monoMs() - startMs, intake == null ? 0 : intake.partitions(),
                engine.activeSources(), engine.offered() + aheadToLate, engine.released(), engine.duplicates(),
                engine.late() + aheadToLate, engine.pendingValues(), w == Long.MIN_VALUE ? -1 : Math.max(0, wallMs - w),
                intake == null ? 0 : intake.behind(), store.isFailing(), store.repairedValues(),
                store.repairRewrites());
    }

    private void readClock() {
        nowMs = MonoClock.monoMs();
        wallMs = System.currentTimeMillis();
        if (intake != null) {
            intake.clock(nowMs, wallMs);
        }
    }
}
