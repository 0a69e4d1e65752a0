package chat;

//SOURCES Markup.java Mentions.java

/**
 * Slack mrkdwn. Slack's documented escaping is three HTML entities (&amp; &lt; &gt;): with them no
 * &lt;!channel&gt;, &lt;@U123&gt; or &lt;https://x|label&gt; in monitored text is a control sequence.
 * mrkdwn has no escape for *_~` (Slack says so): they are broken with a zero-width space so a
 * label cannot turn the rest of a message bold. Bold is one asterisk; no tables, no headings.
 */
final class Slack extends Markup {
    @Override public String text(String s) {
        // &amp; &lt; &gt;; "](" as "] (" (no markdown link either: some Slack clients render one);
        // a zero-width space after each of *_~` ; and mentions broken (Mentions.breakAll), in one pass
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case ']' -> sb.append(i + 1 < s.length() && s.charAt(i + 1) == '(' ? "] " : "]");
                case '*', '_', '~', '`' -> sb.append(c).append(Mentions.ZWSP);
                case '@' -> Mentions.at(sb, s, i);
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    @Override public String bold(String markup) { return "*" + markup + "*"; }

    @Override public String code(String s) { return "`" + Mentions.breakAll(esc(oneLine(s)).replace("`", "'")) + "`"; }

    @Override public String codeBlock(String s) { return super.codeBlock(esc(s)); }

    @Override public String link(String url, String label) { return "<" + url.replace("|", "%7C").replace(">", "%3E") + "|" + label + ">"; }

    @Override public String heading(String markup) { return bold(markup); }

    @Override public String bullet(String markup) { return "• " + markup; }

    /** Slack keeps 40,000 characters of a message's text and cuts the rest. */
    @Override public int maxBytes() { return 39_000; }

    private static String esc(String s) { return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"); }
}
