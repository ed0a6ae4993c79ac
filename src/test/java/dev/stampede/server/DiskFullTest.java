package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stampede.metrics.MetricsServer;
import dev.stampede.metrics.ReadinessChecks;
import dev.stampede.metrics.ServerMetrics;
import dev.stampede.stats.ServerStats;
import dev.stampede.testing.Await;
import dev.stampede.testing.FaultyFiles;
import dev.stampede.testing.LineClient;
import dev.stampede.testing.Scrape;
import dev.stampede.testing.SmallFilesystem;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disk full (docs/DESIGN.md, failure model): the server stops reading, says so, retries, resumes;
 * nothing accepted is lost and no partial line is left; {@code /-/ready} says 503 and why meanwhile, 200
 * again after. On a real full filesystem (a small tmpfs) where this machine lets the test mount one, and
 * through the file seam everywhere.
 */
@Timeout(90)
class DiskFullTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int VALUES = 3_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void onARealFullFilesystemReadingPausesAndResumesWithNothingLost(int loops) throws Exception {
        try (SmallFilesystem fs = SmallFilesystem.mount(dir.resolve("small-fs"), 64)) {
            assumeTrue(fs != null, "cannot mount a tmpfs here (needs root): the seam test covers disk full");
            Files.createFile(fs.dir().resolve("timestamps.txt"));
            final Path filler = fs.fill(56); // leaves two 4 KiB pages: room for ~580 lines
            fillAndFree(ServerHarness.with().loops(loops).start(fs.dir()), () -> Files.delete(filler));
        }
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void throughTheFileSeamReadingPausesAndResumesWithNothingLost(int loops) throws Exception {
        final FaultyFiles disk = new FaultyFiles();
        disk.fillUpAfter(8 * 1024 + 5); // the disk fills in the middle of a line
        fillAndFree(ServerHarness.with().loops(loops).opener(disk).start(dir), disk::free);
        assertThat(disk.failures()).isPositive();
    }

    private static HttpResponse<String> ready(MetricsServer m) throws IOException, InterruptedException {
        return Scrape.get(m.readyUrl());
    }

    private interface Action {
        void run() throws IOException;
    }

    private static void fillAndFree(ServerHarness started, Action freeSpace) throws Exception {
        final long t = ServerHarness.aSecondAgo();
        try (ServerHarness server = started;
                MetricsServer metrics = MetricsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        new ServerMetrics(server::stats),
                        ReadinessChecks.server(server::isRunning, server::writeFailure));
                LineClient c = server.connect()) {
            assertThat(ready(metrics).statusCode()).as("ready before the disk fills").isEqualTo(200);
            assertThat(ready(metrics).body()).isEqualTo("ready\n");
            c.send(LongStream.range(0, VALUES).map(i -> t + i).toArray());
            c.shutdownOutput();
            Await.until("the server says it cannot write", WAIT,
                    () -> server.log.stream().anyMatch(l -> l.contains("cannot write") && l.contains("reading paused")));
            Await.until("stats show the failing writes", WAIT, () -> server.stats().writesFailing());
            final HttpResponse<String> full = ready(metrics);
            assertThat(full.statusCode()).as("/-/ready while the disk is full").isEqualTo(503);
            assertThat(full.body()).startsWith("not ready: writes to the output are failing (reading paused): ")
                    .containsIgnoringCase("space");
            final String partial = Files.readString(server.output);
            assertThat(partial).as("only whole lines while the disk is full").endsWith("\n");
            assertThat(partial.split("\n").length).isLessThan(VALUES);

            freeSpace.run();
            Await.until("the server resumes", WAIT,
                    () -> server.log.stream().anyMatch(l -> l.contains("again after") && l.contains("reading resumed")));
            Await.until("every value written", WAIT, () -> server.written().size() == VALUES);
            assertThat(ready(metrics).statusCode()).as("/-/ready once writes succeed again").isEqualTo(200);
            final ServerStats stats = server.stop();
            assertThat(server.written()).containsExactlyElementsOf(
                    LongStream.range(0, VALUES).map(i -> t + i).boxed().toList());
            assertThat(stats.msgs()).isEqualTo(VALUES);
            assertThat(stats.late()).isZero();
        }
    }
}
