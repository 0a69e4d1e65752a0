package check;

//SOURCES Limit.java Result.java Status.java Task.java

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * What one check found while it ran, gathered as it goes: its status so far, what it measured
 * against which threshold, why it is not OK, and a note for when it is.
 */
public final class Findings {
    private final Status severity;
    private Status status = Status.OK;
    private final List<String> values = new ArrayList<>(), limits = new ArrayList<>(), problems = new ArrayList<>();
    private final List<Result.Measure> measures = new ArrayList<>();
    private String note;

    /** @param severity what {@link #fail(String)} counts as (the check's {@code severity:}) */
    public Findings(Status severity) {
        this.severity = severity;
    }

    /** A failure that is not a threshold (refused, missing, wrong exit code), at the check's severity. */
    public void fail(String problem) {
        fail(severity, problem);
    }

    public void fail(Status s, String problem) {
        status = status.max(s);
        problems.add(problem);
    }

    /** What was found, in words ("HTTP 200", "3 running"). */
    public void value(String text) { values.add(text); }

    /** What was expected, in words ("status 200-399", "exit 0"). */
    public void expect(String text) { limits.add(text); }

    /** The detail shown when nothing failed ("connected to ...", "ran in 5ms"). */
    public void note(String text) { note = text; }

    /** A measured value against thresholds, higher (or, with {@code lowerIsWorse}, lower) being worse. */
    public <T> void measure(String label, double value, String unit, String shown, Limit<T> l, ToDoubleFunction<T> num, boolean lowerIsWorse) {
        Status at = Status.OK;
        String op = lowerIsWorse ? "<=" : ">=";
        if (l != null) {
            if (l.crit() != null && reached(value, num.applyAsDouble(l.crit()), lowerIsWorse)) at = Status.CRIT;
            else if (l.warn() != null && reached(value, num.applyAsDouble(l.warn()), lowerIsWorse)) at = Status.WARN;
            List<String> parts = new ArrayList<>();
            if (l.warn() != null) parts.add("warn " + op + Limit.show(l.warn()));
            if (l.crit() != null) parts.add("crit " + op + Limit.show(l.crit()));
            limits.add(label + " " + String.join(" ", parts));
            if (at != Status.OK) {
                fail(at, label + " " + shown + " reached " + at.name().toLowerCase(Locale.ROOT) + " " + op
                        + Limit.show(at == Status.CRIT ? l.crit() : l.warn()));
            }
        }
        values.add(label + " " + shown);
        measures.add(new Result.Measure(label, value, unit, l == null || l.warn() == null ? null : num.applyAsDouble(l.warn()),
                l == null || l.crit() == null ? null : num.applyAsDouble(l.crit()), lowerIsWorse, at));
    }

    /** A percentage as the report shows it: "58.6%". */
    public static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", v);
    }

    private static boolean reached(double value, double limit, boolean lowerIsWorse) {
        return lowerIsWorse ? value <= limit : value >= limit;
    }

    /** The result of the check these findings are of. */
    Result result(Task t, long elapsedMs) {
        return new Result(t.name(), t.kind(), t.group(), status, values.isEmpty() ? null : String.join(", ", values),
                limits.isEmpty() ? null : String.join("; ", limits), !problems.isEmpty() ? String.join("; ", problems) : note,
                List.copyOf(measures), elapsedMs);
    }
}
