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
 * node_cpu_seconds_total{cpu,mode} and node_cpu_guest_seconds_total{cpu,mode}: the per-CPU lines of
 * /proc/stat in seconds (USER_HZ, 100 on every Linux architecture node_exporter supports, as it
 * assumes). Read directly rather than through OSHI, so that --path.procfs applies.
 */
final class Cpu implements Source {
    static final String[] MODES = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"};
    static final double USER_HZ = 100;
    final Path file;

    Cpu(Path procfs) {
        this.file = procfs.resolve("stat");
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        step.accept("read " + file);
        var seconds = CounterSnapshot.builder().name("node_cpu_seconds").help("Seconds the CPUs spent in each mode.");
        var guest = CounterSnapshot.builder().name("node_cpu_guest_seconds").help("Seconds the CPUs spent in guests (VMs) for each mode.");
        int cpus = 0;
        for (String line : Procfs.lines(file)) {
            if (!line.startsWith("cpu") || line.startsWith("cpu ")) continue;     // "cpu " is the sum of all
            String[] f = Procfs.fields(line);                                      // cpu3 user nice system idle iowait irq softirq steal guest guest_nice
            String cpu = f[0].substring(3);
            if (f.length < 1 + MODES.length) throw new IOException(file + ": " + f[0] + " has " + (f.length - 1) + " columns, expected at least " + MODES.length);
            for (int i = 0; i < MODES.length; i++) seconds.dataPoint(count(Labels.of("cpu", cpu, "mode", MODES[i]), Double.parseDouble(f[i + 1]) / USER_HZ));
            if (f.length > 10) {
                guest.dataPoint(count(Labels.of("cpu", cpu, "mode", "user"), Double.parseDouble(f[9]) / USER_HZ));
                guest.dataPoint(count(Labels.of("cpu", cpu, "mode", "nice"), Double.parseDouble(f[10]) / USER_HZ));
            }
            cpus++;
        }
        if (cpus == 0) throw new IOException(file + " has no per-CPU lines");
        return Collected.of(List.of(seconds.build(), guest.build()));
    }
}
