package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Procfs.java
//SOURCES Collected.java

import static metrics.Snapshots.gauge;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** node_load1/5/15 from /proc/loadavg, as node_exporter reads them (so --path.procfs applies). */
final class LoadAvg implements Source {
    final Path file;

    LoadAvg(Path procfs) {
        this.file = procfs.resolve("loadavg");
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        step.accept("read " + file);
        String[] f = Procfs.fields(Procfs.text(file));                     // "0.42 0.37 0.30 1/123 4567"
        if (f.length < 3) throw new IOException(file + ": expected three load averages, got '" + String.join(" ", f) + "'");
        return Collected.of(List.of(gauge("node_load1", "1m load average.", Double.parseDouble(f[0])),
                gauge("node_load5", "5m load average.", Double.parseDouble(f[1])),
                gauge("node_load15", "15m load average.", Double.parseDouble(f[2]))));
    }
}
