package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.stats.ServerStats;
import dev.stampede.store.Rotation;
import dev.stampede.testing.Await;
import dev.stampede.testing.LineClient;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash between a rotation's rename and the new file leaves only closed window files: the
 * restart must still hold the watermark for the startup grace (issue 16), so replays land in order.
 */
@Timeout(60)
class StartupGraceAfterRotationTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void aRestartWithOnlyClosedFilesGetsTheGrace() throws Exception {
        final Path output = dir.resolve("timestamps.txt");
        final Rotation rotation = new Rotation(1_000, 0);
        final long closedStart = rotation.windowStart(System.currentTimeMillis() - 10_000);
        // The window closed and renamed before the crash; no file at the output path.
        Files.writeString(Rotation.closedName(output, closedStart), closedStart + "\n" + (closedStart + 5) + "\n");
        final long t = closedStart + 3_000; // a later window
        final ServerConfig config = ServerConfig.builder()
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .output(output)
                .idleTimeoutMs(200)
                .maxDelayMs(5_000)
                .startupGraceMs(30_000)
                .flushIntervalMs(5)
                .statsIntervalMs(0)
                .rotation(rotation)
                .build();
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        final IngestServer server = IngestServer.start(config, log::add);
        try {
            // After the restart, A reconnects first with newer values, then B replays older ones.
            try (LineClient a = new LineClient(server.port())) {
                a.send(t + 20, t + 30);
            }
            Await.until("A's values received", WAIT, () -> server.stats().msgs() == 2);
            try (LineClient b = new LineClient(server.port())) {
                b.send(t, t + 1, t + 10);
            }
            Await.until("B's values received", WAIT, () -> server.stats().msgs() == 5);
        } finally {
            final ServerStats stats = server.stop();
            assertThat(stats.late()).as("replays held by the grace, not late").isZero();
        }
        final List<Long> all = new ArrayList<>();
        for (Path p : Rotation.closedFiles(output)) {
            all.addAll(ServerHarness.readValues(p));
        }
        all.addAll(ServerHarness.readValues(output));
        assertThat(all).containsExactly(closedStart, closedStart + 5, t, t + 1, t + 10, t + 20, t + 30);
    }
}
