package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.testing.Await;
import dev.stampede.testing.LineClient;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --max-connections} and {@code --silent-timeout} changed while the server runs (what a
 * reload on SIGHUP does): the loops use the new values at their next accept or sweep, and a lower
 * limit closes no connection that is already in.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReloadableLimitsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private ServerConfig config(int maxConnections, long silentTimeoutMs, int loops) {
        return ServerConfig.builder().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .output(dir.resolve("ts.txt")).maxConnections(maxConnections).silentTimeoutMs(silentTimeoutMs)
                .readBatchMs(0).statsIntervalMs(0).startupGraceMs(0).loops(loops).build();
    }

    @Test
    void aRaisedConnectionLimitAdmitsTheNextNewcomer() throws Exception {
        final IngestServer server = IngestServer.start(config(1, 30_000, 2), line -> { });
        try (LineClient first = new LineClient(server.port())) {
            final long t = ServerHarness.aSecondAgo();
            first.send(t);
            Await.until("the first connection in", WAIT, () -> server.stats().msgs() == 1);
            try (LineClient refused = new LineClient(server.port())) {
                assertThat(refused.readLine()).isEqualTo("ERR 0 server full; closing");
            }
            server.limits().apply(config(2, 30_000, 2));
            assertThat(server.limits().maxConnections()).isEqualTo(2);
            try (LineClient second = new LineClient(server.port())) {
                second.send(t + 1);
                Await.until("the second connection in", WAIT, () -> server.stats().msgs() == 2);
            }
            server.limits().apply(config(1, 30_000, 2));
            first.send(t + 2);
            Await.until("the first connection still in after the limit went down", WAIT,
                    () -> server.stats().msgs() == 3);
        } finally {
            server.stop();
        }
    }

    @Test
    void aShorterSilentTimeoutClosesTheSilentAtTheNextSweep() throws Exception {
        final IngestServer server = IngestServer.start(config(100, 60_000, 1), line -> { });
        try (LineClient silent = new LineClient(server.port())) {
            Await.until("the silent connection in", WAIT, () -> server.stats().connectionsOpen() == 1);
            server.limits().apply(config(100, 200, 1));
            assertThat(silent.awaitClosedByServer()).as("closed once silent for the new timeout").isTrue();
            Await.until("counted as silent", WAIT, () -> server.stats().silentClosed() == 1);
        } finally {
            server.stop();
        }
    }
}
