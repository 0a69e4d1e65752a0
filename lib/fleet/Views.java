package fleet;

//SOURCES Group.java HostRun.java ../cli/Durations.java ../cli/Sizes.java ../net/Ranges.java
//SOURCES ../report/Chat.java ../report/Column.java ../report/Format.java ../report/Report.java ../report/Table.java ../ssh/Capture.java

import cli.Durations;
import cli.Sizes;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import net.Ranges;
import report.Column;
import report.Report;
import report.Table;
import ssh.Capture;

/**
 * The ways fanout shows a run: a block per host ("==> web01 <== ok (0.3s)", printed as each host
 * ends), live lines prefixed with the host (-P), gathered blocks of hosts with equal output (-b),
 * Markdown and Slack for chats, JSON for jq, and the bare host list for the next run.
 */
public final class Views {
    private final PrintStream out;
    private final String command;
    private final Path script;
    private final Set<String> printed = ConcurrentHashMap.newKeySet();

    /** @param command the words after "--", joined; @param script the --script file, or null */
    public Views(PrintStream out, String command, Path script) {
        this.out = out;
        this.command = command;
        this.script = script;
    }

    /** The summary table behind every format's summary line: one row (target, status) a host. */
    public static Report summary(List<HostRun> runs, long ms) {
        Report summary = new Report("fanout", "hosts", List.of(Column.left("target", "host"), Column.left("status", "status")));
        for (HostRun r : runs) summary.add(Map.of("target", r.label(), "status", r.status().text()));
        return summary.elapsedMs(ms);
    }

    /** -P: one line of a host's output as it arrives, "web01: text", to stdout or stderr. */
    public static void prefixed(PrintStream to, String label, String line) {
        synchronized (System.out) {
            to.println(label + ": " + line);
            to.flush();
        }
    }

    /** One host's block: "==> web01 <== ok (0.3s)" then its stdout, then its stderr. Once per host. */
    public void block(HostRun r) {
        if (!printed.add(r.label())) return;
        StringBuilder sb = new StringBuilder();
        String took = " (" + Durations.format(r.ms()) + ")";
        String head = "==> " + r.label() + " <== " + headline(r) + took;
        if (head.length() > Table.WIDTH && r.detail() != null) {     // a long reason goes under, wrapped, never cut
            head = "==> " + r.label() + " <== " + r.status() + took + "\n" + Table.wrap(r.detail(), "    ", Table.WIDTH);
        }
        sb.append(head).append('\n');
        appendOutput(sb, r.stdout().text(), r.stdout());
        if (r.stderr().total() > 0) {
            sb.append("[stderr]\n");
            appendOutput(sb, r.stderr().text(), r.stderr());
        }
        synchronized (System.out) {
            out.print(sb);
            out.flush();
        }
    }

    private static String headline(HostRun r) {
        if (r.ok() || r.detail() == null) return r.status().text();
        return r.status() + ": " + r.detail();
    }

    private static void appendOutput(StringBuilder sb, String text, Capture c) {
        if (text.isEmpty() && !c.truncated()) return;
        sb.append(text);
        if (!text.endsWith("\n")) sb.append(text.isEmpty() ? "" : "\n");
        if (c.truncated()) {
            sb.append("[... output truncated: kept ").append(Sizes.format(c.keptBytes())).append(" of ").append(Sizes.format(c.total()))
              .append(c.cutByTotal() ? "; the run's --max-total-output was reached]\n" : "; raise --max-output]\n");
        }
    }

    /** Under the summary line: each failing status with its hosts, folded. */
    public void failures(List<HostRun> runs) {
        Map<String, List<HostRun>> byStatus = new LinkedHashMap<>();
        for (HostRun r : runs) if (!r.ok()) byStatus.computeIfAbsent(r.status().text(), s -> new ArrayList<>()).add(r);
        byStatus.forEach((status, hosts) -> {
            String names = Ranges.fold(hosts.stream().map(HostRun::label).toList());
            Set<String> details = new LinkedHashSet<>();
            for (HostRun h : hosts) if (h.detail() != null) details.add(h.detail());
            String why = details.size() == 1 ? details.iterator().next() : "";
            String line = "  " + status + ": " + names;
            int room = Table.WIDTH - line.length() - 3;              // the reason is cut to fit, never a host name
            if (!why.isEmpty()) line += " (" + (why.length() <= room ? why : why.substring(0, Math.max(20, room) - 3) + "...") + ")";
            out.println(line);
        });
    }

