package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stampede.stats.ServerStats;
import dev.stampede.testing.Await;
import dev.stampede.testing.FaultyFiles;
import dev.stampede.testing.LineClient;
import dev.stampede.testing.SmallFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disk full (docs/DESIGN.md, failure model): the server stops reading, says so, retries, resumes;
 * nothing accepted is lost and no partial line is left. On a real full filesystem (a small tmpfs) where this machine
 * lets the test mount one, and through the file seam everywhere.
 */
@Timeout(90)
class DiskFullTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int VALUES = 3_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void onARealFullFilesystemReadingPausesAndResumesWithNothingLost(int loops) throws Exception {
        try (SmallFilesystem fs = SmallFilesystem.mount(dir.resolve("small-fs"), 64)) {
            assumeTrue(fs != null, "cannot mount a tmpfs here (needs root): the seam test covers disk full");
            Files.createFile(fs.dir().resolve("timestamps.txt"));
            final Path filler = fs.fill(56); // leaves two 4 KiB pages: room for ~580 lines
            fillAndFree(ServerHarness.with().loops(loops).start(fs.dir()), () -> Files.delete(filler));
        }
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void throughTheFileSeamReadingPausesAndResumesWithNothingLost(int loops) throws Exception {
        final FaultyFiles disk = new FaultyFiles();
        disk.fillUpAfter(8 * 1024 + 5); // the disk fills in the middle of a line
        fillAndFree(ServerHarness.with().loops(loops).opener(disk).start(dir), disk::free);
        assertThat(disk.failures()).isPositive();
    }

    private interface Action {
        void run() throws IOException;
    }

    private static void fillAndFree(ServerHarness started, Action freeSpace) throws Exception {
        final long t = ServerHarness.aSecondAgo();
        try (ServerHarness server = started;
                LineClient c = server.connect()) {
            c.send(LongStream.range(0, VALUES).map(i -> t + i).toArray());
            c.shutdownOutput();
            Await.until("the server says it cannot write", WAIT,
                    () -> server.log.stream().anyMatch(l -> l.contains("cannot write") && l.contains("reading paused")));
            Await.until("stats show the failing writes", WAIT, () -> server.stats().writesFailing());
            final String partial = Files.readString(server.output);
            assertThat(partial).as("only whole lines while the disk is full").endsWith("\n");
            assertThat(partial.split("\n").length).isLessThan(VALUES);

            freeSpace.run();
            Await.until("the server resumes", WAIT,
                    () -> server.log.stream().anyMatch(l -> l.contains("again after") && l.contains("reading resumed")));
            Await.until("every value written", WAIT, () -> server.written().size() == VALUES);
            final ServerStats stats = server.stop();
            assertThat(server.written()).containsExactlyElementsOf(
                    LongStream.range(0, VALUES).map(i -> t + i).boxed().toList());
            assertThat(stats.msgs()).isEqualTo(VALUES);
            assertThat(stats.late()).isZero();
        }
    }
}
