package dev.stampede.kafka;

import dev.stampede.runtime.LoopThread;
import dev.stampede.engine.EngineConfig;
import dev.stampede.engine.OrderingEngine;
import dev.stampede.stats.MergeStats;
import dev.stampede.journal.AppendChannel;
import dev.stampede.store.FsyncPolicy;
import dev.stampede.store.OutputStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

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
 * the engine's clock is the merged watermark plus a window of {@value #WINDOW_MS} ms (never past
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
 * One loop thread owns the consumer, the engine and the store; the files are written by the
 * store's writer threads. Other threads only stop it and read {@link #stats()}.
 */
public final class Merger implements AutoCloseable {
    /** How far beyond the merged watermark values are taken in (the engine's window). */
    static final long WINDOW_MS = 10_000;
    private static final long AHEAD_MS = 1_000;
    private static final long HISTORY_MS = 1L << 20;
    private static final long POLL_MS = 20;
    private static final Duration POLL_MS_DURATION = Duration.ofMillis(POLL_MS);
    /** Take-and-advance rounds per poll at most: a flush and the stats come between. */
    private static final int MAX_ROUNDS = 64;
    private static final long DISCOVER_MS = 2_000;
    private static final long FLUSH_MS = 10;
    private static final long SNAPSHOT_MS = 100;
    private static final long START_GATE_MS = 10_000;
    private static final long SYNC_TIMEOUT_MS = 5_000;
    private static final long TROUBLE_PAUSE_MS = 1_000;

    private final MergeConfig config;
    private final OutputStore store;
    private final OrderingEngine engine;
    private final MergeOffsets offsets;
    private final Map<Integer, Long> saved;
    private final Consumer<String> log;
    private final LoopThread thread;
    private final List<NodeStream> nodes = new ArrayList<>();
    private final NodeRecord record = new NodeRecord();
    private final long startMs = monoMs();

    private KafkaConsumer<byte[], byte[]> consumer;
    private long nowMs;
    private long wallMs;
    private long gateSinceMs = -1;
    private long aheadToLate;
    private long badRecords;
    private long nextDiscoverMs;
    private long nextFlushMs;
    private long nextSyncMs;
    private long nextSnapshotMs;
    private long nextReportMs;
    private boolean troubleReported;
    /** Whether the last merge moved the watermark: then held records may fit now, so do not wait. */
    private boolean progressed;
    private MergeStats lastReport = MergeStats.zero();

    private volatile boolean stopRequested;
    private volatile MergeStats published = MergeStats.zero();

