package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Procfs.java
//SOURCES Collected.java

import static metrics.Snapshots.counter;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Pressure stall information (PSI, kernel 4.20+ with psi=1) from /proc/pressure: the "total="
 * microseconds of the some and full lines, in seconds, as node_exporter names them. A kernel
 * without PSI gives no families, as with node_exporter.
 */
final class Pressure implements Source {
    final Path dir;

    Pressure(Path procfs) {
        this.dir = procfs.resolve("pressure");
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        List<MetricSnapshot> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return Collected.of(out);
        step.accept("read " + dir.resolve("cpu"));
        double[] cpu = totals(dir.resolve("cpu"));
        out.add(counter("node_pressure_cpu_waiting_seconds", "Total time in seconds that processes have waited for CPU time", cpu[0]));
        step.accept("read " + dir.resolve("io"));
        double[] io = totals(dir.resolve("io"));
        out.add(counter("node_pressure_io_waiting_seconds", "Total time in seconds that processes have waited due to IO congestion", io[0]));
        out.add(counter("node_pressure_io_stalled_seconds", "Total time in seconds no process could make progress due to IO congestion", io[1]));
        step.accept("read " + dir.resolve("memory"));
        double[] memory = totals(dir.resolve("memory"));
        out.add(counter("node_pressure_memory_waiting_seconds", "Total time in seconds that processes have waited for memory", memory[0]));
        out.add(counter("node_pressure_memory_stalled_seconds", "Total time in seconds no process could make progress due to memory congestion", memory[1]));
        return Collected.of(out);
    }

    /** The some and full totals of one resource, in seconds ("some avg10=0.00 avg60=0.00 avg300=0.00 total=8919525"). */
    static double[] totals(Path file) throws IOException {
        double[] t = new double[2];
        for (String line : Procfs.lines(file)) {
            String[] f = Procfs.fields(line);
            if (f.length == 0) continue;
            int which = f[0].equals("some") ? 0 : f[0].equals("full") ? 1 : -1;
            if (which < 0) continue;
            for (String kv : f) if (kv.startsWith("total=")) t[which] = Double.parseDouble(kv.substring(6)) / 1000 / 1000;   // as node_exporter divides: equal to the last bit
        }
        return t;
    }
}
