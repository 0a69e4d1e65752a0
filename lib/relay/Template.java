package relay;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES Notification.java

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import java.util.Map;

/**
 * The json receiver's body: the template from the config (any JSON shape) with placeholders in its
 * strings filled in: {{title}}, {{text}}, {{status}}, {{count}}, {{receiver}}; a string that is
 * exactly "{{alerts}}" becomes the list of alerts (status, labels, annotations, startsAt, endsAt,
 * generatorURL, fingerprint). Values are JSON-escaped by construction, never spliced as text.
 */
public final class Template {
    private Template() {}

    public static final String DEFAULT = "{\"receiver\":\"{{receiver}}\",\"status\":\"{{status}}\",\"title\":\"{{title}}\",\"text\":\"{{text}}\",\"alerts\":\"{{alerts}}\"}";

    private static final java.util.regex.Pattern PLACEHOLDER = java.util.regex.Pattern.compile("\\{\\{\\s*([a-z]+)\\s*}}");

    public static JsonNode fill(JsonNode template, String title, String text, String status, List<Notification.Alert> alerts, String receiver) {
        Map<String, String> vars = Map.of("title", title, "text", text, "status", status, "count", String.valueOf(alerts.size()), "receiver", receiver);
        return walk(template, vars, alerts);
    }

    private static JsonNode walk(JsonNode n, Map<String, String> vars, List<Notification.Alert> alerts) {
        if (n.isTextual()) {
            String s = n.asText();
            if (s.equals("{{alerts}}")) return Notification.JSON.valueToTree(alerts);
            // one pass, so a placeholder inside an alert's own text is left as it is
            return TextNode.valueOf(PLACEHOLDER.matcher(s).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(vars.getOrDefault(m.group(1), m.group()))));
        }
        if (n.isObject()) {
            ObjectNode o = Notification.JSON.createObjectNode();
            n.properties().forEach(e -> o.set(e.getKey(), walk(e.getValue(), vars, alerts)));
            return o;
        }
        if (n.isArray()) {
            ArrayNode a = Notification.JSON.createArrayNode();
            n.forEach(x -> a.add(walk(x, vars, alerts)));
            return a;
        }
        return n;
    }

    /** A placeholder that is not one of ours, or null: checked when the config is read. */
    public static String unknownPlaceholder(JsonNode n) {
        if (n.isTextual()) {
            var m = java.util.regex.Pattern.compile("\\{\\{\\s*([^}]*?)\\s*}}").matcher(n.asText());
            while (m.find()) if (!List.of("title", "text", "status", "count", "receiver", "alerts").contains(m.group(1))) return m.group();
            return null;
        }
        for (JsonNode c : n) {
            String u = unknownPlaceholder(c);
            if (u != null) return u;
        }
        return null;
    }
}
