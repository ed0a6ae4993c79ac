package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.testing.Await;
import dev.stampede.testing.StampedeProcess;
import dev.stampede.verify.FileVerifier;
import dev.stampede.verify.VerifyResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP (a closed terminal, a reload, logrotate) never stops or hurts the server or the client:
 * each says so and carries on; a later SIGTERM still ends both cleanly, and the file holds
 * everything the client sent. Without a handler the JVM exits at once with 129, no summary.
 */
@Timeout(90)
class SighupIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void hangUpMidRunIsLoggedAndIgnoredByServerAndClient() throws Exception {
        final Path out = dir.resolve("ts.txt");
        final Path sent = dir.resolve("sent.txt");
        try (StampedeProcess server = StampedeProcess.start("server", "--port", "0", "-o", out.toString(),
                "--quiet")) {
            final int port = server.awaitPort(WAIT);
            try (StampedeProcess client = StampedeProcess.start("client", "--port", String.valueOf(port), "-c", "20",
                    "--record", sent.toString(), "--quiet")) {
                Await.fileGrows(out, 1_000, WAIT);
                Await.fileGrows(sent, 1_000, WAIT);

                server.signal("HUP");
                client.signal("HUP");
                awaitLine(server, "server: SIGHUP: nothing to reload");
                awaitLine(client, "client: SIGHUP: nothing to reload");

                // Both keep running and writing: the server its file, the client its sends.
                Await.fileGrows(out, 1_000, WAIT);
                Await.fileGrows(sent, 1_000, WAIT);
                assertThat(server.isAlive()).isTrue();
                assertThat(client.isAlive()).isTrue();

                // A second HUP is no "second signal": TERM afterwards is still a clean stop.
                server.signal("HUP");
                Await.until("the second SIGHUP logged", WAIT, () -> server.stderr().stream()
                        .filter(l -> l.contains("SIGHUP")).count() == 2);

                client.signal("TERM");
                assertThat(client.awaitExit(WAIT)).as("client exit status; %s", client.stderr()).isZero();
                assertThat(client.lastLineWith("client: stopped")).isNotNull();
            }
            server.signal("TERM");
            assertThat(server.awaitExit(WAIT)).as("server exit status; %s", server.stderr()).isZero();
            assertThat(server.lastLineWith("server: stopped")).isNotNull();
        }
        final VerifyResult r = new FileVerifier(false, null).verify(out, List.of(sent));
        assertThat(r.expected()).as("the client recorded what it sent").isGreaterThan(100);
        assertThat(r.ok()).as(r.render()).isTrue();
        assertThat(r.missing()).as(r.render()).isZero();
    }

    @Test
    void signalsIgnoredAtStartAreSaidAtStartAndTermStillStops() throws Exception {
        final Path out = dir.resolve("ts.txt");
        // As under `nohup ... &` without job control: HUP and INT ignored before the JVM starts.
        try (StampedeProcess server = StampedeProcess.startAfter("trap '' INT HUP", "server", "--port", "0", "-o",
                out.toString(), "--quiet")) {
            server.awaitPort(WAIT);
            awaitLine(server, "server: warning: SIGINT was ignored when this process started");
            awaitLine(server, "server: warning: SIGHUP was ignored when this process started");
            assertThat(server.lastLineWith("SIGTERM was ignored")).isNull();
            server.signal("TERM");
            assertThat(server.awaitExit(WAIT)).as("server exit status; %s", server.stderr()).isZero();
        }
    }

    private static void awaitLine(StampedeProcess p, String text) {
        Await.until("'" + text + "'", WAIT, () -> {
            assertThat(p.isAlive()).as("still running after SIGHUP; stderr: %s", p.stderr()).isTrue();
            return p.lastLineWith(text) != null;
        });
    }
}
