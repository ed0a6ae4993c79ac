package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.stats.ServerStats;
import dev.stampede.testing.Await;
import dev.stampede.testing.LineClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's clock bounds the watermark, over real sockets: a client clock far ahead delays only
 * its own values, and a restart on a file that ends long ago catches up with the clock as soon as
 * the grace is over.
 */
@Timeout(60)
class ServerClockTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void aClientClockFarAheadMakesNobodyElseLateAndNeverReachesTheFile(int loops) throws Exception {
        final long future = System.currentTimeMillis() + 200_000; // within the 5 min max skew
        try (ServerHarness server = ServerHarness.with().loops(loops).start(dir);
                LineClient ahead = server.connect();
                LineClient b = server.connect();
                LineClient c = server.connect()) {
            ahead.send(future);
            Await.until("the value from the future taken", WAIT, () -> server.stats().msgs() == 1);
            for (int i = 0; i < 20; i++) {
                final long now = System.currentTimeMillis();
                b.send(now);
                c.send(now - 1);
                ahead.send(future + i * 50L);
                Thread.sleep(50); // clients sending on their schedule
            }
            Await.until("b's and c's values written", WAIT, () -> server.written().size() >= 30);
            assertThat(server.stats().late()).isZero();
            final ServerStats stats = server.stop();
            assertThat(stats.late()).as("only the future values, at the stop").isEqualTo(20);
            assertThat(stats.written()).isEqualTo(40);
            assertThat(server.written()).allMatch(v -> v < future);
            assertThat(server.late()).hasSize(20).allMatch(v -> v >= future);
        }
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void aRestartAfterALongOutageCatchesUpWithTheClockOnceTheGraceIsOver(int loops) throws Exception {
        final long minuteAgo = System.currentTimeMillis() - 60_000;
        Files.writeString(dir.resolve("timestamps.txt"), minuteAgo + "\n");
        // A max delay of a minute: a watermark stuck at the max delay would show as ~60 s of lag.
        try (ServerHarness server = ServerHarness.with().loops(loops).maxDelayMs(60_000).startupGraceMs(500).start(dir);
                LineClient a = server.connect();
                LineClient b = server.connect()) {
            final long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline && !(server.written().size() > 10
                    && server.stats().watermarkLagMs() < 1_000)) {
                final long now = System.currentTimeMillis();
                a.send(now);
                b.send(now - 1);
                Thread.sleep(50);
            }
            assertThat(server.stats().watermarkLagMs()).as("the file follows the clients, not the max delay")
                    .isLessThan(1_000);
            final ServerStats stats = server.stop();
            assertThat(stats.late()).isZero();
            final List<Long> written = server.written();
            assertThat(written.get(0)).isEqualTo(minuteAgo);
            assertThat(written).isSorted().doesNotHaveDuplicates();
        }
    }
}
