package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.testing.Await;
import dev.stampede.testing.Ports;
import dev.stampede.testing.StampedeProcess;
import dev.stampede.verify.FileVerifier;
import dev.stampede.verify.VerifyResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The restart guarantees and the failure model of docs/DESIGN.md with real processes and real
 * crashes: a server and a client as separate JVMs, one of them killed with SIGKILL and restarted
 * five times while the client sends on 50 connections (on one loop, then two) with --record and --replay. At the end the file must be strictly ascending, unique, without a
 * torn line, and hold every recorded timestamp (or have it in the late file).
 */
@Timeout(180)
class CrashRecoveryIT {
    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration STOP = Duration.ofSeconds(30);
    private static final int CRASHES = 5;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "server and client loops={0}")
    @ValueSource(ints = {1, 2})
    void theServerKilledFiveTimesLosesNothing(int loops) throws Exception {
        final Path out = dir.resolve("ts.txt");
        final Path sent = dir.resolve("sent.txt");
        final int port = Ports.free();
        StampedeProcess server = startServer(port, out, loops);
        try (StampedeProcess client = startClient(port, sent, loops)) {
            for (int crash = 1; crash <= CRASHES; crash++) {
                Await.fileGrows(out, 500, START);
                server.signal("KILL");
                server.awaitExit(STOP);
                server.close();
                server = startServer(port, out, loops);
                assertThat(server.lastLineWith("resuming")).as("restart %d resumes the file", crash).isNotNull();
            }
            // Every connection back (and so its replay sent) before the client is stopped.
            final StampedeProcess last = server;
            Await.until("all 50 connections back", START, () -> last.lastLineWith("conns=50 ") != null);
            Await.fileGrows(out, 500, START);
            client.signal("TERM");
            assertThat(client.awaitExit(STOP)).isZero();
            assertThat(client.lastLineWith("reconnects=")).doesNotContain("reconnects=0 ");
            server.signal("TERM");
            assertThat(server.awaitExit(STOP)).isZero();
        } finally {
            server.close();
        }
        assertComplete(out, sent);
    }

    /** With two client loops; one is covered by the server-killed run with one loop on each side. */
    @Test
    void theClientKilledFiveTimesLosesNothing() throws Exception {
        final int loops = 2;
        final Path out = dir.resolve("ts.txt");
        final Path sent = dir.resolve("sent.txt");
        final int port = Ports.free();
        try (StampedeProcess server = startServer(port, out, 1)) {
            for (int crash = 1; crash <= CRASHES; crash++) {
                try (StampedeProcess client = startClient(port, sent, loops)) {
                    Await.fileGrows(out, 15_000, START); // about a second of sends
                    client.signal("KILL");
                    client.awaitExit(STOP);
                }
            }
            try (StampedeProcess client = startClient(port, sent, loops)) {
                Await.fileGrows(out, 15_000, START);
                client.signal("TERM");
                assertThat(client.awaitExit(STOP)).isZero();
            }
            server.signal("TERM");
            assertThat(server.awaitExit(STOP)).isZero();
            assertThat(server.lastLineWith("server: stopped")).contains(" late=0 ");
        }
        assertComplete(out, sent);
    }

    private static void assertComplete(Path out, Path sent) throws IOException {
        final VerifyResult r = new FileVerifier(false, null).verify(out, List.of(sent));
        assertThat(r.expected()).as("the client recorded what it sent").isGreaterThan(1_000);
        assertThat(r.violations()).as(r.render()).isZero();
        assertThat(r.missing()).as(r.render()).isZero();
        assertThat(Files.readString(out)).endsWith("\n");
    }

    /**
     * A server on {@code out}. Its startup grace is 1 s, not the default 3 s: each of the ten
     * restarts above otherwise waits out the full grace before the file grows again. What the
     * test asserts holds either way: a replay that comes after the grace is late, and the late
     * file counts ({@link #assertComplete}).
     */
    private static StampedeProcess startServer(int port, Path out, int loops) throws IOException {
        final StampedeProcess p = StampedeProcess.start("server", "--port", String.valueOf(port), "-o", out.toString(),
                "--stats-interval", "1s", "--loops", String.valueOf(loops), "--startup-grace", "1s");
        p.awaitPort(START);
        return p;
    }

    private static StampedeProcess startClient(int port, Path sent, int loops) throws IOException {
        return StampedeProcess.start("client", "--port", String.valueOf(port), "-c", "50", "--record", sent.toString(),
                "--replay", "10s", "--quiet", "--loops", String.valueOf(loops));
    }


}
