package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java PromText.java PromFamily.java CollectorRunner.java
//SOURCES Collected.java

import static metrics.Snapshots.gauge;
import static metrics.Snapshots.point;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * node_exporter's textfile collector: every *.prom file in the directory, in the Prometheus text
 * format ({@link PromText}). A file that does not parse is left out whole and reported (log line,
 * problem, node_textfile_scrape_error 1); the other files are still exported. As in node_exporter,
 * client-side timestamps are refused, metrics without HELP get "Metric read from FILE", and the
 * same metric in several files is merged when the type agrees. A counter whose name does not end
 * in _total is exported untyped, keeping its name (the Java client would rename it).
 */
final class Textfile implements Source {
    /** Textfiles are parsed whole in a small heap; node_exporter's own guidance is to keep them small. */
    static final long MAX_TEXTFILE = 2 << 20;
    /** Series all textfiles together may hold: each costs the 48 MB heap a few hundred bytes a scrape. */
    static final int MAX_SERIES = 50_000;

    final Path dir;

    Textfile(Path dir) {
        this.dir = dir;
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        step.accept("list " + dir);
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.prom")) {
            ds.forEach(files::add);
        }
        files.sort(null);
        List<String> problems = new ArrayList<>();
        Map<String, PromFamily> merged = new TreeMap<>();
        var mtimes = GaugeSnapshot.builder().name("node_textfile_mtime_seconds").help("Unixtime mtime of textfiles successfully read.");
        int series = 0;
        for (Path f : files) {
            step.accept("read " + f);
            try {
                long mtime = Files.getLastModifiedTime(f).toMillis();
                // Never trust size(): a symlink to /dev/zero has none and never ends. Read one byte past the limit.
                byte[] data;
                try (var in = Files.newInputStream(f)) {
                    data = in.readNBytes((int) MAX_TEXTFILE + 1);
                }
                if (data.length > MAX_TEXTFILE) {
                    problems.add(f + ": over the limit of " + MAX_TEXTFILE / 1024 + " KiB a file; file left out");
                    continue;
                }
                String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(data)).toString();
                List<PromFamily> families = PromText.parse(f.toString(), text);
                int count = families.stream().mapToInt(fam -> fam.samples.size()).sum();
                if (series + count > MAX_SERIES) {
                    problems.add(f + ": " + count + " series would take the textfiles over " + MAX_SERIES + " in all; file left out");
                    continue;
                }
                String clash = PromText.merge(merged, families);
                if (clash != null) {
                    problems.add(f + ": " + clash + "; file left out");
                    continue;
                }
                series += count;
                mtimes.dataPoint(point(Labels.of("file", f.toString()), Math.floorDiv(mtime, 1000)));
            } catch (PromText.Malformed e) {
                problems.add(e.getMessage() + "; file left out");
            } catch (java.nio.charset.CharacterCodingException e) {
                problems.add(f + ": not UTF-8 text; file left out");
            } catch (IOException e) {
                problems.add(f + ": " + CollectorRunner.describe(e) + "; file left out");
            }
        }
        List<MetricSnapshot> out = new ArrayList<>();
        for (PromFamily fam : merged.values()) {
            try {
                out.add(fam.snapshot());
            } catch (IllegalArgumentException e) {                           // the Java client's own checks
                problems.add(fam.file + ": metric " + fam.name + ": " + e.getMessage() + "; metric left out");
            }
        }
        out.add(mtimes.build());
        out.add(gauge("node_textfile_scrape_error", "1 if there was an error opening or reading a file, 0 otherwise",
                point(Labels.EMPTY, problems.isEmpty() ? 0 : 1)));
        return new Collected(out, problems);
    }
}
