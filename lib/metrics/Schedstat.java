package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Procfs.java
//SOURCES Collected.java

import static metrics.Snapshots.count;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * node_schedstat_{running,waiting}_seconds_total{cpu} and node_schedstat_timeslices_total{cpu}:
 * /proc/schedstat's per-CPU run and wait times (kernels built with CONFIG_SCHEDSTATS; none
 * without, as with node_exporter).
 */
final class Schedstat implements Source {
    final Path file;

    Schedstat(Path procfs) {
        this.file = procfs.resolve("schedstat");
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        if (!Files.exists(file)) return Collected.of(List.of());
        step.accept("read " + file);
        var running = CounterSnapshot.builder().name("node_schedstat_running_seconds").help("Number of seconds CPU spent running a process.");
        var waiting = CounterSnapshot.builder().name("node_schedstat_waiting_seconds").help("Number of seconds spent by processing waiting for this CPU.");
        var slices = CounterSnapshot.builder().name("node_schedstat_timeslices").help("Number of timeslices executed by CPU.");
        for (String line : Procfs.lines(file)) {
            String[] f = Procfs.fields(line);                   // cpu0 yld_count 0 sched_count sched_goidle ttwu ttwu_local run_ns wait_ns slices
            if (f.length < 10 || !f[0].startsWith("cpu")) continue;
            Labels cpu = Labels.of("cpu", f[0].substring(3));
            running.dataPoint(count(cpu, Double.parseDouble(f[7]) / 1e9));
            waiting.dataPoint(count(cpu, Double.parseDouble(f[8]) / 1e9));
            slices.dataPoint(count(cpu, Double.parseDouble(f[9])));
        }
        return Collected.of(List.of(running.build(), waiting.build(), slices.build()));
    }
}
