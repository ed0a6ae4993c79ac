package dev.stampede.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;

/** Collects the metric families of one scrape. Counter names are given without {@code _total}. */
final class Families {
    private final List<MetricSnapshot> families = new ArrayList<>();

    /** A counter: {@code name} without {@code _total}, which the text format adds. */
    Families counter(String name, String help, long value) {
        return add(CounterSnapshot.builder().name(name).help(help)
                .dataPoint(CounterDataPointSnapshot.builder().value(value).build()).build());
    }

    Families gauge(String name, String help, double value) {
        return add(GaugeSnapshot.builder().name(name).help(help)
                .dataPoint(GaugeDataPointSnapshot.builder().value(value).build()).build());
    }

    Families add(MetricSnapshot family) {
        families.add(family);
        return this;
    }

    MetricSnapshots build() {
        return new MetricSnapshots(families);
    }

    /** Milliseconds as seconds. */
    static double seconds(long ms) {
        return ms / 1_000.0;
    }
}
