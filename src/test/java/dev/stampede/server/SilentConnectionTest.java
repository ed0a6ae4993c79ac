package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.client.ClientConfig;
import dev.stampede.client.LoadClient;
import dev.stampede.client.Phase;
import dev.stampede.stats.ClientStats;
import dev.stampede.stats.ServerStats;
import dev.stampede.testing.Await;
import dev.stampede.testing.LineClient;
import dev.stampede.verify.FileVerifier;
import dev.stampede.verify.VerifyResult;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections that send no valid timestamp (silent, dribbling, garbage) can neither hold the file
 * back beyond the idle timeout nor keep real clients out: closed after {@code --silent-timeout},
 * and evicted, longest silent first, when a new connection finds the server full.
 */
@Timeout(60)
class SilentConnectionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void aDribblerDelaysOthersNoLongerThanTheIdleTimeoutAndIsClosedOnceSilentTooLong(int loops) throws Exception {
        final long t = System.currentTimeMillis() - 1_000;
        // Max delay far away: only the idle timeout (200 ms) can let a's values through.
        try (ServerHarness server = ServerHarness.with().loops(loops).idleTimeoutMs(200).maxDelayMs(600_000)
                .silentTimeoutMs(1_000).start(dir);
                LineClient dribbler = server.connect();
                LineClient a = server.connect()) {
            Await.until("two connected", WAIT, () -> server.stats().connectionsOpen() == 2);
            final byte[] digits = String.valueOf(t).getBytes(StandardCharsets.US_ASCII);
            a.send(t, t + 1, t + 2);
            int sent = 0;
            boolean othersWrittenWhileDribbling = false;
            final long deadline = System.nanoTime() + WAIT.toNanos();
            // One byte every 25 ms, never a newline: bytes keep coming, but never a timestamp.
            while (server.stats().silentClosed() == 0 && System.nanoTime() < deadline) {
                if (server.written().size() >= 2 && server.stats().connectionsOpen() == 2) {
                    othersWrittenWhileDribbling = true;
                }
                try {
                    dribbler.sendRaw(new byte[] {digits[sent++ % digits.length]});
                } catch (IOException closed) {
                    break;
                }
                Thread.sleep(25);
            }
            assertThat(othersWrittenWhileDribbling).as("the idle timeout, not a close, let a's values through").isTrue();
            assertThat(sent).as("closed for silence, before the 64-byte limit could").isLessThan(64);
            assertThat(dribbler.readLine()).isEqualTo("ERR 0 no timestamp for too long (see --silent-timeout); closing");
            assertThat(dribbler.awaitClosedByServer()).isTrue();
            a.send(t + 3);
            a.shutdownOutput();
            Await.until("a's values written", WAIT, () -> server.written().size() == 4);
            final ServerStats stats = server.stop();
            assertThat(stats.silentClosed()).isEqualTo(1);
            assertThat(server.written()).containsExactly(t, t + 1, t + 2, t + 3);
        }
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void aConnectionThatSendsWithinTheSilentTimeoutStaysOpen(int loops) throws Exception {
        final long t = ServerHarness.aSecondAgo();
        try (ServerHarness server = ServerHarness.with().loops(loops).silentTimeoutMs(1_000).start(dir);
                LineClient c = server.connect()) {
            for (int i = 0; i < 4; i++) {
                Thread.sleep(600); // silent for most of the timeout, each time
                c.send(t + i);
            }
            c.shutdownOutput();
            Await.until("every value written", WAIT, () -> server.written().size() == 4);
            final ServerStats stats = server.stop();
            assertThat(stats.silentClosed()).isZero();
            assertThat(stats.connectionsTotal()).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void silentConnectionsHoldingEverySlotCannotKeepARealClientOut(int loops) throws Exception {
        final int slots = 30;
        final Path output = dir.resolve("timestamps.txt");
        final Path record = dir.resolve("sent.txt");
        // No silent timeout at all: eviction alone must let the real client in.
        try (ServerHarness server = ServerHarness.with().loops(loops).maxConnections(slots).silentTimeoutMs(0).start(dir)) {
            final List<LineClient> silent = new ArrayList<>();
            try {
                for (int i = 0; i < slots; i++) {
                    silent.add(server.connect());
                }
                Await.until("every slot taken", WAIT, () -> server.stats().connectionsOpen() == slots);
                final ClientConfig config = ClientConfig.builder()
                        .server(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()))
                        .connections(10).intervalMs(50).phase(Phase.SPREAD).replayMs(10_000).record(record)
                        .statsIntervalMs(0).build();
                final ClientStats clientStats;
                try (LoadClient client = LoadClient.start(config, line -> { })) {
                    Await.until("the real client's 10 connections up", WAIT, () -> client.stats().connected() == 10);
                    final long sentThen = client.stats().sent();
                    Await.until("and sending", WAIT, () -> client.stats().sent() >= sentThen + 100);
                    clientStats = client.stop();
                }
                assertThat(silent.get(0).readLine()).as("the longest silent goes first")
                        .isEqualTo("ERR 0 server full and this connection the longest silent; closing");
                final ServerStats stats = server.stop();
                assertThat(stats.evicted()).isGreaterThanOrEqualTo(10);
                final VerifyResult v = new FileVerifier(false, null).verify(output, List.of(record));
                assertThat(v.ok()).as(v.render()).isTrue();
                assertThat(v.expected()).isEqualTo(clientStats.sent());
            } finally {
                for (LineClient c : silent) {
                    c.close();
                }
            }
        }
    }

    @Test
    void aNewcomerTakesThePlaceOfTheLongestSilentConnectionOnAnotherLoop() throws Exception {
        final long t = ServerHarness.aSecondAgo();
        final long idleMs = 1_000;
        // Two loops, two slots; accepted sockets go round robin: loop 0, loop 1, loop 0.
        try (ServerHarness server = ServerHarness.with().loops(2).maxConnections(2).idleTimeoutMs(idleMs)
                .silentTimeoutMs(0).start(dir);
                LineClient live = server.connect()) {
            Await.until("the live one in", WAIT, () -> server.stats().connectionsOpen() == 1);
            try (LineClient silent = server.connect()) {
                Await.until("the silent one in: the server full", WAIT, () -> server.stats().connectionsOpen() == 2);
                Thread.sleep(idleMs + 200); // the silent one evictable from now on
                live.send(t); // the live one (loop 0) heard just now: not evictable
                Await.until("its value read", WAIT, () -> server.stats().msgs() == 1);
                try (LineClient newcomer = server.connect()) { // to loop 0, which holds no evictable one
                    assertThat(silent.readLine()).as("the server's longest silent goes, on the other loop")
                            .isEqualTo("ERR 0 server full and this connection the longest silent; closing");
                    newcomer.send(t + 1);
                    newcomer.shutdownOutput();
                    live.shutdownOutput();
                    Await.until("both values written", WAIT, () -> server.written().size() == 2);
                    final ServerStats stats = server.stop();
                    assertThat(stats.evicted()).isEqualTo(1);
                    assertThat(stats.refused()).isZero();
                    assertThat(server.written()).containsExactly(t, t + 1);
                }
            }
        }
    }
}
