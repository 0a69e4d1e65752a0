package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Procfs.java
//SOURCES Collected.java

import static metrics.Snapshots.count;
import static metrics.Snapshots.gauge;
import static metrics.Snapshots.point;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** node_exporter's stat collector from /proc/stat: boot time, running/blocked processes, context switches, forks, interrupts. */
final class Stat implements Source {
    final Path file;

    Stat(Path procfs) {
        this.file = procfs.resolve("stat");
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        step.accept("read " + file);
        Map<String, String> v = new HashMap<>();
        for (String line : Procfs.lines(file)) {
            int sp = line.indexOf(' ');
            if (sp > 0 && !line.startsWith("cpu")) v.put(line.substring(0, sp), line.substring(sp + 1).trim());
        }
        for (String key : List.of("btime", "procs_running", "procs_blocked", "ctxt", "processes", "intr")) {
            if (!v.containsKey(key)) throw new IOException(file + " has no '" + key + "' line");
        }
        double intr = Double.parseDouble(v.get("intr").split(" ", 2)[0]);
        return Collected.of(List.of(
                gauge("node_boot_time_seconds", "Node boot time, in unixtime.", point(Labels.EMPTY, Double.parseDouble(v.get("btime")))),
                gauge("node_procs_running", "Number of processes in runnable state.", point(Labels.EMPTY, Double.parseDouble(v.get("procs_running")))),
                gauge("node_procs_blocked", "Number of processes blocked waiting for I/O to complete.", point(Labels.EMPTY, Double.parseDouble(v.get("procs_blocked")))),
                CounterSnapshot.builder().name("node_context_switches").help("Total number of context switches.")
                        .dataPoint(count(Labels.EMPTY, Double.parseDouble(v.get("ctxt")))).build(),
                CounterSnapshot.builder().name("node_forks").help("Total number of forks.")
                        .dataPoint(count(Labels.EMPTY, Double.parseDouble(v.get("processes")))).build(),
                CounterSnapshot.builder().name("node_intr").help("Total number of interrupts serviced.")
                        .dataPoint(count(Labels.EMPTY, intr)).build()));
    }
}
