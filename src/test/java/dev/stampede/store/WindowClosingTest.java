package dev.stampede.store;

import static dev.stampede.testing.ValueLines.lines;
import static dev.stampede.testing.ValueLines.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.journal.AppendChannel;
import dev.stampede.journal.DurableFiles;
import dev.stampede.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --repair-late}: late values of the window still being written are merged before its
 * rename (it closes under a hidden name meanwhile); a window without any closes as before.
 */
@Timeout(30)
class WindowClosingTest {
    private static final long A = 1_796_000_000_000L; // a multiple of 1 s
    private static final Rotation REPAIR = new Rotation(1_000, 0, true);

    @TempDir
    Path dir;

    private Path out() {
        return dir.resolve("ts.txt");
    }

    private Path closed(long start) {
        return Rotation.closedName(out(), start);
    }

    /**
     * Polls until {@code file} exists and returns its lines as first seen: what a reader of closed
     * files sees first. Meanwhile it flushes the store as its owner does (every --flush-interval):
     * a flush whose writer had every batch hands its lines, and its fsync, over at the next one.
     */
    private static List<String> firstSeen(Path file, Runnable flush) throws IOException {
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                return Files.readAllLines(file);
            } catch (java.nio.file.NoSuchFileException e) {
                flush.run();
                java.util.concurrent.locks.LockSupport.parkNanos(200_000); // 0.2 ms: far below the repair's 1 s
            }
        }
        try (var files = Files.list(file.getParent())) {
            throw new AssertionError(file + " never appeared; the folder: " + files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aWindowThatGotLateValuesAppearsUnderItsClosedNameWithThem() throws IOException {
        try (OutputStore s = OutputStore.open(out(), false, 1 << 16, AppendChannel.FILES, REPAIR)) {
            s.onFinal(A + 10, 1);
            s.onFinal(A + 20, 1);
            s.flush(false, A + 21);
            s.onLate(A + 15); // of the window being written
            s.onLate(A + 1); // twice: one merge
            s.onFinal(A + 1_010, 1);
            s.flush(false, A + 1_011); // closes A
            assertThat(firstSeen(closed(A), () -> s.flush(false, A + 1_011))).isEqualTo(lines(A + 1, A + 10, A + 15, A + 20));
            assertThat(WindowClosing.name(out(), A)).doesNotExist();
            Await.until("counted", Duration.ofSeconds(5), () -> s.repairedValues() == 2); // counted after the rename
        }
        assertThat(Files.readAllLines(closed(A))).isEqualTo(lines(A + 1, A + 10, A + 15, A + 20));
    }

    @Test
    void aWindowWithoutLateValuesIsRenamedByTheWriterAsBefore() throws IOException {
        try (OutputStore s = OutputStore.open(out(), false, 1 << 16, AppendChannel.FILES, REPAIR)) {
            s.onFinal(A + 10, 1);
            s.flush(false, A + 11);
            s.onLate(A - 500); // of an older window: no reason to hold this one
            s.onFinal(A + 1_010, 1);
            s.flush(false, A + 1_011);
            assertThat(s.sync(5_000)).isTrue(); // the writer has renamed it: no wait for the repair
            assertThat(Files.readAllLines(closed(A))).isEqualTo(lines(A + 10));
            assertThat(WindowClosing.name(out(), A)).doesNotExist();
        }
    }

    @Test
    void aStopFinishesAWindowClosingUnderItsHiddenName() throws IOException {
        try (OutputStore s = OutputStore.open(out(), false, 1 << 16, AppendChannel.FILES, REPAIR)) {
            s.onFinal(A + 10, 1);
            s.onLate(A + 5);
            s.onFinal(A + 1_010, 1); // closes A under its hidden name; the stop comes at once
        }
        assertThat(Files.readAllLines(closed(A))).isEqualTo(lines(A + 5, A + 10));
        assertThat(WindowClosing.name(out(), A)).doesNotExist();
        assertThat(Files.readAllLines(out())).isEqualTo(lines(A + 1_010));
    }

    /** A crash at each step of a finish (the merge's and the rename's fsyncs): a restart loses nothing, doubles nothing. */
    @Test
    void aCrashAtAnyStepOfAFinishLosesNothing() throws IOException {
        for (int crashAt = 0; crashAt < 10; crashAt++) {
            for (Path p : Files.list(dir).toList()) {
                Files.delete(p);
            }
            final Path hidden = WindowClosing.name(out(), A);
            write(hidden, A + 10, A + 20);
            write(out(), A + 1_010);
            write(OutputStore.latePath(out()), A + 15);
            final AtomicInteger steps = new AtomicInteger();
            final int at = crashAt;
            final DurableFiles.Fsync crashing = path -> {
                if (steps.getAndIncrement() == at) {
                    throw new IOException("crash at step " + at);
                }
                DurableFiles.REAL.force(path);
            };
            final LateRepair.Seam seam = step -> {
                if (steps.getAndIncrement() == at) {
                    throw new IOException("crash before " + step);
                }
            };
            final LateRepair r = repair(crashing, seam);
            r.closing(A, 1);
            try {
                r.pass(false);
            } catch (IOException crash) {
                // the process dies here
            }
            // The restart: the store's open settles hidden files, then the repair runs.
            WindowClosing.recover(out());
            final LateRepair restarted = repair(DurableFiles.REAL, step -> { });
            restarted.closedBelow(() -> A + 1_000);
            restarted.pass(false);
            assertThat(Files.readAllLines(closed(A))).as("crash at %d", at).isEqualTo(lines(A + 10, A + 15, A + 20));
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .as("crash at %d", at).noneMatch(n -> n.startsWith("."));
            }
        }
    }

    @Test
    void aHiddenWindowWhoseNameIsTakenGetsADashName() throws IOException {
        write(closed(A), A + 1);
        write(WindowClosing.name(out(), A), A + 500); // a clock that stepped back
        assertThat(WindowClosing.recover(out())).isEqualTo(1);
        assertThat(Files.readAllLines(closed(A).resolveSibling(closed(A).getFileName() + "-2")))
                .isEqualTo(lines(A + 500));
        assertThat(Files.readAllLines(closed(A))).isEqualTo(lines(A + 1));
    }

    /** The whole late file counts as durable, its lines too (what a restart finds). */
    private LateRepair repair(DurableFiles.Fsync fsync, LateRepair.Seam seam) throws IOException {
        final Path late = OutputStore.latePath(out());
        return new LateRepair(out(), late, REPAIR, new WholeLateFile(late, Long.MAX_VALUE), fsync, seam);
    }
}
