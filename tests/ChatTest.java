import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.Flavor;
import chat.Markup;
import chat.Message;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** lib/chat: each chat's markup, and monitored text that tries to mention everyone or inject markup. */
class ChatTest {
    static final String EVIL = "<!channel> @all @here <@U123> <at user_id=\"all\"></at> [click](https://evil.example) *bold* `x` & <font color=red>";

    @Test void noFlavourLetsAChannelMentionOrTagThrough() {
        for (Flavor f : Flavor.values()) {
            // CommonMark shows a backslash-escaped character as itself: drop those to see what is live
            String t = f.markup().text(EVIL).replaceAll("\\\\.", "");
            assertFalse(t.contains("<!channel>"), f + ": " + t);
            assertFalse(t.matches("(?s).*@(all|here)\\b.*"), f + ": " + t);
            assertFalse(t.contains("<@U123>"), f + ": " + t);
            assertFalse(t.contains("<at "), f + ": " + t);
            assertFalse(t.contains("<font"), f + ": " + t);
            if (f != Flavor.plain) assertFalse(t.contains("](https://"), f + ": " + t);   // plain text has no links
        }
    }

    @Test void slackUsesItsDocumentedEntities() {
        Markup s = Flavor.slack.markup();
        assertEquals("a &lt;b&gt; &amp; c", s.text("a <b> & c"));
        assertEquals("*x*", s.bold("x"));
        assertEquals("<https://am.example/#/alerts|Alertmanager>", s.link("https://am.example/#/alerts", "Alertmanager"));
        assertTrue(s.table(List.of("h"), List.of(List.of("v"))).startsWith("```\n"), "no tables in Slack");
    }

    @Test void markdownBackslashEscapesAndKeepsTables() {
        Markup m = Flavor.md.markup();
        assertEquals("\\*x\\* \\[a\\]\\(b\\)", m.text("*x* [a](b)"));
        assertEquals("| a |\n|---|\n| x\\|y |\n", m.table(List.of("a"), List.of(List.of("x|y"))));
    }

    @Test void dingtalkNeedsTwoNewlinesAndLookAlikes() {
        Markup d = Flavor.dingtalk.markup();
        assertEquals("\n\n", d.newline());
        assertEquals("＜b＞ ［x］", d.text("<b> [x]"));
    }

    @Test void aLongMessageIsSplitIntoPostsUnderTheLimitAndLosesNoBlock() {
        Markup w = Flavor.wecom.markup();
        List<String> blocks = new ArrayList<>();
        for (int i = 0; i < 200; i++) blocks.add("> alert " + i + " " + "x".repeat(60));
        List<String> posts = Message.split(w, "**[FIRING:200] Disk**", blocks);
        assertTrue(posts.size() > 1);
        int seen = 0;
        for (String p : posts) {
            assertTrue(Markup.bytes(p) <= w.maxBytes(), p.length() + "");
            assertTrue(p.startsWith("**[FIRING:200] Disk** ("), p);
            seen += p.split("> alert ", -1).length - 1;
        }
        assertEquals(200, seen);
        assertEquals(List.of("t\nb"), Message.split(w, "t", List.of("b")));
        assertTrue(Message.split(w, "t", List.of("é".repeat(5000))).get(0).endsWith("… (cut)"));
    }
}
