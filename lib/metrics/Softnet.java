package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Procfs.java
//SOURCES Collected.java

import static metrics.Snapshots.count;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * node_softnet_{processed,dropped,times_squeezed}_total{cpu}: /proc/net/softnet_stat's first three
 * (hex) columns, one line a CPU; cpu is the line's index, as node_exporter 1.5 numbers them.
 */
final class Softnet implements Source {
    final Path file;

    Softnet(Path procfs) {
        this.file = procfs.resolve("net/softnet_stat");
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        step.accept("read " + file);
        var processed = CounterSnapshot.builder().name("node_softnet_processed").help("Number of processed packets");
        var dropped = CounterSnapshot.builder().name("node_softnet_dropped").help("Number of dropped packets");
        var squeezed = CounterSnapshot.builder().name("node_softnet_times_squeezed").help("Number of times processing packets ran out of quota");
        List<String> lines = Procfs.lines(file);
        for (int i = 0; i < lines.size(); i++) {
            String[] f = Procfs.fields(lines.get(i));
            if (f.length < 3) throw new IOException(file + ":" + (i + 1) + ": expected at least 3 columns");
            Labels cpu = Labels.of("cpu", String.valueOf(i));
            processed.dataPoint(count(cpu, Long.parseLong(f[0], 16)));
            dropped.dataPoint(count(cpu, Long.parseLong(f[1], 16)));
            squeezed.dataPoint(count(cpu, Long.parseLong(f[2], 16)));
        }
        return Collected.of(List.of(processed.build(), dropped.build(), squeezed.build()));
    }
}
