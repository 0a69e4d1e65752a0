package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Procfs.java
//SOURCES Collected.java

import static metrics.Snapshots.untyped;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * node_vmstat_*: the /proc/vmstat fields node_exporter 1.5 exports by default (page faults, paging,
 * swapping, OOM kills), untyped as there.
 */
final class Vmstat implements Source {
    /** node_exporter's --collector.vmstat.fields default. */
    static final Pattern FIELDS = Pattern.compile("^(oom_kill|pgpg|pswp|pg.*fault).*");
    final Path file;

    Vmstat(Path procfs) {
        this.file = procfs.resolve("vmstat");
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        step.accept("read " + file);
        List<MetricSnapshot> out = new ArrayList<>();
        for (String line : Procfs.lines(file)) {
            String[] f = Procfs.fields(line);                               // "pgfault 123456"
            if (f.length != 2 || !FIELDS.matcher(f[0]).matches()) continue;
            out.add(untyped("node_vmstat_" + f[0], "/proc/vmstat information field " + f[0] + ".", Double.parseDouble(f[1])));
        }
        return Collected.of(out);
    }
}
