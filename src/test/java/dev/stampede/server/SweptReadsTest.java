package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.stats.ServerStats;
import dev.stampede.testing.Await;
import dev.stampede.testing.LineClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With a fixed {@code --read-batch} of 50 ms or more, connections that send in every round are read
 * by sweep, without the selector ({@link SweptReads}): over real loopback sockets, they join the
 * sweep, leave it when they fall quiet, come back through the selector when they send again, and
 * close while swept, losing nothing and keeping the file ordered.
 */
@Timeout(60)
class SweptReadsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int CLIENTS = 20;
    private static final long TICK_MS = 20;
    /** Longer than the values' distance from the clock (20 s): none is late for being old. */
    private static final long MAX_DELAY_MS = 60_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void busyConnectionsAreSweptLeaveWhenQuietAndComeBackLosingNothing(int loops) throws Exception {
        final long base = System.currentTimeMillis() - 20_000; // in the past: a stop writes it all
        final TreeSet<Long> sent = new TreeSet<>();
        try (ServerHarness server = ServerHarness.with().loops(loops).idleTimeoutMs(1_000).maxDelayMs(MAX_DELAY_MS)
                .fixedReadBatchMs(SweptReads.FROM_MS).start(dir)) {
            final List<LineClient> clients = connect(server);
            try {
                // Every 20 ms on each: every round (a 50-ms pause) finds lines in every socket. The values
                // rise by 1 ms a ms at most, from 20 s ago: never in the future.
                long tick = 0;
                final long deadline = System.nanoTime() + WAIT.toNanos();
                while (server.sweptConnections() < CLIENTS && System.nanoTime() < deadline) {
                    tick = sendTick(clients, base, tick, sent);
                }
                assertThat(server.sweptConnections()).as("connections read by sweep").isEqualTo(CLIENTS);
                for (int i = 0; i < 20; i++) { // a few rounds more, swept
                    tick = sendTick(clients, base, tick, sent);
                }
                Await.until("quiet connections leave the sweep", WAIT, () -> server.sweptConnections() == 0);
                // Back with the selector: one more value each must still be read.
                sendTick(clients, base, tick, sent);
                Await.until("the last values read", WAIT, () -> server.stats().msgs() == sent.size());
            } finally {
                for (LineClient c : clients) {
                    c.close();
                }
            }
            final ServerStats end = server.stop();
            assertThat(end.late()).isZero();
            assertThat(server.written()).containsExactlyElementsOf(sent);
        }
    }

    @Test
    void aSweptConnectionThatClosesIsClosedWithItsLastValues() throws Exception {
        final long base = System.currentTimeMillis() - 20_000;
        final TreeSet<Long> sent = new TreeSet<>();
        try (ServerHarness server = ServerHarness.with().idleTimeoutMs(1_000).maxDelayMs(MAX_DELAY_MS)
                .fixedReadBatchMs(SweptReads.FROM_MS).start(dir)) {
            final List<LineClient> clients = connect(server);
            long tick = 0;
            final long deadline = System.nanoTime() + WAIT.toNanos();
            while (server.sweptConnections() < CLIENTS && System.nanoTime() < deadline) {
                tick = sendTick(clients, base, tick, sent);
            }
            assertThat(server.sweptConnections()).isEqualTo(CLIENTS);
            // Its last line without the newline: the end of the stream completes it.
            final LineClient leaving = clients.remove(0);
            final long last = base + tick * CLIENTS;
            leaving.sendRaw(Long.toString(last));
            sent.add(last);
            leaving.close();
            // The others keep sending, so they stay in the sweep (a quiet round would empty it).
            while ((server.stats().connectionsOpen() != CLIENTS - 1 || server.sweptConnections() != CLIENTS - 1)
                    && System.nanoTime() < deadline) {
                tick = sendTick(clients, base, tick, sent);
            }
            assertThat(server.stats().connectionsOpen()).isEqualTo(CLIENTS - 1);
            assertThat(server.sweptConnections()).isEqualTo(CLIENTS - 1);
            for (LineClient c : clients) {
                c.close();
            }
            server.stop();
            assertThat(server.written()).containsExactlyElementsOf(sent);
        }
    }

    private static List<LineClient> connect(ServerHarness server) throws Exception {
        final List<LineClient> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(server.connect());
        }
        Await.until("all connected", WAIT, () -> server.stats().connectionsOpen() == CLIENTS);
        return clients;
    }

    /** One value on every connection (distinct, rising), then a 20-ms wait; returns the next tick. */
    private static long sendTick(List<LineClient> clients, long base, long tick, TreeSet<Long> sent)
            throws Exception {
        for (int i = 0; i < clients.size(); i++) {
            final long v = base + tick * CLIENTS + i;
            clients.get(i).send(v);
            sent.add(v);
        }
        Thread.sleep(TICK_MS); // the sending rate under test, not a wait for a result
        return tick + 1;
    }
}
