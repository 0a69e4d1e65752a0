import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
        return new Report("tool", "hosts", List.of(Report.Column.left("target", "target"),
                Report.Column.left("status", "status"), Report.Column.left("detail", "detail")))
                .add(row("a", "ok", "fine | really")).add(row("bb", "timeout", "x,\"y\"")).add(row("c", "timeout", null))
                .add(row("d", "refused", null)).elapsedMs(1500);
    }

    static String render(Report r, Report.Format f, PrintStream err) {
        var out = new ByteArrayOutputStream();
        r.render(f, r.rows(), new PrintStream(out, true, StandardCharsets.UTF_8), err);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test void summaryCountsFailuresByStatusMostFrequentFirst() {
        assertEquals("tool: 4 hosts, 1 ok, 3 failed (2 timeout, 1 refused) in 1.5s", report().summaryLine());
    }

    @Test void tableAlignsColumnsAndShowsMissingValuesAsDash() {
        String t = render(report(), Report.Format.table, System.err);
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
        String md = render(report(), Report.Format.md, System.err);
        assertTrue(md.contains("| a | ok | fine \\| really |"), md);
        assertTrue(md.contains("| bb | **timeout** | x,\"y\" |"), md);
    }

    @Test void csvQuotesCommasAndQuotes() {
        var err = new ByteArrayOutputStream();
        String csv = render(report(), Report.Format.csv, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertTrue(csv.startsWith("target,status,detail\n"), csv);
        assertTrue(csv.contains("bb,timeout,\"x,\"\"y\"\"\"\n"), csv);
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("tool: 4 hosts"), "summary on stderr for csv");
    }
}
