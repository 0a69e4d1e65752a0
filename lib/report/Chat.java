package report;

//SOURCES ../chat/Flavor.java ../chat/Markup.java Format.java

import chat.Markup;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The chat formats of every tool (--format slack, dingtalk, wecom; md stays GitHub-flavoured), in
 * one place: the tool's plain view (its aligned table or text blocks, no colour) as the chat shows
 * preformatted text, under a heading and the summary line. Everything goes through lib/chat's
 * {@link Markup} for that chat, the same rules alertrelay uses, so a host name, a command's output
 * or a server's answer cannot write &lt;!channel&gt;, @all, a link or bold text there:
 * <pre>
 *   slack     *heading*, summary, the view in a ``` code block (&amp; &lt; &gt; escaped, mentions broken)
 *   dingtalk  **heading**, summary, the view as quoted lines (look-alikes for &lt; &gt; [ ], blank line between)
 *   wecom     **heading**, summary, the view as quoted lines (look-alikes, no &lt;@userid&gt;)
 * </pre>
 */
public final class Chat {
    private Chat() {}

    /**
     * Writes a chat report: {@code heading} (our words with monitored parts, may be null),
     * {@code summary} (may be null) and what {@code view} prints, in {@code format}'s chat markup.
     */
    public static void print(Format format, String heading, String summary, Consumer<PrintStream> view, PrintStream out) {
        Markup m = format.flavor().markup();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream p = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            view.accept(p);
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder();
        if (heading != null) sb.append(m.bold(m.text(heading))).append(m.newline());
        if (summary != null) sb.append(m.text(summary)).append(m.newline());
        if (!text.isBlank()) sb.append(m.codeBlock(text));
        String s = sb.toString();
        out.print(s.endsWith("\n") ? s : s + "\n");
        out.flush();
    }
}
