package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;

/** What a collector returns: its metrics, and problems with its input that did not stop it (a bad textfile). */
public record Collected(List<MetricSnapshot> metrics, List<String> problems) {
    public static Collected of(List<? extends MetricSnapshot> metrics) {
        return new Collected(List.copyOf(metrics), List.of());
    }
}
