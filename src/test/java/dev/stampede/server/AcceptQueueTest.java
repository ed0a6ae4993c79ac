package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.stats.ServerStats;
import dev.stampede.testing.Await;
import dev.stampede.testing.LineClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A connection still in the listening socket's queue holds nothing, so every connection that
 * queued up while the loop was away (a {@code --read-batch} pause) must be taken in by the next
 * poll: otherwise the max delay moves the watermark on past the values it has sent already. The
 * bug this guards against: with a bound of 256 accepts a poll, 5,000 clients took 6 s to get in
 * at {@code --read-batch 400ms}, more than the 5-s max delay, and the last ones' first values were
 * late; here 2,000 connections would take eight pauses, twice the max delay.
 */
@Timeout(60)
class AcceptQueueTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long PAUSE_MS = 200;
    private static final int BURST = 2_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void aBurstOfConnectionsDuringAPauseIsTakenInAtOnceAndNothingIsLate(int loops) throws Exception {
        final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
        final List<LineClient> burst = new ArrayList<>();
        final TreeSet<Long> sent = new TreeSet<>();
        try (ServerHarness server = ServerHarness.with().loops(loops).idleTimeoutMs(1_000).maxDelayMs(800)
                .fixedReadBatchMs(PAUSE_MS).start(dir);
                LineClient pacer = server.connect()) {
            // The pacer keeps the loop busy, so that it pauses before every poll. A burst
            // connection taken in by the first poll after its connect (or, connected while that
            // poll ran, the one after) is read a pause later, well within the max delay.
            ticks.scheduleAtFixedRate(() -> send(pacer, System.currentTimeMillis() - PAUSE_MS / 2),
                    0, 10, TimeUnit.MILLISECONDS);
            Await.until("the pacer's values written", WAIT, () -> !server.written().isEmpty());
            for (int i = 0; i < BURST; i++) {
                final LineClient c = server.connect();
                burst.add(c);
                final long v = System.currentTimeMillis();
                c.send(v);
                sent.add(v);
            }
            Await.until("the burst's values written", WAIT, () -> server.written().containsAll(sent));
            ticks.shutdownNow();
            assertThat(ticks.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
            final ServerStats stats = server.stop();
            assertThat(stats.late()).as("late values").isZero();
            assertThat(server.late()).isEmpty();
            assertThat(stats.connectionsTotal()).isEqualTo(BURST + 1);
        } finally {
            ticks.shutdownNow();
            for (LineClient c : burst) {
                c.close();
            }
        }
    }

    private static void send(LineClient c, long value) {
        try {
            c.send(value);
        } catch (IOException e) {
            throw new IllegalStateException(e); // ends the ticks; the test then finds values missing
        }
    }
}
