//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-csv:2.20.1

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
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Result rows rendered as an aligned table, Markdown, JSON or CSV, always ending with the one-line
 * summary a human pastes into a chat. A row is a map of JSON keys to values; columns pick which
 * keys the table, Markdown and CSV show. A row is ok when its "status" is "ok".
 *
 * <pre>
 *   table/md: rows, then the summary line on stdout (md: a GitHub/Mattermost table)
 *   slack:    the summary line, then the table in a code block (Slack renders no Markdown tables)
 *   json:     {"results":[row...],"summary":{"total","ok","failed","by_status","elapsed_ms",...}}
 *   csv:      header + rows on stdout, the summary line on stderr
 *   hosts:    each row's target as a hosts-file line (user@ and :port kept), the summary on stderr:
 *             `probe --only-failed --format hosts fleet.txt | fanout - -- uptime`
 * </pre>
 */
public final class Report {
    public enum Format { table, md, slack, json, csv, prom, hosts }

    /** A visible column: its key, header, alignment, and how to read it from a row. */
    public record Column(String key, String header, boolean right, Function<Map<String, Object>, Object> value) {
        public static Column left(String key, String header) { return new Column(key, header, false, r -> r.get(key)); }
        public static Column right(String key, String header) { return new Column(key, header, true, r -> r.get(key)); }
        /** A column shown in table/md/csv but not a JSON key, e.g. banner-or-error. */
        public static Column computed(String key, String header, Function<Map<String, Object>, Object> value) {
            return new Column(key, header, false, value);
        }
    }

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

    public Report add(Map<String, Object> row) { rows.add(row); return this; }
    /** --wide: the table shows every column in full, however wide. */
    public Report wide(boolean wide) { this.wide = wide; return this; }
    public Report elapsedMs(long ms) { this.elapsedMs = ms; return this; }
    /** Extra keys for the JSON summary (e.g. concurrency). */
    public Report summary(String key, Object value) { extraSummary.put(key, value); return this; }

    public List<Map<String, Object>> rows() { return rows; }
    public double elapsedSeconds() { return elapsedMs / 1000.0; }

    public static boolean isOk(Map<String, Object> row) { return "ok".equals(row.get("status")); }

    public long failed() { return rows.stream().filter(r -> !isOk(r)).count(); }

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
          .append(rows.size() - failed).append(" ok, ").append(failed).append(" failed");
        if (failed > 0) {
            List<String> parts = new ArrayList<>();
            byStatus().forEach((s, n) -> { if (!s.equals("ok")) parts.add(n + " " + s); });
            sb.append(" (").append(String.join(", ", parts)).append(')');
        }
        sb.append(" in ").append(Cli.formatDuration(elapsedMs));
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
            case table -> { table(columns, shown, out, Cli.colorAllowed(out), wide ? Integer.MAX_VALUE : WIDTH); out.println(summaryLine()); }
            case md -> { markdown(columns, shown, out); out.println(); out.println(summaryLine()); }
            case slack -> {
                out.println(summaryLine());
                out.println("```");
                table(columns, shown, out, false, wide ? Integer.MAX_VALUE : WIDTH);
                out.println("```");
            }
            case json -> json(shown, out);
            case csv -> { csv(shown, out); err.println(summaryLine()); }
            case hosts -> { shown.forEach(r -> out.println(hostsLine(r))); err.println(summaryLine()); }
            case prom -> throw new IllegalArgumentException("prom is rendered by the script itself");
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

    private static String cell(Object v) {
        if (v == null) return "-";
        if (v instanceof Double d) return String.format(Locale.ROOT, "%.1f", d);
        return String.valueOf(v).replace('\n', ' ').replace('\r', ' ');
    }

    /** How wide a table may be unless --wide: a terminal of 120 columns shows it unwrapped. */
    public static final int WIDTH = 120;

    public static void table(List<Column> columns, List<Map<String, Object>> shown, PrintStream out, boolean color) {
        table(columns, shown, out, color, WIDTH);
    }

