package chat;

//SOURCES Mentions.java

import java.util.List;

/**
 * How one chat writes rich text, and how text we did not write (alert labels, a command's output,
 * a server's answer) is made inert there. Every method that takes monitored text escapes it; a
 * method's result is markup, safe to concatenate. Get one from {@link Flavor#markup()}.
 *
 * <pre>
 *   Markup m = Flavor.slack.markup();
 *   String line = m.bold(m.text(alertname)) + " on " + m.code(instance);
 *   String block = m.table(List.of("host", "status"), rows);   // a code block where the chat has no tables
 * </pre>
 *
 * What each chat's escaping rests on is said in its class: Slack's and Feishu cards' documented
 * HTML entities, CommonMark's backslash escapes for GitHub/Mattermost, and, for the markdown
 * subsets of DingTalk and WeCom that document no escape at all, look-alike characters for the few
 * that would start markup. Mentions that notify a whole channel (@all, @channel, @here, @everyone,
 * Slack's &lt;!channel&gt;, WeCom's &lt;@userid&gt;, Feishu's &lt;at&gt;) never survive {@link #text}.
 */
public abstract class Markup {
    /** Monitored text as it should read, inert: no markup, link, mention or HTML survives. */
    public abstract String text(String monitored);

    /** Bold {@code markup} (already escaped or our own words). */
    public String bold(String markup) { return "**" + markup + "**"; }

    /** Monitored text in an inline code span. */
    public String code(String monitored) {
        String s = oneLine(monitored).replace("`", "'");
        return "`" + Mentions.breakAll(s) + "`";
    }

    /** Monitored text (several lines) in a fenced code block, ending with a newline. */
    public String codeBlock(String monitored) {
        return "```\n" + Mentions.breakAll(monitored.replace("```", "`\u200B``")) + (monitored.endsWith("\n") ? "" : "\n") + "```\n";
    }

    /** A link to {@code url} (ours: Alertmanager's, Prometheus's), shown as {@code label} (markup). */
    public String link(String url, String label) { return "[" + label + "](" + url.replace(")", "%29").replace(" ", "%20") + ")"; }

    /** A heading line (no newline): markup as a title. */
    public String heading(String markup) { return "### " + markup; }

    /** One list item (no newline). */
    public String bullet(String markup) { return "- " + markup; }

    /** What goes between two lines so the chat shows a line break. */
    public String newline() { return "\n"; }

    /** Whether the chat renders Markdown tables. */
    public boolean tables() { return false; }

    /**
     * Rows of monitored text under a header: a Markdown table where the chat renders one, else the
     * same columns aligned in a code block (Slack, DingTalk, WeCom and Feishu show no tables).
     */
    public String table(List<String> header, List<List<String>> rows) {
        if (tables()) {
            StringBuilder sb = new StringBuilder();
            sb.append('|');
            header.forEach(h -> sb.append(' ').append(cell(h)).append(" |"));
            sb.append("\n|");
            header.forEach(h -> sb.append("---|"));
            sb.append('\n');
            for (List<String> r : rows) {
                sb.append('|');
                r.forEach(c -> sb.append(' ').append(cell(c)).append(" |"));
                sb.append('\n');
            }
            return sb.toString();
        }
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) w[i] = header.get(i).length();
        for (List<String> r : rows) for (int i = 0; i < w.length && i < r.size(); i++) w[i] = Math.max(w[i], oneLine(r.get(i)).length());
        StringBuilder sb = new StringBuilder();
        appendAligned(sb, header, w);
        rows.forEach(r -> appendAligned(sb, r, w));
        return codeBlock(sb.toString());
    }

    /** The largest message, in UTF-8 bytes, the chat takes (its robot rejects or cuts longer ones). */
    public abstract int maxBytes();

    /** A table cell: monitored text on one line, with the column separator escaped. */
    protected String cell(String monitored) { return text(oneLine(monitored)).replaceAll("(?<!\\\\)\\|", "\\\\|"); }

    public static String oneLine(String s) { return s.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' '); }

    public static int bytes(String s) {
        int n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {          // what getBytes(UTF_8).length says, without the copy
            char c = s.charAt(i);
            if (c < 0x80) n++;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) { n += 4; i++; }
            else if (Character.isSurrogate(c)) n++;                   // a lone surrogate is written as '?'
            else n += 3;
        }
        return n;
    }

    /** {@code s} cut to at most {@code max} UTF-8 bytes (never inside a character or a surrogate pair), with "…" when cut. */
    public static String cut(String s, int max) {
        if (bytes(s) <= max) return s;
        int budget = max - 3, used = 0, i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (used + n > budget) break;
            used += n;
            i += Character.charCount(cp);
        }
        return s.substring(0, i) + "…";
    }

    private static void appendAligned(StringBuilder sb, List<String> cells, int[] w) {
        for (int i = 0; i < w.length; i++) {
            String c = i < cells.size() ? oneLine(cells.get(i)) : "";
            sb.append(c);
            if (i < w.length - 1) sb.append(" ".repeat(w[i] - c.length() + 2));
        }
        sb.append('\n');
    }
}
