import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Loki sink against a receiver that follows Loki's documented push API (POST
 * /loki/api/v1/push, {"streams":[{"stream":{labels},"values":[["ns","line"]]}]}, 204 on success,
 * 400 with a text reason for a bad push, 429 when rate limited): label names checked before
 * anything is read, a 400 not retried (logged, counted as rejected, in the checkpoint), a 429
 * retried with backoff and Retry-After.
 */
class LogshipLokiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path tmp;

    /** One push as Loki checks it: labels valid per stream, and each line; null when it is fine, else the 400 reason. */
    static String lokiValidation(JsonNode push) {
        for (JsonNode s : push.get("streams")) {
            if (s.get("stream").isEmpty()) return "error at least one label pair is required per stream";
            var it = s.get("stream").fieldNames();
            while (it.hasNext()) {
                String k = it.next();
                if (!k.matches("[a-zA-Z_][a-zA-Z0-9_]*")) return "error parsing labels: invalid label name '" + k + "'";
            }
            for (JsonNode v : s.get("values")) {
                if (!v.get(0).asText().matches("\\d+")) return "error parsing timestamp";
                if (v.get(1).asText().contains("TOO-OLD")) return "entry for stream has timestamp too old: " + v.get(0).asText();
            }
        }
        return null;
    }

    @Test void labelNamesAreCheckedAgainstLokisRulesBeforeAnythingIsRead() {
        String[][] cases = {
            {"label names starting with __ are reserved", "__name__=x"},
            {"'filename' is the label logship sets", "filename=x"},
            {"Loki drops a label with an empty value", "env="},
        };
        for (String[] c : cases) {
            var r = ScriptRun.run(logship::main, "--once", "--path", "/tmp/x.log", "--label", c[1], "--to", "loki:http://127.0.0.1:9");
            assertEquals(2, r.exit(), r.toString());
            assertTrue(r.err().contains(c[0]) && r.err().lines().count() == 1, r.err());
        }
        List<String> many = new ArrayList<>(List.of("--once", "--path", "/tmp/x.log", "--to", "loki:http://127.0.0.1:9"));
        for (int i = 0; i < 15; i++) many.addAll(List.of("--label", "l" + i + "=v"));
        var r = ScriptRun.run(logship::main, many.toArray(String[]::new));
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("15 labels plus filename is more than Loki's 15 per stream"), r.err());
        var other = ScriptRun.run(logship::main, "--once", "--path", "/tmp/nonexistent-kf.log", "--label", "__x=1", "--to", "stdout");
        assertTrue(other.err().contains("matches no file"), "other sinks do not have Loki's rules: " + other.err());
    }

    @Test void aBadRequestIsRejectedNotRetriedForeverAndTheCheckpointSaysSo() throws Exception {
        HttpServer server = TestHttp.http();
        AtomicInteger requests = new AtomicInteger();
        List<String> accepted = new CopyOnWriteArrayList<>();
        TestHttp.route(server, "/loki/api/v1/push", ex -> {
            requests.incrementAndGet();
            JsonNode push = JSON.readTree(ex.getRequestBody().readAllBytes());
            String bad = lokiValidation(push);
            if (bad != null) { TestHttp.reply(ex, 400, bad); return; }
            for (JsonNode s : push.get("streams")) for (JsonNode v : s.get("values")) accepted.add(v.get(1).asText());
            TestHttp.reply(ex, 204, "");
        });
        server.start();
        try {
            Path f = tmp.resolve("app.log"), state = tmp.resolve("state"), stats = tmp.resolve("stats.json");
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 15; i++) sb.append(i == 7 ? "TOO-OLD " : "ok ").append(i).append('\n');
            Files.writeString(f, sb.toString());
            var r = ScriptRun.run(logship::main, "--once", "--path", f.toString(), "--state", state.toString(), "--batch-lines", "5",
                    "--to", "loki:" + TestHttp.base(server), "--stats-json", stats.toString());
            assertEquals(1, r.exit(), "lines rejected: exit 1\n" + r);
            assertEquals(3, requests.get(), "the bad batch was sent once, not retried: " + r.err());
            assertEquals(10, accepted.size(), "the batches before and after it arrive: " + accepted);
            assertTrue(r.err().contains("rejected 5 lines: HTTP 400: entry for stream has timestamp too old"), r.err());
            assertTrue(r.err().contains("not retried (counted as rejected"), r.err());
            assertEquals(5, JSON.readTree(stats.toFile()).get("rejected").asInt());
            JsonNode cp = JSON.readTree(state.resolve("checkpoints.json").toFile()).get("files").get(0);
            assertEquals(5, cp.get("rejected").asInt(), "the checkpoint counts the rejected lines: " + cp);
            assertEquals(Files.size(f), cp.get("offset").asLong(), "and moved past them");
            var again = ScriptRun.run(logship::main, "--once", "--path", f.toString(), "--state", state.toString(), "--to", "loki:" + TestHttp.base(server));
            assertEquals(0, again.exit(), again.toString());
            assertEquals(3, requests.get(), "nothing is sent again on restart");
        } finally {
            server.stop(0);
        }
    }

    @Test void tooManyRequestsIsRetriedWithBackoffAndRetryAfter() throws Exception {
        HttpServer server = TestHttp.http();
        List<Long> at = new CopyOnWriteArrayList<>();
        List<String> accepted = new CopyOnWriteArrayList<>();
        TestHttp.route(server, "/loki/api/v1/push", ex -> {
            at.add(System.nanoTime());
            byte[] body = ex.getRequestBody().readAllBytes();
            if (at.size() == 1) {
                ex.getResponseHeaders().add("Retry-After", "1");
                TestHttp.reply(ex, 429, "Ingestion rate limit exceeded");
                return;
            }
            if (at.size() == 2) { TestHttp.reply(ex, 429, "Ingestion rate limit exceeded"); return; }
            for (JsonNode s : JSON.readTree(body).get("streams")) for (JsonNode v : s.get("values")) accepted.add(v.get(1).asText());
            TestHttp.reply(ex, 204, "");
        });
        server.start();
        try {
            Path f = tmp.resolve("app.log");
            Files.writeString(f, "a\nb\nc\n", StandardCharsets.UTF_8);
            var r = ScriptRun.run(logship::main, "--once", "--path", f.toString(), "--to", "loki:" + TestHttp.base(server));
            assertEquals(0, r.exit(), r.toString());
            assertEquals(List.of("a", "b", "c"), accepted);
            assertEquals(3, at.size());
            assertTrue(at.get(1) - at.get(0) >= 950_000_000L, "Retry-After: 1 is honoured: " + (at.get(1) - at.get(0)) / 1_000_000 + " ms");
            assertTrue(at.get(2) - at.get(1) >= 200_000_000L, "then exponential backoff: " + (at.get(2) - at.get(1)) / 1_000_000 + " ms");
            assertTrue(r.err().contains("did not accept 3 lines: HTTP 429: Ingestion rate limit exceeded; retrying in 1.0s"), r.err());
        } finally {
            server.stop(0);
        }
    }
}
