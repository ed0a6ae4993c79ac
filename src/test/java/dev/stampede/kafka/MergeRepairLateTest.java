package dev.stampede.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.format.OutputFiles;
import dev.stampede.stats.MergeStats;
import dev.stampede.store.FsyncPolicy;
import dev.stampede.store.OutputStore;
import dev.stampede.store.Rotation;
import dev.stampede.testing.Await;
import dev.stampede.testing.BrokerPerClass;
import dev.stampede.verify.FileVerifier;
import dev.stampede.verify.VerifyResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code merge --rotate --repair-late} against a real broker: a node's values published late
 * (after the merge passed them, as a failover's replays are) end in their global window files.
 */
@Timeout(180)
class MergeRepairLateTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final BrokerPerClass KAFKA = new BrokerPerClass();

    @TempDir
    Path dir;

    private final List<String> log = new CopyOnWriteArrayList<>();

    @Test
    void lateRecordsEndInTheirGlobalWindowFiles() throws Exception {
        final KafkaSettings kafka = new KafkaSettings(KAFKA.broker().bootstrap(), "repair", new Properties());
        kafka.ensurePartitions(1);
        final Path global = dir.resolve("global.txt");
        final long t = (System.currentTimeMillis() - 60_000) / 1_000 * 1_000;
        final List<Long> all = new ArrayList<>();
        final MergeConfig config = MergeConfig.builder().kafka(kafka).output(global).idleTimeoutMs(500)
                .fsync(FsyncPolicy.INTERVAL).fsyncIntervalMs(200).statsIntervalMs(0)
                .rotation(new Rotation(1_000, 0, true)).build();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer(99))) {
            final Merger merger = Merger.start(config, log::add);
            for (int k = 0; k < 50; k++) {
                final long v = t + k * 100L + 10; // five windows, t .. t+4999
                send(producer, kafka, NodeRecord.encode(NodeRecord.VALUES, v + 1, 0, 0, v));
                all.add(v);
            }
            Await.until("the merge passes them", WAIT, () -> merger.stats().written() >= 49);
            final long[] late = {t, t + 999, t + 1_500, t + 3_999, t + 4_321};
            for (long v : late) {
                send(producer, kafka, NodeRecord.encode(NodeRecord.LATE, t + 5_000, 0, 0, v));
                all.add(v);
            }
            Await.until("late, then repaired", WAIT, () -> merger.stats().repaired() >= late.length);
            final MergeStats stats = merger.stop();
            assertThat(stats.late()).isEqualTo(late.length);
            assertThat(stats.repaired()).isEqualTo(late.length);
            for (long v : late) {
                final Path closed = Rotation.closedName(global, v / 1_000 * 1_000);
                final Path window = Files.exists(closed) ? closed : global; // the last may still be current
                assertThat(Files.readAllLines(window)).as("%s holds %d", window, v).contains(String.valueOf(v));
            }
            // The late journal keeps them: the late file and its segments, cut with the windows.
            final List<String> journal = new ArrayList<>(Files.readAllLines(OutputStore.latePath(global)));
            for (Path segment : OutputFiles.lateSegments(global)) {
                journal.addAll(Files.readAllLines(segment));
            }
            assertThat(journal).hasSize(late.length);
        }
        final StringBuilder b = new StringBuilder();
        for (long v : all) {
            b.append(v).append('\n');
        }
        final Path expected = dir.resolve("expected.txt");
        Files.writeString(expected, b);
        final List<Path> files = new ArrayList<>(Rotation.closedFiles(global));
        files.add(global);
        final VerifyResult r = new FileVerifier(false, null).verify(files, List.of(expected));
        assertThat(r.ok()).as(r.render()).isTrue();
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, KafkaSettings kafka, byte[] value)
            throws Exception {
        producer.send(new ProducerRecord<>(kafka.topic(), 0, null, value)).get();
    }
}
