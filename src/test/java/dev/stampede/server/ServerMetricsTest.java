package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.metrics.MetricsServer;
import dev.stampede.metrics.ServerMetrics;
import dev.stampede.protocol.Reject;
import dev.stampede.stats.ServerStats;
import dev.stampede.testing.Await;
import dev.stampede.testing.LineClient;
import dev.stampede.testing.Scrape;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real server with {@code --metrics} on a free port, scraped over loopback HTTP. */
@Timeout(60)
class ServerMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void theCountersMoveAndAfterTheStopMatchTheSummary() throws Exception {
        try (ServerHarness h = ServerHarness.with().start(dir);
                MetricsServer m = MetricsServer.start(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), new ServerMetrics(h::stats))) {
            assertThat(m.url()).isEqualTo("http://127.0.0.1:" + m.port() + "/metrics");
            final Scrape before = Scrape.of(m.url());
            assertThat(before.count("stampede_received_total")).isZero();
            assertThat(before.has("stampede_kafka_lag_seconds")).as("not publishing").isFalse();
            for (Reject r : Reject.values()) {
                assertThat(before.count(rejected(r))).as(r.name()).isZero();
            }
            assertThat(before.series().keySet()).as("bad lines and closed connections are two families")
                    .noneMatch(k -> k.startsWith("stampede_rejected_lines_total{reason=\"server_full\""))
                    .noneMatch(k -> k.startsWith("stampede_connections_closed_total{reason=\"sign\""))
                    .noneMatch(k -> k.startsWith("stampede_rejected_total"));
            assertThat(before.series().keySet()).as("the build and the JVM")
                    .anyMatch(k -> k.startsWith("stampede_build_info{version=\""))
                    .contains("process_resident_memory_bytes", "jvm_memory_used_bytes{area=\"heap\"}");

            final long t = System.currentTimeMillis() - 1_000;
            try (LineClient c = h.connect()) {
                c.send(t, t + 1, t + 2, t + 2); // one duplicate
                c.sendRaw("12ab\n").sendRaw("+5\n").sendRaw("-7\n"); // not a number, and a sign twice
                assertThat(c.readLine()).isEqualTo("ERR 5 not a decimal number");
                assertThat(c.readLine()).startsWith("ERR 6 sign");
                assertThat(c.readLine()).startsWith("ERR 7 sign");
                c.send(t - 60_000); // late: a minute behind what the file has
                Await.until("the values counted", WAIT, () -> scrape(m).count("stampede_received_total") == 5);
                final Scrape live = scrape(m);
                assertThat(live.count("stampede_connections")).isEqualTo(1);
                assertThat(live.count(rejected(Reject.NOT_A_NUMBER))).isEqualTo(1);
                assertThat(live.count(rejected(Reject.SIGN))).isEqualTo(2);
                assertThat(live.value("stampede_watermark_lag_seconds")).isBetween(0.0, 10.0);
                Await.until("written", WAIT, () -> scrape(m).count("stampede_written_total") == 3);
            }
            Await.until("late counted and the connection closed", WAIT, () -> {
                final Scrape s = scrape(m);
                return s.count("stampede_late_total") == 1 && s.count("stampede_connections") == 0;
            });

            final ServerStats last = h.stop();
            final Scrape after = Scrape.of(m.url());
            final Map<String, Long> summary = Scrape.pairs(last.summaryLine());
            assertThat(after.count("stampede_received_total")).isEqualTo(summary.get("msgs")).isEqualTo(5);
            assertThat(after.count("stampede_written_total")).isEqualTo(summary.get("written")).isEqualTo(3);
            assertThat(after.count("stampede_duplicates_total")).isEqualTo(summary.get("dups")).isEqualTo(1);
            assertThat(after.count("stampede_late_total")).isEqualTo(summary.get("late")).isEqualTo(1);
            assertThat(after.count("stampede_connections_opened_total")).isEqualTo(summary.get("conns_total"));
            assertThat(after.count("stampede_connections_refused_total")).isEqualTo(summary.get("refused"));
            assertThat(after.count("stampede_replies_dropped_total")).isEqualTo(summary.get("replies_dropped"));
            assertThat(after.count("stampede_silent_closed_total")).isEqualTo(summary.get("silent_closed"));
            assertThat(after.count("stampede_evicted_total")).isEqualTo(summary.get("evicted"));
            long lineRejects = 0;
            for (Reject r : Reject.values()) {
                if (r != Reject.TOO_MANY_ERRORS && r != Reject.SERVER_FULL && r != Reject.SILENT
                        && r != Reject.EVICTED) {
                    lineRejects += after.count(rejected(r));
                }
            }
            assertThat(lineRejects).as("the bad lines by reason add up to invalid=")
                    .isEqualTo(summary.get("invalid")).isEqualTo(3);
            assertThat(after.count("stampede_pending")).isZero();
            assertThat(after.count("stampede_write_failures_total")).isZero();
            assertThat(after.count("stampede_writes_failing")).isZero();

            final HttpResponse<String> healthy = Scrape.get("http://127.0.0.1:" + m.port() + "/-/healthy");
            assertThat(healthy.statusCode()).isEqualTo(200);
            assertThat(healthy.body()).isNotBlank();
        }
    }

    @Test
    void refusedAndTooManyErrorsAreCountedByReason() throws Exception {
        // A long idle timeout: the first connection is never silent long enough to be evicted for
        // the second (on a slow machine the scrape below could take longer than the default).
        try (ServerHarness h = ServerHarness.with().maxConnections(1).idleTimeoutMs(60_000).start(dir);
                MetricsServer m = MetricsServer.start(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), new ServerMetrics(h::stats))) {
            try (LineClient first = h.connect()) {
                first.send(System.currentTimeMillis());
                Await.until("the first connection up", WAIT, () -> scrape(m).count("stampede_connections") == 1);
                try (LineClient second = h.connect()) {
                    assertThat(second.readLine()).isEqualTo("ERR 0 server full; closing");
                }
                for (int i = 0; i < 10; i++) {
                    first.sendRaw("x\n");
                }
                assertThat(first.awaitClosedByServer()).isTrue();
            }
            final ServerStats last = h.stop();
            final Scrape after = Scrape.of(m.url());
            assertThat(after.count(rejected(Reject.SERVER_FULL))).isEqualTo(last.refused()).isEqualTo(1);
            assertThat(after.count("stampede_connections_refused_total")).isEqualTo(1);
            assertThat(after.count(rejected(Reject.TOO_MANY_ERRORS))).isEqualTo(1);
            assertThat(after.count(rejected(Reject.NOT_A_NUMBER))).isEqualTo(last.invalid()).isEqualTo(10);
        }
    }

    private static Scrape scrape(MetricsServer m) {
        try {
            return Scrape.of(m.url());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The series of a reason: a bad line's, or a closed connection's. */
    private static String rejected(Reject r) {
        final boolean connection = r == Reject.TOO_MANY_ERRORS || r == Reject.SERVER_FULL || r == Reject.SILENT
                || r == Reject.EVICTED;
        return (connection ? "stampede_connections_closed_total" : "stampede_rejected_lines_total")
                + "{reason=\"" + r.name().toLowerCase(Locale.ROOT) + "\"}";
    }
}
