package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Procfs.java
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
 * node_nf_conntrack_*: the connection-tracking table's size and limit (/proc/sys/net/netfilter) and
 * the per-CPU statistics of /proc/net/stat/nf_conntrack summed, as node_exporter 1.5 serves them.
 * No nf_conntrack module loaded: no families.
 */
final class Conntrack implements Source {
    /** The /proc/net/stat/nf_conntrack columns node_exporter 1.5 exports. */
    static final List<String> STATS = List.of("found", "invalid", "ignore", "insert", "insert_failed", "drop", "early_drop", "search_restart");
    final Path count, max, stat;

    Conntrack(Path procfs) {
        this.count = procfs.resolve("sys/net/netfilter/nf_conntrack_count");
        this.max = procfs.resolve("sys/net/netfilter/nf_conntrack_max");
        this.stat = procfs.resolve("net/stat/nf_conntrack");
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        List<MetricSnapshot> out = new ArrayList<>();
        if (!Files.exists(count)) return Collected.of(out);
        step.accept("read " + count);
        out.add(gauge("node_nf_conntrack_entries", "Number of currently allocated flow entries for connection tracking.", Procfs.number(count)));
        out.add(gauge("node_nf_conntrack_entries_limit", "Maximum size of connection tracking table.", Procfs.number(max)));
        if (!Files.exists(stat)) return Collected.of(out);
        step.accept("read " + stat);
        List<String> lines = Procfs.lines(stat);
        if (lines.isEmpty()) return Collected.of(out);
        List<String> header = List.of(Procfs.fields(lines.get(0)));
        double[] sums = new double[STATS.size()];
        for (String line : lines.subList(1, lines.size())) {
            String[] f = Procfs.fields(line);                               // one line a CPU, hex
            for (int i = 0; i < STATS.size(); i++) {
                int col = header.indexOf(STATS.get(i));
                if (col < 0 || col >= f.length) throw new IOException(stat + ": no column " + STATS.get(i));
                sums[i] += Long.parseLong(f[col], 16);
            }
        }
        for (int i = 0; i < STATS.size(); i++) {
            out.add(gauge("node_nf_conntrack_stat_" + STATS.get(i), "Conntrack statistic " + STATS.get(i) + ", summed over the CPUs.", sums[i]));
        }
        return Collected.of(out);
    }
}
