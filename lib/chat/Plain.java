package chat;

//SOURCES Markup.java Mentions.java

/**
 * Plain text: Feishu/Lark "text" messages (where &lt;at user_id="all"&gt; in the text mentions everyone,
 * so &lt; and &gt; become look-alikes) and generic JSON receivers. No markup at all.
 */
final class Plain extends Markup {
    @Override public String text(String s) { return Mentions.breakChannel(s.replace("<", "＜").replace(">", "＞")); }

    @Override public String bold(String markup) { return markup; }

    @Override public String code(String s) { return text(oneLine(s)); }

    @Override public String codeBlock(String s) { return text(s) + (s.endsWith("\n") ? "" : "\n"); }

    @Override public String link(String url, String label) { return label + " " + url; }

    @Override public String heading(String markup) { return markup; }

    @Override public String bullet(String markup) { return "• " + markup; }

    @Override public int maxBytes() { return 18_000; }
}
