package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Procfs.java
//SOURCES Collected.java

import static metrics.Snapshots.count;
import static metrics.Snapshots.point;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * node_network_* from /sys/class/net/DEVICE (node_exporter's netclass collector): node_network_info
 * {address,broadcast,device,duplex,ifalias,operstate}, node_network_up, and one family per numeric
 * attribute (mtu, carrier, speed, flags, ...), each only where the kernel answers for it (a down
 * link's carrier reads EINVAL: no series, as with node_exporter).
 */
final class Netclass implements Source {
    /** Attribute file, family name, counter? -- in node_exporter's order. */
    record Attr(String file, String family, boolean counter) {}

    static final List<Attr> ATTRS = List.of(
            new Attr("addr_assign_type", "address_assign_type", false), new Attr("carrier", "carrier", false),
            new Attr("carrier_changes", "carrier_changes", true), new Attr("carrier_up_count", "carrier_up_changes", true),
            new Attr("carrier_down_count", "carrier_down_changes", true), new Attr("dev_id", "device_id", false),
            new Attr("dormant", "dormant", false), new Attr("flags", "flags", false), new Attr("ifindex", "iface_id", false),
            new Attr("iflink", "iface_link", false), new Attr("link_mode", "iface_link_mode", false), new Attr("mtu", "mtu_bytes", false),
            new Attr("name_assign_type", "name_assign_type", false), new Attr("netdev_group", "net_dev_group", false),
            new Attr("speed", "speed_bytes", false), new Attr("tx_queue_len", "transmit_queue_length", false),
            new Attr("type", "protocol_type", false));

    final Path dir;
    final Pattern exclude;

    Netclass(Path sysfs, Pattern exclude) {
        this.dir = sysfs.resolve("class/net");
        this.exclude = exclude;
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        var info = InfoSnapshot.builder().name("node_network").help("Non-numeric data from /sys/class/net/<iface>, value is always 1.");
        var up = GaugeSnapshot.builder().name("node_network_up").help("Value is 1 if operstate is 'up', 0 otherwise.");
        Map<String, Object> families = new LinkedHashMap<>();
        for (Attr a : ATTRS) {
            String help = "Network device property: " + a.family;
            families.put(a.family, a.counter ? CounterSnapshot.builder().name("node_network_" + a.family).help(help)
                    : GaugeSnapshot.builder().name("node_network_" + a.family).help(help));
        }
        Map<String, Integer> used = new LinkedHashMap<>();
        for (Path d : Procfs.entries(dir, "")) {
            String device = d.getFileName().toString();
            if (exclude.matcher(device).find()) continue;
            step.accept("read " + d);
            String operstate = text(d, "operstate");
            info.dataPoint(InfoDataPointSnapshot.builder().labels(Labels.of("address", text(d, "address"), "broadcast", text(d, "broadcast"),
                    "device", device, "duplex", text(d, "duplex"), "ifalias", text(d, "ifalias"), "operstate", operstate)).build());
            Labels l = Labels.of("device", device);
            up.dataPoint(point(l, operstate.equals("up") ? 1 : 0));
            for (Attr a : ATTRS) {
                Double v = Procfs.optional(d.resolve(a.file));
                if (v == null) continue;
                if (a.file.equals("speed")) v = v * 1000 * 1000 / 8;          // Mbit/s in bytes/s
                if (families.get(a.family) instanceof CounterSnapshot.Builder b) b.dataPoint(count(l, v));
                else ((GaugeSnapshot.Builder) families.get(a.family)).dataPoint(point(l, v));
                used.merge(a.family, 1, Integer::sum);
            }
        }
        List<MetricSnapshot> out = new ArrayList<>(List.of(info.build(), up.build()));
        for (var e : families.entrySet()) {
            if (!used.containsKey(e.getKey())) continue;
            out.add(e.getValue() instanceof CounterSnapshot.Builder b ? b.build() : ((GaugeSnapshot.Builder) e.getValue()).build());
        }
        return Collected.of(out);
    }

    /** A text attribute, "" when it cannot be read (node_exporter's empty label). */
    static String text(Path d, String file) {
        String s = Procfs.optionalText(d.resolve(file));
        return s == null ? "" : s;
    }
}
