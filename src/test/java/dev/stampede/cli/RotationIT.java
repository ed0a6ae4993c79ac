package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.store.Rotation;
import dev.stampede.testing.Await;
import dev.stampede.testing.Ports;
import dev.stampede.testing.StampedeProcess;
import dev.stampede.verify.FileVerifier;
import dev.stampede.verify.VerifyResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --rotate} with real renames and real crashes: a server rotating every second, SIGKILLed
 * three times while a client sends; at the end the closed files sorted by name, then the current
 * one, are one strictly ascending, unique stream holding every recorded timestamp (or the late
 * file has it), and no file crosses a window boundary.
 */
@Timeout(120)
class RotationIT {
    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration STOP = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aServerKilledAcrossRotationsLosesNothingAndNoFileCrossesABoundary() throws Exception {
        final Path out = dir.resolve("ts.txt");
        final Path sent = dir.resolve("sent.txt");
        final int port = Ports.free();
        StampedeProcess server = start(port, out);
        try (StampedeProcess client = StampedeProcess.start("client", "--port", String.valueOf(port), "-c", "20",
                "--record", sent.toString(), "--quiet")) {
            for (int crash = 0; crash < 3; crash++) {
                final int closedBefore = Rotation.closedFiles(out).size();
                Await.until("a rotation", START, () -> closed(out) > closedBefore);
                server.signal("KILL");
                server.awaitExit(STOP);
                server.close();
                server = start(port, out);
            }
            final int closedBefore = closed(out);
            Await.until("a rotation after the last restart", START, () -> closed(out) > closedBefore);
            // Every connection back, and so its replay sent, before the client stops: values it
            // wrote to the killed server are in the new one only through that replay.
            final StampedeProcess last = server;
            Await.until("all 20 connections back", START, () -> last.lastLineWith("conns=20 ") != null);
            final int closedThen = closed(out);
            Await.until("and a rotation after that", START, () -> closed(out) > closedThen);
            client.signal("TERM");
            assertThat(client.awaitExit(STOP)).isZero();
            server.signal("TERM");
            assertThat(server.awaitExit(STOP)).isZero();
        } finally {
            server.close();
        }
        // The stream: closed files by name, then the current one; verify checks it as one.
        final List<Path> files = new ArrayList<>(Rotation.closedFiles(out));
        for (Path p : files) {
            final List<String> lines = Files.readAllLines(p);
            assertThat(lines).as("%s is not empty", p).isNotEmpty();
            final long start = Long.parseLong(lines.get(0)) / 1_000 * 1_000;
            assertThat(p).isEqualTo(Rotation.closedName(out, start));
            assertThat(Long.parseLong(lines.get(lines.size() - 1))).as("%s stays in its window", p)
                    .isLessThan(start + 1_000);
        }
        files.add(out);
        final VerifyResult r = new FileVerifier(false, null).verify(files, List.of(sent));
        assertThat(r.ok()).as(r.render()).isTrue();
        assertThat(r.expected()).isGreaterThan(1_000);
        assertThat(Rotation.closedFiles(out)).hasSizeGreaterThanOrEqualTo(4);
    }

    @Test
    void withCompressTheClosedWindowsAreGzAndVerifyReadsThem() throws Exception {
        final Path out = dir.resolve("ts.txt");
        final Path sent = dir.resolve("sent.txt");
        final int port = Ports.free();
        StampedeProcess server = start(port, out, "--compress", "gzip");
        try (StampedeProcess client = StampedeProcess.start("client", "--port", String.valueOf(port), "-c", "5",
                "--record", sent.toString(), "--quiet")) {
            Await.until("two closed windows", START, () -> closed(out) >= 2);
            // A kill may cut a compression short: the restart finishes or undoes it.
            server.signal("KILL");
            server.awaitExit(STOP);
            server.close();
            server = start(port, out, "--compress", "gzip");
            final StampedeProcess restarted = server;
            Await.until("all 5 connections back", START, () -> restarted.lastLineWith("conns=5 ") != null);
            final int closedThen = closed(out);
            Await.until("a rotation after that", START, () -> closed(out) > closedThen);
            client.signal("TERM");
            assertThat(client.awaitExit(STOP)).isZero();
            server.signal("TERM");
            assertThat(server.awaitExit(STOP)).isZero();
        } finally {
            server.close();
        }
        final List<Path> closed = Rotation.closedFiles(out);
        assertThat(closed).hasSizeGreaterThanOrEqualTo(3).allMatch(Rotation::isCompressed);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("no plain twin, no temporary file").noneMatch(n -> n.endsWith(".tmp")
                            || n.matches("ts\\.txt\\.\\d{8}T\\d{6}Z(-\\d+)?"));
        }
        final List<String> args = new ArrayList<>(List.of("verify"));
        closed.forEach(p -> args.add(p.toString()));
        args.addAll(List.of(out.toString(), "--expect", sent.toString()));
        try (StampedeProcess verify = StampedeProcess.start(args.toArray(new String[0]))) {
            assertThat(verify.awaitExit(STOP)).as(String.join("\n", verify.stdout())).isZero();
        }
    }

    private static int closed(Path out) {
        try {
            return Rotation.closedFiles(out).size();
        } catch (IOException e) {
            return 0;
        }
    }

    private static StampedeProcess start(int port, Path out, String... more) throws IOException {
        final List<String> args = new ArrayList<>(List.of("server", "--port", String.valueOf(port), "-o",
                out.toString(), "--rotate", "1s", "--stats-interval", "1s"));
        args.addAll(List.of(more));
        final StampedeProcess p = StampedeProcess.start(args.toArray(new String[0]));
        p.awaitPort(START);
        return p;
    }
}
