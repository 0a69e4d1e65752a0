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
    private static final java.util.regex.Pattern INLINE = java.util.regex.Pattern.compile("([*_`~])");
    private static final java.util.regex.Pattern LEADING = java.util.regex.Pattern.compile("(?m)^([#>\\-+])");

    @Override public String text(String s) {
        String t = s.replace("<", "＜").replace(">", "＞").replace("[", "［").replace("]", "］");
        t = INLINE.matcher(t).replaceAll("$1" + Mentions.ZWSP);
        t = LEADING.matcher(t).replaceAll(Mentions.ZWSP + "$1");
        return Mentions.breakAll(t);
    }

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
