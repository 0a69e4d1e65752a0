package check;

//DEPS io.prometheus:prometheus-metrics-exposition-textformats:1.10.0
//SOURCES ../cli/Durations.java ../cli/Terminal.java ../report/Column.java ../report/Format.java ../report/Prom.java
//SOURCES ../report/Chat.java ../report/Report.java ../report/Table.java Result.java Status.java

import cli.Durations;
import cli.Terminal;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import report.Column;
import report.Format;
import report.Prom;
import report.Report;
import report.Table;

/**
 * A run of checks as it is reported: a heading (title, host, plan, start), one result per check
 * in plan order, and the summary line, written as
 * <pre>
 *   table  the heading, a table per group ([group]), the summary line
 *   md     the same as Markdown (### heading, #### group), for GitHub/Mattermost
 *   slack  the heading in bold, the summary, the tables in one code block
 *   json   {title, host, plan, started, results: [...], summary: {total, ok, warn, crit, not-run, elapsed_ms, line}}
 *   prom   ops_inspect_status and ops_inspect_value gauges; the summary line on stderr
 * </pre>
 * The summary always counts every check, also when only the failed ones are shown.
 */
public record CheckReport(String tool, Header header, List<Result> results, long elapsedMs) {

    /** What the report is of: the plan's title, this host, the plan file, when the run started (whole seconds). */
    public record Header(String title, String host, String plan, Instant started) {
        public Map<String, Object> fields() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("title", title);
            m.put("host", host);
            m.put("plan", plan);
            m.put("started", started.toString());
            return m;
        }
    }

    /** The checks that are not OK (WARN, CRIT, not run): what an alert is about, and what decides the exit code. */
    public List<Result> alerts() {
        return results.stream().filter(r -> !r.ok()).toList();
    }

    /** "inspect: 17 checks on db-01: 7 OK, 3 WARN, 7 CRIT, 1 not run in 2.1s" */
    public String summaryLine() {
        Map<Status, Long> n = counts();
        String line = tool + ": " + results.size() + (results.size() == 1 ? " check on " : " checks on ") + header.host() + ": "
                + n.get(Status.OK) + " OK, " + n.get(Status.WARN) + " WARN, " + n.get(Status.CRIT) + " CRIT";
        if (n.get(Status.NOT_RUN) > 0) line += ", " + n.get(Status.NOT_RUN) + " not run";
        return line + " in " + Durations.format(elapsedMs);
    }

    /** How many checks ended with each status, every status present, best first. */
    public Map<Status, Long> counts() {
        Map<Status, Long> n = new LinkedHashMap<>();
        for (Status s : Status.values()) n.put(s, 0L);
        for (Result r : results) n.merge(r.status(), 1L, Long::sum);
        return n;
    }

    /** The "summary" object of the JSON report and of the webhook payload. */
    public Map<String, Object> summary() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("total", results.size());
        counts().forEach((status, n) -> s.put(status.text(), n));
        s.put("elapsed_ms", elapsedMs);
        s.put("line", summaryLine());
        return s;
    }

    /** Writes the report in {@code format}; with {@code onlyFailed}, only the checks that are not OK. */
    public void print(Format format, boolean onlyFailed, boolean wide, PrintStream out, PrintStream err) {
        List<Result> shown = results.stream().filter(r -> !onlyFailed || !r.ok()).toList();
        switch (format) {
            case table, md -> grouped(format, shown, wide, out);
            case slack, dingtalk, wecom -> report.Chat.print(format, heading(), summaryLine(), o -> groups(false, shown, wide, o), out);
            case json -> {
                Map<String, Object> doc = header.fields();
                doc.put("results", rows(shown));
                doc.put("summary", summary());
                Report.printJson(doc, out);
            }
            case prom -> { prom(shown, out); err.println(summaryLine()); }
            default -> throw new IllegalArgumentException(tool + " has no " + format + " format");
        }
        out.flush();
    }

    static List<Map<String, Object>> rows(List<Result> results) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Result r : results) rows.add(r.row());
        return rows;
    }

    static final List<Column> COLUMNS = List.of(
            Column.computed("status", "status", r -> ((String) r.get("status")).toUpperCase(Locale.ROOT)),
            Column.left("name", "check"),
            Column.left("value", "value"),
            Column.left("threshold", "threshold"),
            Column.left("detail", "detail"));

    /** "inspect: web1, 2026-12-03 08:00:00 UTC": the report's first line. */
    private String heading() {
        return header.title() + ": " + header.host() + ", " + header.started().toString().replace('T', ' ').replace("Z", " UTC");
    }

    /** table and md: a heading, then one table per group (in plan order), then the summary line. */
    private void grouped(Format format, List<Result> shown, boolean wide, PrintStream out) {
        boolean md = format == Format.md;
        out.println(md ? "### " + heading() : heading());
        out.println();
        groups(md, shown, wide, out);
        out.println();
        out.println(summaryLine());
    }

    /** One table per group, in plan order, under the group's name (md: a heading and a Markdown table). */
    private void groups(boolean md, List<Result> shown, boolean wide, PrintStream out) {
        Map<String, List<Map<String, Object>>> groups = new LinkedHashMap<>();
        for (Result r : shown) groups.computeIfAbsent(r.group(), g -> new ArrayList<>()).add(r.row());
        boolean first = true;
        for (var g : groups.entrySet()) {
            if (!first) out.println();
            first = false;
            out.println(md ? "#### " + g.getKey() + "\n" : "[" + g.getKey() + "]");
            if (md) Table.markdown(COLUMNS, g.getValue(), out);
            else Table.table(COLUMNS, g.getValue(), out, Terminal.colorAllowed(out), wide ? Integer.MAX_VALUE : Table.WIDTH);
        }
    }

    /** ops_inspect_status per check (0 OK, 1 WARN, 2 CRIT, 3 not run) and ops_inspect_value per measured value. */
    private static void prom(List<Result> shown, PrintStream out) {
        var status = Prom.gauge("ops_inspect_status", "Check result: 0 OK, 1 WARN, 2 CRIT, 3 not run");
        var value = Prom.gauge("ops_inspect_value", "A value a check measured, in the unit its label names");
        for (Result r : shown) {
            Labels l = Labels.of("check", r.name(), "kind", r.kind(), "group", r.group());
            status.dataPoint(Prom.point(l, switch (r.status()) { case OK -> 0; case WARN -> 1; case CRIT -> 2; case NOT_RUN -> 3; }));
            if (r.measures() == null) continue;
            for (Result.Measure m : r.measures()) {
                boolean millis = "ms".equals(m.unit());                  // Prometheus counts time in seconds
                String unit = millis ? "seconds" : "%".equals(m.unit()) ? "percent" : m.unit();
                double v = millis ? Prom.seconds(m.value()) : m.value();
                value.dataPoint(Prom.point(l.add("measure", m.name()).add("unit", unit), v));
            }
        }
        Prom.write(out, status.build(), value.build());
    }
}
