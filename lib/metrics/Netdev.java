package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Procfs.java
//SOURCES Collected.java

import static metrics.Snapshots.count;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * node_network_{receive,transmit}_*_total{device}: every counter of /proc/net/dev (one read; OSHI
 * reads eight sysfs files per interface and has no transmit drops), and receive_nohandler from
 * sysfs' statistics/rx_nohandler where the kernel has it (node_exporter 1.5 gets it by netlink).
 */
final class Netdev implements Source {
    /** /proc/net/dev's columns, in order, as node_exporter names them. */
    static final String[] COLUMNS = {"receive_bytes", "receive_packets", "receive_errs", "receive_drop", "receive_fifo",
            "receive_frame", "receive_compressed", "receive_multicast", "transmit_bytes", "transmit_packets", "transmit_errs",
            "transmit_drop", "transmit_fifo", "transmit_colls", "transmit_carrier", "transmit_compressed"};

    final Pattern exclude;
    final Path file, classNet;

    Netdev(Pattern exclude, Path procfs, Path sysfs) {
        this.exclude = exclude;
        this.file = procfs.resolve("net/dev");
        this.classNet = sysfs.resolve("class/net");
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        step.accept("read " + file);
        List<String> lines = Procfs.lines(file);
        List<CounterSnapshot.Builder> columns = new ArrayList<>();
        for (String c : COLUMNS) {
            columns.add(CounterSnapshot.builder().name("node_network_" + c).help("Network device statistic " + c + "."));
        }
        var nohandler = CounterSnapshot.builder().name("node_network_receive_nohandler").help("Network device statistic receive_nohandler.");
        boolean anyNohandler = false;
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;                                         // the two header lines
            String device = line.substring(0, colon).trim();
            if (exclude.matcher(device).find()) continue;
            String[] f = Procfs.fields(line.substring(colon + 1));
            if (f.length < COLUMNS.length) throw new IOException(file + ": " + device + " has " + f.length + " columns, expected " + COLUMNS.length);
            Labels l = Labels.of("device", device);
            for (int i = 0; i < COLUMNS.length; i++) columns.get(i).dataPoint(count(l, Double.parseDouble(f[i])));
            Double n = Procfs.optional(classNet.resolve(device).resolve("statistics/rx_nohandler"));
            if (n != null) {
                nohandler.dataPoint(count(l, n));
                anyNohandler = true;
            }
        }
        List<MetricSnapshot> out = new ArrayList<>(columns.stream().<MetricSnapshot>map(CounterSnapshot.Builder::build).toList());
        if (anyNohandler) out.add(nohandler.build());
        return Collected.of(out);
    }
}
