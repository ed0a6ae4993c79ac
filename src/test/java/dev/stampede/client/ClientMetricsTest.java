package dev.stampede.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.stampede.metrics.ClientMetrics;
import dev.stampede.metrics.MetricsServer;
import dev.stampede.server.IngestServer;
import dev.stampede.stats.ClientStats;
import dev.stampede.testing.Scrape;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real client against a real server, its metrics scraped over loopback HTTP. */
@Timeout(60)
class ClientMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final List<String> log = new CopyOnWriteArrayList<>();

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void theCountersMoveAndAfterTheStopMatchTheSummary(int loops) throws Exception {
        try (IngestServer server = TestServers.server(0, dir.resolve("ts.txt"), log::add)) {
            final LoadClient client = LoadClient.start(
                    TestServers.client(server.port(), 5, 1_500, Phase.SPREAD, null), loops, log::add);
            try (MetricsServer m = MetricsServer.start(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), new ClientMetrics(client::stats))) {
                TestServers.await("sending, as the metrics say", WAIT, () -> {
                    final Scrape s = scrape(m);
                    return s.count("stampede_client_sent_total") >= 20 && s.count("stampede_client_connections_up") == 5;
                });
                assertThat(scrape(m).count("stampede_client_connections_target")).isEqualTo(5);
                TestServers.await("the bounded run over", WAIT, () -> !client.isRunning());
                final ClientStats last = client.stop();
                final Scrape after = Scrape.of(m.url());
                final Map<String, Long> summary = Scrape.pairs(last.summaryLine());
                assertThat(after.count("stampede_client_sent_total")).isEqualTo(summary.get("sent")).isPositive();
                assertThat(after.count("stampede_client_missed_total")).isEqualTo(summary.get("missed"));
                assertThat(after.count("stampede_client_reconnects_total")).isEqualTo(summary.get("reconnects"));
                assertThat(after.count("stampede_client_failovers_total")).isEqualTo(summary.get("failovers"));
                assertThat(after.count("stampede_client_errors_total")).isEqualTo(summary.get("errors"));
                assertThat(after.count("stampede_client_replayed_total")).isEqualTo(summary.get("replayed"));
                assertThat(after.count("stampede_client_connections_up")).isEqualTo(summary.get("connected"));
                assertThat(after.count("stampede_client_send_lateness_seconds_count")).isEqualTo(last.total().count())
                        .isPositive();
                assertThat(after.value("stampede_client_send_lateness_seconds{quantile=\"0.5\"}") * 1e6)
                        .isCloseTo(summary.get("late_p50_us"), within(0.001));
                assertThat(after.value("stampede_client_send_lateness_seconds{quantile=\"0.99\"}") * 1e6)
                        .isCloseTo(summary.get("late_p99_us"), within(0.001));
                assertThat(after.value("stampede_client_send_lateness_max_seconds") * 1e6)
                        .isCloseTo(summary.get("late_max_us"), within(0.001));
                assertThat(Scrape.get("http://127.0.0.1:" + m.port() + "/-/healthy").statusCode()).isEqualTo(200);
            }
        }
    }

    private static Scrape scrape(MetricsServer m) {
        try {
            return Scrape.of(m.url());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
