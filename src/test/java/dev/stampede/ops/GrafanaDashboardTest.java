package dev.stampede.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stampede.client.ClientConfig;
import dev.stampede.client.LoadClient;
import dev.stampede.kafka.KafkaSettings;
import dev.stampede.kafka.MergeConfig;
import dev.stampede.kafka.Merger;
import dev.stampede.kafka.NodePublisher;
import dev.stampede.metrics.ClientMetrics;
import dev.stampede.metrics.MergeMetrics;
import dev.stampede.metrics.MetricsServer;
import dev.stampede.metrics.ReadinessChecks;
import dev.stampede.metrics.ServerMetrics;
import dev.stampede.server.IngestServer;
import dev.stampede.server.ServerConfig;
import dev.stampede.store.FsyncPolicy;
import dev.stampede.store.OutputStore;
import dev.stampede.testing.Await;
import dev.stampede.testing.BrokerPerClass;
import dev.stampede.testing.Scrape;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * ops/grafana/stampede.json asks only for series that exist: every metric name its PromQL
 * expressions use is in a real scrape of a real server (publishing to a real broker), a real
 * client sending to it and a real merge of its partition. The same three answer {@code /-/ready}.
 */
@Timeout(180)
class GrafanaDashboardTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final Path DASHBOARD = Path.of("ops", "grafana", "stampede.json");
    /** PromQL words that are neither functions (followed by a parenthesis) nor metric names. */
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "and", "or", "unless", "offset");
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    @RegisterExtension
    static final BrokerPerClass KAFKA = new BrokerPerClass();

    @TempDir
    Path dir;

    @Test
    void everyMetricTheDashboardQueriesIsInARealScrape() throws Exception {
        final Set<String> used = dashboardMetricNames();
        assertThat(used).as("the dashboard's panels").contains("stampede_received_total",
                "stampede_client_sent_total", "stampede_merge_written_total", "stampede_kafka_lag_seconds",
                "process_resident_memory_bytes", "stampede_build_info");

        final List<String> log = new CopyOnWriteArrayList<>();
        final KafkaSettings kafka = new KafkaSettings(KAFKA.broker().bootstrap(), "dashboard", new Properties());
        final Path output = dir.resolve("node0.txt");
        final IngestServer server = IngestServer.start(ServerConfig.builder()
                .bind(new InetSocketAddress("127.0.0.1", 0)).output(output).idleTimeoutMs(300).maxDelayMs(5_000)
                .maxSkewMs(300_000).startupGraceMs(0).maxConnections(100).readBatchMs(0).flushIntervalMs(10)
                .statsIntervalMs(0).fsync(FsyncPolicy.INTERVAL).fsyncIntervalMs(100).silentTimeoutMs(30_000)
                .build(), log::add);
        final NodePublisher publisher = new NodePublisher(kafka, 0, output, server.durableOutput(),
                OutputStore.latePath(output), server.durableLate(), log::add).start();
        server.reportPublicationLag(publisher::lagMs);
        Merger merger = null;
        LoadClient client = null;
        try (MetricsServer serverMetrics = MetricsServer.start(ANY_PORT, new ServerMetrics(server::stats),
                ReadinessChecks.all(ReadinessChecks.server(server::isRunning, server::writeFailure),
                        ReadinessChecks.publication(() -> server.durableOutput().durableMark(),
                                publisher::acknowledgedWatermark, ReadinessChecks.PUBLICATION_BOUND_MS)))) {
            client = LoadClient.start(ClientConfig.builder().server(new InetSocketAddress("127.0.0.1", server.port()))
                    .connections(3).intervalMs(50).statsIntervalMs(0).build(), log::add);
            final LoadClient c = client;
            merger = Merger.start(MergeConfig.builder().kafka(kafka).output(dir.resolve("global.txt"))
                    .idleTimeoutMs(500).fsync(FsyncPolicy.INTERVAL).fsyncIntervalMs(200).statsIntervalMs(0).build(),
                    log::add);
            final Merger m = merger;
            try (MetricsServer clientMetrics = MetricsServer.start(ANY_PORT, new ClientMetrics(c::stats));
                    MetricsServer mergeMetrics = MetricsServer.start(ANY_PORT, new MergeMetrics(m::stats))) {
                // Until every family is there: the lags appear with the first watermark and publication.
                final Set<String> missing = new TreeSet<>();
                Await.until("every series the dashboard uses in the scrapes (log: " + log + ")", WAIT, () -> {
                    final Set<String> scraped = new TreeSet<>();
                    for (MetricsServer ms : List.of(serverMetrics, clientMetrics, mergeMetrics)) {
                        scraped.addAll(names(scrape(ms)));
                    }
                    missing.clear();
                    missing.addAll(used);
                    missing.removeAll(scraped);
                    return missing.isEmpty() && m.stats().written() > 0;
                });
                assertThat(missing).as("metrics the dashboard uses that no program serves").isEmpty();
                Await.until("the publishing server ready: its partition keeps up with its file", WAIT,
                        () -> ready(serverMetrics).statusCode() == 200);
                assertThat(ready(mergeMetrics).body()).as("the merge, merging").isEqualTo("ready\n");
            }
        } finally {
            if (client != null) {
                client.stop();
            }
            server.stop();
            publisher.finish(5_000);
            if (merger != null) {
                merger.stop();
            }
        }
    }

    @Test
    void theNameExtractionSkipsFunctionsLabelsRangesAndKeywords() {
        assertThat(metricNames("sum by (instance, reason) (rate(a_total{x=\"y\", instance=~\"$instance\"}"
                + "[$__rate_interval])) / on (instance) group_left b offset 5m + max without (q) (c{quantile=\"0.5\"})"))
                .containsExactlyInAnyOrder("a_total", "b", "c");
    }

    /** Every metric name used by the dashboard's panels and variables. */
    private static Set<String> dashboardMetricNames() throws Exception {
        final JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        final Set<String> names = new TreeSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(panel.get("targets")).as("panel %s has queries", panel.get("title")).isNotEmpty();
            for (JsonNode target : panel.get("targets")) {
                names.addAll(metricNames(target.get("expr").asText()));
            }
        }
        for (JsonNode variable : dashboard.get("templating").get("list")) {
            final JsonNode definition = variable.get("definition");
            if (definition != null) {
                final Matcher m = Pattern.compile("label_values\\((\\w+)").matcher(definition.asText());
                assertThat(m.find()).as("a variable from label_values(metric, label)").isTrue();
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** The metric names a PromQL expression reads. */
    static Set<String> metricNames(String expr) {
        String e = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", " "); // strings
        e = e.replaceAll("\\{[^}]*}", " "); // label matchers
        e = e.replaceAll("\\[[^\\]]*]", " "); // ranges
        e = e.replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " "); // label lists
        e = e.replaceAll("\\boffset\\s+\\w+", " ");
        final Set<String> names = new TreeSet<>();
        final Matcher m = NAME.matcher(e);
        while (m.find()) {
            final String word = m.group();
            final String rest = e.substring(m.end()).stripLeading();
            if (!KEYWORDS.contains(word) && !rest.startsWith("(") && !(m.start() > 0 && e.charAt(m.start() - 1) == '$')) {
                names.add(word);
            }
        }
        return names;
    }

    /** The metric names of a scrape's series (a summary's quantiles under its own name). */
    private static Set<String> names(Scrape s) {
        final Set<String> names = new TreeSet<>();
        for (String series : s.series().keySet()) {
            final int brace = series.indexOf('{');
            names.add(brace < 0 ? series : series.substring(0, brace));
        }
        return names;
    }

    private static HttpResponse<String> ready(MetricsServer m) {
        try {
            return Scrape.get(m.readyUrl());
        } catch (Exception e) {
            throw new AssertionError(e);
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
