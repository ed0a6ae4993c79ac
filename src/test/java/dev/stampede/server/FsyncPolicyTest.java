package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.journal.AppendChannel;
import dev.stampede.store.FsyncPolicy;
import dev.stampede.testing.Await;
import dev.stampede.testing.ForwardingChannel;
import dev.stampede.testing.LineClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --fsync always|interval|never} (docs/DESIGN.md, failure model), seen through the file
 * seam: the output file's {@code write} and {@code force} calls are recorded in order, whatever
 * thread makes them.
 *
 * <p>One connection and an idle timeout and max delay of a minute: its newest value stays pending
 * until the next batch, so the file is written only when a test sends a batch (and at the stop),
 * and every write below is one the test caused.
 */
@Timeout(60)
class FsyncPolicyTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final long HOLD_MS = 60_000;

    @TempDir
    Path dir;

    private final RecordingFiles files = new RecordingFiles();
    private long t;
    private int batches;

    private ServerHarness start(FsyncPolicy policy, long fsyncIntervalMs) throws IOException {
        t = ServerHarness.aSecondAgo();
        return ServerHarness.with().idleTimeoutMs(HOLD_MS).maxDelayMs(HOLD_MS).fsync(policy)
                .fsyncIntervalMs(fsyncIntervalMs).opener(files).start(dir);
    }

    /** Sends two values; the first becomes final (the second holds the watermark) and is written. */
    private void batch(ServerHarness server, LineClient c) throws IOException {
        final long v = t + 10L * ++batches;
        final int writes = files.writes();
        c.send(v, v + 1);
        Await.until("value " + v + " written", WAIT, () -> server.written().contains(v));
        Await.until("the write of batch " + batches + " recorded", WAIT, files::writes, n -> n > writes);
    }

    @Test
    void alwaysForcesAfterEveryWrite() throws Exception {
        // A long interval: any force while running is the policy's, not the interval's.
        try (ServerHarness server = start(FsyncPolicy.ALWAYS, HOLD_MS);
                LineClient c = server.connect()) {
            for (int i = 0; i < 4; i++) {
                batch(server, c);
            }
            Await.until("a force after each of the 4 writes", WAIT, files::forces, n -> n >= 4);
            server.stop();
            assertThat(files.events()).as("write, force, write, force, ...").matches("(WF){5,}");
        }
    }

    @Test
    void neverForcesWhileRunningAndOnceAtTheCleanStop() throws Exception {
        final long interval = 100;
        try (ServerHarness server = start(FsyncPolicy.NEVER, interval);
                LineClient c = server.connect()) {
            final long started = System.nanoTime();
            batch(server, c);
            // Past several fsync intervals: under INTERVAL the next write would be forced.
            Await.until("three fsync intervals passed", WAIT,
                    () -> System.nanoTime() - started > TimeUnit.MILLISECONDS.toNanos(3 * interval));
            batch(server, c);
            batch(server, c);
            assertThat(files.events()).as("no force while running").doesNotContain("F");
            server.stop();
            assertThat(files.events()).as("writes, then the one force of the stop").matches("W{4,}F");
        }
    }

    @Test
    void intervalForcesAtMostOncePerIntervalWhileRunning() throws Exception {
        final long interval = 300;
        final long beforeStart = System.nanoTime();
        try (ServerHarness server = start(FsyncPolicy.INTERVAL, interval);
                LineClient c = server.connect()) {
            final long started = System.nanoTime();
            // Several writes in quick succession: at most one force per interval since the start.
            for (int i = 0; i < 5; i++) {
                batch(server, c);
            }
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beforeStart);
            assertThat(files.writes()).isGreaterThanOrEqualTo(5);
            assertThat(files.forces()).as("forces in %d ms at one per %d ms", elapsedMs, interval)
                    .isLessThanOrEqualTo((int) (elapsedMs / interval) + 1);

            // A write a whole interval after the last force (or the start) is forced while running.
            for (int round = 0; round < 2; round++) {
                final long since = Math.max(started, files.lastForceNanos());
                Await.until("an fsync interval passed", WAIT,
                        () -> System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(interval + 5));
                final int forces = files.forces();
                batch(server, c);
                Await.until("the write forced", WAIT, files::forces, n -> n > forces);
            }
            server.stop();
            assertThat(files.events()).as("the stop forces the last writes").endsWith("F");
        }
    }

    /** The real files, with the output file's writes ({@code W}) and forces ({@code F}) recorded. */
    private static final class RecordingFiles implements AppendChannel.Opener {
        private final StringBuilder events = new StringBuilder();
        private long lastForceNanos;

        synchronized String events() {
            return events.toString();
        }

        synchronized int writes() {
            return (int) events.chars().filter(ch -> ch == 'W').count();
        }

        synchronized int forces() {
            return (int) events.chars().filter(ch -> ch == 'F').count();
        }

        synchronized long lastForceNanos() {
            return lastForceNanos;
        }

        private synchronized void record(char event) {
            events.append(event);
            if (event == 'F') {
                lastForceNanos = System.nanoTime();
            }
        }

        @Override
        public AppendChannel open(Path path) throws IOException {
            final AppendChannel real = AppendChannel.FILES.open(path);
            if (!path.getFileName().toString().equals("timestamps.txt")) {
                return real; // the late file: not what these tests are about
            }
            return new ForwardingChannel(real) {
                @Override
                public int write(ByteBuffer src) throws IOException {
                    final int n = real.write(src);
                    if (n > 0) {
                        record('W');
                    }
                    return n;
                }

                @Override
                public void force() throws IOException {
                    real.force();
                    record('F');
                }
            };
        }
    }
}
