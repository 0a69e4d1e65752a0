package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Procfs.java
//SOURCES Collected.java

import static metrics.Snapshots.gauge;
import static metrics.Snapshots.point;

import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * node_memory_*: every field of /proc/meminfo, named as node_exporter names them ("Active(anon)" ->
 * node_memory_Active_anon_bytes; kB fields in bytes; counts like HugePages_Total without a unit).
 * Read directly: OSHI exposes only total, available and swap, not MemFree, Buffers or Cached.
 */
final class Meminfo implements Source {
    final Path file;

    Meminfo(Path procfs) {
        this.file = procfs.resolve("meminfo");
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        step.accept("read " + file);
        List<MetricSnapshot> out = new ArrayList<>();
        for (String line : Procfs.lines(file)) {
            String[] f = Procfs.fields(line);                               // "MemTotal:", "24579512", "kB"
            if (f.length < 2 || !f[0].endsWith(":")) continue;
            String key = f[0].substring(0, f[0].length() - 1).replace("(", "_").replace(")", "");
            double value = Double.parseDouble(f[1]);
            boolean kb = f.length > 2 && f[2].equals("kB");
            String name = "node_memory_" + key + (kb ? "_bytes" : "");
            out.add(gauge(name, "Memory information field " + key + (kb ? "_bytes." : "."), point(Labels.EMPTY, kb ? value * 1024 : value)));
        }
        if (out.isEmpty()) throw new IOException(file + " has no fields");
        return Collected.of(out);
    }
}
