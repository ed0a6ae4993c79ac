package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.format.OutputFiles;
import dev.stampede.store.Rotation;
import dev.stampede.testing.Await;
import dev.stampede.testing.LineClient;
import dev.stampede.testing.Ports;
import dev.stampede.testing.StampedeProcess;
import dev.stampede.verify.FileVerifier;
import dev.stampede.verify.VerifyResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --repair-late} through {@code ./stampede}: a server rotating every 2 s receives values
 * 8 s late from a raw line client while a recording client sends live ones; after a clean stop
 * every value, late ones included, is in its window's file, and the files verify as one stream.
 */
@Timeout(120)
class RepairLateIT {
    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration STOP = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void valuesEightSecondsLateEndInTheirWindowFiles() throws Exception {
        final Path out = dir.resolve("ts.txt");
        final Path sent = dir.resolve("sent.txt");
        final Path lateSent = dir.resolve("late-sent.txt");
        final int port = Ports.free();
        final List<Long> late = new ArrayList<>();
        try (StampedeProcess server = StampedeProcess.start("server", "--port", String.valueOf(port), "-o",
                out.toString(), "--rotate", "2s", "--repair-late", "--stats-interval", "1s")) {
            server.awaitPort(START);
            try (StampedeProcess client = StampedeProcess.start("client", "--port", String.valueOf(port), "-c", "4",
                    "--record", sent.toString(), "--quiet");
                    LineClient old = new LineClient(port)) {
                Await.until("a closed window", START, () -> closed(out) >= 5);
                final Set<Long> seen = new HashSet<>();
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
                while (System.nanoTime() < deadline) {
                    long v = System.currentTimeMillis() - 8_000;
                    while (!seen.add(v)) {
                        v++;
                    }
                    late.add(v);
                    old.send(v);
                    Thread.sleep(97);
                }
                Await.until("repairs in the stats", START, () -> server.lastLineWith("repaired=") != null);
                client.signal("TERM");
                assertThat(client.awaitExit(STOP)).isZero();
            }
            server.signal("TERM");
            assertThat(server.awaitExit(STOP)).isZero();
            assertThat(String.join("\n", server.stderr())).contains("repaired=");
        }
        final StringBuilder b = new StringBuilder();
        for (long v : late) {
            b.append(v).append('\n');
        }
        Files.writeString(lateSent, b);
        // They were late (the late file, the journal, keeps them; one the live client sent too is a dup) ...
        final List<String> inLateFile = new ArrayList<>(Files.readAllLines(OutputFiles.latePath(out)));
        for (Path segment : OutputFiles.lateSegments(out)) { // cut with the windows
            inLateFile.addAll(Files.readAllLines(segment));
        }
        assertThat(strings(late).stream().filter(inLateFile::contains).count()).isGreaterThan(late.size() / 2);
        // ... and each is in the file of its window.
        for (long v : late) {
            final Path window = Rotation.closedName(out, v / 2_000 * 2_000);
            assertThat(Files.readAllLines(window)).as("%s holds %d", window, v).contains(String.valueOf(v));
        }
        final List<Path> files = new ArrayList<>(Rotation.closedFiles(out));
        files.add(out);
        final VerifyResult r = new FileVerifier(false, null).verify(files, List.of(sent, lateSent));
        assertThat(r.ok()).as(r.render()).isTrue();
        assertThat(late).hasSizeGreaterThan(30);
    }

    private static List<String> strings(List<Long> values) {
        final List<String> s = new ArrayList<>();
        for (long v : values) {
            s.add(String.valueOf(v));
        }
        return s;
    }

    private static int closed(Path out) {
        try {
            return Rotation.closedFiles(out).size();
        } catch (IOException e) {
            return 0;
        }
    }
}
