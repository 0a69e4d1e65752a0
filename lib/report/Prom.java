package report;

//DEPS io.prometheus:prometheus-metrics-exposition-textformats:1.10.0
//SOURCES Report.java

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;

/**
 * `--format prom`: a script's rows as Prometheus gauges for node_exporter's textfile collector,
 * written by the official text-format writer. The script names its own per-row gauges; the
 * per-status totals and the writing are the same everywhere.
 */
public final class Prom {
    private Prom() {}

    public static GaugeSnapshot.Builder gauge(String name, String help) {
        return GaugeSnapshot.builder().name(name).help(help);
    }

    /** Milliseconds as seconds without binary noise: 6.1 ms is 0.0061, not 0.0060999999999999995. */
    public static double seconds(double ms) {
        return java.math.BigDecimal.valueOf(ms).movePointLeft(3).doubleValue();
    }

    public static GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    /** One gauge per status with the number of rows that ended with it. */
    public static GaugeSnapshot statusTotals(String name, String help, Report report) {
        var totals = gauge(name, help);
        report.byStatus().forEach((s, n) -> totals.dataPoint(point(Labels.of("status", s), n)));
        return totals.build();
    }

    public static void write(PrintStream out, MetricSnapshot... metrics) {
        try {
            PrometheusTextFormatWriter.create().write(out, MetricSnapshots.of(metrics));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.flush();
    }
}