    /**
     * An aligned table of {@code rows} (no summary); the status column is coloured when {@code color}.
     * Wider than {@code maxWidth}, the free-text column (the last left-aligned one that is not the
     * status) is cut, ending in "..."; no other column ever is.
     */
    public static void table(List<Column> columns, List<Map<String, Object>> shown, PrintStream out, boolean color, int maxWidth) {
        int[] width = new int[columns.size()];
        for (int c = 0; c < columns.size(); c++) width[c] = columns.get(c).header().length();
        for (var r : shown) {
            for (int c = 0; c < columns.size(); c++) width[c] = Math.max(width[c], cell(columns.get(c).value().apply(r)).length());
        }
        int free = -1;
        for (int c = 0; c < columns.size(); c++) if (!columns.get(c).right() && !columns.get(c).key().equals("status")) free = c;
        int total = java.util.Arrays.stream(width).sum() + 2 * (columns.size() - 1);
        if (free >= 0 && total > maxWidth) width[free] = Math.max(Math.max(12, columns.get(free).header().length()), width[free] - (total - maxWidth));
        final int cut = free;
        StringBuilder head = new StringBuilder();
        for (int c = 0; c < columns.size(); c++) {
            appendPadded(head, columns.get(c).header().toUpperCase(Locale.ROOT), null, width[c], columns.get(c).right());
        }
        out.println(head.toString().stripTrailing());
        for (var r : shown) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns.size(); c++) {
                Column col = columns.get(c);
                String colour = !color || !col.key().equals("status") ? null
                        : isOk(r) ? "\033[32m" : "warn".equals(r.get("status")) ? "\033[33m" : "\033[31m";
                String text = cell(col.value().apply(r));
                if (c == cut && text.length() > width[c]) text = text.substring(0, width[c] - 3) + "...";
                appendPadded(line, text, colour, width[c], col.right());
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private static void appendPadded(StringBuilder sb, String text, String colour, int width, boolean right) {
        String pad = " ".repeat(Math.max(0, width - text.length()));
        String shown = colour == null ? text : colour + text + "\033[0m";
        sb.append(right ? pad + shown : shown + pad).append("  ");
    }

    /** A Markdown table of {@code rows} (no summary); failed statuses in bold. */
    public static void markdown(List<Column> columns, List<Map<String, Object>> shown, PrintStream out) {
        StringBuilder sb = new StringBuilder("|");
        for (Column c : columns) sb.append(' ').append(c.header()).append(" |");
        out.println(sb);
        sb = new StringBuilder("|");
        for (Column c : columns) sb.append(c.right() ? "---:|" : "---|");
        out.println(sb);
        for (var r : shown) {
            sb = new StringBuilder("|");
            for (Column c : columns) {
                String text = cell(c.value().apply(r)).replace("|", "\\|").replace("`", "\\`");
                if (c.key().equals("status") && !isOk(r)) text = "**" + text + "**";
                sb.append(' ').append(text).append(" |");
            }
            out.println(sb);
        }
    }

    /** {@code text} wrapped at word boundaries to {@code width} columns, each line starting with {@code indent}. */
    public static String wrap(String text, String indent, int width) {
        StringBuilder out = new StringBuilder(), line = new StringBuilder(indent);
        for (String word : text.split(" ")) {
            if (line.length() > indent.length() && line.length() + 1 + word.length() > width) {
                out.append(line).append('\n');
                line = new StringBuilder(indent);
            }
            if (line.length() > indent.length()) line.append(' ');
            line.append(word);
        }
        return out.append(line).toString();
    }

    /** {@code text} as a Markdown code span that keeps any backticks in it: `a`, ``a `b` c``. */
    public static String code(String text) {
        int longest = 0, run = 0;
        for (char ch : text.toCharArray()) { run = ch == '`' ? run + 1 : 0; longest = Math.max(longest, run); }
        String fence = "`".repeat(longest + 1);
        boolean pad = text.startsWith("`") || text.endsWith("`");
        return fence + (pad ? " " : "") + text + (pad ? " " : "") + fence;
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