    /** -b: one block per group, its hosts folded into ranges. */
    public void gathered(List<HostRun> runs) {
        String rule = "-".repeat(15);
        for (Group g : Group.of(runs)) {
            StringBuilder sb = new StringBuilder();
            String head = g.names() + " (" + g.hosts().size() + ")" + (g.status().ok() ? "" : " " + g.status());
            if (g.detail() != null && !g.status().ok()) {
                head = head.length() + 2 + g.detail().length() <= Table.WIDTH ? head + ": " + g.detail() : head + "\n" + Table.wrap(g.detail(), "    ", Table.WIDTH);
            }
            sb.append(rule).append('\n').append(head).append('\n');
            // A rule under the names only when output follows: the next block's own rule closes an empty one.
            if (!g.stdout().isEmpty() || !g.stderr().isEmpty()) sb.append(rule).append('\n');
            HostRun first = g.hosts().get(0);
            appendOutput(sb, g.stdout(), first.stdout());
            if (!g.stderr().isEmpty()) {
                sb.append("[stderr]\n");
                appendOutput(sb, g.stderr(), first.stderr());
            }
            out.print(sb);
        }
    }

    /**
     * slack, dingtalk, wecom: the summary on top, then "$ command" and the gathered view as the chat
     * shows preformatted text ({@link report.Chat}), so the command reads as typed.
     */
    public void chat(report.Format format, List<HostRun> runs, Report summary) {
        report.Chat.print(format, null, summary.summaryLine(), o -> {
            o.println("$ " + command);
            new Views(o, command, script).gathered(runs);
        }, out);
    }

    /** --format hosts: the wanted hosts' targets as given, one a line; the summary on stderr. */
    public void hosts(List<HostRun> runs, Report summary, Predicate<HostRun> wanted, PrintStream err) {
        for (HostRun r : runs) if (wanted.test(r)) out.println(r.host().target().spec());
        err.println(summary.summaryLine());
    }

    public void markdown(List<HostRun> runs, Report summary) {
        out.println("**fanout** " + Table.code(command) + (script != null ? " (script " + script.getFileName() + ")" : ""));
        out.println();
        for (Group g : Group.of(runs)) {
            String st = g.status().ok() ? "ok" : "**" + g.status() + "**" + (g.detail() == null ? "" : ": " + g.detail().replace("`", "'"));
            out.println("- " + Table.code(g.names()) + " (" + g.hosts().size() + "): " + st);
            String text = g.stdout() + (g.stderr().isEmpty() ? "" : (g.stdout().isEmpty() || g.stdout().endsWith("\n") ? "" : "\n") + "[stderr]\n" + g.stderr());
            if (!text.isEmpty()) {
                String fence = "```";
                while (text.contains(fence)) fence += "`";
                out.println();
                out.println(fence + "text");
                out.print(text.endsWith("\n") ? text : text + "\n");
                out.println(fence);
                out.println();
            }
        }
        out.println();
        out.println(summary.summaryLine());
    }

    /** One document: the command, every host, the groups, the summary. */
    public void json(List<HostRun> runs, Report summary) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (HostRun r : runs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("target", r.label());
            m.put("user", r.host().endpoint().user());
            m.put("host", r.host().endpoint().host());
            m.put("port", r.host().endpoint().port());
            m.put("address", r.address());
            m.put("status", r.status().text());
            m.put("exit_code", r.status().exitCode());
            m.put("signal", r.status().signal());
            m.put("duration_ms", r.ms());
            m.put("stdout", r.stdout().text());
            m.put("stderr", r.stderr().text());
            m.put("stdout_bytes", r.stdout().total());
            m.put("stderr_bytes", r.stderr().total());
            m.put("truncated", r.truncated());
            m.put("error", r.ok() ? null : r.detail());
            m.put("ssh", r.ssh());
            rows.add(m);
        }
        List<Map<String, Object>> groups = new ArrayList<>();
        for (Group g : Group.of(runs)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("hosts", g.names());
            m.put("count", g.hosts().size());
            m.put("status", g.status().text());
            m.put("error", g.detail());
            m.put("stdout", g.stdout());
            m.put("stderr", g.stderr());
            groups.add(m);
        }
        Map<String, Object> results = summary.document(rows);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("command", command);
        doc.put("script", script == null ? null : script.toString());
        doc.put("results", results.get("results"));
        doc.put("groups", groups);
        doc.put("summary", results.get("summary"));
        Report.printJson(doc, out);
    }
}
