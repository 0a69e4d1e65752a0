import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A scrape in the Prometheus text format (0.0.4), as metric families: name, TYPE, and each series'
 * labels (sorted, as one "a=\"x\",b=\"y\"" key) with its value. Histogram and summary samples are
 * kept under their own sample names within the family. Families without samples count as absent.
 */
public final class Families {
    public record Family(String name, String type, Map<String, Double> series) {
        /** The label names this family's series use ("cpu,mode"), or "" for none. */
        public String labelNames() {
            TreeSet<String> names = new TreeSet<>();
            for (String key : series.keySet()) {
                String labels = key.contains("{") ? key.substring(key.indexOf('{') + 1, key.length() - 1) : "";
                for (String kv : splitLabels(labels)) if (!kv.isEmpty()) names.add(kv.substring(0, kv.indexOf('=')));
            }
            return String.join(",", names);
        }
    }

    private Families() {}

    /** The families of {@code text} by name, in name order. */
    public static Map<String, Family> parse(String text) {
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, Map<String, Double>> series = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] f = line.split(" ");
                types.put(f[2], f[3]);
                continue;
            }
            if (line.isBlank() || line.startsWith("#")) continue;
            int brace = line.indexOf('{'), space;
            String sample, labels = "";
            if (brace >= 0 && brace < line.indexOf(' ')) {
                sample = line.substring(0, brace);
                int close = closingBrace(line, brace);
                labels = sortLabels(line.substring(brace + 1, close));
                space = close + 1;
            } else {
                space = line.indexOf(' ');
                sample = line.substring(0, space);
            }
            String[] rest = line.substring(space).trim().split(" ");
            String family = familyOf(sample, types);
            double value = switch (rest[0]) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(rest[0]);
            };
            series.computeIfAbsent(family, k -> new TreeMap<>()).put(sample + "{" + labels + "}", value);
        }
        Map<String, Family> out = new TreeMap<>();
        series.forEach((name, s) -> out.put(name, new Family(name, types.getOrDefault(name, "untyped"), s)));
        return out;
    }

    static String familyOf(String sample, Map<String, String> types) {
        if (types.containsKey(sample)) return sample;
        for (String suffix : List.of("_bucket", "_sum", "_count", "_total", "_created")) {
            if (sample.endsWith(suffix) && types.containsKey(sample.substring(0, sample.length() - suffix.length()))) {
                return sample.substring(0, sample.length() - suffix.length());
            }
        }
        return sample;
    }

    static int closingBrace(String line, int open) {
        boolean quoted = false;
        for (int i = open + 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\') i++;
            else if (c == '"') quoted = !quoted;
            else if (c == '}' && !quoted) return i;
        }
        throw new IllegalArgumentException("no closing brace: " + line);
    }

    /** name="value" pairs split at the commas outside quotes. */
    static List<String> splitLabels(String labels) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < labels.length(); i++) {
            char c = labels.charAt(i);
            if (c == '\\' && i + 1 < labels.length()) {
                cur.append(c).append(labels.charAt(++i));
                continue;
            }
            if (c == '"') quoted = !quoted;
            if (c == ',' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (!cur.isEmpty()) out.add(cur.toString());
        return out;
    }

    static String sortLabels(String labels) {
        return String.join(",", new TreeSet<>(splitLabels(labels)));
    }
}
