package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java ../host/Mounts.java
//SOURCES Collected.java

import static metrics.Snapshots.point;

import host.Mounts;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * node_filesystem_*{device,fstype,mountpoint}: statvfs of every mount not excluded, like
 * node_exporter (statvfs through host.Mounts' JNA direct call: about 2 us a mount).
 */
final class Filesystem implements Source {
    final Pattern mountsOut, typesOut;

    Filesystem(Pattern mountsOut, Pattern typesOut) {
        this.mountsOut = mountsOut;
        this.typesOut = typesOut;
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        step.accept("read /proc/self/mountinfo");
        var size = GaugeSnapshot.builder().name("node_filesystem_size_bytes").help("Filesystem size in bytes.");
        var free = GaugeSnapshot.builder().name("node_filesystem_free_bytes").help("Filesystem free space in bytes.");
        var avail = GaugeSnapshot.builder().name("node_filesystem_avail_bytes").help("Filesystem space available to non-root users in bytes.");
        var files = GaugeSnapshot.builder().name("node_filesystem_files").help("Filesystem total file nodes.");
        var filesFree = GaugeSnapshot.builder().name("node_filesystem_files_free").help("Filesystem total free file nodes.");
        var readOnly = GaugeSnapshot.builder().name("node_filesystem_readonly").help("Filesystem read-only status.");
        var deviceError = GaugeSnapshot.builder().name("node_filesystem_device_error").help("Whether an error occurred while getting statistics for the given device.");
        for (var e : Mounts.all().entrySet()) {
            String mount = e.getKey(), device = e.getValue()[0], type = e.getValue()[1];
            if (mountsOut.matcher(mount).find() || typesOut.matcher(type).find()) continue;
            Labels l = Labels.of("device", device, "fstype", type, "mountpoint", mount);
            step.accept("statvfs " + mount);
            Mounts.Usage u;
            try {
                u = Mounts.statvfs(mount);
            } catch (IOException ex) {                                      // node_exporter: device_error 1, no sizes
                deviceError.dataPoint(point(l, 1));
                continue;
            }
            deviceError.dataPoint(point(l, 0));
            readOnly.dataPoint(point(l, u.readOnly() ? 1 : 0));
            size.dataPoint(point(l, u.size()));
            free.dataPoint(point(l, u.free()));
            avail.dataPoint(point(l, u.avail()));
            files.dataPoint(point(l, u.files()));
            filesFree.dataPoint(point(l, u.filesFree()));
        }
        return Collected.of(List.of(size.build(), free.build(), avail.build(), files.build(), filesFree.build(), readOnly.build(), deviceError.build()));
    }
}
