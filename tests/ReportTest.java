import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import report.Column;
import report.Format;
import report.Prom;
import report.Report;
import report.Table;

/** Rendering details that every script inherits: escaping, quoting, alignment, the summary line. */
class ReportTest {
    static Map<String, Object> row(String target, String status, String detail) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("target", target);
        r.put("status", status);
        r.put("detail", detail);
        return r;
    }

    static Report report() {
        return new Report("tool", "hosts", List.of(Column.left("target", "target"),
                Column.left("status", "status"), Column.left("detail", "detail")))
                .add(row("a", "ok", "fine | really")).add(row("bb", "timeout", "x,\"y\"")).add(row("c", "timeout", null))
                .add(row("d", "refused", null)).elapsedMs(1500);
    }

    static String render(Report r, Format f, PrintStream err) {
        var out = new ByteArrayOutputStream();
        r.render(f, r.rows(), new PrintStream(out, true, StandardCharsets.UTF_8), err);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test void summaryCountsFailuresByStatusMostFrequentFirst() {
        assertEquals("tool: 4 hosts, 1 ok, 3 failed (2 timeout, 1 refused) in 1.5s", report().summaryLine());
    }

    @Test void tableAlignsColumnsAndShowsMissingValuesAsDash() {
        String t = render(report(), Format.table, System.err);
        assertEquals("""
                TARGET  STATUS   DETAIL
                a       ok       fine | really
                bb      timeout  x,"y"
                c       timeout  -
                d       refused  -
                tool: 4 hosts, 1 ok, 3 failed (2 timeout, 1 refused) in 1.5s
                """, t);
    }

    @Test void markdownEscapesPipesAndBoldsFailures() {
        String md = render(report(), Format.md, System.err);
        assertTrue(md.contains("| a | ok | fine \\| really |"), md);
        assertTrue(md.contains("| bb | **timeout** | x,\"y\" |"), md);
    }

    @Test void csvQuotesCommasAndQuotes() {
        var err = new ByteArrayOutputStream();
        String csv = render(report(), Format.csv, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertTrue(csv.startsWith("target,status,detail\n"), csv);
        assertTrue(csv.contains("bb,timeout,\"x,\"\"y\"\"\"\n"), csv);
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("tool: 4 hosts"), "summary on stderr for csv");
    }

    @Test void oneRowIsOneTargetNotOneTargets() {
        var r = new Report("probe", "targets", List.of(Column.left("status", "status"))).add(row("a", "ok", null)).elapsedMs(5);
        assertEquals("probe: 1 target, 1 ok, 0 failed in 5ms", r.summaryLine());
    }

    /** Tables fit 120 columns: the free text is cut, never the status; --wide shows it all. */
    @Test void aTableFits120ColumnsUnlessWide() {
        String longText = "no route to host ".repeat(20).strip();
        var r = new Report("tool", "hosts", List.of(Column.left("target", "target"), Column.left("status", "status"),
                Column.left("detail", "detail"))).add(row("web01.example.internal", "unreachable", longText)).elapsedMs(1);
        String t = render(r, Format.table, System.err);
        for (String line : t.lines().toList()) assertTrue(line.length() <= 120, line.length() + ": " + line);
        assertTrue(t.contains("web01.example.internal  unreachable  no route to host no route") && t.contains("...\n"), t);
        String wide = render(r.wide(true), Format.table, System.err);
        assertTrue(wide.contains(longText + "\n"), wide);
    }

    @Test void promSecondsHaveNoBinaryNoise() {
        assertEquals("0.0061", String.valueOf(Prom.seconds(6.1)));
        assertEquals("0.1234", String.valueOf(Prom.seconds(123.4)));
    }

    /** Slack renders no Markdown tables: the summary, then the aligned table in a code block. */
    @Test void slackGetsTheTableInACodeBlock() {
        String t = render(report(), Format.slack, System.err);
        assertTrue(t.startsWith("tool: 4 hosts, 1 ok, 3 failed (2 timeout, 1 refused) in 1.5s\n```\nTARGET  STATUS   DETAIL\n"), t);
        assertTrue(t.endsWith("d       refused  -\n```\n"), t);
    }

    /** A command with backticks survives into Markdown: as a longer code span, or escaped in a table cell. */
    @Test void backticksSurviveIntoMarkdown() {
        assertEquals("`uptime`", Table.code("uptime"));
        assertEquals("`` echo `hostname` ``", Table.code("echo `hostname`"));
        var r = new Report("tool", "hosts", List.of(Column.left("target", "target"), Column.left("detail", "detail")))
                .add(row("a", "ok", "ran `id -u`"));
        assertTrue(render(r, Format.md, System.err).contains("| a | ran \\`id -u\\` |"), render(r, Format.md, System.err));
    }
}

