package check;

//SOURCES Status.java Task.java

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One check's line of the report: its status, what it measured ({@code value}) against what
 * ({@code threshold}), and why it is not OK or what is worth knowing ({@code detail}). A check
 * that did not run has only its name, kind, group, status and why not.
 */
public record Result(String name, String kind, String group, Status status, String value, String threshold, String detail,
                     List<Measure> measures, Long elapsedMs) {

    /** One number a check compared with thresholds, in {@code unit} ("ms", "%", "bytes", "" for a plain number). */
    public record Measure(String name, double value, String unit, Double warn, Double crit, boolean lowerIsWorse, Status status) {
        Map<String, Object> row() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("value", value);
            m.put("unit", unit);
            m.put("warn", warn);
            m.put("crit", crit);
            m.put("lower_is_worse", lowerIsWorse);
            m.put("status", status.text());
            return m;
        }
    }

    static Result notRun(Task t, String why) {
        return new Result(t.name(), t.kind(), t.group(), Status.NOT_RUN, null, null, why, null, null);
    }

    public boolean ok() {
        return status == Status.OK;
    }

    /** The result under the report's JSON keys, in their order (a check not run has no value, threshold, measures or time). */
    public Map<String, Object> row() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", name);
        row.put("kind", kind);
        row.put("group", group);
        row.put("status", status.text());
        if (status == Status.NOT_RUN) {
            row.put("detail", detail);
            return row;
        }
        row.put("value", value);
        row.put("threshold", threshold);
        row.put("detail", detail);
        List<Map<String, Object>> ms = new ArrayList<>();
        for (Measure m : measures) ms.add(m.row());
        row.put("measures", ms);
        row.put("elapsed_ms", elapsedMs);
        return row;
    }
}
