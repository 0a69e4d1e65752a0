package dns;

//SOURCES ../cli/Durations.java ../report/Column.java ../report/Table.java

import cli.Durations;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import report.Column;
import report.Table;

/**
 * One block per name, printed from the name's JSON result: a heading with its status, then what the
 * system resolver said, /etc/hosts, the stub's steps (the names tried, in order, and who answered),
 * every nameserver's direct answer to each query, and the findings. As aligned text for the
 * terminal, or as Markdown (a heading, bullets and tables) for a chat.
 */
public final class Blocks {
    private Blocks() {}

    static final List<Column> STEPS = List.of(Column.right("step", "#"), Column.left("name", "name"), Column.left("why", "why"),
            Column.left("result", "result"), Column.left("server", "by"), Column.right("queries", "queries"),
            Column.right("wait", "waited"));
    static final List<Column> SERVERS = List.of(Column.left("server", "server"), Column.left("name", "name"),
            Column.left("type", "type"), Column.left("rcode", "rcode"), Column.right("ttl", "ttl"), Column.right("ms", "ms"),
            Column.left("shown", "answer"));

    @SuppressWarnings("unchecked")
    public static void print(Map<String, Object> r, boolean md, boolean wide, PrintStream out) {
        String name = (String) r.get("name");
        String status = (String) r.get("status");
        if (md) out.println("#### `" + name + "`: " + ("ok".equals(status) ? "ok" : "**" + status + "**"));
        else out.println("== " + name + "  " + status);
        if (r.get("error") != null) {                                      // not run
            line(out, md, "result", (String) r.get("error"));
            out.println();
            return;
        }
        var sys = (Map<String, Object>) r.get("system");
        if (sys != null) {
            line(out, md, "system", (sys.get("error") == null ? String.join(" ", (List<String>) sys.get("addresses")) : (String) sys.get("error"))
                    + "  (getaddrinfo, " + Table.cell(sys.get("ms")) + " ms)");
        }
        var hosts = (Map<String, Object>) r.get("hosts");
        var entries = (List<Map<String, Object>>) hosts.get("entries");
        if (entries.isEmpty()) {
            line(out, md, "hosts", "not in " + hosts.get("file"));
        } else {
            List<String> e = new ArrayList<>();
            entries.forEach(x -> e.add(x.get("address") + " (" + x.get("line") + ")"));
            line(out, md, "hosts", String.join(", ", e) + (Boolean.TRUE.equals(hosts.get("decides")) ? ": decides it" : ": DNS is asked first")
                    + " (" + hosts.get("nsswitch") + ")");
        }
        var stub = (Map<String, Object>) r.get("stub");
        line(out, md, "stub", stub.get("resolv_conf") + ": " + stubLine(stub));
        List<Map<String, Object>> steps = new ArrayList<>();
        int i = 1;
        for (var st : (List<Map<String, Object>>) stub.get("steps")) {
            Map<String, Object> row = new LinkedHashMap<>(st);
            row.put("step", i++);
            row.put("wait", Durations.format(((Number) st.get("wait_ms")).longValue()));
            steps.add(row);
        }
        table(STEPS, steps, md, wide, out);
        String answered = (String) stub.get("answered_by");
        line(out, md, "", stub.get("queries") + " queries" + (answered == null ? ", no answer" : ", answered as " + answered)
                + "; waited " + Durations.format(((Number) stub.get("wait_ms")).longValue()) + " for silent servers; worst case "
                + Durations.format(((Number) stub.get("worst_case_ms")).longValue()));
        List<Map<String, Object>> servers = new ArrayList<>();
        for (var a : (List<Map<String, Object>>) r.get("servers")) {
            Map<String, Object> row = new LinkedHashMap<>(a);
            List<String> records = (List<String>) a.get("records"), cnames = (List<String>) a.get("cnames");
            String shown = records.isEmpty() ? (a.get("error") != null ? (String) a.get("error") : "-") : String.join(" ", records);
            if (!cnames.isEmpty()) shown = "CNAME " + String.join(" -> ", cnames) + (records.isEmpty() ? "" : ": " + shown);
            row.put("shown", shown);
            row.put("rcode", a.get("rcode") == null ? a.get("result") : "NOERROR".equals(a.get("rcode")) && records.isEmpty() ? "NODATA" : a.get("rcode"));
            servers.add(row);
        }
        line(out, md, "servers", "asked directly, one query each, no retries:");
        table(SERVERS, servers, md, wide, out);
        var findings = (List<Map<String, Object>>) r.get("findings");
        if (!md) out.println();
        if (findings.isEmpty()) line(out, md, "findings", "none: every path gives the same answer");
        for (var f : findings) {
            String text = ("warn".equals(f.get("severity")) ? "WARN " : "note ") + f.get("code") + ": " + f.get("text");
            if (md) out.println("- " + text);
            else out.println(Table.wrap(text, "  - ", wide ? Integer.MAX_VALUE : Table.WIDTH).replaceFirst("^  - ", "  - ").replace("\n  - ", "\n    "));
        }
        out.println();
    }

    @SuppressWarnings("unchecked")
    static String stubLine(Map<String, Object> stub) {
        List<String> search = (List<String>) stub.get("search");
        return (search.isEmpty() ? "no search list" : "search " + String.join(" ", search)) + ", " + stub.get("options")
                + ", nameservers " + String.join(" ", (List<String>) stub.get("nameservers"));
    }

    private static void line(PrintStream out, boolean md, String label, String text) {
        if (md) out.println("- " + (label.isEmpty() ? "" : "**" + label + "** ") + text.replace("|", "\\|"));
        else if (text.length() <= Table.WIDTH - 11) out.println(String.format("  %-9s%s", label, text));
        else out.println(String.format("  %-9s", label) + Table.wrap(text, "", Table.WIDTH - 11).replace("\n", "\n           "));
    }

    private static void table(List<Column> cols, List<Map<String, Object>> rows, boolean md, boolean wide, PrintStream out) {
        if (md) {
            out.println();
            Table.markdown(cols, rows, out);
            out.println();
            return;
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream p = new PrintStream(buf, true, StandardCharsets.UTF_8);
        Table.table(cols, rows, p, false, wide ? Integer.MAX_VALUE : Table.WIDTH - 11);
        for (String l : buf.toString(StandardCharsets.UTF_8).split("\n")) out.println("           " + l);
    }
}
