package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Procfs.java
//SOURCES Collected.java

import static metrics.Snapshots.point;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * node_hwmon_*{chip,sensor}: the sensors of /sys/class/hwmon (temperatures in Celsius, voltages in
 * volts, fans in rpm, power in watts, ...), named by node_exporter's rules: chip from the device's
 * sysfs path (platform_coretemp_0), else the name file, else hwmonN; sensor as the file names it
 * (temp1); its label file in node_hwmon_sensor_label, the name file in node_hwmon_chip_names.
 * Machines without sensors (most VMs) have no /sys/class/hwmon: no families.
 */
final class Hwmon implements Source {
    static final Pattern FILE = Pattern.compile("^(?<type>[^0-9]+)(?<id>[0-9]*)?(_(?<property>.+))?$");
    static final List<String> TYPES = List.of("vrm", "beep_enable", "update_interval", "in", "cpu", "fan", "pwm", "temp", "curr",
            "power", "energy", "humidity", "intrusion", "freq");
    static final Pattern INVALID = Pattern.compile("[^a-z0-9:_]");
    final Path dir;

    Hwmon(Path sysfs) {
        this.dir = sysfs.resolve("class/hwmon");
    }

    /** A family being built: gauge or counter, by name. */
    final class Families {
        final Map<String, Object> byName = new TreeMap<>();

        void add(String name, boolean counter, String help, Labels l, double v) {
            Object b = byName.computeIfAbsent(name, n -> counter ? CounterSnapshot.builder().name(n.replaceAll("_total$", "")).help(help)
                    : GaugeSnapshot.builder().name(n).help(help));
            if (b instanceof CounterSnapshot.Builder c) c.dataPoint(Snapshots.count(l, v));
            else ((GaugeSnapshot.Builder) b).dataPoint(point(l, v));
        }

        List<MetricSnapshot> build() {
            List<MetricSnapshot> out = new ArrayList<>();
            for (Object b : byName.values()) out.add(b instanceof CounterSnapshot.Builder c ? c.build() : ((GaugeSnapshot.Builder) b).build());
            return out;
        }
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        Families f = new Families();
        for (Path chipDir : Procfs.entries(dir, "")) {
            if (!Files.isDirectory(chipDir)) continue;
            step.accept("read " + chipDir);
            String chip = chipName(chipDir);
            String name = Procfs.optionalText(chipDir.resolve("name"));
            if (name != null && !clean(name).isEmpty()) f.add("node_hwmon_chip_names", false, "Annotation metric for human-readable chip names",
                    Labels.of("chip", chip, "chip_name", clean(name)), 1);
            Map<String, Map<String, String>> sensors = new TreeMap<>();
            read(chipDir, sensors);
            if (Files.isDirectory(chipDir.resolve("device"))) read(chipDir.resolve("device"), sensors);
            for (var s : sensors.entrySet()) sensor(f, chip, s.getKey(), s.getValue());
        }
        return Collected.of(f.build());
    }

