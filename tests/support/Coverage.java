import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.ToDoubleBiFunction;

/**
 * node_exporter against exporter, family by family: which node_* families each serves, which both
 * serve, and for those the type, the label names, the series and the values. Values are taken at
 * the same instant by bracketing: exporter is scraped just before and just after node_exporter, so a
 * counter node_exporter read must lie between exporter's two readings, and a gauge within its
 * stated tolerance of that range. Every difference carries a reason; one without is "unexplained".
 */
public final class Coverage {
    public record Difference(String family, String what, String reason) {
        public boolean explained() { return reason != null; }

        @Override public String toString() {
            return String.format(Locale.ROOT, "  %-48s %s%n  %48s reason: %s", family, what, "", reason == null ? "UNEXPLAINED" : reason);
        }
    }

    public final TreeSet<String> theirs = new TreeSet<>(), ours = new TreeSet<>(), both = new TreeSet<>();
    public final List<Difference> differences = new ArrayList<>();
    /** Families node_exporter serves about itself (node_scrape_*, node_exporter_build_info): counted apart. */
    public final TreeSet<String> theirSelf = new TreeSet<>();

    /**
     * @param tolerance  absolute slack for a gauge (or counter) of this family and value
     * @param reasonOnlyTheirs why a family only node_exporter serves is missing (null: unexplained)
     */
    public static Coverage compare(Map<String, Families.Family> before, Map<String, Families.Family> node, Map<String, Families.Family> after,
                                   ToDoubleBiFunction<Families.Family, Double> tolerance, Function<String, String> reasonOnlyTheirs) {
        Coverage c = new Coverage();
        for (String n : node.keySet()) {
            if (!n.startsWith("node_")) continue;
            if (n.startsWith("node_scrape_") || n.equals("node_exporter_build_info")) c.theirSelf.add(n);
            else c.theirs.add(n);
        }
        for (String n : before.keySet()) if (n.startsWith("node_")) c.ours.add(n);
        for (String n : c.theirs) {
            if (!c.ours.contains(n)) {
                c.differences.add(new Difference(n, "served by node_exporter only", reasonOnlyTheirs.apply(n)));
                continue;
            }
            c.both.add(n);
            c.compareFamily(before.get(n), node.get(n), after.getOrDefault(n, before.get(n)), tolerance);
        }
        for (String n : c.ours) {
            if (!c.theirs.contains(n)) c.differences.add(new Difference(n, "served by exporter only", null));
        }
        return c;
    }

    void compareFamily(Families.Family b, Families.Family t, Families.Family a, ToDoubleBiFunction<Families.Family, Double> tolerance) {
        String n = t.name();
        if (!b.type().equals(t.type())) differences.add(new Difference(n, "type " + b.type() + ", node_exporter's " + t.type(), null));
        if (!b.labelNames().equals(t.labelNames())) {
            differences.add(new Difference(n, "labels {" + b.labelNames() + "}, node_exporter's {" + t.labelNames() + "}", null));
            return;
        }
        TreeSet<String> onlyTheirs = new TreeSet<>(t.series().keySet()), onlyOurs = new TreeSet<>(b.series().keySet());
        onlyTheirs.removeAll(b.series().keySet());
        onlyOurs.removeAll(t.series().keySet());
        if (!onlyTheirs.isEmpty()) differences.add(new Difference(n, "series only node_exporter has: " + first(onlyTheirs), null));
        if (!onlyOurs.isEmpty()) differences.add(new Difference(n, "series only exporter has: " + first(onlyOurs), null));
        List<String> off = new ArrayList<>();
        for (var e : t.series().entrySet()) {
            Double v1 = b.series().get(e.getKey()), v2 = a.series().getOrDefault(e.getKey(), v1);
            if (v1 == null) continue;
            double theirs = e.getValue(), lo = Math.min(v1, v2), hi = Math.max(v1, v2);
            double slack = tolerance.applyAsDouble(t, theirs);
            boolean same = theirs == v1 || (Double.isNaN(theirs) && Double.isNaN(v1));
            if (!same && !(theirs >= lo - slack && theirs <= hi + slack)) {
                off.add(String.format(Locale.ROOT, "%s: node_exporter %s, exporter %s..%s (tolerance %s)", e.getKey(), fmt(theirs), fmt(lo), fmt(hi), fmt(slack)));
            }
        }
        if (!off.isEmpty()) differences.add(new Difference(n, off.size() + " value(s) apart: " + String.join("; ", off.subList(0, Math.min(3, off.size()))), null));
    }

    static String first(TreeSet<String> s) {
        List<String> l = new ArrayList<>(s);
        return String.join(" ", l.subList(0, Math.min(3, l.size()))) + (l.size() > 3 ? " (+" + (l.size() - 3) + " more)" : "");
    }

    static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.6g", v);
    }

    /** Families node_exporter serves here (its self-monitoring apart) that exporter serves too, in percent. */
    public double percent() {
        return theirs.isEmpty() ? 0 : 100.0 * both.size() / theirs.size();
    }

    public List<Difference> unexplained() {
        return differences.stream().filter(d -> !d.explained()).toList();
    }

    /** The report: counts, each family and who serves it, each difference with its reason. */
    public String report(String title) {
        StringBuilder b = new StringBuilder("== " + title + "\n");
        b.append(String.format(Locale.ROOT, "node_exporter serves %d node_* families here (and %d about itself: %s)%n", theirs.size(), theirSelf.size(), String.join(", ", theirSelf)));
        b.append(String.format(Locale.ROOT, "exporter serves %d node_* families; both serve %d: %.1f%% of node_exporter's%n", ours.size(), both.size(), percent()));
        b.append("families in both (type, labels, series and values compared):\n");
        for (String n : both) b.append("  ").append(n).append('\n');
        b.append("differences (").append(differences.size()).append(", unexplained ").append(unexplained().size()).append("):\n");
        for (Difference d : differences) b.append(d).append('\n');
        return b.toString();
    }
}
