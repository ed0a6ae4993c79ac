package dev.stampede.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LateTailTest {
    @TempDir
    Path dir;

    private static long max(String text, boolean cut, long bound) {
        final byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        return LateTail.maxOfCompleteLines(b, b.length, cut, bound);
    }

    @Test
    void theLargestCompleteValueUpToTheBound() {
        assertThat(max("5\n9\n7\n", false, Long.MAX_VALUE)).isEqualTo(9);
        assertThat(max("5\n9\n7\n", false, 8)).isEqualTo(7);
        assertThat(max("99\n5\n7\n12", false, Long.MAX_VALUE)).as("an unfinished last line").isEqualTo(99);
        assertThat(max("99\n5\n7\n", true, Long.MAX_VALUE)).as("a first line cut by the tail").isEqualTo(7);
        assertThat(max("", false, Long.MAX_VALUE)).isEqualTo(-1);
        assertThat(max("x1\n3\n", false, Long.MAX_VALUE)).isEqualTo(3);
    }

    @Test
    void readsOnlyTheTailOfALargeFile() throws Exception {
        final Path f = dir.resolve("t.txt.late");
        final StringBuilder b = new StringBuilder("9999999999999\n");
        for (int i = 0; i < 20_000; i++) {
            b.append(1_000_000 + i).append('\n');
        }
        Files.writeString(f, b.toString());
        assertThat(LateTail.maxOfTail(f, Long.MAX_VALUE)).isEqualTo(1_019_999);
        assertThat(LateTail.maxOfTail(dir.resolve("none"), Long.MAX_VALUE)).isEqualTo(-1);
    }

    @Test
    void aRestartResumesAboveTheNewestLateValuesSoTheyAreNeverAlsoWritten() throws Exception {
        final Path out = dir.resolve("t.txt");
        final long now = System.currentTimeMillis();
        Files.writeString(out, (now - 5_000) + "\n" + (now - 4_000) + "\n");
        // A crash lost the output's last unflushed lines, but the late file has a value above them.
        Files.writeString(OutputStore.latePath(out), (now - 3_000) + "\n");
        final java.util.List<String> log = new java.util.ArrayList<>();
        final long[] resumedAfter = {Long.MIN_VALUE};
        try (OutputStore store = OutputStore.open(out, false, 1L << 20, dev.stampede.journal.AppendChannel.FILES)) {
            store.resume(new dev.stampede.engine.Resumable() {
                @Override
                public void resumeAfter(long lastReleased) {
                    resumedAfter[0] = lastReleased;
                }

                @Override
                public void markReleased(long value) {
                }
            }, "test", log::add);
        }
        assertThat(resumedAfter[0]).isEqualTo(now - 3_000);
        assertThat(log).anyMatch(l -> l.contains("resuming after " + (now - 3_000)));
    }
}
