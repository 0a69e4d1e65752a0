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
 * node_selinux_enabled, and when SELinux is on node_selinux_current_mode (selinuxfs' enforce: 1
 * enforcing, 0 permissive) and node_selinux_config_mode (SELINUX= of /etc/selinux/config: 1, 0, -1 disabled).
 */
final class Selinux implements Source {
    final Path enforce, config;

    Selinux(Path sysfs, Path root) {
        this.enforce = sysfs.resolve("fs/selinux/enforce");
        this.config = root.resolve("etc/selinux/config");
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        List<MetricSnapshot> out = new ArrayList<>();
        boolean on = Files.exists(enforce);
        out.add(gauge("node_selinux_enabled", "SELinux is enabled, 1 is true, 0 is false", on ? 1 : 0));
        if (!on) return Collected.of(out);
        step.accept("read " + enforce);
        out.add(gauge("node_selinux_current_mode", "SELinux current mode: 1 enforcing, 0 permissive", Procfs.number(enforce)));
        double mode = -1;
        if (Files.exists(config)) {
            for (String line : Procfs.lines(config)) {
                String l = line.strip();
                if (l.startsWith("SELINUX=")) mode = switch (l.substring(8).strip()) {
                    case "enforcing" -> 1;
                    case "permissive" -> 0;
                    default -> -1;
                };
            }
        }
        out.add(gauge("node_selinux_config_mode", "Configured SELinux enforcement mode: -1 disabled, 0 permissive, 1 enforcing", mode));
        return Collected.of(out);
    }
}
