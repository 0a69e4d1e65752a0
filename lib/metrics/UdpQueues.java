package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Procfs.java
//SOURCES Collected.java

import static metrics.Snapshots.point;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** node_udp_queues{ip,queue}: bytes queued in UDP sockets, summed from /proc/net/udp and udp6 (tx_queue:rx_queue, hex). */
final class UdpQueues implements Source {
    final Path v4, v6;

    UdpQueues(Path procfs) {
        this.v4 = procfs.resolve("net/udp");
        this.v6 = procfs.resolve("net/udp6");
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        var b = GaugeSnapshot.builder().name("node_udp_queues").help("Number of allocated memory in the kernel for UDP datagrams in bytes.");
        step.accept("read " + v4);
        add(b, "v4", v4);
        if (Files.exists(v6)) {
            step.accept("read " + v6);
            add(b, "v6", v6);
        }
        return Collected.of(List.of(b.build()));
    }

    static void add(GaugeSnapshot.Builder b, String ip, Path file) throws IOException {
        long tx = 0, rx = 0;
        List<String> lines = Procfs.lines(file);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {   // after the header
            String[] f = Procfs.fields(line);                   // sl local_address rem_address st tx_queue:rx_queue ...
            if (f.length < 5) continue;
            int colon = f[4].indexOf(':');
            if (colon < 0) throw new IOException(file + ": bad queue column '" + f[4] + "'");
            tx += Long.parseLong(f[4].substring(0, colon), 16);
            rx += Long.parseLong(f[4].substring(colon + 1), 16);
        }
        b.dataPoint(point(Labels.of("ip", ip, "queue", "tx"), tx));
        b.dataPoint(point(Labels.of("ip", ip, "queue", "rx"), rx));
    }
}
