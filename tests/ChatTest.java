import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.Flavor;
import chat.Markup;
import chat.Message;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import netconf.Views;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import report.Column;
import report.Format;
import report.Report;

/** lib/chat: each chat's markup, and monitored text that tries to mention everyone or inject markup. */
class ChatTest {
    @TempDir Path tmp;
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

    // ---- every tool's --format slack|dingtalk|wecom (lib/report/Chat) ----

    /** What is live in a chat's text: no channel mention, Slack control sequence, tag, link or bold from monitored text. */
    static void assertInert(Format f, String out) {
        assertFalse(out.contains("<!channel>"), f + ": " + out);
        assertFalse(out.contains("<@U123>"), f + ": " + out);
        assertFalse(out.contains("<at "), f + ": " + out);
        assertFalse(out.contains("<font"), f + ": " + out);
        assertFalse(java.util.regex.Pattern.compile("@(all|here)\\b").matcher(out).find(), f + ": " + out);
        String outsideCode = out.replaceAll("(?s)```.*?```", "");     // Slack renders no markup inside a code block
        assertFalse(outsideCode.contains("](https://evil"), f + ": " + out);
        assertFalse(outsideCode.contains("*bold*"), f + ": " + out);
    }

    @Test void rowReportsInEachChatEscapeHostNamesAndOutput() {
        Report r = new Report("probe", "targets", List.of(Column.left("target", "target"), Column.left("status", "status"), Column.left("detail", "detail")));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("target", "<!channel>.example:22");
        row.put("status", "refused");
        row.put("detail", EVIL);
        r.add(row).elapsedMs(1200);
        Map<Format, String> out = new LinkedHashMap<>();
        for (Format f : List.of(Format.md, Format.slack, Format.dingtalk, Format.wecom)) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            r.render(f, r.rows(), new PrintStream(b, true, StandardCharsets.UTF_8), System.err);
            out.put(f, b.toString(StandardCharsets.UTF_8));
        }
        assertTrue(out.get(Format.md).contains("| target | status | detail |"), "md stays a GitHub table: " + out.get(Format.md));
        for (Format f : List.of(Format.slack, Format.dingtalk, Format.wecom)) {
            assertInert(f, out.get(f));
            assertTrue(out.get(f).startsWith("probe: 1 target, 0 ok, 1 failed (1 refused) in 1.2s"), f + ": " + out.get(f));
        }
        for (Format f : List.of(Format.slack, Format.dingtalk, Format.wecom)) Golden.ofText(out.get(f)).check("report.hostile." + f);
        String slack = out.get(Format.slack);
        assertTrue(slack.contains("```\nTARGET") && slack.contains("&lt;!channel&gt;.example:22") && slack.contains("@\u200Ball"), slack);
        String dt = out.get(Format.dingtalk);
        assertTrue(dt.contains("> ＜!channel＞.example:22") && dt.contains("［click］") && dt.contains("\n\n> "), "DingTalk: quoted lines, look-alikes, blank line between: " + dt);
        assertFalse(dt.contains("```"), "DingTalk shows no code blocks: " + dt);
        String wc = out.get(Format.wecom);
        assertTrue(wc.contains("> ＜!channel＞.example:22") && wc.contains("＜@U123＞"), "WeCom: quoted lines, no <@userid>: " + wc);
    }

    @Test void netconfsChatFormatsEscapeADevicesAnswer() {
        var ok = Views.row("r1.example", "127.0.0.1:830", "ok", null);
        ok.put("data", "<data><description>" + EVIL + "</description></data>");
        var failed = Views.row("<!channel>.example", "127.0.0.2:830", "rpc-error", EVIL);
        for (Format f : List.of(Format.slack, Format.dingtalk, Format.wecom)) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            new Views("get-config", f, false, false, new PrintStream(b, true, StandardCharsets.UTF_8)).render(List.of(ok, failed), 1200, 64);
            String out = b.toString(StandardCharsets.UTF_8);
            assertInert(f, out);
            assertTrue(out.startsWith("netconf: 2 devices, 1 ok, 1 failed (1 rpc-error) in 1.2s"), f + ": the summary on top: " + out);
            assertEquals(1, out.split("netconf: 2 devices", -1).length - 1, f + ": the summary once: " + out);
            assertTrue(out.contains("r1.example") && out.contains("description"), f + ": each device's data: " + out);
            Golden.ofText(out).check("netconf.hostile." + f);
        }
    }

    @Test void inspectsChatFormatsEscapeACommandsOutput() throws Exception {
        Path plan = Files.writeString(tmp.resolve("hostile.yaml"), "checks:\n  - {kind: command, name: hostile, run: \"echo '"
                + "<!channel> @all <@U123> [x](https://evil.example) *bold*'; exit 3\"}\n");
        for (Format f : List.of(Format.slack, Format.dingtalk, Format.wecom)) {
            var r = ScriptRun.run(inspect::main, "--format", f.name(), plan.toString());
            assertEquals(1, r.exit(), f + ": " + r);
            assertInert(f, r.out());
            assertTrue(r.out().contains("hostile") && r.out().contains("inspect: 1 check"), f + ": " + r.out());
            Golden.of(r).times().regex("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC", "<time>").regex("inspection: \\S+,", "inspection: <host>,")
                    .regex(" on \\S+: ", " on <host>: ").check("inspect.hostile." + f);
        }
        var md = ScriptRun.run(inspect::main, "--format", "md", plan.toString());
        assertTrue(md.out().contains("| status | check |"), "md stays GitHub-flavoured: " + md.out());
    }
}
