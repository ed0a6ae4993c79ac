package dev.stampede.client;

import static dev.stampede.client.TestServers.await;
import static dev.stampede.client.TestServers.awaitMoreSent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.stats.ClientStats;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 40, unit = TimeUnit.SECONDS)
class BacklogAndSourcesTest {
    private static final Duration WAIT = Duration.ofSeconds(25);

    @TempDir
    Path dir;

    private final List<String> log = new CopyOnWriteArrayList<>();

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void aServerThatStopsReadingCostsMissedTicksNotMemoryNorTheOtherConnections(int loops) throws Exception {
        final Path record = dir.resolve("sent.txt");
        final ClientStats stats;
        // The first connection is read, the second never: its socket fills up (small buffers: fast).
        try (RawServer server = new RawServer("", false, 1, 4096)) {
            final ClientConfig config = ClientConfig.builder()
                    .server(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()))
                    .connections(2).intervalMs(1).phase(Phase.SPREAD).replayMs(1_000).record(record)
                    .statsIntervalMs(0).sendBufferBytes(4096).build();
            final LoadClient client = LoadClient.start(config, loops, log::add);
            try {
                await("the unread socket is full", WAIT, () -> client.stats().missedFull() > 100);
                final long fullBefore = client.stats().missedFull();
                awaitMoreSent(client, 500, WAIT); // the read connection carries on
                assertThat(client.stats().missedFull()).isGreaterThan(fullBefore);
                assertThat(client.stats().connected()).isEqualTo(2);
            } finally {
                stats = client.stop();
            }
        }
        assertThat(stats.failures()).isZero();
        // Only values written in full are recorded: the refused ones and the backlog are not.
        assertThat(Files.readAllLines(record)).hasSize((int) stats.sent());
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void connectionsAreBoundRoundRobinToTheSourceAddresses(int loops) throws Exception {
        final ClientStats stats;
        final List<String> sources;
        try (RawServer server = new RawServer("", false)) {
            final ClientConfig config = ClientConfig.builder()
                    .server(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()))
                    .connections(6).intervalMs(50).phase(Phase.SPREAD).replayMs(10_000)
                    .sourceAddresses(SourceAddresses.parse("127.0.0.2-127.0.0.4")).statsIntervalMs(0).build();
            final LoadClient client = LoadClient.start(config, loops, log::add);
            try {
                // The client is up once the handshake is done; the server's accept thread may
                // take a moment more to record the peer.
                await("all connected and accepted", WAIT,
                        () -> client.stats().connected() == 6 && server.peers().size() == 6);
            } finally {
                stats = client.stop();
            }
            sources = server.peers().stream().map(a -> a.getAddress().getHostAddress()).toList();
        }
        assertThat(stats.failures()).isZero();
        assertThat(sources).hasSize(6).containsOnly("127.0.0.2", "127.0.0.3", "127.0.0.4");
        assertThat(sources.stream().filter("127.0.0.3"::equals).count()).isEqualTo(2);
    }
}
