package relay;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES ../chat/Flavor.java Notification.java Rate.java Sign.java Template.java

import chat.Flavor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * One receiver: the chat's payload for a post, how the request is signed, and what its answer
 * means. Each kind follows its robot's documentation:
 * <pre>
 *   slack       {"text": mrkdwn}                                      200 "ok"
 *   mattermost  {"text": markdown}                                    200
 *   dingtalk    {"msgtype":"markdown","markdown":{"title","text"}}    URL + &timestamp=MS&sign=HMAC; {"errcode":0}
 *   wecom       {"msgtype":"markdown","markdown":{"content"}}         {"errcode":0}
 *   feishu      {"msg_type":"text","content":{"text"}} or "interactive" with a card; "timestamp","sign" in the body; {"code":0}
 *   json        the receiver's template with {{title}}, {{text}}, {{status}}, {{alerts}} filled in
 * </pre>
 * A robot that answers 200 with an error code is not a delivery: rate-limit codes are retried,
 * others (bad signature, bad payload) are rejections.
 */
public final class Robot {
    public enum Kind {
        slack(Flavor.slack, "1/1s"), mattermost(Flavor.mattermost, "10/1s"), dingtalk(Flavor.dingtalk, "20/1m"),
        wecom(Flavor.wecom, "20/1m"), feishu(Flavor.feishu, "100/1m"), json(Flavor.plain, "50/1s");

        final Flavor flavor;
        public final String defaultRate;

        Kind(Flavor flavor, String defaultRate) {
            this.flavor = flavor;
            this.defaultRate = defaultRate;
        }
    }

    /** What a post's answer means. */
    public enum Verdict { DELIVERED, RETRY, REJECTED }

    public record Outcome(Verdict verdict, String why, Duration retryAfter) {
        static Outcome ok() { return new Outcome(Verdict.DELIVERED, "ok", null); }
        static Outcome retry(String why, Duration after) { return new Outcome(Verdict.RETRY, why, after); }
        static Outcome rejected(String why) { return new Outcome(Verdict.REJECTED, why, null); }
    }

    public final String name;
    public final Kind kind;
    private final URI url;
    private final byte[] secret;          // null: the robot has no signing secret
    public final Rate rate;
    public final boolean card;            // feishu: an interactive card rather than text
    public final boolean sendResolved;
    private final JsonNode template;
    public final Duration timeout;

    public Robot(String name, Kind kind, URI url, byte[] secret, Rate rate, boolean card, boolean sendResolved, JsonNode template, Duration timeout) {
        this.name = name;
        this.kind = kind;
        this.url = url;
        this.secret = secret;
        this.rate = rate;
        this.card = card;
        this.sendResolved = sendResolved;
        this.template = template;
        this.timeout = timeout;
    }

    public Flavor flavor() { return kind == Kind.feishu && !card ? Flavor.plain : kind.flavor; }

    /** Where posts go, safe to log: scheme, host and port (a robot's path and query hold its token). */
    public String where() { return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()); }

    /** The request for one post: {@code title} and {@code text} in the chat's markup; {@code alerts} for the json kind. */
    public HttpRequest request(String title, String text, String status, List<Notification.Alert> alerts, long nowMs) {
        ObjectNode body = Notification.JSON.createObjectNode();
        URI target = url;
        switch (kind) {
            case slack, mattermost -> body.put("text", text);
            case dingtalk -> {
                body.put("msgtype", "markdown");
                body.putObject("markdown").put("title", title).put("text", text);
                body.putObject("at").put("isAtAll", false);
                if (secret != null) {
                    String q = "timestamp=" + nowMs + "&sign=" + Sign.dingtalk(secret, nowMs);
                    target = URI.create(url + (url.getRawQuery() == null ? "?" : "&") + q);
                }
            }
            case wecom -> {
                body.put("msgtype", "markdown");
                body.putObject("markdown").put("content", text);
            }
            case feishu -> {
                if (secret != null) {
                    long seconds = nowMs / 1000;
                    body.put("timestamp", String.valueOf(seconds));
                    body.put("sign", Sign.feishu(secret, seconds));
                }
                if (card) {
                    body.put("msg_type", "interactive");
                    ObjectNode c = body.putObject("card");
                    c.putObject("config").put("wide_screen_mode", true);
                    ObjectNode header = c.putObject("header");
                    header.put("template", "resolved".equals(status) ? "green" : "red");
                    header.putObject("title").put("tag", "plain_text").put("content", title);
                    c.putArray("elements").addObject().put("tag", "div").putObject("text").put("tag", "lark_md").put("content", text);
                } else {
                    body.put("msg_type", "text");
                    body.putObject("content").put("text", text);
                }
            }
            case json -> {
                return post(url, json(Template.fill(template, title, text, status, alerts, name)));
            }
        }
        return post(target, json(body));
    }

    /** The payload as UTF-8 JSON, written straight to bytes (no String of it, no second encoding). */
    private static byte[] json(JsonNode body) {
        try {
            return Notification.JSON.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);             // a tree of our own making always writes
        }
    }

    private HttpRequest post(URI to, byte[] json) {
        return HttpRequest.newBuilder(to).timeout(timeout).header("Content-Type", "application/json; charset=utf-8")
                .header("User-Agent", "ops-alertrelay/0.1").POST(HttpRequest.BodyPublishers.ofByteArray(json)).build();
    }

    /** What the robot's answer means: delivered, worth retrying (429, 5xx, its rate-limit codes), or rejected. */
    public Outcome judge(int status, String body, String retryAfterHeader) {
        if (status == 429 || status == 408 || status >= 500) {
            return Outcome.retry("HTTP " + status, retryAfter(retryAfterHeader));
        }
        if (status < 200 || status > 299) return Outcome.rejected("HTTP " + status + brief(body));
        if (kind == Kind.dingtalk || kind == Kind.wecom || kind == Kind.feishu) {
            JsonNode j;
            try {
                j = Notification.JSON.readTree(body == null || body.isBlank() ? "{}" : body);
            } catch (java.io.IOException e) {
                return Outcome.rejected("HTTP " + status + " and not JSON" + brief(body));
            }
            String field = kind == Kind.feishu ? (j.has("code") ? "code" : "StatusCode") : "errcode";
            int code = j.path(field).asInt(0);
            if (code == 0) return Outcome.ok();
            String msg = j.path(kind == Kind.feishu ? "msg" : "errmsg").asText("");
            // DingTalk 130101 "send too fast", WeCom 45009 "api freq out of limit", Feishu 9499/11232 frequency limits
            if (code == 130101 || code == 45009 || code == 9499 || code == 11232) return Outcome.retry(field + " " + code + " " + msg, Duration.ofSeconds(60));
            return Outcome.rejected(field + " " + code + (msg.isEmpty() ? "" : " " + msg));
        }
        return Outcome.ok();
    }

    static Duration retryAfter(String header) {
        if (header == null) return null;
        try {
            long s = Long.parseLong(header.trim());
            return Duration.ofSeconds(Math.max(0, Math.min(s, 600)));
        } catch (NumberFormatException e) {
            return null;        // an HTTP date: our own backoff is close enough
        }
    }

    private static String brief(String body) {
        if (body == null || body.isBlank()) return "";
        String b = body.strip().replaceAll("\\s+", " ");
        return ": " + (b.length() > 120 ? b.substring(0, 120) + "…" : b);
    }

    public static Kind kind(String text) {
        for (Kind k : Kind.values()) if (k.name().equals(text.toLowerCase(Locale.ROOT))) return k;
        return null;
    }
}
