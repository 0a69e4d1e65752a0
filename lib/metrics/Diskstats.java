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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * node_disk_*{device}: /proc/diskstats for every block device but partitions, loops, RAM disks and
 * floppies (node_exporter's default exclusion), in node_exporter's units (sectors of 512 bytes in
 * bytes, milliseconds in seconds); the discard columns from kernel 4.18, the flush columns from 5.5,
 * when the line has them. node_disk_info{device,major,minor,path,wwn,model,serial,revision} from
 * udev's database (--path.udev.data), with empty labels where udev has no record.
 */
final class Diskstats implements Source {
    /** node_exporter 1.5's --collector.diskstats.device-exclude default. */
    static final Pattern EXCLUDE = Pattern.compile("^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$");
    /** The columns after major, minor and name: family name, whether a counter, and the factor to node_exporter's unit. */
    record Column(String name, boolean counter, double factor, String help) {}

    static final double SECTOR = 512, MS = 1e-3;
    static final List<Column> COLUMNS = List.of(
            new Column("node_disk_reads_completed", true, 1, "The total number of reads completed successfully."),
            new Column("node_disk_reads_merged", true, 1, "The total number of reads merged."),
            new Column("node_disk_read_bytes", true, SECTOR, "The total number of bytes read successfully."),
            new Column("node_disk_read_time_seconds", true, MS, "The total number of seconds spent by all reads."),
            new Column("node_disk_writes_completed", true, 1, "The total number of writes completed successfully."),
            new Column("node_disk_writes_merged", true, 1, "The number of writes merged."),
            new Column("node_disk_written_bytes", true, SECTOR, "The total number of bytes written successfully."),
            new Column("node_disk_write_time_seconds", true, MS, "This is the total number of seconds spent by all writes."),
            new Column("node_disk_io_now", false, 1, "The number of I/Os currently in progress."),
            new Column("node_disk_io_time_seconds", true, MS, "Total seconds spent doing I/Os."),
            new Column("node_disk_io_time_weighted_seconds", true, MS, "The weighted # of seconds spent doing I/Os."),
            new Column("node_disk_discards_completed", true, 1, "The total number of discards completed successfully."),
            new Column("node_disk_discards_merged", true, 1, "The total number of discards merged."),
            new Column("node_disk_discarded_sectors", true, 1, "The total number of sectors discarded successfully."),
            new Column("node_disk_discard_time_seconds", true, MS, "This is the total number of seconds spent by all discards."),
            new Column("node_disk_flush_requests", true, 1, "The total number of flush requests completed successfully"),
            new Column("node_disk_flush_requests_time_seconds", true, MS, "This is the total number of seconds spent by all flush requests."));
    /** udev properties behind node_disk_info's labels. */
    static final Map<String, String> UDEV = Map.of("ID_PATH", "path", "ID_WWN", "wwn", "ID_MODEL", "model",
            "ID_SERIAL_SHORT", "serial", "ID_REVISION", "revision");

    final Path file, udev;

    Diskstats(Path procfs, Path udevData) {
        this.file = procfs.resolve("diskstats");
        this.udev = udevData;
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        step.accept("read " + file);
        List<Object> builders = new ArrayList<>();
        for (Column c : COLUMNS) {
            builders.add(c.counter ? CounterSnapshot.builder().name(c.name).help(c.help) : GaugeSnapshot.builder().name(c.name).help(c.help));
        }
        var info = InfoSnapshot.builder().name("node_disk").help("Info of /sys/block/<block_device>.");
        int[] used = new int[COLUMNS.size()];
        for (String line : Procfs.lines(file)) {
            String[] f = Procfs.fields(line);             // major minor name, then 11, 15 or 17 columns
            if (f.length < 3 + 11) {
                if (f.length == 0) continue;
                throw new IOException(file + ": " + (f.length > 2 ? f[2] : "a line") + " has " + Math.max(0, f.length - 3) + " columns, expected at least 11");
            }
            String device = f[2];
            if (EXCLUDE.matcher(device).find()) continue;
            Labels l = Labels.of("device", device);
            int n = Math.min(COLUMNS.size(), f.length - 3);
            for (int i = 0; i < n; i++) {
                double v = Double.parseDouble(f[3 + i]) * COLUMNS.get(i).factor;
                if (builders.get(i) instanceof CounterSnapshot.Builder b) b.dataPoint(count(l, v));
                else ((GaugeSnapshot.Builder) builders.get(i)).dataPoint(point(l, v));
                used[i]++;
            }
            step.accept("read udev data of " + device);
            Map<String, String> props = udevProperties(f[0], f[1]);
            List<String> labels = new ArrayList<>(List.of("device", device, "major", f[0], "minor", f[1]));
            for (var e : UDEV.entrySet()) {
                labels.add(e.getValue());
                labels.add(props.getOrDefault(e.getKey(), ""));
            }
            info.dataPoint(InfoDataPointSnapshot.builder().labels(Labels.of(labels.toArray(String[]::new))).build());
        }
        List<MetricSnapshot> out = new ArrayList<>();
        out.add(info.build());
        for (int i = 0; i < COLUMNS.size(); i++) {
            if (used[i] == 0) continue;                     // an old kernel: no discard or flush columns
            out.add(builders.get(i) instanceof CounterSnapshot.Builder b ? b.build() : ((GaugeSnapshot.Builder) builders.get(i)).build());
        }
        return Collected.of(out);
    }

    /** The E: lines of udev's record of block device major:minor ("E:ID_MODEL=Samsung_SSD"); none when udev has no record. */
    Map<String, String> udevProperties(String major, String minor) {
        Map<String, String> props = new HashMap<>();
        try {
            for (String line : Procfs.lines(udev.resolve("b" + major + ":" + minor))) {
                int eq = line.indexOf('=');
                if (line.startsWith("E:") && eq > 2) props.put(line.substring(2, eq), line.substring(eq + 1));
            }
        } catch (IOException e) {
            // no udev (a container, this VM): node_exporter serves the labels empty too
        }
        return props;
    }
}
