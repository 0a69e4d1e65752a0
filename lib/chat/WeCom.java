package chat;

//SOURCES Markup.java Mentions.java

/**
 * WeCom (企业微信) group robot markdown: a subset (headings, bold, links, quotes, inline code,
 * &lt;font color="info|comment|warning"&gt;) where &lt;@userid&gt; mentions a member; no documented
 * escape. Monitored text gets look-alikes for &lt; &gt; [ ] (no tags, mentions or links) and a
 * zero-width space after * _ ` and a leading # or &gt;. Its limit is 4,096 bytes of content.
 */
final class WeCom extends Markup {
    @Override public String text(String s) {
        String t = s.replace("<", "＜").replace(">", "＞").replace("[", "［").replace("]", "］")
                .replaceAll("([*_`~])", "$1" + Mentions.ZWSP).replaceAll("(?m)^([#>\\-+])", Mentions.ZWSP + "$1");
        return Mentions.breakChannel(t);
    }

    @Override public String code(String s) { return "`" + text(oneLine(s)).replace("`", "'") + "`"; }

    /** WeCom markdown has no code blocks: each line quoted. */
    @Override public String codeBlock(String s) {
        StringBuilder sb = new StringBuilder();
        for (String line : s.split("\n", -1)) if (!line.isEmpty()) sb.append("> ").append(text(line)).append('\n');
        return sb.toString();
    }

    @Override public String bullet(String markup) { return "> " + markup; }

    /** A colour the WeCom client knows: info (green), comment (grey), warning (orange-red). */
    public static String font(String color, String markup) { return "<font color=\"" + color + "\">" + markup + "</font>"; }

    @Override public int maxBytes() { return 4_000; }
}
