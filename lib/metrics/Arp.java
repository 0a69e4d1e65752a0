package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Procfs.java
//SOURCES Collected.java

import static metrics.Snapshots.point;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/** node_arp_entries{device}: the rows of /proc/net/arp per interface (the neighbour table's IPv4 part). */
final class Arp implements Source {
    final Path file;

    Arp(Path procfs) {
        this.file = procfs.resolve("net/arp");
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        step.accept("read " + file);
        Map<String, Integer> entries = new TreeMap<>();
        List<String> lines = Procfs.lines(file);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {   // after the header
            String[] f = Procfs.fields(line);          // IP address, HW type, Flags, HW address, Mask, Device
            if (f.length >= 6) entries.merge(f[5], 1, Integer::sum);
        }
        var b = GaugeSnapshot.builder().name("node_arp_entries").help("ARP entries by device");
        entries.forEach((device, n) -> b.dataPoint(point(Labels.of("device", device), n)));
        return Collected.of(List.of(b.build()));
    }
}
