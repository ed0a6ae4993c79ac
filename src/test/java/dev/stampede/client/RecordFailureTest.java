package dev.stampede.client;

import static dev.stampede.client.TestServers.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stampede.server.IngestServer;
import dev.stampede.stats.ClientStats;
import dev.stampede.stats.ServerStats;
import dev.stampede.verify.FileVerifier;
import dev.stampede.verify.VerifyResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code --record} file that cannot be written (a real full device, {@code /dev/full}) stops the
 * recording with a clear message, and costs the sends nothing: not a tick, not a value.
 */
@Timeout(60)
class RecordFailureTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Path FULL = Path.of("/dev/full");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void aRecordFileOnAFullDiskStopsTheRecordingNotTheSends(int loops) throws Exception {
        assumeTrue(Files.isWritable(FULL), "needs /dev/full (Linux)");
        final Path output = dir.resolve("out.txt");
        final List<String> log = new CopyOnWriteArrayList<>();
        final IngestServer server = TestServers.server(0, output, line -> { });
        final ClientStats stats;
        final ServerStats received;
        try (LoadClient client = LoadClient.start(TestServers.client(server.port(), 20, 3_000, Phase.SPREAD, FULL), loops, log::add)) {
            await("the recording stops, saying why", WAIT,
                    () -> log.stream().anyMatch(l -> l.startsWith("client: recording stopped: /dev/full: cannot write it")
                            && l.contains("(the sends go on)")));
            final long sentThen = client.stats().sent();
            assertThat(client.awaitTermination(WAIT.toMillis())).isTrue();
            stats = client.stop();
            assertThat(stats.sent()).as("the sends went on").isGreaterThan(sentThen);
        } finally {
            received = server.stop();
        }
        assertThat(received.msgs()).as("every value sent reached the server").isEqualTo(stats.sent());
        // A record file that held the loop up would lose most ticks; a loaded machine may cost a few
        // (20 of 1,200, 1.7 %, beside three other test JVMs on two cores): 10 % tells the two apart.
        assertThat(stats.missed()).as("no tick lost to the record file").isLessThanOrEqualTo(stats.sent() / 10);
        assertThat(TestServers.ticks(stats)).isEqualTo(20 * 3_000 / 50);
        assertThat(log).filteredOn(l -> l.contains("recording stopped")).hasSize(1);
        final VerifyResult result = new FileVerifier(false, null).verify(output, List.of());
        assertThat(result.ok()).as(result.render()).isTrue();
    }
}
