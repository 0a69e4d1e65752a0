package report;

//SOURCES Column.java Report.java

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Rows as an aligned table for the terminal, or as a Markdown table for a chat; and text helpers for both. */
public final class Table {
    private Table() {}

    public static String cell(Object v) {
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
                        : Report.isOk(r) ? "\033[32m" : "warn".equals(r.get("status")) ? "\033[33m" : "\033[31m";
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
                if (c.key().equals("status") && !Report.isOk(r)) text = "**" + text + "**";
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
}
