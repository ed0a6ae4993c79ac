package dev.stampede.client;

import static dev.stampede.client.TestServers.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.client.AckingServer.Mode;
import dev.stampede.metrics.ClientMetrics;
import dev.stampede.metrics.MetricsServer;
import dev.stampede.stats.ClientStats;
import dev.stampede.testing.Scrape;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client against fake servers over loopback ({@link AckingServer}) that acknowledge, close,
 * go silent or refuse acknowledgements: what it sends again after a reconnect, when it leaves a
 * silent server, and how it counts.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AckedDeliveryTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    @Test
    void afterAReconnectItSendsExactlyTheValuesNotAcknowledged() throws Exception {
        final AckingServer server = server(Mode.ACK);
        server.ackAtMost(5); // the opener and 4 values
        server.closeAfterLines(12); // then close, with 7 values unacknowledged
        final LoadClient client = LoadClient.start(config(1, 0, server.address()).build(), 1, log::add);
        closing.add(client::stop);
        await("a second connection with 10 lines", WAIT, () -> server.accepted() >= 2 && server.lines(1).size() >= 10);
        server.ackAtMost(Long.MAX_VALUE);
        final List<String> first = server.lines(0);
        final List<String> second = server.lines(1);
        assertThat(first.get(0)).isEqualTo("ACKS 1");
        assertThat(second.get(0)).isEqualTo("ACKS 1");
        // Lines 6 to 12 (or more, if the server read more before it closed) of the first connection
        // were not acknowledged: they come first again, after the opener.
        assertThat(first.size()).isGreaterThanOrEqualTo(12);
        final int unacked = first.size() - 5;
        assertThat(second.subList(1, 1 + unacked)).isEqualTo(first.subList(5, first.size()));
        // Acknowledged on the second connection, the resent values count as acknowledged once.
        await("the resent values acknowledged", WAIT, () -> client.stats().acks().acked() >= 4 + unacked);
        final ClientStats s = client.stop();
        assertThat(s.replayed()).isGreaterThanOrEqualTo(unacked);
        assertThat(s.errors()).isZero();
        assertThat(s.acks().acked()).isLessThanOrEqualTo(s.sent());
        assertThat(s.summaryLine()).contains(" acked=").contains(" ack_p50_ms=").contains(" ack_p99_ms=");
    }

    @Test
    void aServerKnownToAcknowledgeThatGoesSilentIsLeftAtOnceForTheNext() throws Exception {
        final AckingServer a = server(Mode.ACK);
        final AckingServer b = server(Mode.ACK);
        final ClientConfig config = config(2, 2_000, a.address(), b.address()).build();
        final LoadClient client = LoadClient.start(config, 1, log::add);
        closing.add(client::stop);
        await("both connections acknowledged", WAIT, () -> client.stats().acks().acked() > 20);
        final int onB = b.accepted();
        a.mode(Mode.SILENT); // frozen: its kernel still takes what the client sends
        final long frozenAt = System.nanoTime();
        await("the connection of the silent server on the other", WAIT, () -> b.accepted() > onB);
        final long movedMs = (System.nanoTime() - frozenAt) / 1_000_000;
        assertThat(movedMs).isLessThan(2_000 + 1_500); // the ack timeout, the check period, a quick retry
        final ClientStats s = client.stop();
        assertThat(s.acks().ackTimeouts()).isEqualTo(1);
        assertThat(s.failovers()).isEqualTo(1);
        assertThat(String.join("\n", log)).contains("no acknowledgement for 2000 ms");
    }

    @Test
    void aServerThatNeverAcknowledgedIsNotJudgedByItsSilence() throws Exception {
        final AckingServer a = server(Mode.SILENT);
        final LoadClient client = LoadClient.start(config(1, 2_000, a.address()).build(), 1, log::add);
        closing.add(client::stop);
        await("3 s of sends", WAIT, () -> a.accepted() == 1 && a.lines(0).size() > 60);
        final ClientStats s = client.stop();
        assertThat(a.accepted()).isEqualTo(1);
        assertThat(s.acks().ackTimeouts()).isZero();
        assertThat(s.reconnects()).isZero();
    }

    @Test
    void aServerThatRefusesTheOpenerIsUsedAsWithoutAcknowledgements() throws Exception {
        final AckingServer a = server(Mode.REFUSE);
        final ClientConfig config = config(1, 2_000, a.address()).replayMs(200).build();
        final LoadClient client = LoadClient.start(config, 1, log::add);
        closing.add(client::stop);
        await("20 values", WAIT, () -> a.accepted() == 1 && a.lines(0).size() > 20);
        a.closeAfterLines(a.lines(0).size() + 1);
        await("a second connection with 10 lines", WAIT, () -> a.accepted() == 2 && a.lines(1).size() > 10);
        final ClientStats s = client.stop();
        assertThat(s.errors()).isZero(); // the ERR to the opener is neither counted
        assertThat(String.join("\n", log)).doesNotContain("server says"); // nor shown
        assertThat(s.replayed()).isBetween(3L, 6L); // the 200 ms replay, not everything unacknowledged
        assertThat(s.acks().unacked()).isZero();
    }

    @Test
    void withoutAcksNoOpenerIsSent() throws Exception {
        final AckingServer a = server(Mode.ACK);
        final LoadClient client = LoadClient.start(config(1, 0, a.address()).acks(false).build(), 1, log::add);
        closing.add(client::stop);
        await("5 values", WAIT, () -> a.accepted() == 1 && a.lines(0).size() >= 5);
        final ClientStats s = client.stop();
        assertThat(a.lines(0)).allMatch(l -> l.matches("\\d+"));
        assertThat(s.acks().acked()).isZero();
    }

    @Test
    void aConnectToAHostThatDoesNotAnswerTimesOut() throws Exception {
        // 10.255.255.1 is not routed on a test machine: the SYN goes nowhere (or is refused at once).
        final InetSocketAddress nowhere = new InetSocketAddress("10.255.255.1", 5050);
        final ClientConfig config = config(1, 0, nowhere).connectTimeoutMs(300).build();
        final LoadClient client = LoadClient.start(config, 1, log::add);
        closing.add(client::stop);
        await("two failed connects", WAIT, () -> client.stats().failures() >= 2);
        client.stop();
        final String all = String.join("\n", log);
        if (all.contains("timed out")) {
            assertThat(all).contains("timed out after 300 ms");
        }
    }

    @Test
    void theCountersAreInTheStatusLineTheSummaryAndTheMetrics() throws Exception {
        final AckingServer a = server(Mode.ACK);
        a.ackAtMost(3); // every connection: the opener and 2 values acknowledged, the rest waits
        final ClientConfig config = config(4, 0, a.address()).durationMs(1_500).statsIntervalMs(200).build();
        final LoadClient client = LoadClient.start(config, 2, log::add);
        closing.add(client::stop);
        try (MetricsServer m = MetricsServer.start(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), new ClientMetrics(client::stats))) {
            await("the bounded run over", WAIT, () -> !client.isRunning());
            final ClientStats last = client.stop();
            final Scrape after = Scrape.of(m.url());
            final Map<String, Long> summary = Scrape.pairs(last.summaryLine());
            assertThat(summary.get("acked")).isEqualTo(8);
            assertThat(summary.get("unacked")).isEqualTo(last.sent() - 8).isPositive();
            assertThat(summary.get("dropped_unacked")).isZero();
            assertThat(summary.get("ack_timeouts")).isZero();
            assertThat(summary.get("ack_p99_ms")).isGreaterThanOrEqualTo(summary.get("ack_p50_ms"));
            assertThat(after.count("stampede_client_acked_total")).isEqualTo(summary.get("acked"));
            assertThat(after.count("stampede_client_unacked")).isEqualTo(summary.get("unacked"));
            assertThat(after.count("stampede_client_dropped_unacked_total")).isZero();
            assertThat(after.count("stampede_client_ack_timeouts_total")).isZero();
            assertThat(after.count("stampede_client_ack_latency_seconds_count")).isEqualTo(summary.get("acked"));
            assertThat(after.value("stampede_client_ack_latency_seconds{quantile=\"0.99\"}") * 1_000)
                    .isEqualTo((double) summary.get("ack_p99_ms"));
            assertThat(log).anyMatch(l -> l.startsWith("client: up=") && l.contains(" acked=8 unacked="));
        }
    }

    @Test
    void pastTheBoundTheOldestUnacknowledgedAreDroppedAndCounted() throws Exception {
        final AckingServer a = server(Mode.ACK);
        a.ackAtMost(2); // the opener and one value, then nothing more
        final ClientConfig config = config(1, 0, a.address()).intervalMs(10).unackedMs(100).replayMs(0).build();
        final LoadClient client = LoadClient.start(config, 1, log::add);
        closing.add(client::stop);
        await("values dropped unacknowledged", WAIT, () -> client.stats().acks().droppedUnacked() > 20);
        final ClientStats s = client.stop();
        // ceil(100 / 10) + 1 kept, plus at most the backlog of values not yet written.
        assertThat(s.acks().unacked()).isBetween(11L, 11L + ClientConfig.BACKLOG_VALUES);
        assertThat(s.acks().acked() + s.acks().unacked() + s.acks().droppedUnacked()).isEqualTo(s.sent());
    }

    private AckingServer server(Mode mode) throws Exception {
        final AckingServer s = new AckingServer(mode);
        closing.add(s);
        return s;
    }

    private static ClientConfig.Builder config(int connections, long ackTimeoutMs, InetSocketAddress... servers) {
        return ClientConfig.builder().servers(List.of(servers)).connections(connections).intervalMs(50)
                .replayMs(10_000).statsIntervalMs(0).ackTimeoutMs(ackTimeoutMs);
    }
}
