package dev.stampede.kafka;

import dev.stampede.engine.OrderingEngine;
import dev.stampede.store.OutputStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * The merge's intake: finds the nodes' partitions (a node that joins adds one), reads them, and
 * takes their records into the {@link OrderingEngine} as far as the event-time window allows
 * ({@link Merger}: the merged watermark plus {@value #WINDOW_MS} ms, never past the wall clock).
 * A record beyond the window waits in memory, and its partition is paused, until the slower nodes
 * catch up; a fresh global file starts once every partition with records has delivered its first.
 *
 * <p>Owned by the merge's loop thread ({@link MergeLoop}), like the consumer it reads with.
 */
final class PartitionIntake {
    /** How far beyond the merged watermark values are taken in (the engine's window). */
    static final long WINDOW_MS = 10_000;
    /** How far beyond the window's clock a value may be offered before its record waits. */
    static final long AHEAD_MS = 1_000;
    private static final Duration POLL = Duration.ofMillis(MergeLoop.POLL_MS);
    /** Take-and-advance rounds per poll at most: a flush and the stats come between. */
    private static final int MAX_ROUNDS = 64;
    private static final long DISCOVER_MS = 2_000;
    private static final long START_GATE_MS = 10_000;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Map<Integer, Long> saved;
    private final OrderingEngine engine;
    private final OutputStore store;
    private final Consumer<String> log;
    private final List<NodeStream> nodes = new ArrayList<>();
    private final NodeRecord record = new NodeRecord();

    private long nowMs;
    private long wallMs;
    private long nextDiscoverMs;
    private long gateSinceMs = -1;
    private long aheadToLate;
    private long skippedRecords;
    /** Whether the last merge moved the watermark: then held records may fit now, so do not wait. */
    private boolean progressed;

    /**
     * @param saved the offset to start each partition from (the last checkpoint), by partition;
     *     a partition not in it is read from its beginning
     */
    PartitionIntake(KafkaConsumer<byte[], byte[]> consumer, String topic, Map<Integer, Long> saved,
            OrderingEngine engine, OutputStore store, Consumer<String> log) {
        this.consumer = consumer;
        this.topic = topic;
        this.saved = saved;
        this.engine = engine;
        this.store = store;
        this.log = log;
    }

    /** Monotonic and wall-clock time as of {@code nowMs} and {@code wallMs}: what the next steps use. */
    void clock(long nowMs, long wallMs) {
        this.nowMs = nowMs;
        this.wallMs = wallMs;
    }

    /** Whether some partition is known (else there is nothing to poll). */
    boolean hasPartitions() {
        return !nodes.isEmpty();
    }

    /** How many partitions (nodes) are read. */
    int partitions() {
        return nodes.size();
    }

    /** Values a node published far ahead of the merge, kept in the late file: counted as offered and late. */
    long aheadToLate() {
        return aheadToLate;
    }

    /** Looks for new partitions every {@value #DISCOVER_MS} ms (at once the first time). */
    void discoverIfDue() {
        if (nowMs >= nextDiscoverMs) {
            discover();
            nextDiscoverMs = nowMs + DISCOVER_MS; // not after a failure: then it tries again soon
        }
    }

    /**
     * Polls what the partitions have, keeping it as held records; does not wait when held records
     * may fit the window that the last merge moved.
     */
    void poll() {
        final ConsumerRecords<byte[], byte[]> polled = consumer.poll(progressed && holding() ? Duration.ZERO : POLL);
        for (TopicPartition tp : polled.partitions()) {
            nodes.get(tp.partition()).held.addAll(polled.records(tp));
        }
    }

    /**
     * Takes what the window allows from every node and moves the merged watermark, again while
     * that lets more in (catching up from a full topic goes window after window without a poll);
     * nothing before a fresh file's start.
     */
    void merge() {
        if (!started()) {
            return;
        }
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

    /** Per partition, the offset from which a restart must read again: what a checkpoint saves. */
    long[] safeOffsets() {
        final long[] at = new long[nodes.size()];
        for (int p = 0; p < at.length; p++) {
            at[p] = nodes.get(p).safeOffset();
        }
        return at;
    }

    /** Records not taken yet: held in memory, plus the consumer's lag. */
    long behind() {
        long behind = 0;
        for (NodeStream n : nodes) {
            behind += consumer.currentLag(n.partition).orElse(0) + n.held.size();
        }
        return behind;
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
            skip(n, r);
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

    /**
     * A record this merge cannot read is skipped, said once per partition (and again when its
     * version changes), and counted: the merge goes on with the records it understands. A newer
     * node's record says its version; its values stay in that node's files and partition, for a
     * merge that reads it (docs/SCALE-OUT.md, The record format).
     */
    private void skip(NodeStream n, ConsumerRecord<byte[], byte[]> r) {
        skippedRecords++;
        final int version = record.unknownVersion();
        if (n.skippedVersion == NodeStream.NOTHING_SKIPPED || n.skippedVersion != version) {
            n.skippedVersion = version;
            if (version > 0) {
                log.accept("merge: error: " + n.partition + " offset " + r.offset() + " is a record of version "
                        + version + ", written by a newer stampede; this merge reads versions up to "
                        + NodeRecord.VERSION + ": skipped, with any more of that version in this partition (their "
                        + "values do not reach the global file: upgrade the merge, then restart it)");
            } else {
                log.accept("merge: error: " + n.partition + " offset " + r.offset() + " is not a stampede record; "
                        + "skipped, with any more such in this partition (is the topic shared with something else?)");
            }
        }
        done(n, r, Long.MIN_VALUE);
    }

    /** Records skipped because this merge cannot read them (a newer version, or not stampede's). */
    long skippedRecords() {
        return skippedRecords;
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
        final List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
        final int count = infos == null ? 0 : infos.size();
        if (count <= nodes.size()) {
            return;
        }
        final int before = nodes.size();
        final List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            if (p >= before) {
                nodes.add(new NodeStream(new TopicPartition(topic, p), saved.getOrDefault(p, 0L)));
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
        log.accept("merge: reading " + count + " partitions of " + topic
                + (before > 0 ? " (" + (count - before) + " new)" : ""));
    }
}
