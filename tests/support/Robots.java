import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Local stand-ins for the chat robots (the real ones are not reachable from here): one HTTP server
 * per robot that checks each post against the robot's documented payload and, for DingTalk and
 * Feishu, recomputes the signature from the shared secret, answering the way the robot does
 * (DingTalk/WeCom {"errcode":0}, Feishu {"code":0}, Slack "ok"). A post that fails a check is
 * answered as the robot would (errcode 310000 "sign not match", 400) and recorded as a problem.
 */
public final class Robots {
    private Robots() {}

    public static final ObjectMapper JSON = new ObjectMapper();

    /** One robot: what it received, what was wrong, and optional answers to give first (429, 503...). */
    public static final class Robot implements AutoCloseable {
        public final String kind;
        public final HttpServer server;
        public final List<JsonNode> posts = new ArrayList<>();          // accepted posts' bodies
        public final List<String> problems = new ArrayList<>();
        public final AtomicInteger requests = new AtomicInteger();
        public final List<Integer> firstAnswers = new ArrayList<>();    // e.g. 429: answered before any check
        final String secret;

        Robot(String kind, String host, int port, String secret) throws IOException {
            this.kind = kind;
            this.secret = secret;
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 50);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", ex -> { try (ex) { handle(ex); } });
            server.start();
        }

        /** The robot's URL (with a token in the path, as real robot URLs have). */
        public String url() {
            String base = "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
            return switch (kind) {
                case "dingtalk" -> base + "/robot/send?access_token=tok-dt";
                case "wecom" -> base + "/cgi-bin/webhook/send?key=tok-wc";
                case "feishu" -> base + "/open-apis/bot/v2/hook/tok-fs";
                default -> base + "/hooks/tok-" + kind;
            };
        }

        public synchronized List<JsonNode> posts() { return new ArrayList<>(posts); }
        public synchronized List<String> problems() { return new ArrayList<>(problems); }

        /** Every post's text (the chat's message body) joined, for assertions. */
        public synchronized String texts() {
            StringBuilder sb = new StringBuilder();
            for (JsonNode p : posts) sb.append(text(kind, p)).append('\n');
            return sb.toString();
        }

        private void handle(HttpExchange ex) throws IOException {
            int n = requests.getAndIncrement();
            byte[] raw = ex.getRequestBody().readAllBytes();
            synchronized (this) {
                if (n < firstAnswers.size()) {
                    if (firstAnswers.get(n) == 429) ex.getResponseHeaders().set("Retry-After", "1");
                    answer(ex, firstAnswers.get(n), "{\"message\":\"slow down\"}");
                    return;
                }
            }
            JsonNode body;
            try {
                body = JSON.readTree(raw);
            } catch (IOException e) {
                problem("not JSON: " + new String(raw, StandardCharsets.UTF_8));
                answer(ex, 400, "invalid_payload");
                return;
            }
            String why = check(ex, body);
            if (why != null) {
                problem(why);
                switch (kind) {
                    case "dingtalk" -> answer(ex, 200, "{\"errcode\":310000,\"errmsg\":\"" + why + "\"}");
                    case "feishu" -> answer(ex, 200, "{\"code\":19021,\"msg\":\"" + why + "\"}");
                    default -> answer(ex, 400, why);
                }
                return;
            }
            synchronized (this) { posts.add(body); }
            switch (kind) {
                case "dingtalk", "wecom" -> answer(ex, 200, "{\"errcode\":0,\"errmsg\":\"ok\"}");
                case "feishu" -> answer(ex, 200, "{\"code\":0,\"msg\":\"success\",\"data\":{}}");
                default -> answer(ex, 200, "ok");
            }
        }

        private synchronized void problem(String why) { problems.add(why); }

        /** null when the post is what the robot's documentation asks for, else what is wrong. */
        private String check(HttpExchange ex, JsonNode b) {
            if (!ex.getRequestMethod().equals("POST")) return "method " + ex.getRequestMethod();
            String ct = ex.getRequestHeaders().getFirst("Content-Type");
            if (ct == null || !ct.startsWith("application/json")) return "Content-Type " + ct;
            switch (kind) {
                case "slack", "mattermost" -> {
                    if (!b.path("text").isTextual() || b.path("text").asText().isEmpty()) return "no text";
                }
                case "dingtalk" -> {
                    if (!b.path("msgtype").asText().equals("markdown")) return "msgtype " + b.path("msgtype");
                    if (!b.path("markdown").path("title").isTextual() || !b.path("markdown").path("text").isTextual()) return "markdown.title/text missing";
                    if (b.path("at").path("isAtAll").asBoolean(false)) return "isAtAll true";
                    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
                    if (!"tok-dt".equals(q.get("access_token"))) return "access_token lost";
                    String ts = q.get("timestamp"), sign = q.get("sign");
                    if (ts == null || sign == null) return "no timestamp/sign";
                    if (Math.abs(System.currentTimeMillis() - Long.parseLong(ts)) > 3_600_000) return "timestamp off by more than an hour";
                    String want = Base64.getEncoder().encodeToString(hmac(secret.getBytes(StandardCharsets.UTF_8), (ts + "\n" + secret).getBytes(StandardCharsets.UTF_8)));
                    if (!want.equals(sign)) return "sign not match";
                }
                case "wecom" -> {
                    if (!b.path("msgtype").asText().equals("markdown")) return "msgtype " + b.path("msgtype");
                    String c = b.path("markdown").path("content").asText("");
                    if (c.isEmpty()) return "markdown.content missing";
                    if (c.getBytes(StandardCharsets.UTF_8).length > 4096) return "content over 4096 bytes";
                }
                case "feishu" -> {
                    String ts = b.path("timestamp").asText(null), sign = b.path("sign").asText(null);
                    if (ts == null || sign == null) return "no timestamp/sign";
                    if (Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(ts)) > 3600) return "timestamp off by more than an hour";
                    String want = Base64.getEncoder().encodeToString(hmac((ts + "\n" + secret).getBytes(StandardCharsets.UTF_8), new byte[0]));
                    if (!want.equals(sign)) return "sign match fail or timestamp is not within one hour from current time";
                    String type = b.path("msg_type").asText();
                    if (type.equals("interactive")) {
                        if (!b.path("card").path("header").path("title").path("content").isTextual()) return "card.header.title missing";
                        if (!b.path("card").path("elements").path(0).path("text").path("tag").asText().equals("lark_md")) return "card element not lark_md";
                    } else if (type.equals("text")) {
                        if (!b.path("content").path("text").isTextual()) return "content.text missing";
                    } else return "msg_type " + type;
                }
                default -> { }
            }
            return null;
        }

        @Override public void close() { server.stop(0); }
    }

    public static Robot start(String kind, String host, int port, String secret) throws IOException {
        return new Robot(kind, host, port, secret);
    }

    /** The message text of a post as the chat shows it. */
    public static String text(String kind, JsonNode p) {
        return switch (kind) {
            case "dingtalk" -> p.path("markdown").path("text").asText();
            case "wecom" -> p.path("markdown").path("content").asText();
            case "feishu" -> p.path("msg_type").asText().equals("interactive")
                    ? p.path("card").path("elements").path(0).path("text").path("content").asText() : p.path("content").path("text").asText();
            case "slack", "mattermost" -> p.path("text").asText();
            default -> p.toString();
        };
    }

    static Map<String, String> query(String raw) {
        Map<String, String> m = new HashMap<>();
        if (raw == null) return m;
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) m.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return m;
    }

    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void answer(HttpExchange ex, int code, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(code, b.length);
        ex.getResponseBody().write(b);
    }
}
