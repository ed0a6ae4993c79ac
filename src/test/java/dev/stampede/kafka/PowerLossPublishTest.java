package dev.stampede.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.server.IngestServer;
import dev.stampede.server.ServerConfig;
import dev.stampede.store.FsyncPolicy;
import dev.stampede.store.OutputStore;
import dev.stampede.testing.Await;
import dev.stampede.testing.BrokerPerClass;
import dev.stampede.testing.LineClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publisher after a power loss (issue 16): the node's file comes back shorter than what its
 * partition recorded, cut inside a line. Against a real broker (one for the class).
 */
@Timeout(180)
class PowerLossPublishTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final BrokerPerClass KAFKA = new BrokerPerClass();

    @TempDir
    Path dir;

    private final List<String> log = new CopyOnWriteArrayList<>();

    @Test
    void aFileCutInsideALineIsPublishedOnFromTheLastValueThePartitionHolds() throws Exception {
        final KafkaSettings kafka = new KafkaSettings(KAFKA.broker().bootstrap(), "powerloss", new Properties());
        final Path output = dir.resolve("node0.txt");
        final List<Long> sent = new ArrayList<>();
        long next = System.currentTimeMillis() - 1_000;

        // Run 1: the node writes and publishes 200 values, then stops.
        IngestServer server = IngestServer.start(config(output, 0), log::add);
        final int port = server.port();
        NodePublisher publisher = publisher(kafka, output, server);
        try (LineClient c = new LineClient(port)) {
            for (int i = 0; i < 200; i++) {
                sent.add(next);
                c.send(next++);
            }
        }
        Await.until("published", WAIT, () -> publisherPublished(kafka) >= 200);
        server.stop();
        assertThat(publisher.finish(WAIT.toMillis())).isTrue();

        // Power loss: the file's last 200 bytes never reached the disk; it ends inside a line.
        final long size = Files.size(output);
        try (FileChannel ch = FileChannel.open(output, StandardOpenOption.WRITE)) {
            ch.truncate(size - 200);
        }
        assertThat((size - 200) % 14).as("cut inside a line").isNotZero();
        final List<Long> kept = new ArrayList<>();
        for (String line : Files.readAllLines(output)) {
            if (line.length() == 13) {
                kept.add(Long.parseLong(line));
            }
        }
        final List<Long> lost = sent.subList(kept.size(), sent.size());

        // Run 2: the node restarts; its client replays part of what the file lost (so the file,
        // written again, differs from what the partition recorded), then sends new values.
        server = IngestServer.start(config(output, port), log::add);
        publisher = publisher(kafka, output, server);
        next = Math.max(next, System.currentTimeMillis() - 1_000);
        try (LineClient c = new LineClient(port)) {
            for (long v : lost.subList(0, lost.size() / 2)) {
                c.send(v); // already in the partition: must not go there twice
            }
            for (int i = 0; i < 100; i++) {
                sent.add(next);
                c.send(next++); // new: must all reach the partition
            }
        }
        final long newest = next - 1;
        Await.until("the new values written", WAIT, () -> lastLine(output) == newest);
        server.stop();
        assertThat(publisher.finish(WAIT.toMillis())).as("published everything and left").isTrue();

        final List<Long> published = publishedValues(kafka);
        assertThat(published).as("every value once, in order, no fragment").containsExactlyElementsOf(sent);
        assertThat(log).anyMatch(l -> l.contains("does not hold what"));
    }

    private NodePublisher publisher(KafkaSettings kafka, Path output, IngestServer server) {
        return new NodePublisher(kafka, 0, output, server.durableOutput(), OutputStore.latePath(output),
                server.durableLate(), log::add).start();
    }

    private static ServerConfig config(Path output, int port) {
        return ServerConfig.builder().bind(new InetSocketAddress("127.0.0.1", port)).output(output)
                .idleTimeoutMs(300).maxDelayMs(5_000).maxSkewMs(300_000).startupGraceMs(0).maxConnections(100)
                .readBatchMs(0).flushIntervalMs(10).statsIntervalMs(0).fsync(FsyncPolicy.INTERVAL)
                .fsyncIntervalMs(100).silentTimeoutMs(30_000).build();
    }

    private static long lastLine(Path f) {
        try {
            final List<String> lines = Files.readAllLines(f);
            return lines.isEmpty() ? -1 : Long.parseLong(lines.get(lines.size() - 1));
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static long publisherPublished(KafkaSettings kafka) {
        return publishedValues(kafka).size();
    }

    /** The final values in partition 0, in order. */
    private static List<Long> publishedValues(KafkaSettings kafka) {
        final List<Long> out = new ArrayList<>();
        try {
            for (PartitionRecords.Copy r : PartitionRecords.readAll(kafka, 0)) {
                if (r.kind() == NodeRecord.VALUES) {
                    out.addAll(r.values());
                }
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            return out; // the topic is not there yet
        }
        return out;
    }
}