    void sensor(Families f, String chip, String sensor, Map<String, String> data) {
        Matcher m = FILE.matcher(sensor);
        String type = m.matches() ? m.group("type") : sensor;
        Labels l = Labels.of("chip", chip, "sensor", sensor);
        if (data.containsKey("label")) {
            f.add("node_hwmon_sensor_label", false, "Label for given chip and sensor", Labels.of("chip", chip, "label", data.get("label"), "sensor", sensor), 1);
        }
        switch (type) {
            case "beep_enable" -> {
                f.add("node_hwmon_beep_enabled", false, "Hardware beep enabled", l, "1".equals(data.get("")) ? 1 : 0);
                return;
            }
            case "vrm" -> {
                Double v = number(data.get(""));
                if (v != null) f.add("node_hwmon_voltage_regulator_version", false, "Hardware voltage regulator", l, v);
                return;
            }
            case "update_interval" -> {
                Double v = number(data.get(""));
                if (v != null) f.add("node_hwmon_update_interval_seconds", false, "Hardware monitor update interval", l, v * 0.001);
                return;
            }
            default -> { }
        }
        for (var e : data.entrySet()) {
            String element = e.getKey();
            if (element.equals("label")) continue;
            Double v = number(e.getValue());
            if (v == null) continue;
            String name = "node_hwmon_" + type;
            if (element.equals("input")) {
                if (data.containsKey("")) name += "_input";
            } else if (!element.isEmpty()) {
                name += "_" + clean(element);
            }
            if (element.equals("fault") || element.equals("alarm")) f.add(name, false, "Hardware sensor " + element + " status (" + type + ")", l, v);
            else if (element.equals("beep")) f.add(name + "_enabled", false, "Hardware monitor sensor has beeping enabled", l, v);
            else if (type.equals("in") || type.equals("cpu")) f.add(name + "_volts", false, "Hardware monitor for voltage (" + element + ")", l, v * 0.001);
            else if (type.equals("temp") && !element.equals("type")) f.add(name + "_celsius", false, "Hardware monitor for temperature (" + element + ")", l, v * 0.001);
            else if (type.equals("curr")) f.add(name + "_amps", false, "Hardware monitor for current (" + element + ")", l, v * 0.001);
            else if (type.equals("energy")) f.add(name + "_joule_total", true, "Hardware monitor for joules used so far (" + element + ")", l, v / 1e6);
            else if (type.equals("power") && element.equals("accuracy")) f.add(name, false, "Hardware monitor power meter accuracy, as a ratio", l, v / 1e6);
            else if (type.equals("power") && element.startsWith("average_interval")) f.add(name + "_seconds", false, "Hardware monitor power usage update interval (" + element + ")", l, v * 0.001);
            else if (type.equals("power")) f.add(name + "_watt", false, "Hardware monitor for power usage in watts (" + element + ")", l, v / 1e6);
            else if (type.equals("humidity")) f.add(name, false, "Hardware monitor for humidity, as a ratio (" + element + ")", l, v / 1e6);
            else if (type.equals("fan") && List.of("input", "min", "max", "target").contains(element)) f.add(name + "_rpm", false, "Hardware monitor for fan revolutions per minute (" + element + ")", l, v);
            else f.add(name, false, "Hardware monitor " + type + " element " + element, l, v);
        }
    }

    /** The sensor files of one directory, by sensor (temp1) and property (input, max, label; "" for a bare file). */
    static void read(Path d, Map<String, Map<String, String>> sensors) throws IOException {
        try (var files = Files.list(d)) {
            for (Path p : files.sorted().toList()) {
                Matcher m = FILE.matcher(p.getFileName().toString());
                if (!m.matches() || !TYPES.contains(m.group("type")) || Files.isDirectory(p)) continue;
                String id = m.group("id") == null || m.group("id").isEmpty() ? "0" : String.valueOf(Integer.parseInt(m.group("id")));
                String value = Procfs.optionalText(p);
                if (value == null) continue;
                sensors.computeIfAbsent(m.group("type") + id, k -> new TreeMap<>()).put(m.group("property") == null ? "" : m.group("property"), value);
            }
        }
    }

    /** node_exporter's chip name: from the device path ("platform_coretemp_0"), else the name file, else hwmonN. */
    static String chipName(Path chipDir) throws IOException {
        Path device = chipDir.resolve("device");
        if (Files.exists(device)) {
            Path real = device.toRealPath();
            String devName = clean(real.getFileName().toString());
            String devType = real.getParent() == null || real.getParent().getFileName() == null ? "" : clean(real.getParent().getFileName().toString());
            if (!devType.isEmpty() && !devName.isEmpty()) return devType + "_" + devName;
            if (!devName.isEmpty()) return devName;
        }
        String name = Procfs.optionalText(chipDir.resolve("name"));
        if (name != null && !clean(name).isEmpty()) return clean(name);
        return clean(chipDir.toRealPath().getFileName().toString());
    }

    static String clean(String s) {
        return INVALID.matcher(s.toLowerCase(java.util.Locale.ROOT)).replaceAll("_").replaceAll("^_+|_+$", "");
    }

    static Double number(String s) {
        if (s == null) return null;
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
