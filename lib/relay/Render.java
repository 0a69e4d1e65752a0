package relay;

//SOURCES ../chat/Flavor.java ../chat/Markup.java ../chat/Message.java Notification.java

import chat.Flavor;
import chat.Markup;
import chat.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Groups as a chat shows them, in the way Alertmanager's default templates read:
 * <pre>
 *   [FIRING:2] HighLoad (job="node" severity="page")
 *   - FIRING load is 12 on web1 · instance="web1:9100"
 *     description … · since 2026-12-02T18:01:02Z · source
 * </pre>
 * Several groups queued while a robot was rate-limited or down go out in one post, each group with
 * its own heading; a post that would be too long for the chat is split ({@link Message#split}),
 * so every alert is shown. Everything from the alerts is escaped for the chat ({@link Markup#text}).
 */
public final class Render {
    private Render() {}

    /** Whether {@code u} is an http(s) URL with no whitespace: the regex https?://\\S+, without a matcher per alert. */
    static boolean httpUrl(String u) {
        int from = u.startsWith("http://") ? 7 : u.startsWith("https://") ? 8 : -1;
        if (from < 0 || u.length() == from) return false;
        for (int i = from; i < u.length(); i++) {
            char c = u.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r') return false;
        }
        return true;
    }

    /** A post's title line (plain words; the chat escapes it where a title is a separate field). */
    public static String title(List<Notification> groups) {
        if (groups.size() == 1) return groupTitle(groups.get(0));
        long firing = groups.stream().mapToLong(Notification::firingCount).sum();
        long all = groups.stream().mapToLong(g -> g.alerts().size()).sum();
        return "[alertrelay] " + groups.size() + " groups: " + firing + " firing, " + (all - firing) + " resolved";
    }

    static String groupTitle(Notification g) {
        long firing = g.firingCount();
        String state = firing > 0 ? "FIRING:" + firing : "RESOLVED";
        Map<String, String> gl = new TreeMap<>(g.groupLabels() == null ? Map.of() : g.groupLabels());
        String name = gl.remove("alertname");
        if (name == null && g.commonLabels() != null) name = g.commonLabels().get("alertname");
        StringBuilder sb = new StringBuilder("[").append(state).append("] ").append(name == null ? "alerts" : name);
        if (!gl.isEmpty()) sb.append(" (").append(labels(gl)).append(')');
        return sb.toString();
    }

    /** The posts for {@code groups} in {@code flavor}: the title first, then one block per alert. */
    public static List<String> posts(Flavor flavor, List<Notification> groups, int maxBytes) {
        Markup m = flavor.markup();
        String title = title(groups);
        List<String> blocks = new ArrayList<>();
        for (Notification g : groups) {
            if (groups.size() > 1) blocks.add(m.heading(m.text(groupTitle(g))));
            for (Notification.Alert a : g.alerts()) blocks.add(alert(m, g, a));
            if (g.truncatedAlerts() != null && g.truncatedAlerts() > 0) {
                blocks.add(m.text("(Alertmanager left out " + g.truncatedAlerts() + " more alerts of this group: its max_alerts)"));
            }
        }
        return Message.split(m, m.heading(m.text(title)), blocks, maxBytes);
    }

    static String alert(Markup m, Notification g, Notification.Alert a) {
        Map<String, String> own = new TreeMap<>(a.labels());
        if (g.commonLabels() != null && g.alerts().size() > 1) g.commonLabels().keySet().forEach(own::remove);
        if (g.groupLabels() != null) g.groupLabels().keySet().forEach(own::remove);
        String summary = a.annotation("summary");
        if (summary == null) summary = a.label("alertname");
        StringBuilder line = new StringBuilder(m.bold(a.firing() ? "FIRING" : "RESOLVED"));
        if (summary != null) line.append(' ').append(m.text(Markup.oneLine(summary)));
        if (!own.isEmpty()) line.append(" · ").append(m.code(labels(own)));
        StringBuilder block = new StringBuilder(m.bullet(line.toString()));
        String description = a.annotation("description");
        List<String> more = new ArrayList<>();
        if (description != null && !description.isBlank()) more.add(m.text(Markup.oneLine(description)));
        if (a.startsAt() != null && !a.startsAt().startsWith("0001-")) more.add(m.text((a.firing() ? "since " : "started ") + a.startsAt()));
        if (!a.firing() && a.endsAt() != null && !a.endsAt().startsWith("0001-")) more.add(m.text("ended " + a.endsAt()));
        if (a.generatorURL() != null && httpUrl(a.generatorURL())) more.add(m.link(a.generatorURL(), "source"));
        if (!more.isEmpty()) block.append(m.newline()).append("  ").append(String.join(" · ", more));
        return block.toString();
    }

    static String labels(Map<String, String> labels) {
        StringBuilder sb = new StringBuilder();
        labels.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : " ").append(k).append("=\"").append(v).append('"'));
        return sb.toString();
    }
}
