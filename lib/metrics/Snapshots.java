package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0

import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;

/** Short forms of the Java client's snapshot builders, as the collectors use them. */
final class Snapshots {
    private Snapshots() {}

    static GaugeSnapshot gauge(String name, String help, GaugeDataPointSnapshot... points) {
        var b = GaugeSnapshot.builder().name(name).help(help);
        for (var p : points) b.dataPoint(p);
        return b.build();
    }

    static GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    static CounterDataPointSnapshot count(Labels labels, double value) {
        return CounterDataPointSnapshot.builder().labels(labels).value(value).build();
    }
}
