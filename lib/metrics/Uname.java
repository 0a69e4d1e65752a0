package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java
//SOURCES Collected.java

import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * node_uname_info: what uname(2) says, from /proc/sys/kernel. The kernel's name, release, version
 * and machine cannot change while it runs and are read once; host and domain name every scrape.
 */
final class Uname implements Source {
    final Path kernel = Path.of("/proc/sys/kernel");
    final String sysname, release, version, machine;

    Uname() throws IOException {
        sysname = read("ostype");
        release = read("osrelease");
        version = read("version");
        machine = Files.exists(kernel.resolve("arch")) ? read("arch") : System.getProperty("os.arch").replace("amd64", "x86_64");
    }

    String read(String name) throws IOException {
        return Files.readString(kernel.resolve(name), StandardCharsets.UTF_8).strip();
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        step.accept("read /proc/sys/kernel/hostname");
        Labels l = Labels.of("domainname", read("domainname"), "machine", machine, "nodename", read("hostname"),
                "release", release, "sysname", sysname, "version", version);
        return Collected.of(List.of(InfoSnapshot.builder().name("node_uname").help("Labeled system information as provided by the uname system call.")
                .dataPoint(InfoDataPointSnapshot.builder().labels(l).build()).build()));
    }
}