    private Merger(MergeConfig config, OutputStore store, OrderingEngine engine, MergeOffsets offsets,
            Map<Integer, Long> saved, Consumer<String> log) {
        this.config = config;
        this.store = store;
        this.engine = engine;
        this.offsets = offsets;
        this.saved = saved;
        this.log = log;
        this.thread = new LoopThread(this::run, "stampede-merge");
        this.nextReportMs = config.statsIntervalMs() > 0 ? startMs + config.statsIntervalMs() : Long.MAX_VALUE;
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
            final OrderingEngine engine = new OrderingEngine(
                    EngineConfig.builder().idleTimeoutMs(config.idleTimeoutMs()).maxDelayMs(WINDOW_MS)
                            .maxAheadMs(AHEAD_MS).historyMs(HISTORY_MS).build(), store);
            store.resume(engine, "merge", log);
            if (!saved.isEmpty()) {
                log.accept("merge: continuing " + saved.size() + " partitions from " + offsets.path());
            }
            final Merger m = new Merger(config, store, engine, offsets, saved, log);
            m.thread.start();
            return m;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** Counters as of about 100 ms ago (exact once stopped). */
    public MergeStats stats() {
        return published;
    }

    /** Whether the loop is still running. */
    public boolean isRunning() {
        return thread.isRunning();
    }

    /** Stops cleanly: writes what is final, syncs, saves the offsets; pending values wait for the next run. */
    public MergeStats stop() {
        thread.stop(() -> stopRequested = true);
        return published;
    }

    @Override
    public void close() {
        stop();
    }

    // ---------------------------------------------------------------------- loop

    private void run() {
        try {
            consumer = new KafkaConsumer<>(config.kafka().consumer("stampede-merge"));
            while (!stopRequested) {
                try {
                    step();
                } catch (KafkaException e) {
                    trouble(e);
                }
            }
        } catch (RuntimeException e) {
            log.accept("merge: failed: " + e + "; saving what it has and stopping");
        } finally {
            shutdown();
        }
    }

    private void step() {
        readClock();
        if (nowMs >= nextDiscoverMs) {
            discover();
            nextDiscoverMs = nowMs + DISCOVER_MS;
        }
        if (nodes.isEmpty()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MS));
        } else {
            // Records waiting for the window to move: look for more without waiting, then take them.
            final ConsumerRecords<byte[], byte[]> polled =
                    consumer.poll(progressed && holding() ? Duration.ZERO : POLL_MS_DURATION);
            readClock();
            for (TopicPartition tp : polled.partitions()) {
                nodes.get(tp.partition()).held.addAll(polled.records(tp));
            }
            if (troubleReported) {
                log.accept("merge: reading " + config.kafka().topic() + " again");
                troubleReported = false;
            }
            if (started()) {
                merge();
            }
        }
        housekeeping();
    }

    /**
     * Takes what the window allows from every node and moves the merged watermark, again while
     * that lets more in (catching up from a full topic goes window after window without a poll).
     */
    private void merge() {
        final long start = engine.watermark();
        for (int round = 0; round < MAX_ROUNDS; round++) {
            final long before = engine.watermark();
            for (NodeStream n : nodes) {
                while (!n.held.isEmpty() && take(n)) {
                    // one record after another while they fit the window
                }
            }
            for (NodeStream n : nodes) {
                if (n.source >= 0 && hasMore(n)) {
                    engine.heard(n.source, nowMs); // records waiting to be read: not idle
                }
            }
            engine.advance(nowMs, clock());
            if (engine.watermark() == before || !holding()) {
                break;
            }
        }
        final long w = engine.watermark();
        progressed = w != start;
        for (NodeStream n : nodes) {
            n.settle(w);
            pauseWhileHolding(n);
        }
    }

    /** Whether some node has records read and not yet taken. */
    private boolean holding() {
        for (NodeStream n : nodes) {
            if (!n.held.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Takes the head record of a node into the engine, as far as the window allows.
     *
     * @return {@code true} if the record was taken in full
     */
    private boolean take(NodeStream n) {
        final ConsumerRecord<byte[], byte[]> r = n.held.peekFirst();
        if (!record.read(r.value())) {
            if (badRecords++ == 0) {
                log.accept("merge: " + n.partition + " offset " + r.offset() + " is not a stampede record; skipped "
                        + "(is the topic shared with something else?)");
            }
            done(n, r, Long.MIN_VALUE);
            return true;
        }
        if (n.source < 0) {
            n.source = engine.addSource(nowMs);
        }
        final long clock = clock();
        final long limit = clock + AHEAD_MS;
        long max = Long.MIN_VALUE;
        final int count = record.count();
        for (int i = n.cursor; i < count; i++) {
            final long v = record.value(i);
            if (record.kind() == NodeRecord.VALUES && v > limit) {
                // Ascending: nothing below v will come from this node; let the others catch up.
                n.cursor = i;
                engine.promise(n.source, v, nowMs, clock);
                return false;
            }
            if (engine.offer(n.source, v, nowMs, clock) == OrderingEngine.AHEAD) {
                aheadToLate++;
                store.onLate(v); // a node's late value far ahead of the merge: kept, never dropped
            }
            max = Math.max(max, v);
        }
        if (record.watermark() != Long.MIN_VALUE) {
            engine.promise(n.source, record.watermark(), nowMs, clock);
        }
        if (record.kind() == NodeRecord.LEAVING) {
            engine.removeSource(n.source);
            n.source = -1;
            log.accept("merge: node " + n.partition.partition() + " left");
        }
        done(n, r, max);
        return true;
    }

    private void done(NodeStream n, ConsumerRecord<byte[], byte[]> r, long maxValue) {
        if (maxValue != Long.MIN_VALUE && maxValue >= engine.watermark()) {
            n.taken(r.offset(), maxValue);
        }
        n.nextOffset = r.offset() + 1;
        n.held.pollFirst();
        n.cursor = 0;
    }

    /**
     * A fresh global file: the engine starts a window below the earliest value the nodes have, once
     * every partition with records to read has delivered its first (or after
     * {@value #START_GATE_MS} ms).
     */
    private boolean started() {
        if (engine.watermark() != Long.MIN_VALUE) {
            return true;
        }
        if (gateSinceMs < 0) {
            gateSinceMs = nowMs;
        }
        long earliest = Long.MAX_VALUE;
        boolean waiting = false;
        for (NodeStream n : nodes) {
            if (!n.held.isEmpty()) {
                earliest = Math.min(earliest, firstTime(n.held.peekFirst()));
            } else if (hasMore(n)) {
                waiting = true;
            }
        }
        if ((waiting && nowMs - gateSinceMs < START_GATE_MS) || earliest == Long.MAX_VALUE) {
            return false;
        }
        // A window lower: a node whose first record comes a moment later is still in time.
        engine.resumeAfter(earliest - 1 - WINDOW_MS);
        return true;
    }

    /** The earliest time a record speaks of: its first value, or its watermark. */
    private long firstTime(ConsumerRecord<byte[], byte[]> r) {
        if (!record.read(r.value())) {
            return Long.MAX_VALUE;
        }
        long t = record.watermark() == Long.MIN_VALUE ? Long.MAX_VALUE : record.watermark();
        for (int i = 0; i < record.count(); i++) {
            t = Math.min(t, record.value(i));
        }
        return t;
    }

    /** The engine's event-time clock: the merged watermark plus the window, never past the wall clock. */
    private long clock() {
        final long w = engine.watermark();
        return w == Long.MIN_VALUE ? wallMs : Math.min(w + WINDOW_MS, wallMs);
    }

    /** Whether the node has records read and not taken, or records not read yet (or unknown). */
    private boolean hasMore(NodeStream n) {
        if (!n.held.isEmpty()) {
            return true;
        }
        final OptionalLong lag = consumer.currentLag(n.partition);
        return lag.isEmpty() || lag.getAsLong() > 0;
    }

    /** A partition whose records wait in memory reads no more until they are taken. */
    private void pauseWhileHolding(NodeStream n) {
        final boolean hold = !n.held.isEmpty();
        if (hold != n.paused) {
            if (hold) {
                consumer.pause(List.of(n.partition));
            } else {
                consumer.resume(List.of(n.partition));
            }
            n.paused = hold;
        }
    }

    /** Finds new partitions (a node that joined): assigns them, from the saved offset or the beginning. */
    private void discover() {
        final List<PartitionInfo> infos = consumer.partitionsFor(config.kafka().topic(), Duration.ofSeconds(5));
        final int count = infos == null ? 0 : infos.size();
        if (count <= nodes.size()) {
            return;
        }
        final int before = nodes.size();
        final List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            if (p >= before) {
                nodes.add(new NodeStream(new TopicPartition(config.kafka().topic(), p), saved.getOrDefault(p, 0L)));
            }
            all.add(nodes.get(p).partition);
        }
        consumer.assign(all);
        for (int p = before; p < count; p++) {
            final NodeStream n = nodes.get(p);
            if (saved.containsKey(p)) {
                consumer.seek(n.partition, saved.get(p));
            } else {
                consumer.seekToBeginning(List.of(n.partition));
            }
            // Holds the merged watermark until it has said where it is, or turned out to be empty.
            n.source = engine.addSource(nowMs);
        }
        log.accept("merge: reading " + count + " partitions of " + config.kafka().topic()
                + (before > 0 ? " (" + (count - before) + " new)" : ""));
    }

    // -------------------------------------------------------------------- periodic

    private void housekeeping() {
        if (nowMs >= nextFlushMs) {
            store.flush(false, engine.watermark());
            nextFlushMs = nowMs + FLUSH_MS;
        }
        if (nowMs >= nextSyncMs) {
            saveOffsets(config.fsync() != FsyncPolicy.NEVER);
            nextSyncMs = nowMs + config.fsyncIntervalMs();
        }
        if (nowMs >= nextSnapshotMs) {
            published = snapshot();
            nextSnapshotMs = nowMs + SNAPSHOT_MS;
            if (nowMs >= nextReportMs) {
                log.accept(published.reportLine(lastReport));
                lastReport = published;
                nextReportMs = nowMs + config.statsIntervalMs();
            }
        }
    }

    /** Once the files hold (and, with {@code fsync}, have on disk) everything final: the offsets. */
    private void saveOffsets(boolean fsync) {
        if (nodes.isEmpty()) {
            return;
        }
        final long[] at = new long[nodes.size()];
        for (int p = 0; p < at.length; p++) {
            at[p] = nodes.get(p).safeOffset();
        }
        if (!store.awaitWritten(SYNC_TIMEOUT_MS, fsync)) {
            return; // writes failing: the old offsets stay, and more is read again after a crash
        }
        try {
            offsets.save(at, at.length);
        } catch (IOException e) {
            log.accept("merge: cannot save " + offsets.path() + ": " + e.getMessage());
        }
    }

    private void trouble(KafkaException e) {
        if (!troubleReported) {
            log.accept("merge: kafka: " + NodePublisher.message(e) + "; retrying (the global file waits)");
            troubleReported = true;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TROUBLE_PAUSE_MS));
    }

    private void shutdown() {
        readClock();
        saveOffsets(true);
        published = snapshot();
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
        long behind = 0;
        for (NodeStream n : nodes) {
            final OptionalLong lag = consumer == null ? OptionalLong.empty() : consumer.currentLag(n.partition);
            behind += lag.orElse(0) + n.held.size();
        }
        final long w = engine.watermark();
        return new MergeStats(monoMs() - startMs, nodes.size(), engine.activeSources(), engine.offered() + aheadToLate,
                engine.released(), engine.duplicates(), engine.late() + aheadToLate, engine.pendingValues(),
                w == Long.MIN_VALUE ? -1 : Math.max(0, wallMs - w), behind, store.isFailing());
    }

    private void readClock() {
        nowMs = monoMs();
        wallMs = System.currentTimeMillis();
    }

    private static long monoMs() {
        return System.nanoTime() / 1_000_000;
    }
}
