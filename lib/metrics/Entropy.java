package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Procfs.java
//SOURCES Collected.java

import static metrics.Snapshots.gauge;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** node_entropy_available_bits and node_entropy_pool_size_bits from /proc/sys/kernel/random. */
final class Entropy implements Source {
    final Path dir;

    Entropy(Path procfs) {
        this.dir = procfs.resolve("sys/kernel/random");
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        step.accept("read " + dir);
        return Collected.of(List.of(
                gauge("node_entropy_available_bits", "Bits of available entropy.", Procfs.number(dir.resolve("entropy_avail"))),
                gauge("node_entropy_pool_size_bits", "Bits of entropy pool.", Procfs.number(dir.resolve("poolsize")))));
    }
}
