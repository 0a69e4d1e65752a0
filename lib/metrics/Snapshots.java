package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0

import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;

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

    /** One gauge without labels. */
    static GaugeSnapshot gauge(String name, String help, double value) {
        return gauge(name, help, point(Labels.EMPTY, value));
    }

    /** One counter without labels; {@code name} without the _total the client adds. */
    static CounterSnapshot counter(String name, String help, double value) {
        return CounterSnapshot.builder().name(name).help(help).dataPoint(count(Labels.EMPTY, value)).build();
    }

    /** One untyped value without labels (node_exporter's netstat and vmstat families). */
    static UnknownSnapshot untyped(String name, String help, double value) {
        return UnknownSnapshot.builder().name(name).help(help)
                .dataPoint(UnknownDataPointSnapshot.builder().labels(Labels.EMPTY).value(value).build()).build();
    }

    /** An info family ({@code name} without the _info the client adds), one series of value 1 per label set. */
    static InfoSnapshot info(String name, String help, Labels... series) {
        var b = InfoSnapshot.builder().name(name).help(help);
        for (Labels l : series) b.dataPoint(InfoDataPointSnapshot.builder().labels(l).build());
        return b.build();
    }

    static CounterDataPointSnapshot count(Labels labels, double value) {
        return CounterDataPointSnapshot.builder().labels(labels).value(value).build();
    }
}
