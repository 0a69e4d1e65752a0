package netconf;

//SOURCES ../net/Ranges.java ../report/Chat.java ../report/Column.java ../report/Format.java ../report/Report.java

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.Ranges;
import report.Chat;
import report.Column;
import report.Format;
import report.Report;

/**
 * How netconf shows a run: a table per device for caps and the datastore operations, a block of
 * pretty XML (or JSON) per device for get/get-config, diffs under edit-config's table, caps
 * gathered (-b) into one block per distinct capability set; md for GitHub-flavoured chats, slack,
 * dingtalk and wecom (the text view as that chat shows preformatted text, see report.Chat), json for jq.
 */
public final class Views {
    private final String mode;
    private final Format format;
    private final boolean wide;
    private final boolean gather;
    private final PrintStream out;

    public Views(String mode, Format format, boolean wide, boolean gather, PrintStream out) {
        this.mode = mode;
        this.format = format;
        this.wide = wide;
        this.gather = gather;
        this.out = out;
    }

    /** A device's row: target, address, status and (when not ok) error first, in that order in JSON. */
    public static Map<String, Object> row(String target, String address, String status, String error) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("target", target);
        r.put("address", address);
        r.put("status", status);
        if (error != null) r.put("error", error);
        return r;
    }

    public static void fail(Map<String, Object> row, String status, String error) {
        row.put("status", status);
        row.put("error", error);
    }

    public void render(List<Map<String, Object>> rows, long elapsedMs, int concurrency) {
        Report report = new Report("netconf", "devices", columns());
        rows.forEach(report::add);
        report.elapsedMs(elapsedMs).summary("concurrency", concurrency).wide(wide);
        if (format == Format.json) {
            report.render(Format.json, rows, out, System.err);
            return;
        }
        if (format.chat()) {
            // The summary goes on top in the chat's markup; the text view (which ends with it) below.
            String summary = report.summaryLine();
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            new Views(mode, Format.text, wide, gather, new PrintStream(text, true, StandardCharsets.UTF_8)).render(rows, elapsedMs, concurrency);
            String view = text.toString(StandardCharsets.UTF_8).replace(summary + "\n", "").stripTrailing();
            Chat.print(format, null, summary, o -> o.println(view), out);
            return;
        }
        boolean md = format == Format.md;
        switch (mode) {
            case "get", "get-config" -> {
                if (md) Table.markdown(rows, out);
                for (Map<String, Object> r : rows) {
                    out.println((md ? "**" + r.get("target") + "** " : "==> " + r.get("target") + " <== ") + r.get("status")
                            + (r.get("address") != null ? " (" + r.get("address") + ")" : ""));
                    if (r.get("error") != null) out.println(r.get("error"));
                    if (r.containsKey("data")) block(md, r.get("data") instanceof String x ? "xml" : "json", dataText(r.get("data")));
                    out.println();
                }
                out.println(report.summaryLine());
            }
            case "caps" -> {
                if (gather) gathered(rows, md);
                else report.render(md ? Format.md : Format.table, rows, out, System.err);
                if (gather) out.println(report.summaryLine());
            }
            case "edit-config" -> {
                report.render(md ? Format.md : Format.table, rows, out, System.err);
                for (Map<String, Object> r : rows) {
                    if (r.get("diff") instanceof String d) {
                        out.println();
                        out.println((md ? "**" + r.get("target") + "**" : "==> " + r.get("target") + " <==") + (d.isEmpty() ? " no change against running" : " against running:"));
                        if (!d.isEmpty()) block(md, "diff", d);
                    }
                }
            }
            default -> report.render(md ? Format.md : Format.table, rows, out, System.err);
        }
        out.flush();
    }

    private List<Column> columns() {
        List<Column> c = new ArrayList<>(List.of(Column.left("target", "target"), Column.left("status", "status")));
        switch (mode) {
            case "caps" -> {
                c.add(Column.left("base", "base"));
                c.add(Column.right("session_id", "session"));
                c.add(Column.computed("modules", "modules", r -> r.get("modules") instanceof List<?> l ? l.size() : null));
                c.add(Column.left("error", "error"));
                // last: the table's one free-text column, the one cut to fit 120 columns (a failed row has none)
                c.add(Column.computed("netconf", "capabilities", r -> r.get("netconf") instanceof List<?> l ? String.join(" ", l.stream().map(String::valueOf).toList()) : null));
                return c;
            }
            case "edit-config" -> {
                c.add(Column.computed("steps", "steps", r -> r.get("steps") instanceof List<?> l ? String.join(", ", l.stream().map(String::valueOf).toList()) : null));
                c.add(Column.left("persist_id", "persist-id"));
                c.add(Column.left("detail", "detail"));
            }
            case "get", "get-config" -> c.add(Column.left("address", "address"));
            default -> c.add(Column.left("detail", "detail"));
        }
        c.add(Column.left("error", "error"));
        return c;
    }

    private void block(boolean md, String language, String text) {
        if (md) out.println("```" + language);
        out.print(text.endsWith("\n") || text.isEmpty() ? text : text + "\n");
        if (md) out.println("```");
    }

    private static String dataText(Object data) {
        if (data instanceof String s) return s;
        var bytes = new java.io.ByteArrayOutputStream();
        Report.printJson(data, new PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
        return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** -b: one block per distinct (status, error, capabilities), the largest first, devices folded into ranges. */
    private void gathered(List<Map<String, Object>> rows, boolean md) {
        Map<List<Object>, List<Map<String, Object>>> groups = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) groups.computeIfAbsent(List.of(r.get("status"), String.valueOf(r.get("error")), String.valueOf(r.get("capabilities"))), k -> new ArrayList<>()).add(r);
        List<List<Map<String, Object>>> sorted = new ArrayList<>(groups.values());
        sorted.sort((a, b) -> b.size() - a.size());
        for (List<Map<String, Object>> g : sorted) {
            Map<String, Object> first = g.get(0);
            String names = Ranges.fold(g.stream().map(r -> String.valueOf(r.get("target"))).toList());
            String head = names + " (" + g.size() + (g.size() == 1 ? " device" : " devices") + "): " + first.get("status");
            out.println(md ? "**" + head + "**" : "==> " + head + " <==");
            StringBuilder body = new StringBuilder();
            if (first.get("error") != null) body.append(first.get("error")).append('\n');
            if (first.get("netconf") instanceof List<?> l) body.append("capabilities: ").append(String.join(" ", l.stream().map(String::valueOf).toList())).append('\n');
            if (first.get("modules") instanceof List<?> l) {
                body.append("modules (").append(l.size()).append("):\n");
                for (Object m : l) body.append("  ").append(m).append('\n');
            }
            block(md, "", body.toString());
            out.println();
        }
    }

    /** md for get/get-config: the status table, then each device's data. */
    private static final class Table {
        static void markdown(List<Map<String, Object>> rows, PrintStream out) {
            out.println("| target | status | error |");
            out.println("|---|---|---|");
            for (Map<String, Object> r : rows) {
                out.println("| " + cell(r.get("target")) + " | " + cell(r.get("status")) + " | " + cell(r.get("error")) + " |");
            }
            out.println();
        }

        static String cell(Object o) { return o == null ? "-" : String.valueOf(o).replace("|", "\\|").replace("\n", " "); }
    }
}
