package dev.stampede.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class AsyncLogTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void writesEveryLineInOrder() throws Exception {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<String> sent = new ArrayList<>();
        try (AsyncLog log = new AsyncLog(new PrintStream(bytes, true, StandardCharsets.UTF_8), 64)) {
            for (int i = 0; i < 5_000; i++) {
                final String line = "line " + i;
                sent.add(line);
                log.accept(line);
                if (i % 50 == 49) {
                    assertThat(log.awaitDrained(10_000)).isTrue(); // never more than the queue holds
                }
            }
            assertThat(log.awaitDrained(10_000)).isTrue();
            assertThat(log.dropped()).isZero();
        }
        assertThat(lines(bytes)).containsExactlyElementsOf(sent);
    }

    @Test
    void aFullQueueDropsCountsAndReportsOnceTheWriterCatchesUp() throws Exception {
        final Gate gate = new Gate();
        final ByteArrayOutputStream bytes = gate.sink;
        try (AsyncLog log = new AsyncLog(new PrintStream(gate, true, StandardCharsets.UTF_8), 8)) {
            log.accept("first"); // taken by the writer, which then blocks in the stream
            Await.until("the writer is blocked in a write", WAIT, () -> gate.blocked.getCount() == 0);
            final long started = System.nanoTime();
            IntStream.range(0, 8 + 100).forEach(i -> log.accept("queued " + i));
            assertThat(System.nanoTime() - started).as("accept never waits for the stream")
                    .isLessThan(Duration.ofSeconds(1).toNanos());
            assertThat(log.dropped()).isEqualTo(100);

            gate.open.countDown();
            assertThat(log.awaitDrained(10_000)).isTrue();
            Await.until("the drop report", WAIT, () -> lines(bytes).size() == 10);
            log.accept("after");
            assertThat(log.awaitDrained(10_000)).isTrue();
        }
        final List<String> expected = new ArrayList<>();
        expected.add("first");
        IntStream.range(0, 8).forEach(i -> expected.add("queued " + i)); // the ones that fit, in order
        expected.add("log: 100 lines dropped (stderr was not being read)");
        expected.add("after");
        assertThat(lines(bytes)).containsExactlyElementsOf(expected);
    }

    @Test
    void closeReturnsInBoundedTimeWhenTheStreamBlocksForever() throws Exception {
        final Gate gate = new Gate(); // never opened
        final AsyncLog log = new AsyncLog(new PrintStream(gate, true, StandardCharsets.UTF_8), 16);
        log.accept("stuck");
        Await.until("the writer is blocked in a write", WAIT, () -> gate.blocked.getCount() == 0);
        log.accept("never written");
        final long started = System.nanoTime();
        assertThat(log.close(500)).as("not drained").isFalse();
        final long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(tookMs).isBetween(400L, 3_000L);
        log.accept("after close");
        assertThat(log.dropped()).isEqualTo(1);
        assertThat(log.awaitDrained(100)).isFalse();

        final long defaultStarted = System.nanoTime();
        log.close(); // the default bound, about 2 s
        assertThat((System.nanoTime() - defaultStarted) / 1_000_000).isBetween(1_500L, 5_000L);
        gate.open.countDown(); // let the writer thread go
    }

    @Test
    void closeDrainsWhatIsQueuedAndEndsTheWriter() {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final AsyncLog log = new AsyncLog(new PrintStream(bytes, true, StandardCharsets.UTF_8), 1_024);
        IntStream.range(0, 1_000).forEach(i -> log.accept("l" + i));
        final long started = System.nanoTime();
        assertThat(log.close(5_000)).isTrue();
        assertThat(System.nanoTime() - started).as("woken at once, not on a poll timeout")
                .isLessThan(Duration.ofSeconds(2).toNanos());
        assertThat(lines(bytes)).hasSize(1_000).startsWith("l0").endsWith("l999");
    }

    /** The lines written, each checked to start with a time and a level, without them. */
    private static List<String> lines(ByteArrayOutputStream bytes) {
        final String s = bytes.toString(StandardCharsets.UTF_8);
        if (s.isEmpty()) {
            return List.of();
        }
        return Stream.of(s.split("\n")).map(l -> {
            final Matcher m = PREFIX.matcher(l);
            assertThat(m.lookingAt()).as("time and level first: " + l).isTrue();
            return l.substring(m.end());
        }).toList();
    }

    /** A stream whose first write blocks until {@link #open} is counted down; then a byte sink. */
    private static final Pattern PREFIX =
            Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (INFO|WARN|ERROR) ");

    private static final class Gate extends OutputStream {
        final CountDownLatch blocked = new CountDownLatch(1);
        final CountDownLatch open = new CountDownLatch(1);
        final ByteArrayOutputStream sink = new ByteArrayOutputStream();

        @Override
        public void write(int b) throws java.io.IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            blocked.countDown();
            try {
                open.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            synchronized (sink) {
                sink.write(b, off, len);
            }
        }
    }
}
