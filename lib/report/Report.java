package report;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-csv:2.20.1
//SOURCES ../cli/Durations.java ../cli/Terminal.java Chat.java Column.java Format.java Table.java

import cli.Durations;
import cli.Terminal;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Result rows rendered as an aligned table, Markdown, JSON or CSV, always ending with the one-line
 * summary a human pastes into a chat. A row is a map of JSON keys to values; columns pick which
 * keys the table, Markdown and CSV show. A row is ok when its "status" is "ok".
 *
 * <pre>
 *   table/md: rows, then the summary line on stdout (md: a GitHub/Mattermost table)
 *   slack, dingtalk, wecom: the summary line, then the table as the chat shows preformatted text
 *             ({@link Chat}: a code block for Slack, quoted lines for DingTalk and WeCom), escaped
 *   json:     {"results":[row...],"summary":{"total","ok","failed","by_status","elapsed_ms",...}}
 *   csv:      header + rows on stdout, the summary line on stderr
 *   hosts:    each row's target as a hosts-file line (user@ and :port kept), the summary on stderr:
 *             `probe --only-failed --format hosts fleet.txt | fanout - -- uptime`
 *   prom:     the script's own gauges ({@link #prom}), the summary on stderr
 * </pre>
 */
public final class Report {
    private final String tool;
    private final String noun;
    private final List<Column> columns;
    private final List<Map<String, Object>> rows = new ArrayList<>();
    private final Map<String, Object> extraSummary = new LinkedHashMap<>();
    private long elapsedMs;

    /** @param noun what a row is, plural ("targets", "hosts") */
    public Report(String tool, String noun, List<Column> columns) {
        this.tool = tool;
        this.noun = noun;
        this.columns = List.copyOf(columns);
    }

    private boolean wide;
    private String okStatus = "ok";

    /** The status word of a row that went well, when it is not "ok" (rollout's "done"). */
    public Report okStatus(String status) { this.okStatus = status; return this; }

    /** Writes the rows as Prometheus text for --format prom: each script names its own gauges. */
    public interface PromWriter {
        void write(Report report, List<Map<String, Object>> shown, PrintStream out);
    }

    private PromWriter prom;

    public Report add(Map<String, Object> row) { rows.add(row); return this; }
    /** How --format prom writes this report's rows. */
    public Report prom(PromWriter writer) { this.prom = writer; return this; }
    /** --wide: the table shows every column in full, however wide. */
    public Report wide(boolean wide) { this.wide = wide; return this; }
    public Report elapsedMs(long ms) { this.elapsedMs = ms; return this; }
    /** Extra keys for the JSON summary (e.g. concurrency). */
    public Report summary(String key, Object value) { extraSummary.put(key, value); return this; }

    public List<Map<String, Object>> rows() { return rows; }
    public double elapsedSeconds() { return elapsedMs / 1000.0; }

    public static boolean isOk(Map<String, Object> row) { return "ok".equals(row.get("status")); }

    public long failed() { return rows.stream().filter(r -> !okStatus.equals(r.get("status"))).count(); }

    /** Counts per status, most frequent first ("ok" included). */
    public Map<String, Long> byStatus() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (var r : rows) counts.merge(String.valueOf(r.get("status")), 1L, Long::sum);
        Map<String, Long> sorted = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** "probe: 12 targets, 10 ok, 2 failed (1 timeout, 1 refused) in 3.1s" */
    public String summaryLine() {
        long failed = failed();
        StringBuilder sb = new StringBuilder();
        sb.append(tool).append(": ").append(rows.size()).append(' ').append(rows.size() == 1 ? singular(noun) : noun).append(", ")
          .append(rows.size() - failed).append(' ').append(okStatus).append(", ").append(failed).append(" failed");
        if (failed > 0) {
            List<String> parts = new ArrayList<>();
            byStatus().forEach((s, n) -> { if (!s.equals(okStatus)) parts.add(n + " " + s); });
            sb.append(" (").append(String.join(", ", parts)).append(')');
        }
        sb.append(" in ").append(Durations.format(elapsedMs));
        return sb.toString();
    }

    /** "targets" -> "target", "URLs" -> "URL": our row nouns are regular plurals. */
    static String singular(String noun) {
        return noun.endsWith("s") ? noun.substring(0, noun.length() - 1) : noun;
    }

    /**
     * Renders {@code shown} rows (all of them, or a filtered/sorted view) in {@code format}; the
     * summary always covers every row.
     */
    public void render(Format format, List<Map<String, Object>> shown, PrintStream out, PrintStream err) {
        switch (format) {
            case table, text -> { Table.table(columns, shown, out, Terminal.colorAllowed(out), wide ? Integer.MAX_VALUE : Table.WIDTH); out.println(summaryLine()); }
            case md -> { Table.markdown(columns, shown, out); out.println(); out.println(summaryLine()); }
            case slack, dingtalk, wecom -> Chat.print(format, null, summaryLine(),
                    o -> Table.table(columns, shown, o, false, wide ? Integer.MAX_VALUE : Table.WIDTH), out);
            case json -> json(shown, out);
            case csv -> { csv(shown, out); err.println(summaryLine()); }
            case hosts -> { shown.forEach(r -> out.println(hostsLine(r))); err.println(summaryLine()); }
            case prom -> {
                if (prom == null) throw new IllegalStateException(tool + " has no prom writer");
                prom.write(this, shown, out);
                err.println(summaryLine());
            }
        }
        out.flush();
    }

    /**
     * A row as a line another ops tool reads back: [user@]host:port when the row names its host and
     * port (the port always written, so a -p given to this run survives), else its target as given.
     */
    public static String hostsLine(Map<String, Object> row) {
        String target = String.valueOf(row.get("target"));
        if (row.get("host") instanceof String host && row.get("port") instanceof Integer port && port > 0) {
            int at = target.lastIndexOf('@');
            return (at >= 0 ? target.substring(0, at + 1) : "") + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
        return target;
    }

    private void json(List<Map<String, Object>> shown, PrintStream out) {
        printJson(document(shown), out);
    }

    /**
     * The JSON document: {"results": shown, "summary": {...}} (the summary covers every row). Scripts
     * with more to say (fanout's groups) add their keys to it before printing.
     */
    public Map<String, Object> document(List<Map<String, Object>> shown) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("total", rows.size());
        summary.put("ok", rows.size() - failed());
        summary.put("failed", failed());
        summary.put("by_status", byStatus());
        summary.put("elapsed_ms", elapsedMs);
        summary.putAll(extraSummary);
        summary.put("line", summaryLine());
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("results", shown);
        doc.put("summary", summary);
        return doc;
    }

    /** Pretty-printed JSON, the one way every script writes it. */
    public static void printJson(Object doc, PrintStream out) {
        try {
            // Streamed, not built as one String first: fanout's hosts can carry hundreds of MB of output.
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .disable(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET).writeValue(out, doc);
            out.println();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void csv(List<Map<String, Object>> shown, PrintStream out) {
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
        for (Column c : columns) schema.addColumn(c.key());
        List<Map<String, Object>> plain = new ArrayList<>();
        for (var r : shown) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Column c : columns) {
                Object v = c.value().apply(r);
                m.put(c.key(), v == null ? "" : v);
            }
            plain.add(m);
        }
        try {
            out.print(new CsvMapper().writer(schema.build()).writeValueAsString(plain));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
