package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES PromFamily.java

import io.prometheus.metrics.model.snapshots.Labels;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for textfiles: the first
 * problem refuses the file, with its line. As in node_exporter, client-side timestamps are refused.
 */
public final class PromText {
    private PromText() {}

    /** Series one file may hold: each costs the 48 MB heap a few hundred bytes a scrape. */
    static final int MAX_SERIES_PER_FILE = 20_000;

    static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    static final Pattern FLOAT = Pattern.compile("[+-]?(?:(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?|[iI]nf|NaN|nan)");

    /** A file that does not parse: "FILE: line N: what". */
    public static final class Malformed extends Exception {
        Malformed(String file, int line, String what) { super(file + ": line " + line + ": " + what); }
    }

    public record Sample(String name, Labels labels, double value, int line) {}

    static double parseFloat(String text, String what) {
        if (!FLOAT.matcher(text).matches()) throw new IllegalArgumentException(what + " '" + text + "' is not a number");
        return switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "inf", "+inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            case "nan", "+nan", "-nan" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }

    /** Parses one file; throws Malformed with the line number at the first problem. */
    public static List<PromFamily> parse(String file, String text) throws Malformed {
        Map<String, PromFamily> byName = new LinkedHashMap<>();
        PromFamily current = null;
        Set<String> seenSeries = new HashSet<>();
        String[] lines = text.split("\n", -1);
        for (int n = 1; n <= lines.length; n++) {
            String line = lines[n - 1];
            if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
            if (line.isBlank()) continue;
            try {
                if (line.startsWith("#")) {
                    String[] f = line.substring(1).trim().split("[ \t]+", 3);
                    if (f.length < 2 || !(f[0].equals("HELP") || f[0].equals("TYPE"))) continue;   // a plain comment
                    String name = f[1];
                    if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("invalid metric name '" + name + "'");
                    PromFamily fam = byName.get(name);
                    if (f[0].equals("TYPE")) {
                        String typeName = f.length > 2 ? f[2].trim() : "";
                        PromFamily.Type type = PromFamily.Type.of(typeName);
                        if (type == null) throw new IllegalArgumentException("unknown type '" + typeName + "' for " + name + " (expected counter, gauge, histogram, summary or untyped)");
                        if (fam != null && (fam.typed || !fam.samples.isEmpty())) {
                            throw new IllegalArgumentException(fam.typed ? "second TYPE line for " + name : "TYPE line for " + name + " after its samples");
                        }
                        if (fam == null) byName.put(name, fam = new PromFamily(name, file));
                        fam.type = type;
                        fam.typed = true;
                    } else {
                        if (fam != null && fam.help != null) throw new IllegalArgumentException("second HELP line for " + name);
                        if (fam == null) byName.put(name, fam = new PromFamily(name, file));
                        fam.help = f.length > 2 ? unescapeHelp(f[2]) : "";
                    }
                    current = fam;
                    continue;
                }
                Sample s = sample(line, n);
                PromFamily fam = current != null && current.owns(s.name) ? current : owner(byName, s.name);
                if (fam == null) byName.put(s.name, fam = new PromFamily(s.name, file));
                checkSample(fam, s);
                if (!seenSeries.add(s.name + s.labels)) throw new IllegalArgumentException("duplicate series " + s.name + s.labels);
                if (seenSeries.size() > MAX_SERIES_PER_FILE) {
                    throw new IllegalArgumentException("more than " + MAX_SERIES_PER_FILE + " series in one file (the exporter's heap is small)");
                }
                fam.samples.add(s);
                current = fam;
            } catch (IllegalArgumentException e) {
                throw new Malformed(file, n, e.getMessage());
            }
        }
        List<PromFamily> out = new ArrayList<>();
        for (PromFamily f : byName.values()) if (!f.samples.isEmpty()) out.add(f);
        return out;
    }

    /** The family a sample belongs to when it is not the current one (h_sum of an earlier histogram h). */
    private static PromFamily owner(Map<String, PromFamily> byName, String sample) {
        PromFamily f = byName.get(sample);
        if (f != null && f.owns(sample)) return f;
        for (String suffix : List.of("_bucket", "_sum", "_count")) {
            if (sample.endsWith(suffix)) {
                f = byName.get(sample.substring(0, sample.length() - suffix.length()));
                if (f != null && f.owns(sample)) return f;
            }
        }
        return null;
    }

    private static void checkSample(PromFamily fam, Sample s) {
        if (fam.type == PromFamily.Type.HISTOGRAM && s.name.endsWith("_bucket") && s.labels.get("le") == null) {
            throw new IllegalArgumentException(s.name + " needs an le label");
        }
        if (fam.type == PromFamily.Type.SUMMARY && s.name.equals(fam.name) && s.labels.get("quantile") == null) {
            throw new IllegalArgumentException(s.name + " needs a quantile label");
        }
        if (fam.type == PromFamily.Type.COUNTER && !(s.value >= 0)) throw new IllegalArgumentException("counter " + s.name + " is " + s.value + "; counters cannot be negative");
    }

    /** name{a="x",b="y"} value — no timestamp. */
    private static Sample sample(String line, int n) {
        int i = 0, len = line.length();
        while (i < len && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) i++;
        int start = i;
        while (i < len && line.charAt(i) != '{' && line.charAt(i) != ' ' && line.charAt(i) != '\t') i++;
        String name = line.substring(start, i);
        if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("invalid metric name '" + name + "'");
        Labels labels = Labels.EMPTY;
        Set<String> labelNames = new HashSet<>();
        if (i < len && line.charAt(i) == '{') {
            i++;
            while (true) {
                while (i < len && line.charAt(i) == ' ') i++;
                if (i < len && line.charAt(i) == '}') { i++; break; }
                int ls = i;
                while (i < len && line.charAt(i) != '=' && line.charAt(i) != ' ') i++;
                String label = line.substring(ls, i);
                if (!LABEL.matcher(label).matches()) throw new IllegalArgumentException("invalid label name '" + label + "' in " + name);
                if (label.startsWith("__")) throw new IllegalArgumentException("label names starting with __ are reserved ('" + label + "' in " + name + ")");
                if (!labelNames.add(label)) throw new IllegalArgumentException("label " + label + " given twice in " + name);
                while (i < len && line.charAt(i) == ' ') i++;
                if (i >= len || line.charAt(i) != '=') throw new IllegalArgumentException("expected '=' after label " + label + " in " + name);
                i++;
                while (i < len && line.charAt(i) == ' ') i++;
                if (i >= len || line.charAt(i) != '"') throw new IllegalArgumentException("expected a quoted value for label " + label + " in " + name);
                i++;
                StringBuilder v = new StringBuilder();
                while (true) {
                    if (i >= len) throw new IllegalArgumentException("unterminated value of label " + label + " in " + name);
                    char c = line.charAt(i++);
                    if (c == '"') break;
                    if (c == '\\') {
                        if (i >= len) throw new IllegalArgumentException("unterminated value of label " + label + " in " + name);
                        char e = line.charAt(i++);
                        switch (e) {
                            case '\\' -> v.append('\\');
                            case '"' -> v.append('"');
                            case 'n' -> v.append('\n');
                            default -> throw new IllegalArgumentException("invalid escape \\" + e + " in label " + label + " of " + name);
                        }
                    } else {
                        v.append(c);
                    }
                }
                labels = labels.add(label, v.toString());
                while (i < len && line.charAt(i) == ' ') i++;
                if (i < len && line.charAt(i) == ',') { i++; continue; }
                if (i < len && line.charAt(i) == '}') { i++; break; }
                throw new IllegalArgumentException("expected ',' or '}' after label " + label + " in " + name);
            }
        }
        String[] rest = line.substring(i).trim().split("[ \t]+");
        if (rest.length == 0 || rest[0].isEmpty()) throw new IllegalArgumentException("no value for " + name);
        double value = parseFloat(rest[0], "value of " + name);
        if (rest.length > 2) throw new IllegalArgumentException("unexpected text after the value of " + name + ": '" + rest[2] + "'");
        if (rest.length == 2) throw new IllegalArgumentException(name + " has a timestamp; textfiles must not carry timestamps");
        return new Sample(name, labels, value, n);
    }

    /** HELP text escapes only \\ and \n; any other backslash stays as it is. */
    private static String unescapeHelp(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i), next = i + 1 < s.length() ? s.charAt(i + 1) : 0;
            if (c == '\\' && (next == 'n' || next == '\\')) {
                b.append(next == 'n' ? '\n' : '\\');
                i++;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * Adds a file's families to those of earlier files; returns why it cannot (a type or help that
     * disagrees, or a series given twice) without changing {@code merged}, else null.
     */
    static String merge(Map<String, PromFamily> merged, List<PromFamily> families) {
        for (PromFamily f : families) {
            PromFamily old = merged.get(f.name);
            if (old == null) continue;
            if (old.type != f.type) return f.name + " is a " + f.type + " here but a " + old.type + " in " + old.file;
            if (f.help != null && old.help != null && !f.help.equals(old.help)) return f.name + " has a different HELP in " + old.file;
            Set<String> seen = new HashSet<>();
            for (Sample s : old.samples) seen.add(s.name + s.labels);
            for (Sample s : f.samples) if (seen.contains(s.name + s.labels)) return "series " + s.name + s.labels + " is also in " + old.file;
        }
        for (PromFamily f : families) {
            PromFamily old = merged.putIfAbsent(f.name, f);
            if (old != null) {
                old.samples.addAll(f.samples);
                if (old.help == null) old.help = f.help;
            }
        }
        return null;
    }
}
