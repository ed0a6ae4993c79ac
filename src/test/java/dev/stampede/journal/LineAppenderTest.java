package dev.stampede.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stampede.testing.Await;
import dev.stampede.testing.FaultyFiles;
import dev.stampede.testing.ForwardingChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class LineAppenderTest {
    private static final long T = 1_750_000_000_000L;
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void appendsLinesOnlyOnceHandedToTheWriter() throws IOException {
        final Path f = dir.resolve("a.txt");
        try (LineAppender a = new LineAppender(f, 4096, false)) {
            a.append(T);
            a.append(T + 1);
            assertThat(Files.size(f)).isZero();
            assertThat(a.flush(false)).isTrue();
            Await.until("written", WAIT, () -> a.unwrittenBytes() == 0);
            assertThat(Files.readString(f)).isEqualTo(T + "\n" + (T + 1) + "\n");
            assertThat(a.bytesWritten()).isEqualTo(28);
        }
    }

    @Test
    void aLazyFileAppearsOnlyWithItsFirstLine() throws IOException {
        final Path f = dir.resolve("late.txt");
        try (LineAppender a = new LineAppender(f, 4096, true)) {
            assertThat(a.sync(1_000)).isTrue();
            assertThat(f).doesNotExist();
            a.append(T);
            assertThat(a.sync(5_000)).isTrue();
            assertThat(f).hasContent(String.valueOf(T));
        }
    }

    @Test
    void theOwnerNeverWaitsForTheDisk() throws Exception {
        final Path f = dir.resolve("slow.txt");
        final BlockingFiles disk = new BlockingFiles();
        try (LineAppender a = new LineAppender(f, 4096, false, disk)) {
            disk.block();
            a.append(T);
            a.flush(true); // the writer takes it and blocks in write()
            Await.until("the writer is in write()", WAIT, () -> disk.writesStarted.get() == 1);
            int n = 1;
            while (!a.isBackedUp()) {
                a.append(T + n++); // every flush returns at once; the lines wait in batches
                a.flush(true);
            }
            assertThat(n).as("every batch taken, and the filling one half full").isGreaterThan(4096 / 2 / 14);
            assertThat(Files.size(f)).isZero();
            final AtomicBoolean ranBetweenWrites = new AtomicBoolean();
            final Thread halter = new Thread(() -> a.runBetweenWrites(() -> ranBetweenWrites.set(true), 10_000));
            halter.start();
            Await.until("the halter waits for the write in progress", WAIT,
                    () -> halter.getState() == Thread.State.TIMED_WAITING);
            assertThat(ranBetweenWrites).isFalse();
            disk.release();
            halter.join(10_000);
            assertThat(ranBetweenWrites).isTrue();
            assertThat(a.sync(5_000)).isTrue();
            assertThat(a.isBackedUp()).isFalse();
            assertThat(Files.readAllLines(f)).hasSize(n).startsWith(String.valueOf(T)).endsWith(String.valueOf(T + n - 1));
            assertThat(disk.forces.get()).isPositive();
        }
    }

    @Test
    void aWriteThatFailsMidLineLeavesNoPartialLineAndLosesNothing() throws IOException {
        final Path f = dir.resolve("full.txt");
        final FaultyFiles disk = new FaultyFiles();
        try (LineAppender a = new LineAppender(f, 4096, false, disk)) {
            a.append(T);
            assertThat(a.sync(5_000)).isTrue();
            disk.fillUpAfter(20); // one line and 6 bytes of the next fit
            for (int i = 1; i <= 3; i++) {
                a.append(T + i);
            }
            a.flush(false);
            Await.until("the write failed", WAIT, a::isFailing);
            assertThat(a.isBackedUp()).isTrue();
            assertThat(Files.readString(f)).isEqualTo(T + "\n" + (T + 1) + "\n"); // the cut line is gone
            for (int i = 4; i <= 2_000; i++) {
                a.append(T + i); // more than the batches hold: the last one grows, nothing dropped
                a.flush(false);
            }
            assertThat(a.sync(300)).isFalse();
            disk.free();
            assertThat(a.sync(5_000)).isTrue();
            assertThat(a.isFailing()).isFalse();
            assertThat(a.isBackedUp()).isFalse();
        }
        final StringBuilder expected = new StringBuilder();
        for (int i = 0; i <= 2_000; i++) {
            expected.append(T + i).append('\n');
        }
        assertThat(Files.readString(f)).isEqualTo(expected.toString());
    }

    @Test
    void tryAppendRefusesRatherThanGrow() throws IOException {
        final Path f = dir.resolve("record.txt");
        final FaultyFiles disk = new FaultyFiles();
        disk.fillUpAfter(0);
        final LineAppender a = new LineAppender(f, 4096, false, disk);
        int taken = 0;
        while (a.tryAppend(T + taken)) {
            taken++;
            if (taken % 100 == 0) {
                a.flush(false);
            }
            assertThat(taken).as("bounded by the batches").isLessThan(LineAppender.BATCHES * 4096 / 14 + 1);
        }
        assertThat(taken).isGreaterThan(4096 / 14);
        assertThat(a.unwrittenBytes()).isLessThanOrEqualTo(LineAppender.BATCHES * 4096L);
        assertThatThrownBy(() -> a.close(300)).isInstanceOf(IOException.class).hasMessageContaining("could not be written");
        assertThat(Files.size(f)).isZero();
    }

    @Test
    void repairsATornLineOnOpen() throws IOException {
        final Path f = Files.writeString(dir.resolve("rec.txt"), T + "\n175");
        try (LineAppender a = new LineAppender(f, 4096, false)) {
            assertThat(a.tornBytesRepaired()).isEqualTo(3);
            a.append(T + 1);
        }
        assertThat(Files.readString(f)).isEqualTo(T + "\n" + (T + 1) + "\n");
    }

    @Test
    void theDurableEndMovesOnlyWithAnFsync() throws IOException {
        final Path f = Files.writeString(dir.resolve("d.txt"), T + "\n"); // an earlier run's line
        try (LineAppender a = new LineAppender(f, 4096, false)) {
            final DurableEnd end = a.durableEnd();
            assertThat(end.durableBytes()).as("what the file held, fsynced on open").isEqualTo(14);
            a.append(T + 1);
            a.flush(false, T + 2);
            Await.until("written", WAIT, () -> a.writtenMark() == T + 2);
            assertThat(end.durableBytes()).as("written, not fsynced").isEqualTo(14);
            assertThat(end.durableMark()).isEqualTo(Long.MIN_VALUE);
            a.flush(true, T + 3);
            Await.until("fsynced", WAIT, () -> end.durableMark() == T + 3);
            assertThat(end.durableBytes()).isEqualTo(28);
        }
    }

    @Test
    void withWritesDurableTheEndFollowsTheWrites() throws IOException {
        final Path f = dir.resolve("n.txt");
        try (LineAppender a = new LineAppender(f, 4096, true)) {
            a.writtenIsDurable(true); // --fsync never
            a.append(T);
            a.flush(false, T + 1);
            Await.until("written and so durable", WAIT, () -> a.durableEnd().durableMark() == T + 1);
            assertThat(a.durableEnd().durableBytes()).isEqualTo(14);
        }
    }

    @Test
    void rotationsWhileTheWriterIsHeldTakeNoExtraBatch() throws Exception {
        final Path f = dir.resolve("rot.txt");
        final BlockingFiles disk = new BlockingFiles();
        final int rotations = 200;
        try (LineAppender a = new LineAppender(f, 4096, false, disk)) {
            disk.block();
            a.append(T);
            a.flush(false); // the writer takes it and is held in write()
            Await.until("the writer is in write()", WAIT, () -> disk.writesStarted.get() == 1);
            for (int i = 1; i <= rotations; i++) {
                a.rotate(dir.resolve("rot.txt." + i)); // closes the window of T + i - 1
                a.append(T + i);
                a.flush(false);
                assertThat(a.batchesAllocated()).as("after rotation " + i).isLessThanOrEqualTo(LineAppender.BATCHES);
            }
            disk.release();
            assertThat(a.sync(10_000)).isTrue();
        }
        for (int i = 1; i <= rotations; i++) {
            assertThat(Files.readAllLines(dir.resolve("rot.txt." + i))).containsExactly(String.valueOf(T + i - 1));
        }
        assertThat(Files.readAllLines(f)).containsExactly(String.valueOf(T + rotations));
    }

    /** Real files whose writes can be held in the middle of the write call, like a stalled disk. */
    private static final class BlockingFiles implements AppendChannel.Opener {
        final AtomicInteger writesStarted = new AtomicInteger();
        final AtomicInteger forces = new AtomicInteger();
        private volatile CountDownLatch gate = new CountDownLatch(0);

        void block() {
            gate = new CountDownLatch(1);
        }

        void release() {
            gate.countDown();
        }

        @Override
        public AppendChannel open(Path path) throws IOException {
            final AppendChannel real = AppendChannel.FILES.open(path);
            return new ForwardingChannel(real) {
                @Override
                public int write(ByteBuffer src) throws IOException {
                    writesStarted.incrementAndGet();
                    try {
                        if (!gate.await(30, TimeUnit.SECONDS)) {
                            throw new IOException("test gate never opened");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException(e);
                    }
                    return real.write(src);
                }

                @Override
                public void force() throws IOException {
                    forces.incrementAndGet();
                    real.force();
                }
            };
        }
    }
}
