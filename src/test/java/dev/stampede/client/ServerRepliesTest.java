package dev.stampede.client;

import static dev.stampede.client.TestServers.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.stats.ClientStats;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

/** What the server says reaches the user: counted, shown, rate-limited; a closing server is retried. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ServerRepliesTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final List<String> log = new CopyOnWriteArrayList<>();

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void errLinesAreCountedAndShownRateLimited(int loops) throws Exception {
        final String errs = "ERR 1 not a decimal number\n".repeat(20);
        final ClientStats stats;
        try (RawServer server = new RawServer(errs, false)) {
            final LoadClient client =
                    LoadClient.start(TestServers.client(server.port(), 3, 0, Phase.SPREAD, null).toBuilder()
                            .acks(false) // else its first ERR 1 would be taken for a refused opener
                            .build(), loops, log::add);
            try {
                await("60 ERR lines read", WAIT, () -> client.stats().errors() >= 60);
            } finally {
                stats = client.stop();
            }
        }
        assertThat(stats.errors()).isEqualTo(60);
        final List<String> shown = log.stream().filter(l -> l.contains("server says")).toList();
        assertThat(shown).isNotEmpty().allMatch(l -> l.contains("server says: ERR 1 not a decimal number"));
        assertThat(shown.size()).as("at most one a second, the rest counted").isLessThan(60);
        assertThat(String.join("\n", log)).contains("more server replies not shown");
        assertThat(stats.failures()).isZero();
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void aServerThatClosesIsRetriedWithBackoffWhileTheOthersCarryOn(int loops) throws Exception {
        final ClientStats stats;
        try (RawServer server = new RawServer("ERR 0 server full; closing\n", true)) {
            final LoadClient client =
                    LoadClient.start(TestServers.client(server.port(), 2, 0, Phase.SPREAD, null), loops, log::add);
            try {
                await("reconnected twice each", WAIT, () -> client.stats().reconnects() >= 4);
            } finally {
                stats = client.stop();
            }
            // Back-off: 2 connections over well under a minute make a handful of attempts, not thousands.
            assertThat(server.accepted()).isLessThan(100);
        }
        assertThat(stats.failures()).isGreaterThanOrEqualTo(4);
        assertThat(stats.errors()).isPositive();
        assertThat(String.join("\n", log)).contains("server says: ERR 0 server full; closing", "retrying in");
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void nothingListeningMeansRetriesNotACrash(int loops) throws Exception {
        final int port;
        try (RawServer probe = new RawServer("", true)) {
            port = probe.port(); // a port that was free a moment ago and is closed now
        }
        final LoadClient client = LoadClient.start(TestServers.client(port, 5, 0, Phase.SPREAD, null), loops, log::add);
        final ClientStats stats;
        try {
            await("failed and retried", WAIT, () -> client.stats().failures() >= 10 && client.stats().missedDown() > 0);
        } finally {
            stats = client.stop();
        }
        assertThat(stats.connected()).isZero();
        assertThat(stats.sent()).isZero();
        assertThat(client.failed()).isFalse();
        assertThat(String.join("\n", log)).contains("cannot connect", "retrying in");
    }
}
