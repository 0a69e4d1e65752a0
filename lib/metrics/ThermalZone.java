package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Procfs.java
//SOURCES Collected.java

import static metrics.Snapshots.point;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * node_thermal_zone_temp{type,zone} (degrees Celsius) and node_cooling_device_{cur,max}_state{name,type}
 * from /sys/class/thermal, where the machine has thermal zones (most VMs have none).
 */
final class ThermalZone implements Source {
    final Path dir;

    ThermalZone(Path sysfs) {
        this.dir = sysfs.resolve("class/thermal");
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        List<MetricSnapshot> out = new ArrayList<>();
        var temp = GaugeSnapshot.builder().name("node_thermal_zone_temp").help("Zone temperature in Celsius");
        boolean any = false;
        for (Path z : Procfs.entries(dir, "thermal_zone")) {
            step.accept("read " + z);
            Double t = Procfs.optional(z.resolve("temp"));                 // a zone whose sensor fails reads EIO: left out
            if (t == null) continue;
            String type = Procfs.optionalText(z.resolve("type"));
            temp.dataPoint(point(Labels.of("type", type == null ? "" : type, "zone", z.getFileName().toString().substring("thermal_zone".length())), t / 1000));
            any = true;
        }
        if (any) out.add(temp.build());
        var cur = GaugeSnapshot.builder().name("node_cooling_device_cur_state").help("Current throttle state of the cooling device");
        var max = GaugeSnapshot.builder().name("node_cooling_device_max_state").help("Maximum throttle state of the cooling device");
        any = false;
        for (Path c : Procfs.entries(dir, "cooling_device")) {
            step.accept("read " + c);
            Double now = Procfs.optional(c.resolve("cur_state")), top = Procfs.optional(c.resolve("max_state"));
            if (now == null || top == null) continue;
            String type = Procfs.optionalText(c.resolve("type"));
            Labels l = Labels.of("name", c.getFileName().toString().substring("cooling_device".length()), "type", type == null ? "" : type);
            cur.dataPoint(point(l, now));
            max.dataPoint(point(l, top));
            any = true;
        }
        if (any) {
            out.add(cur.build());
            out.add(max.build());
        }
        return Collected.of(out);
    }
}
