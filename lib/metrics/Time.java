package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Procfs.java
//SOURCES Collected.java

import static metrics.Snapshots.gauge;
import static metrics.Snapshots.point;

import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** node_exporter's time collector: the clock, the time zone's offset, the kernel's clock sources. */
final class Time implements Source {
    final List<Path> clocksources = new ArrayList<>();

    Time(Path sysfs) throws IOException {
        Path dir = sysfs.resolve("devices/system/clocksource");
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "clocksource[0-9]*")) {
                ds.forEach(clocksources::add);
            }
        }
        clocksources.sort(null);
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        Instant now = Instant.now();
        java.util.TimeZone tz = java.util.TimeZone.getDefault();
        boolean summer = tz.inDaylightTime(java.util.Date.from(now));
        List<MetricSnapshot> out = new ArrayList<>(List.of(
                gauge("node_time_seconds", "System time in seconds since epoch (1970).", point(Labels.EMPTY, now.toEpochMilli() / 1e3)),
                gauge("node_time_zone_offset_seconds", "System time zone offset in seconds.",
                        point(Labels.of("time_zone", tz.getDisplayName(summer, java.util.TimeZone.SHORT, java.util.Locale.ROOT)),
                                tz.getOffset(now.toEpochMilli()) / 1e3))));
        if (clocksources.isEmpty()) return Collected.of(out);
        var available = InfoSnapshot.builder().name("node_time_clocksource_available").help("Available clocksources read from '/sys/devices/system/clocksource'.");
        var current = InfoSnapshot.builder().name("node_time_clocksource_current").help("Current clocksource read from '/sys/devices/system/clocksource'.");
        for (Path d : clocksources) {
            step.accept("read " + d);
            String device = d.getFileName().toString().substring("clocksource".length());
            for (String c : Procfs.fields(Files.readString(d.resolve("available_clocksource")))) {
                available.dataPoint(InfoDataPointSnapshot.builder().labels(Labels.of("clocksource", c, "device", device)).build());
            }
            current.dataPoint(InfoDataPointSnapshot.builder()
                    .labels(Labels.of("clocksource", Files.readString(d.resolve("current_clocksource")).strip(), "device", device)).build());
        }
        out.add(available.build());
        out.add(current.build());
        return Collected.of(out);
    }
}
