package dev.stampede.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * {@code stampede_build_info{version="..."} 1}: which build runs, the usual info gauge (join on it
 * to break any series down by version). The version is the jar manifest's, {@code development}
 * when run from classes.
 */
final class BuildInfo implements MultiCollector {
    static final BuildInfo INSTANCE = new BuildInfo();

    private final MetricSnapshots snapshot;

    private BuildInfo() {
        final String v = BuildInfo.class.getPackage().getImplementationVersion();
        snapshot = MetricSnapshots.of(GaugeSnapshot.builder().name("stampede_build_info")
                .help("Always 1; its version label is the running build's.")
                .dataPoint(GaugeDataPointSnapshot.builder()
                        .labels(Labels.of("version", v == null ? "development" : v))
                        .value(1).build())
                .build());
    }

    @Override
    public MetricSnapshots collect() {
        return snapshot;
    }
}
