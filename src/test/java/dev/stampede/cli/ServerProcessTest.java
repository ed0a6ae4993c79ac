package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stampede.testing.Await;
import dev.stampede.testing.LineClient;
import dev.stampede.testing.SmallFilesystem;
import dev.stampede.testing.StampedeProcess;
import dev.stampede.verify.FileVerifier;
import dev.stampede.verify.VerifyResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The server as users run it: a process that a signal stops cleanly with exit status 0. */
@Timeout(90)
class ServerProcessTest {
    private static final Duration START = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"TERM", "INT"})
    void signalWritesEverythingPendingAndExitsZero(String signal) throws Exception {
        final Path out = dir.resolve("ts.txt");
        // Long idle timeout and max delay: nothing is final until the signal.
        try (StampedeProcess server = StampedeProcess.start("server", "--port", "0", "-o", out.toString(),
                "--idle-timeout", "1m", "--max-delay", "1m", "--quiet")) {
            final int port = server.awaitPort(START);
            final long t = System.currentTimeMillis();
            try (LineClient silent = new LineClient(port);
                    LineClient c = new LineClient(port)) {
                c.send(t + 2, t, t + 1);
                // Right away: the values may still sit in the server's socket buffer, which a
                // clean stop reads before it writes.
                server.signal(signal);
                assertThat(server.awaitExit(START)).isZero();
            }
            assertThat(Files.readAllLines(out)).containsExactly(String.valueOf(t), String.valueOf(t + 1),
                    String.valueOf(t + 2));
            assertThat(server.lastLineWith("server: stopped")).contains(" msgs=3 ", " written=3 ", " dups=0 ",
                    " late=0 ", " invalid=0 ");
        }
    }

    @Test
    void aSecondSignalStopsAtOnceWithoutATornLine() throws Exception {
        try (SmallFilesystem fs = SmallFilesystem.mount(dir.resolve("small-fs"), 64)) {
            assumeTrue(fs != null, "cannot mount a tmpfs here (needs root)");
            final Path out = fs.dir().resolve("ts.txt");
            Files.createFile(out);
            fs.fill(56);
            try (StampedeProcess server = StampedeProcess.start("server", "--port", "0", "-o", out.toString(),
                    "--quiet")) {
                final int port = server.awaitPort(START);
                final long t = System.currentTimeMillis();
                try (LineClient c = new LineClient(port)) {
                    c.send(LongStream.range(0, 3_000).map(i -> t + i).toArray());
                    c.shutdownOutput();
                    Await.until("the disk is full", START, () -> server.lastLineWith("cannot write") != null);
                    server.signal("TERM"); // the clean stop keeps retrying the full disk...
                    Await.until("the clean stop has begun", START, () -> server.lastLineWith("SIGTERM") != null);
                    server.signal("TERM"); // ...until a second signal
                    assertThat(server.awaitExit(Duration.ofSeconds(3))).isEqualTo(130);
                }
            }
            final VerifyResult written = new FileVerifier(false, null).verify(out, List.of());
            assertThat(written.ok()).as(written.render()).isTrue(); // whole lines only, in order
        }
    }

    @Test
    void aPortInUseIsAClearErrorNotAStackTrace() throws Exception {
        try (StampedeProcess first = StampedeProcess.start("server", "--port", "0", "-o",
                dir.resolve("a.txt").toString(), "--quiet")) {
            final int port = first.awaitPort(START);
            try (StampedeProcess second = StampedeProcess.start("server", "--port", String.valueOf(port), "-o",
                    dir.resolve("b.txt").toString())) {
                assertThat(second.awaitExit(START)).isEqualTo(1);
                assertThat(second.stderr()).anyMatch(l -> l.contains("cannot listen on 127.0.0.1:" + port));
                assertThat(second.stderr()).noneMatch(l -> l.contains("\tat "));
            }
        }
    }

    @Test
    void aBadOptionIsAClearErrorWithExitStatusTwo() throws Exception {
        try (StampedeProcess p = StampedeProcess.start("server", "--idle-timeout", "500")) {
            assertThat(p.awaitExit(START)).isEqualTo(2);
            final List<String> err = p.stderr();
            assertThat(String.join("\n", err)).contains("add a unit: 500ms");
        }
    }
}
