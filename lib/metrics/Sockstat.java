package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Procfs.java Libc.java
//SOURCES Collected.java

import static metrics.Snapshots.gauge;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * node_sockstat_*: sockets in use per protocol from /proc/net/sockstat and sockstat6 ("TCP: inuse 3
 * orphan 0 tw 1 alloc 5 mem 2" -> node_sockstat_TCP_inuse ...), and mem in bytes too (it counts pages).
 */
final class Sockstat implements Source {
    final Path v4, v6;
    final long pageSize = Libc.pageSize();

    Sockstat(Path procfs) {
        this.v4 = procfs.resolve("net/sockstat");
        this.v6 = procfs.resolve("net/sockstat6");
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        List<MetricSnapshot> out = new ArrayList<>();
        step.accept("read " + v4);
        parse(v4, out);
        if (Files.exists(v6)) {                                             // no IPv6: no file
            step.accept("read " + v6);
            parse(v6, out);
        }
        return Collected.of(out);
    }

    void parse(Path file, List<MetricSnapshot> out) throws IOException {
        for (String line : Procfs.lines(file)) {
            String[] f = Procfs.fields(line);
            if (f.length < 3 || !f[0].endsWith(":") || f.length % 2 == 0) continue;
            String protocol = f[0].substring(0, f[0].length() - 1);
            for (int i = 1; i + 1 < f.length; i += 2) {
                String name = "node_sockstat_" + protocol + "_" + f[i];     // "sockets: used 15" -> node_sockstat_sockets_used
                double v = Double.parseDouble(f[i + 1]);
                out.add(gauge(name, "Number of " + protocol + " sockets in state " + f[i] + ".", v));
                if (f[i].equals("mem")) out.add(gauge(name + "_bytes", "Number of " + protocol + " sockets in state mem_bytes.", v * pageSize));
            }
        }
    }
}
