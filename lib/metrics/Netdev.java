package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Procfs.java
//SOURCES Collected.java

import static metrics.Snapshots.count;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * node_network_{receive,transmit}_*_total{device}: every counter of /proc/net/dev (one read; OSHI
 * reads eight sysfs files per interface and has no transmit drops).
 */
final class Netdev implements Source {
    /** /proc/net/dev's columns, in order, as node_exporter names them. */
    static final String[] COLUMNS = {"receive_bytes", "receive_packets", "receive_errs", "receive_drop", "receive_fifo",
            "receive_frame", "receive_compressed", "receive_multicast", "transmit_bytes", "transmit_packets", "transmit_errs",
            "transmit_drop", "transmit_fifo", "transmit_colls", "transmit_carrier", "transmit_compressed"};

    final Pattern exclude;

    Netdev(Pattern exclude) {
        this.exclude = exclude;
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        step.accept("read /proc/net/dev");
        List<String> lines = Procfs.lines("/proc/net/dev");
        List<CounterSnapshot.Builder> columns = new ArrayList<>();
        for (String c : COLUMNS) {
            columns.add(CounterSnapshot.builder().name("node_network_" + c).help("Network device statistic " + c + "."));
        }
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;                                         // the two header lines
            String device = line.substring(0, colon).trim();
            if (exclude.matcher(device).find()) continue;
            String[] f = Procfs.fields(line.substring(colon + 1));
            if (f.length < COLUMNS.length) throw new IOException("/proc/net/dev: " + device + " has " + f.length + " columns, expected " + COLUMNS.length);
            Labels l = Labels.of("device", device);
            for (int i = 0; i < COLUMNS.length; i++) columns.get(i).dataPoint(count(l, Double.parseDouble(f[i])));
        }
        return Collected.of(columns.stream().<MetricSnapshot>map(CounterSnapshot.Builder::build).toList());
    }
}
