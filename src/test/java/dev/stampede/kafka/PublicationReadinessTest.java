package dev.stampede.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.metrics.MetricsServer;
import dev.stampede.metrics.ReadinessChecks;
import dev.stampede.metrics.ServerMetrics;
import dev.stampede.server.IngestServer;
import dev.stampede.server.ServerConfig;
import dev.stampede.store.FsyncPolicy;
import dev.stampede.store.OutputStore;
import dev.stampede.testing.Await;
import dev.stampede.testing.LineClient;
import dev.stampede.testing.Ports;
import dev.stampede.testing.Scrape;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code --kafka}, a server whose file holds values its partition does not is not ready:
 * here no broker answers at all (a real server, a publisher pointed at a closed port). The
 * ready case, with a real broker, is in {@code GrafanaDashboardTest}.
 */
@Timeout(60)
class PublicationReadinessTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void notReadyWhileNothingIsPublished() throws Exception {
        final KafkaSettings kafka = new KafkaSettings("127.0.0.1:" + Ports.free(), "nobody", new Properties());
        final Path output = dir.resolve("node0.txt");
        final IngestServer server = IngestServer.start(ServerConfig.builder()
                .bind(new InetSocketAddress("127.0.0.1", 0)).output(output).idleTimeoutMs(200).maxDelayMs(5_000)
                .maxSkewMs(300_000).startupGraceMs(0).readBatchMs(0).flushIntervalMs(10).statsIntervalMs(0)
                .fsync(FsyncPolicy.INTERVAL).fsyncIntervalMs(50).build(), line -> { });
        final NodePublisher publisher = new NodePublisher(kafka, 0, output, server.durableOutput(),
                OutputStore.latePath(output), server.durableLate(), line -> { }).start();
        try (MetricsServer m = MetricsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new ServerMetrics(server::stats), ReadinessChecks.all(
                        ReadinessChecks.server(server::isRunning, server::writeFailure),
                        ReadinessChecks.publication(() -> server.durableOutput().durableMark(),
                                publisher::acknowledgedWatermark, ReadinessChecks.PUBLICATION_BOUND_MS)));
                LineClient c = new LineClient(server.port())) {
            final long t = System.currentTimeMillis() - 1_000;
            c.send(t, t + 1, t + 2);
            Await.until("the values durable in the file", WAIT,
                    () -> server.durableOutput().durableMark() != Long.MIN_VALUE);
            final var r = Scrape.get(m.readyUrl());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).isEqualTo("not ready: kafka: nothing published to the partition yet\n");
        } finally {
            server.stop();
            publisher.finish(0);
        }
    }
}
