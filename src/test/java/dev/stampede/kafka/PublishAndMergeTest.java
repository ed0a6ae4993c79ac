package dev.stampede.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.metrics.MergeMetrics;
import dev.stampede.metrics.MetricsServer;
import dev.stampede.server.IngestServer;
import dev.stampede.server.ServerConfig;
import dev.stampede.stats.MergeStats;
import dev.stampede.store.FsyncPolicy;
import dev.stampede.store.OutputStore;
import dev.stampede.testing.Await;
import dev.stampede.testing.BrokerPerClass;
import dev.stampede.testing.LineClient;
import dev.stampede.testing.Scrape;
import dev.stampede.verify.FileVerifier;
import dev.stampede.verify.VerifyResult;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Publishing and merging against a real Kafka broker (one for the class, in a child JVM): a
 * server's partition holds its file once, across restarts and a broker outage; the merge writes
 * every node's values once, in order, and continues after a restart.
 */
@Timeout(180)
class PublishAndMergeTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger TOPICS = new AtomicInteger();

    @RegisterExtension
    static final BrokerPerClass KAFKA = new BrokerPerClass();

    @TempDir
    Path dir;

    private final List<String> log = new CopyOnWriteArrayList<>();

    private static KafkaSettings settings() {
        return new KafkaSettings(KAFKA.broker().bootstrap(), "ts" + TOPICS.incrementAndGet(), new Properties());
    }

    @Test
    void aNodePublishesItsFilesOnceAcrossRestartsAndABrokerOutage() throws Exception {
        final KafkaSettings kafka = settings();
        final Path output = dir.resolve("node0.txt");
        final long t = System.currentTimeMillis();
        int port = 0;
        long next = t;
        for (int run = 0; run < 2; run++) {
            final IngestServer server = IngestServer.start(serverConfig(output, port), log::add);
            port = server.port();
            final NodePublisher publisher = new NodePublisher(kafka, 0, output, server.durableOutput(),
                    OutputStore.latePath(output), server.durableLate(), log::add).start();
            // Values a little in the past: final at once, never ahead of the clock at the stop.
            next = Math.max(next, System.currentTimeMillis() - 1_000);
            try (LineClient c = new LineClient(port)) {
                for (int i = 0; i < 200; i++) {
                    c.send(next++);
                }
                c.send(t - 60_000); // late (a minute old): in the late file, published as such
                if (run == 0) {
                    final long target = 201;
                    Await.until("published", WAIT, () -> publisher.published() >= target);
                    KAFKA.broker().stop(); // an outage while values keep coming
                    for (int i = 0; i < 100; i++) {
                        c.send(next++);
                    }
                    Await.until("the server goes on writing its file", WAIT,
                            () -> server.stats().written() >= 300);
                    KAFKA.broker().restart();
                }
            }
            server.stop();
            assertThat(publisher.finish(WAIT.toMillis())).as("published everything and left").isTrue();
        }
        final List<PartitionRecords.Copy> records = PartitionRecords.readAll(kafka, 0);
        final List<Long> values = new ArrayList<>();
        final List<Long> late = new ArrayList<>();
        for (PartitionRecords.Copy r : records) {
            (r.kind() == NodeRecord.LATE ? late : values).addAll(r.values());
        }
        assertThat(values).as("the node's file, each value once, in order")
                .containsExactlyElementsOf(Files.readAllLines(output).stream().map(Long::parseLong).toList());
        assertThat(values).hasSize(500);
        assertThat(late).containsExactly(t - 60_000, t - 60_000);
        assertThat(records.stream().filter(r -> r.kind() == NodeRecord.LEAVING).count()).isEqualTo(2);
        assertThat(records.get(records.size() - 1).kind()).isEqualTo(NodeRecord.LEAVING);
        long watermark = Long.MIN_VALUE;
        for (PartitionRecords.Copy r : records) {
            assertThat(r.watermark()).as("watermarks never go back").isGreaterThanOrEqualTo(watermark);
            watermark = r.watermark();
            if (r.kind() == NodeRecord.VALUES && !r.values().isEmpty()) {
                assertThat(r.values().get(r.values().size() - 1)).isLessThan(r.watermark());
            }
        }
    }

    @Test
    void aLateValueIsAcknowledgedOnlyOnceItIsInThePartition() throws Exception {
        final KafkaSettings kafka = settings();
        final Path output = dir.resolve("node0.txt");
        final IngestServer server = IngestServer.start(
                serverConfig(output, 0).toBuilder().publishes(true).fsyncIntervalMs(100).build(), log::add);
        final NodePublisher publisher = new NodePublisher(kafka, 0, output, server.durableOutput(),
                OutputStore.latePath(output), server.durableLate(), log::add).start();
        server.acknowledgeWhenPublished(publisher::acknowledgedWatermark, publisher::acknowledgedLateBytes);
        try (LineClient c = new LineClient(server.port())) {
            c.soTimeout(5_000);
            final long t = System.currentTimeMillis() - 1_000;
            c.sendRaw("ACKS 1\n").send(t, t + 1);
            readUntil(c, "ACK 3"); // final, fsynced and published
            KAFKA.broker().stop();
            try {
                c.send(t - 60_000); // late: in the late file and fsynced within 100 ms, not in the partition
                Await.until("the late value is durable in the late file", WAIT,
                        () -> server.durableLate().durableMark() >= 1);
                final long until = System.currentTimeMillis() + 1_500; // heartbeats keep coming
                while (System.currentTimeMillis() < until) {
                    assertThat(c.readLine()).as("not acknowledged before it is published").isEqualTo("ACK 3");
                }
            } finally {
                KAFKA.broker().restart();
            }
            c.soTimeout(30_000);
            readUntil(c, "ACK 4");
            assertThat(PartitionRecords.readAll(kafka, 0).stream().filter(r -> r.kind() == NodeRecord.LATE)
                    .flatMap(r -> r.values().stream()).toList()).containsExactly(t - 60_000);
        } finally {
            server.stop();
            publisher.finish(WAIT.toMillis());
        }
    }

    @Test
    void theMergeWritesEveryNodesValuesOnceInOrderAndContinuesAfterARestart() throws Exception {
        final KafkaSettings kafka = settings();
        kafka.ensurePartitions(3);
        final long t = System.currentTimeMillis() - 30_000;
        final TreeSet<Long> expected = new TreeSet<>();
        final Path global = dir.resolve("global.txt");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer(99))) {
            // Three nodes, interleaved in time, each value of node 1 also sent by node 2.
            for (int k = 0; k < 100; k++) {
                for (int node = 0; node < 3; node++) {
                    final long v = t + k * 10L + (node == 2 ? 1 : node);
                    send(producer, kafka, node, NodeRecord.encode(NodeRecord.VALUES, v + 1, 0, 0, v));
                    expected.add(v);
                }
            }
            Merger merger = Merger.start(mergeConfig(kafka, global), log::add);
            Await.until("everything before the slowest node's watermark written", WAIT,
                    () -> merger.stats().written() >= expected.size() - 3);
            MergeStats stats = merger.stop();
            assertThat(stats.dups()).as("node 1 and 2 sent the same values").isGreaterThanOrEqualTo(99);
            // More, after the restart; then every node leaves: all of it is final.
            for (int node = 0; node < 3; node++) {
                final long v = t + 5_000 + node;
                send(producer, kafka, node, NodeRecord.encode(NodeRecord.VALUES, v + 1, 0, 0, v));
                send(producer, kafka, node, NodeRecord.encode(NodeRecord.LEAVING, v + 1, 0, 0));
                expected.add(v);
            }
            final Merger again = Merger.start(mergeConfig(kafka, global), log::add);
            Await.until("all written", WAIT, () -> fileSize(global) == expected.size());
            stats = again.stop();
            assertThat(stats.late()).isZero();
        }
        assertThat(Files.readAllLines(global).stream().map(Long::parseLong).toList())
                .containsExactlyElementsOf(expected);
        final VerifyResult v = new FileVerifier(false, null).verify(global, List.of());
        assertThat(v.ok()).as(v.render()).isTrue();
    }

    @Test
    void anIdleNodeStopsHoldingTheMergeAndItsLaterValuesAreLate() throws Exception {
        final KafkaSettings kafka = settings();
        kafka.ensurePartitions(2);
        final long t = System.currentTimeMillis() - 10_000;
        final Path global = dir.resolve("global.txt");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer(99));
                Merger merger = Merger.start(mergeConfig(kafka, global), log::add)) {
            send(producer, kafka, 1, NodeRecord.encode(NodeRecord.VALUES, t + 1, 0, 0, t)); // node 1, then silence
            for (int k = 1; k <= 40; k++) {
                final long v = t + k * 50L;
                send(producer, kafka, 0, NodeRecord.encode(NodeRecord.VALUES, v + 1, 0, 0, v));
                Thread.sleep(50); // node 0 keeps publishing, as a live node does
            }
            Await.until("node 0's values written once node 1 is idle", WAIT,
                    () -> merger.stats().written() >= 35);
            send(producer, kafka, 1, NodeRecord.encode(NodeRecord.VALUES, t + 102, 0, 0, t + 101)); // too late now
            Await.until("counted late", WAIT, merger::stats, s -> s.late() == 1);
        }
        assertThat(Files.readAllLines(OutputStore.latePath(global))).containsExactly(String.valueOf(t + 101));
    }

    @Test
    void aRecordOfAnUnknownVersionIsRefusedWithAnErrorAndTheMergeReadsOn() throws Exception {
        final KafkaSettings kafka = settings();
        kafka.ensurePartitions(1);
        final long t = System.currentTimeMillis() - 10_000;
        final Path global = dir.resolve("global.txt");
        final byte[] newer = NodeRecord.encode(NodeRecord.VALUES, t + 6, 0, 0, t + 5);
        newer[0] = 2; // a version from a newer stampede
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer(99));
                Merger merger = Merger.start(mergeConfig(kafka, global), log::add)) {
            send(producer, kafka, 0, NodeRecord.encode(NodeRecord.VALUES, t + 1, 0, 0, t));
            send(producer, kafka, 0, newer);
            send(producer, kafka, 0, newer);
            // A record of stampede before the version byte is still read.
            send(producer, kafka, 0, NodeRecordTest.unversioned(NodeRecord.encode(NodeRecord.VALUES, t + 11, 0, 0, t + 10)));
            send(producer, kafka, 0, NodeRecord.encode(NodeRecord.VALUES, t + 21, 0, 0, t + 20));
            send(producer, kafka, 0, NodeRecord.encode(NodeRecord.LEAVING, t + 21, 0, 0));
            Await.until("the readable values written", WAIT, () -> fileSize(global) == 3);
            assertThat(merger.isRunning()).isTrue();
        }
        assertThat(Files.readAllLines(global))
                .containsExactly(String.valueOf(t), String.valueOf(t + 10), String.valueOf(t + 20));
        assertThat(log.stream().filter(l -> l.contains("version 2"))).singleElement().asString()
                .contains("merge: error: ").contains(" offset 1 ").contains("newer stampede").contains("skipped");
    }

    @Test
    void aNodeReadsBackUnversionedRecordsAndRefusesANewerVersion() throws Exception {
        final KafkaSettings kafka = settings();
        kafka.ensurePartitions(1);
        final long t = System.currentTimeMillis() - 10_000;
        final org.apache.kafka.common.TopicPartition p0 = new org.apache.kafka.common.TopicPartition(kafka.topic(), 0);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer(99))) {
            // A partition written by stampede before the version byte: an upgraded node resumes from it.
            send(producer, kafka, 0, NodeRecordTest.unversioned(NodeRecord.encode(NodeRecord.VALUES, t + 1, 14, 0, t)));
            assertThat(PartitionEnd.read(kafka, p0, "test")).isEqualTo(new PartitionEnd(14, 0, t + 1, t));
            // Then a newer stampede wrote it: this one cannot tell where publication stands, and says so.
            final byte[] newer = NodeRecord.encode(NodeRecord.VALUES, t + 2, 28, 0, t + 1);
            newer[0] = 2;
            send(producer, kafka, 0, newer);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PartitionEnd.read(kafka, p0, "test"))
                .isInstanceOf(IOException.class).hasMessageContaining("record of version 2")
                .hasMessageContaining("newer stampede");
    }

    @Test
    void aNodeThatJoinsLaterIsPickedUp() throws Exception {
        final KafkaSettings kafka = settings();
        kafka.ensurePartitions(1);
        final long t = System.currentTimeMillis() - 10_000;
        final Path global = dir.resolve("global.txt");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer(99));
                Merger merger = Merger.start(mergeConfig(kafka, global), log::add)) {
            send(producer, kafka, 0, NodeRecord.encode(NodeRecord.VALUES, t + 1, 0, 0, t));
            send(producer, kafka, 0, NodeRecord.encode(NodeRecord.LEAVING, t + 1, 0, 0));
            Await.until("node 0's value written", WAIT, () -> fileSize(global) == 1);
            kafka.ensurePartitions(2); // node 1 joins
            send(producer, kafka, 1, NodeRecord.encode(NodeRecord.VALUES, t + 51, 0, 0, t + 50));
            send(producer, kafka, 1, NodeRecord.encode(NodeRecord.LEAVING, t + 51, 0, 0));
            Await.until("node 1's value written", WAIT, () -> fileSize(global) == 2);
            Await.until("two nodes in the stats", WAIT, () -> merger.stats().nodes() == 2);
        }
        assertThat(Files.readAllLines(global)).containsExactly(String.valueOf(t), String.valueOf(t + 50));
        assertThat(log).anyMatch(l -> l.contains("reading 2 partitions") && l.contains("1 new"));
    }

    @Test
    void theMergeMetricsMoveAndAfterTheStopMatchTheSummary() throws Exception {
        final KafkaSettings kafka = settings();
        kafka.ensurePartitions(2);
        final long t = System.currentTimeMillis() - 10_000;
        final Path global = dir.resolve("global.txt");
        final Merger merger = Merger.start(mergeConfig(kafka, global), log::add);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer(99));
                MetricsServer m = MetricsServer.start(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), new MergeMetrics(merger::stats))) {
            // The nodes take turns, as live nodes do: neither is silent for the idle timeout (on a
            // loaded machine, ten sends of one node in a row could leave the other idle, its values late).
            for (int k = 0; k < 10; k++) {
                for (int node = 0; node < 2; node++) {
                    final long v = t + node * 5 + k; // node 1 repeats node 0's last 5 values
                    send(producer, kafka, node, NodeRecord.encode(NodeRecord.VALUES, v + 1, 0, 0, v));
                }
            }
            for (int node = 0; node < 2; node++) {
                send(producer, kafka, node, NodeRecord.encode(NodeRecord.LEAVING, t + 20, 0, 0));
            }
            Await.until("all read and written, as the metrics say", WAIT, () -> {
                final Scrape s = scrape(m);
                return s.count("stampede_merge_received_total") == 20 && s.count("stampede_merge_written_total") == 15;
            });
            final Scrape live = scrape(m);
            assertThat(live.count("stampede_merge_nodes")).isEqualTo(2);
            assertThat(live.count("stampede_merge_behind_records")).isZero();
            assertThat(live.value("stampede_merge_watermark_lag_seconds")).isPositive();
            final MergeStats last = merger.stop();
            final Scrape after = Scrape.of(m.url());
            final Map<String, Long> summary = Scrape.pairs(last.summaryLine());
            assertThat(after.count("stampede_merge_nodes")).isEqualTo(summary.get("nodes"));
            assertThat(after.count("stampede_merge_received_total")).isEqualTo(summary.get("msgs"));
            assertThat(after.count("stampede_merge_written_total")).isEqualTo(summary.get("written")).isEqualTo(15);
            assertThat(after.count("stampede_merge_duplicates_total")).isEqualTo(summary.get("dups")).isEqualTo(5);
            assertThat(after.count("stampede_merge_late_total")).isEqualTo(summary.get("late")).isZero();
            assertThat(after.count("stampede_merge_pending")).isEqualTo(summary.get("pending")).isZero();
            assertThat(after.count("stampede_merge_live_nodes")).isEqualTo(last.live());
            assertThat(Scrape.get("http://127.0.0.1:" + m.port() + "/-/healthy").statusCode()).isEqualTo(200);
        } finally {
            merger.stop();
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Reads reply lines until {@code expected} (each must be an {@code ACK}). */
    private static void readUntil(LineClient c, String expected) throws IOException {
        for (String line = c.readLine(); !expected.equals(line); line = c.readLine()) {
            assertThat(line).as("a reply line").isNotNull().startsWith("ACK ");
        }
    }

    private static Scrape scrape(MetricsServer m) {
        try {
            return Scrape.of(m.url());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, KafkaSettings kafka, int partition, byte[] value)
            throws Exception {
        producer.send(new ProducerRecord<>(kafka.topic(), partition, null, value)).get();
    }

    private static long fileSize(Path f) {
        try {
            return Files.exists(f) ? Files.readAllLines(f).size() : 0;
        } catch (IOException e) {
            return -1;
        }
    }

    private static MergeConfig mergeConfig(KafkaSettings kafka, Path global) {
        return MergeConfig.builder().kafka(kafka).output(global).idleTimeoutMs(500).fsync(FsyncPolicy.INTERVAL)
                .fsyncIntervalMs(200).statsIntervalMs(0).build();
    }

    private static ServerConfig serverConfig(Path output, int port) {
        return ServerConfig.builder().bind(new InetSocketAddress("127.0.0.1", port)).output(output)
                .idleTimeoutMs(300).maxDelayMs(5_000).maxSkewMs(300_000).startupGraceMs(0).maxConnections(100)
                .readBatchMs(0).flushIntervalMs(10).statsIntervalMs(0).fsync(FsyncPolicy.INTERVAL)
                .fsyncIntervalMs(1_000).silentTimeoutMs(30_000).build();
    }
}
