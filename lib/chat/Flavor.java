package chat;

//SOURCES Markup.java Message.java Slack.java Markdown.java DingTalk.java WeCom.java Feishu.java Plain.java

import java.util.Locale;

/**
 * The chats we write for, by the name a user types (`--format dingtalk`, `kind: wecom`). Each gives
 * its {@link Markup}: how to write bold, code, links and tables there, how to escape monitored
 * text, and how long a message may be.
 *
 * <pre>
 *   md          GitHub-flavoured Markdown (tables, backslash escapes)
 *   mattermost  the same Markdown, with Mattermost's 16,383-character post limit
 *   slack       Slack mrkdwn: *bold*, &lt;url|label&gt;, no tables (a code block instead)
 *   dingtalk    DingTalk robot markdown subset, no tables
 *   wecom       WeCom robot markdown subset, no tables, 4,096 bytes
 *   feishu      Feishu/Lark card lark_md
 *   plain       no markup (Feishu text messages, generic JSON)
 * </pre>
 */
public enum Flavor {
    md(new Markdown(60_000)), mattermost(new Markdown(16_000)), slack(new Slack()), dingtalk(new DingTalk()),
    wecom(new WeCom()), feishu(new Feishu()), plain(new Plain());

    private final Markup markup;

    Flavor(Markup markup) { this.markup = markup; }

    public Markup markup() { return markup; }

    /** The flavour named {@code name} (case-insensitive), or null. */
    public static Flavor named(String name) {
        for (Flavor f : values()) if (f.name().equals(name.toLowerCase(Locale.ROOT))) return f;
        return null;
    }
}
