package dev.stampede.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.stats.MergeStats;
import dev.stampede.testing.Scrape;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /-/ready} over real HTTP: 503 and why while a check fails, 200 {@code ready} otherwise. */
@Timeout(30)
class ReadinessTest {
    private static final MultiCollector NO_METRICS = MetricSnapshots::new;
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void notReadyWhileStartingThenWhatTheCheckSays() throws Exception {
        final ReadySwitch ready = new ReadySwitch("starting: the listener is not up yet");
        final AtomicReference<String> why = new AtomicReference<>("disk full");
        try (MetricsServer m = MetricsServer.start(ANY_PORT, NO_METRICS, ready)) {
            HttpResponse<String> r = Scrape.get(m.readyUrl());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).isEqualTo("not ready: starting: the listener is not up yet\n");
            assertThat(Scrape.get("http://127.0.0.1:" + m.port() + "/-/healthy").statusCode())
                    .as("alive all the while").isEqualTo(200);

            ready.set(why::get);
            assertThat(Scrape.get(m.readyUrl()).body()).isEqualTo("not ready: disk full\n");
            why.set(null);
            r = Scrape.get(m.readyUrl());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("ready\n");
            assertThat(Scrape.get("http://127.0.0.1:" + m.port() + "/").statusCode())
                    .as("the exporter's own page is still served").isEqualTo(200);
        }
    }

    @Test
    void publicationLaggingMoreThanTheBoundIsNotReady() {
        final AtomicLong durable = new AtomicLong(Long.MIN_VALUE);
        final AtomicLong published = new AtomicLong(Long.MIN_VALUE);
        final Readiness r = ReadinessChecks.publication(durable::get, published::get, 10_000);
        assertThat(r.notReadyBecause()).as("nothing to publish").isNull();
        durable.set(1_000_000);
        assertThat(r.notReadyBecause()).isEqualTo("kafka: nothing published to the partition yet");
        published.set(990_000);
        assertThat(r.notReadyBecause()).as("10 s behind: within the bound").isNull();
        published.set(989_999);
        assertThat(r.notReadyBecause()).isEqualTo("kafka: publication trails the file by 10001 ms of data "
                + "(bound 10000 ms)");
    }

    @Test
    void theMergeIsReadyOnceMergingAndNotWhileItCannotWrite() {
        final AtomicReference<MergeStats> s = new AtomicReference<>(MergeStats.zero());
        final Readiness r = ReadinessChecks.all(ReadinessChecks.running(() -> true), ReadinessChecks.merge(s::get));
        assertThat(r.notReadyBecause()).isEqualTo("waiting for the topic's partitions");
        s.set(new MergeStats(1_000, 2, 2, 10, 10, 0, 0, 0, 50, 0, false, 0, 0));
        assertThat(r.notReadyBecause()).isNull();
        s.set(new MergeStats(1_000, 2, 2, 10, 10, 0, 0, 0, 50, 0, true, 0, 0));
        assertThat(r.notReadyBecause()).isEqualTo("writes to the global file are failing");
        assertThat(ReadinessChecks.all(ReadinessChecks.running(() -> false), ReadinessChecks.merge(s::get))
                .notReadyBecause()).isEqualTo("stopped");
    }
}
