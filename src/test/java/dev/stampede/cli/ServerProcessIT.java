package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.testing.Await;
import dev.stampede.testing.Ports;
import dev.stampede.testing.LineClient;
import dev.stampede.testing.StampedeProcess;
import dev.stampede.testing.TickSenders;
import dev.stampede.verify.FileVerifier;
import dev.stampede.verify.VerifyResult;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The server as users run it: a process that a signal stops cleanly with exit status 0. */
@Timeout(90)
class ServerProcessIT {
    private static final Duration START = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "SIG{0}, loops={1}")
    @CsvSource({"TERM, 1", "INT, 1", "TERM, 2"})
    void signalWritesEverythingPendingAndExitsZero(String signal, int loops) throws Exception {
        final Path out = dir.resolve("ts.txt");
        // Long idle timeout and max delay: nothing is final until the signal.
        try (StampedeProcess server = StampedeProcess.start("server", "--port", "0", "-o", out.toString(),
                "--idle-timeout", "1m", "--max-delay", "1m", "--quiet", "--loops", String.valueOf(loops))) {
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

    /**
     * The disk fault without root: a file-size limit (ulimit -f) makes writes past it fail with
     * EFBIG. The JVM ignores SIGXFSZ, so the server gets an error, not a signal that kills it.
     */
    @Test
    void aSecondSignalStopsAtOnceWithoutATornLine() throws Exception {
        final Path out = dir.resolve("ts.txt");
        final int limitKib = 64; // bash's ulimit -f counts 1024-byte blocks
        try (StampedeProcess server = StampedeProcess.startAfter("ulimit -f " + limitKib, "server", "--port", "0",
                "-o", out.toString(), "--quiet")) {
            final int port = server.awaitPort(START);
            final long t = System.currentTimeMillis();
            try (LineClient c = new LineClient(port)) {
                c.send(LongStream.range(0, 10_000).map(i -> t + i).toArray()); // 140 KB of lines
                c.shutdownOutput();
                Await.until("the file limit is reached", START, () -> server.lastLineWith("cannot write") != null);
                assertThat(server.lastLineWith("cannot write")).contains("File too large");
                server.signal("TERM"); // the clean stop keeps retrying the write...
                Await.until("the clean stop has begun", START, () -> server.lastLineWith("SIGTERM") != null);
                server.signal("TERM"); // ...until a second signal
                assertThat(server.awaitExit(Duration.ofSeconds(3))).isEqualTo(130);
            }
            Await.until("the second signal's message", Duration.ofSeconds(5),
                    () -> server.lastLineWith("server: second signal: stopping now") != null);
        }
        final VerifyResult written = new FileVerifier(false, null).verify(out, List.of());
        assertThat(written.ok()).as(written.render()).isTrue(); // whole lines only, in order
        assertThat(written.lines()).isPositive().isLessThan(10_000);
        assertThat(Files.size(out)).isLessThanOrEqualTo(limitKib * 1024L);
    }

    /**
     * A hung log collector: stderr is a pipe nobody reads, full before the server starts (a filler
     * could not write 4 MiB into it in 2 s), and the server logs stats every 100 ms into it. The
     * file keeps growing, and SIGTERM still ends the server with 0 and a complete file.
     */
    @Test
    void anUnreadStderrDoesNotStopIngestion() throws Exception {
        final Path out = dir.resolve("ts.txt");
        final Path fillerStatus = dir.resolve("filler-status");
        final int port = Ports.free();
        final String fillThePipe = "timeout 2 head -c 4194304 /dev/zero >&2; echo $? > '" + fillerStatus + "'";
        try (StampedeProcess server = StampedeProcess.startWithUnreadStderr(fillThePipe, "server", "--port",
                String.valueOf(port), "-o", out.toString(), "--stats-interval", "100ms")) {
            awaitListening(server, port);
            assertThat(Files.readString(fillerStatus).trim()).as("the filler was stopped by timeout: the pipe is full")
                    .isEqualTo("124");
            final long listening = System.currentTimeMillis();
            try (TickSenders senders = new TickSenders(port, 3, 50)) {
                // Values sent 2 s after the start (20 stats lines into the full pipe) reach the file.
                Await.until("the file holds values sent 2 s after the start", START, () -> lastValue(out),
                        last -> last > listening + 2_000);
                senders.writeSent(dir.resolve("sent.txt"));
            }
            server.signal("TERM");
            assertThat(server.awaitExit(Duration.ofSeconds(15))).isZero();
        }
        assertComplete(out, dir.resolve("sent.txt"));
    }

    @Test
    void aSecondServerOnTheSameFileIsRefusedAndTheFirstKeepsWriting() throws Exception {
        final Path out = dir.resolve("ts.txt");
        try (StampedeProcess first = StampedeProcess.start("server", "--port", "0", "-o", out.toString(), "--quiet")) {
            final int port = first.awaitPort(START);
            try (TickSenders senders = new TickSenders(port, 2, 50)) {
                Await.until("the first server writes", START, () -> lastValue(out), last -> last > 0);
                try (StampedeProcess second = StampedeProcess.start("server", "--port", "0", "-o", out.toString())) {
                    assertThat(second.awaitExit(START)).isEqualTo(1);
                    assertThat(second.stderr()).anyMatch(l -> l.contains(" ERROR server: ")
                            && l.contains(out + " is being written by another process"));
                    assertThat(second.stderr()).noneMatch(l -> l.contains("\tat "));
                }
                final long refused = System.currentTimeMillis();
                Await.until("the first server goes on writing", START, () -> lastValue(out),
                        last -> last > refused + 500);
                senders.writeSent(dir.resolve("sent.txt"));
            }
            first.signal("TERM");
            assertThat(first.awaitExit(START)).isZero();
        }
        assertComplete(out, dir.resolve("sent.txt"));
    }

    /**
     * A server stopped (SIGSTOP) for 2 s, four times its idle timeout, while three connections keep
     * sending: their lines wait in the sockets, and after SIGCONT none of them is judged idle for
     * the pause, so nothing is late.
     */
    @Test
    void bytesWaitingUnreadAreNeverIdle() throws Exception {
        final Path out = dir.resolve("ts.txt");
        try (StampedeProcess server = StampedeProcess.start("server", "--port", "0", "-o", out.toString(),
                "--stats-interval", "1s")) {
            final int port = server.awaitPort(START);
            try (TickSenders senders = new TickSenders(port, 3, 50)) {
                Await.until("the server writes", START, () -> lastValue(out), last -> last > 0);
                final long before = senders.ticks();
                server.signal("STOP");
                try {
                    Await.until("2 s of ticks sent to the stopped server", START, senders::ticks,
                            ticks -> ticks >= before + 40);
                    assertThat(lastValue(out)).as("the server is stopped").isLessThanOrEqualTo(
                            System.currentTimeMillis() - 1_500);
                } finally {
                    server.signal("CONT");
                }
                final long resumed = System.currentTimeMillis();
                Await.until("the file moves past the pause", START, () -> lastValue(out),
                        last -> last > resumed + 500);
                senders.writeSent(dir.resolve("sent.txt"));
            }
            server.signal("TERM");
            assertThat(server.awaitExit(START)).isZero();
            assertThat(server.lastLineWith("server: stopped")).contains(" late=0 ");
        }
        assertComplete(out, dir.resolve("sent.txt"));
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

    private static void assertComplete(Path out, Path sent) throws IOException {
        final VerifyResult r = new FileVerifier(false, null).verify(out, List.of(sent));
        assertThat(r.expected()).as("the test recorded what it sent").isGreaterThan(10);
        assertThat(r.ok()).as(r.render()).isTrue();
        assertThat(r.missing()).as(r.render()).isZero();
    }

    /** The last value in the file, or 0 while it has none. */
    private static long lastValue(Path out) {
        try {
            if (!Files.exists(out)) {
                return 0;
            }
            final List<String> lines = Files.readAllLines(out);
            return lines.isEmpty() ? 0 : Long.parseLong(lines.get(lines.size() - 1));
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** Waits until the server accepts connections on {@code port} (for a server whose stderr is not read). */
    private static void awaitListening(StampedeProcess server, int port) {
        Await.until("the server accepts connections on " + port, START, () -> {
            assertThat(server.isAlive()).as("the server is running").isTrue();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

}
