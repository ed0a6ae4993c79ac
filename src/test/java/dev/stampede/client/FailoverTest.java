package dev.stampede.client;

import static dev.stampede.client.TestServers.await;
import static dev.stampede.client.TestServers.awaitMoreSent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.stampede.format.OutputFiles;
import dev.stampede.server.IngestServer;
import dev.stampede.stats.ClientStats;
import dev.stampede.testing.Await;
import dev.stampede.verify.FileVerifier;
import dev.stampede.verify.VerifyResult;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several servers (real in-process ones over loopback, each with its own output file): the
 * client spreads its connections round robin, moves those of a server gone for good to the next
 * one, and keeps those of a server restarted at once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FailoverTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final List<String> clientLog = new CopyOnWriteArrayList<>();
    private final List<String> serverLog = new CopyOnWriteArrayList<>();
    private final List<IngestServer> servers = new ArrayList<>();
    private final List<Path> outputs = new ArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(IngestServer::stop);
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void threeServersGetTenOfThirtyConnectionsEachAndHoldEverySentValue(int loops) throws Exception {
        start(3);
        final Path record = dir.resolve("sent.txt");
        final LoadClient client = LoadClient.start(config(30, record), loops, clientLog::add);
        final ClientStats stats;
        try {
            await("10 connections on each of the 3 servers", WAIT, () -> client.stats().connected() == 30
                    && servers.stream().allMatch(s -> s.stats().connectionsOpen() == 10));
            awaitMoreSent(client, 600, WAIT);
        } finally {
            stats = client.stop();
        }
        stopAll();
        assertThat(servers).allSatisfy(s -> assertThat(s.stats().connectionsTotal()).isEqualTo(10));
        assertThat(servers).allSatisfy(s -> assertThat(s.stats().written()).isPositive());
        assertThat(stats.failovers()).isZero();
        assertThat(String.join("\n", clientLog)).contains("connecting 30 to 3 servers 127.0.0.1:" + port(0)
                + ",127.0.0.1:" + port(1) + ",127.0.0.1:" + port(2) + " (10 each");
        assertEveryRecordedValueIsInTheFiles(record, stats);
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void theConnectionsOfAServerGoneForGoodMoveToTheOtherAndLoseNothing(int loops) throws Exception {
        start(2);
        final Path record = dir.resolve("sent.txt");
        final LoadClient client = LoadClient.start(config(20, record), loops, clientLog::add);
        final ClientStats stats;
        final long movedMs;
        try {
            await("10 connections on each server", WAIT, () -> client.stats().connected() == 20
                    && servers.stream().allMatch(s -> s.stats().connectionsOpen() == 10));
            awaitMoreSent(client, 400, WAIT);
            final long t0 = System.nanoTime();
            servers.get(1).stop(); // for good
            Await.until("all 20 up on the surviving server", WAIT, client::stats, s -> s.connected() == 20
                    && s.failovers() >= 10 && servers.get(0).stats().connectionsOpen() == 20);
            movedMs = (System.nanoTime() - t0) / 1_000_000;
            awaitMoreSent(client, 400, WAIT); // and they carry on there
        } finally {
            stats = client.stop();
        }
        stopAll();
        // Each of the dead server's 10 connections moved once; the survivor's never did.
        assertThat(stats.failovers()).isEqualTo(10);
        assertThat(stats.replayed()).as("the moved connections replayed into the survivor").isPositive();
        // The rule moves them 1.5 to 3 s after the loss, and the first try on the new server
        // comes 0.1 to 0.2 s later: well within this bound, even on a busy machine.
        assertThat(movedMs).as("time until all were up on the survivor").isBetween(1_500L, 10_000L);
        assertThat(String.join("\n", clientLog)).contains("failing over: 127.0.0.1:" + port(1),
                "moving to 127.0.0.1:" + port(0));
        assertEveryRecordedValueIsInTheFiles(record, stats);
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void whatADeadServerNeverWroteIsReplayedIntoTheNextOne(int loops) throws Exception {
        // The second "server" reads and discards everything, then vanishes: a crash that lost all
        // it was sent. Only the replays of the moved connections can carry those values.
        start(1);
        final Path record = dir.resolve("sent.txt");
        final ClientStats stats;
        try (RawServer blackHole = new RawServer("", false)) {
            final List<InetSocketAddress> both = List.of(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), port(0)),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), blackHole.port()));
            final LoadClient client = LoadClient.start(
                    ClientConfig.builder().servers(both).connections(20).intervalMs(50).phase(Phase.SPREAD)
                            .replayMs(10_000).record(record).statsIntervalMs(0).build(), loops, clientLog::add);
            try {
                await("10 connections on each", WAIT, () -> client.stats().connected() == 20
                        && blackHole.accepted() == 10 && servers.get(0).stats().connectionsOpen() == 10);
                awaitMoreSent(client, 400, WAIT);
                blackHole.close();
                Await.until("all 20 up on the real server", WAIT, client::stats, s -> s.connected() == 20
                        && s.failovers() >= 10 && servers.get(0).stats().connectionsOpen() == 20);
                awaitMoreSent(client, 200, WAIT);
            } finally {
                stats = client.stop();
            }
        }
        stopAll();
        assertThat(stats.failovers()).isEqualTo(10);
        // About half the recorded values went only to the black hole before it vanished: they
        // are in the real server's files because the moved connections replayed them there.
        assertEveryRecordedValueIsInTheFiles(record, stats);
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void aServerRestartedAtOnceKeepsItsConnections(int loops) throws Exception {
        start(2);
        final Path record = dir.resolve("sent.txt");
        final LoadClient client = LoadClient.start(config(20, record), loops, clientLog::add);
        final ClientStats stats;
        final long restartMs;
        try {
            await("10 connections on each server", WAIT, () -> client.stats().connected() == 20
                    && servers.stream().allMatch(s -> s.stats().connectionsOpen() == 10));
            awaitMoreSent(client, 400, WAIT);
            final long t0 = System.nanoTime();
            servers.get(0).stop();
            servers.set(0, TestServers.server(port(0), outputs.get(0), serverLog::add));
            restartMs = (System.nanoTime() - t0) / 1_000_000;
            // The rule cannot move a connection sooner than 1.5 s after it lost its server: a
            // restart quicker than that keeps them all, whatever the jitter. A machine so busy that
            // the restart itself took longer tests nothing here.
            assumeThat(restartMs).as("the restart took less than 1.4 s").isLessThan(1_400L);
            Await.until("all 20 back, 10 on the restarted server", WAIT, client::stats, s -> s.connected() == 20
                    && s.reconnects() >= 10 && servers.get(0).stats().connectionsOpen() == 10);
            awaitMoreSent(client, 400, WAIT);
            assertThat(servers.get(1).stats().connectionsOpen()).isEqualTo(10);
        } finally {
            stats = client.stop();
        }
        stopAll();
        assertThat(stats.failovers()).isZero();
        assertThat(servers.get(1).stats().connectionsTotal()).as("nobody moved to the other server").isEqualTo(10);
        assertThat(stats.replayed()).as("replayed into the restarted server").isPositive();
        final Path lateFile = Path.of(outputs.get(0) + OutputFiles.LATE_SUFFIX);
        assertThat(Files.exists(lateFile) ? Files.readAllLines(lateFile) : List.<String>of())
                .as("the replays landed within the restarted server's startup grace").isEmpty();
        assertEveryRecordedValueIsInTheFiles(record, stats);
    }

    // ------------------------------------------------------------------ helpers

    private void start(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            final Path out = dir.resolve("out-" + i + ".txt");
            outputs.add(out);
            servers.add(TestServers.server(0, out, serverLog::add));
        }
    }

    private void stopAll() {
        servers.forEach(IngestServer::stop); // idempotent: @AfterEach stops them again
    }

    private int port(int i) {
        return servers.get(i).port();
    }

    private ClientConfig config(int connections, Path record) {
        final List<InetSocketAddress> addresses = new ArrayList<>();
        for (IngestServer s : servers) {
            addresses.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), s.port()));
        }
        return ClientConfig.builder().servers(addresses).connections(connections).intervalMs(50)
                .phase(Phase.SPREAD).replayMs(10_000).record(record).statsIntervalMs(0).build();
    }

    /**
     * Every value the client recorded is in one of the servers' files or late files, and each
     * file on its own is strictly ascending (a failed-over replay below the survivor's watermark
     * goes to its late file, never out of order into its file).
     */
    private void assertEveryRecordedValueIsInTheFiles(Path record, ClientStats stats) throws IOException {
        final List<String> recorded = Files.readAllLines(record);
        assertThat(recorded).hasSize((int) stats.sent()).isNotEmpty();
        final Set<String> union = new HashSet<>();
        for (Path out : outputs) {
            final VerifyResult v = new FileVerifier(false, null).verify(out, List.of());
            assertThat(v.ok()).as(v.render()).isTrue();
            union.addAll(Files.readAllLines(out));
            final Path late = Path.of(out + OutputFiles.LATE_SUFFIX);
            if (Files.exists(late)) {
                union.addAll(Files.readAllLines(late));
            }
        }
        final List<String> missing = recorded.stream().filter(v -> !union.contains(v)).toList();
        assertThat(missing).as("recorded values in none of the files").isEmpty();
    }
}
