package chat;

//SOURCES Markup.java Mentions.java

/**
 * Feishu/Lark message card "lark_md": Markdown with &lt;at id=all&gt;&lt;/at&gt; mentions and
 * &lt;font&gt; tags, where Feishu documents HTML entities as the escape (&amp;lt; &amp;gt; &amp;amp;),
 * and backslash-free emphasis. Monitored text gets the entities, look-alike brackets for links and
 * a zero-width space after * _ ~ `. A custom robot's request may be at most 20 KB.
 */
final class Feishu extends Markup {
    @Override public String text(String s) {
        String t = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("[", "［").replace("]", "］")
                .replaceAll("([*_`~])", "$1" + Mentions.ZWSP);
        return Mentions.breakChannel(t);
    }

    @Override public String code(String s) { return "`" + text(oneLine(s)).replace("`", "'") + "`"; }

    @Override public String codeBlock(String s) {
        return super.codeBlock(s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"));
    }

    @Override public String heading(String markup) { return bold(markup); }

    @Override public int maxBytes() { return 18_000; }
}
