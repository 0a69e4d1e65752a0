package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES PromText.java Snapshots.java

import static metrics.Snapshots.count;
import static metrics.Snapshots.point;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One metric family as a textfile gives it: name, type, help and samples in file order; and as the Java client serves it. */
public final class PromFamily {
    /** The text format's TYPE, written as the format spells it ("counter", ...). */
    public enum Type {
        COUNTER, GAUGE, HISTOGRAM, SUMMARY, UNTYPED;

        /** The type a TYPE line names, or null for one the format does not have. */
        static Type of(String text) {
            return switch (text) {
                case "counter" -> COUNTER;
                case "gauge" -> GAUGE;
                case "histogram" -> HISTOGRAM;
                case "summary" -> SUMMARY;
                case "untyped" -> UNTYPED;
                default -> null;
            };
        }

        @Override public String toString() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    public final String name, file;
    Type type = Type.UNTYPED;
    public String help;
    boolean typed;
    public final List<PromText.Sample> samples = new ArrayList<>();

    PromFamily(String name, String file) {
        this.name = name;
        this.file = file;
    }

    String help() { return help != null ? help : "Metric read from " + file; }

    /** The sample names this family owns (h_bucket, h_sum, h_count for a histogram h). */
    boolean owns(String sample) {
        return switch (type) {
            case HISTOGRAM -> sample.equals(name + "_bucket") || sample.equals(name + "_sum") || sample.equals(name + "_count");
            case SUMMARY -> sample.equals(name) || sample.equals(name + "_sum") || sample.equals(name + "_count");
            default -> sample.equals(name);
        };
    }

    /**
     * The family as the Java client serves it; IllegalArgumentException for what the client refuses.
     * A counter whose name does not end in _total is served untyped, keeping its name (the client
     * would rename it).
     */
    public MetricSnapshot snapshot() {
        switch (type) {
            case GAUGE -> {
                var b = GaugeSnapshot.builder().name(name).help(help());
                samples.forEach(s -> b.dataPoint(point(s.labels(), s.value())));
                return b.build();
            }
            case COUNTER -> {
                if (name.endsWith("_total")) {
                    var b = CounterSnapshot.builder().name(name.substring(0, name.length() - 6)).help(help());
                    samples.forEach(s -> b.dataPoint(count(s.labels(), s.value())));
                    return b.build();
                }
                return untyped();
            }
            case HISTOGRAM -> { return histogram(); }
            case SUMMARY -> { return summary(); }
            default -> { return untyped(); }
        }
    }

    private MetricSnapshot untyped() {
        var b = UnknownSnapshot.builder().name(name).help(help());
        samples.forEach(s -> b.dataPoint(UnknownDataPointSnapshot.builder().labels(s.labels()).value(s.value()).build()));
        return b.build();
    }

    /** Series of a histogram/summary keyed by their labels without le/quantile. */
    private Map<Labels, List<PromText.Sample>> series(String special) {
        Map<Labels, List<PromText.Sample>> m = new LinkedHashMap<>();
        for (PromText.Sample s : samples) m.computeIfAbsent(without(s.labels(), special), k -> new ArrayList<>()).add(s);
        return m;
    }

    private MetricSnapshot histogram() {
        var b = HistogramSnapshot.builder().name(name).help(help());
        for (var e : series("le").entrySet()) {
            TreeMap<Double, Double> cumulative = new TreeMap<>();
            Double sum = null, count = null;
            for (PromText.Sample s : e.getValue()) {
                if (s.name().equals(name + "_sum")) sum = s.value();
                else if (s.name().equals(name + "_count")) count = s.value();
                else {
                    String le = s.labels().get("le");
                    if (le == null) throw new IllegalArgumentException("line " + s.line() + ": bucket without an le label");
                    cumulative.put(PromText.parseFloat(le, "le"), s.value());
                }
            }
            if (!cumulative.containsKey(Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("no le=\"+Inf\" bucket for " + e.getKey());
            if (count != null && !count.equals(cumulative.get(Double.POSITIVE_INFINITY))) {
                throw new IllegalArgumentException("_count " + count + " differs from the +Inf bucket " + cumulative.get(Double.POSITIVE_INFINITY));
            }
            double[] bounds = new double[cumulative.size()];
            long[] counts = new long[cumulative.size()];
            double previous = 0;
            int i = 0;
            for (var bucket : cumulative.entrySet()) {
                double n = bucket.getValue() - previous;
                if (n < 0 || n != Math.rint(n)) throw new IllegalArgumentException("buckets are not cumulative whole counts at le=" + bucket.getKey());
                bounds[i] = bucket.getKey();
                counts[i++] = (long) n;
                previous = bucket.getValue();
            }
            var p = HistogramDataPointSnapshot.builder().labels(e.getKey()).classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts));
            if (sum != null) p.sum(sum);
            b.dataPoint(p.build());
        }
        return b.build();
    }

    private MetricSnapshot summary() {
        var b = SummarySnapshot.builder().name(name).help(help());
        for (var e : series("quantile").entrySet()) {
            List<Quantile> qs = new ArrayList<>();
            var p = SummaryDataPointSnapshot.builder().labels(e.getKey());
            for (PromText.Sample s : e.getValue()) {
                if (s.name().equals(name + "_sum")) p.sum(s.value());
                else if (s.name().equals(name + "_count")) {
                    if (s.value() < 0 || s.value() != Math.rint(s.value())) throw new IllegalArgumentException("line " + s.line() + ": _count must be a whole number");
                    p.count((long) s.value());
                } else {
                    String q = s.labels().get("quantile");
                    if (q == null) throw new IllegalArgumentException("line " + s.line() + ": sample without a quantile label");
                    qs.add(new Quantile(PromText.parseFloat(q, "quantile"), s.value()));
                }
            }
            b.dataPoint(p.quantiles(Quantiles.of(qs)).build());
        }
        return b.build();
    }

    private static Labels without(Labels labels, String name) {
        Labels out = Labels.EMPTY;
        for (int i = 0; i < labels.size(); i++) {
            if (!labels.getName(i).equals(name)) out = out.add(labels.getName(i), labels.getValue(i));
        }
        return out;
    }
}
