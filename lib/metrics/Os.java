package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Procfs.java
//SOURCES Collected.java

import static metrics.Snapshots.gauge;
import static metrics.Snapshots.info;
import static metrics.Snapshots.point;

import io.prometheus.metrics.model.snapshots.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * node_os_info{name,id,version,...} and node_os_version{id,id_like,name} (VERSION_ID as a number)
 * from os-release(5): /etc/os-release, else /usr/lib/os-release, under the root given.
 */
final class Os implements Source {
    static final List<String> INFO = List.of("build_id", "id", "id_like", "image_id", "image_version", "name", "pretty_name",
            "variant", "variant_id", "version", "version_codename", "version_id");
    static final Pattern VERSION = Pattern.compile("^[0-9]+\\.?[0-9]*");
    final List<Path> files;

    Os(Path root) {
        this.files = List.of(root.resolve("etc/os-release"), root.resolve("usr/lib/os-release"));
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        Path file = Files.exists(files.get(0)) ? files.get(0) : files.get(1);
        step.accept("read " + file);
        Map<String, String> v = parse(Procfs.lines(file));
        String[] labels = new String[INFO.size() * 2];
        for (int i = 0; i < INFO.size(); i++) {
            labels[2 * i] = INFO.get(i);
            labels[2 * i + 1] = v.getOrDefault(INFO.get(i).toUpperCase(java.util.Locale.ROOT), "");
        }
        Matcher m = VERSION.matcher(v.getOrDefault("VERSION_ID", ""));
        double version = m.find() ? Double.parseDouble(m.group()) : 0;
        return Collected.of(List.of(info("node_os", "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, "
                        + "image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.", Labels.of(labels)),
                gauge("node_os_version", "Metric containing the major.minor part of the OS version.",
                        point(Labels.of("id", v.getOrDefault("ID", ""), "id_like", v.getOrDefault("ID_LIKE", ""), "name", v.getOrDefault("NAME", "")), version))));
    }

    /** KEY=value lines, the value unquoted ("..." or '...') and backslash escapes undone; comments and blank lines skipped. */
    static Map<String, String> parse(List<String> lines) {
        Map<String, String> v = new HashMap<>();
        for (String line : lines) {
            line = line.strip();
            int eq = line.indexOf('=');
            if (line.isEmpty() || line.startsWith("#") || eq <= 0) continue;
            String value = line.substring(eq + 1);
            if (value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'') && value.endsWith(value.substring(0, 1))) {
                value = value.substring(1, value.length() - 1).replaceAll("\\\\(.)", "$1");
            }
            v.put(line.substring(0, eq), value);
        }
        return v;
    }
}
