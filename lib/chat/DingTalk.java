package chat;

//SOURCES Markup.java Mentions.java

/**
 * DingTalk's robot markdown: a subset (headings, bold, links, images, lists, quotes) plus a little
 * HTML such as &lt;font&gt;, and no documented escape. So the characters that would start markup in
 * monitored text are replaced by look-alikes (＜＞ for HTML, ［］ for links and images, a
 * zero-width space after a leading # &gt; - and around * _ `), and mentions are broken (a robot
 * message notifies through its "at" field, which we never fill, but the text should not even read
 * as one). A line break needs two newlines in DingTalk's renderer.
 */
final class DingTalk extends Markup {

    @Override public String text(String s) {
        // ＜＞［］ for <>[]; a zero-width space after each of *_`~ and before a # - + that starts a
        // line; and mentions broken (Mentions.breakAll), in one pass
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append('＜');
                case '>' -> sb.append('＞');
                case '[' -> sb.append('［');
                case ']' -> sb.append('］');
                case '*', '_', '`', '~' -> sb.append(c).append(Mentions.ZWSP);
                case '#', '-', '+' -> {
                    if (i == 0 || lineEnd(s.charAt(i - 1))) sb.append(Mentions.ZWSP);
                    sb.append(c);
                }
                case '@' -> Mentions.at(sb, s, i);
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The line terminators after which a MULTILINE ^ matches. */
    private static boolean lineEnd(char c) { return c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029'; }

    @Override public String newline() { return "\n\n"; }

    @Override public String code(String s) { return "`" + text(oneLine(s)).replace("`", "'") + "`"; }

    /** DingTalk shows no code blocks: each line as a quote, escaped. */
    @Override public String codeBlock(String s) {
        StringBuilder sb = new StringBuilder();
        for (String line : s.split("\n", -1)) if (!line.isEmpty()) sb.append("> ").append(text(line)).append("\n\n");
        return sb.toString();
    }

    /** The robot API takes a markdown text of up to 20,000 bytes. */
    @Override public int maxBytes() { return 19_000; }
}
