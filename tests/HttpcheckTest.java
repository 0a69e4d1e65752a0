import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * httpcheck against the JDK's real HTTP server on loopback (healthy, failing, slow, redirecting,
 * HEAD-refusing endpoints) and a real HTTPS server whose self-signed certificate, made by keytool
 * in the test, expires in 3 days.
 */
class HttpcheckTest {
    static HttpServer http;
    static HttpsServer https;
    static String base, tls;
    static Path caPem;
    @TempDir static Path tmp;

    @BeforeAll static void start() throws Exception {
        http = TestHttp.http();
        TestHttp.route(http, "/ok", ex -> TestHttp.reply(ex, 200, "{\"status\":\"UP\"}"));
        TestHttp.route(http, "/down", ex -> TestHttp.reply(ex, 503, "{\"status\":\"DOWN\"}"));
        TestHttp.route(http, "/slow", ex -> { TestHttp.sleep(1200); TestHttp.reply(ex, 200, "late"); });
        TestHttp.route(http, "/hang", ex -> { TestHttp.sleep(30_000); TestHttp.reply(ex, 200, "too late"); });
        TestHttp.route(http, "/moved", ex -> { ex.getResponseHeaders().add("Location", base + "/ok"); TestHttp.reply(ex, 302, ""); });
        TestHttp.route(http, "/nohead", ex -> TestHttp.reply(ex, ex.getRequestMethod().equals("HEAD") ? 405 : 200, "GET only"));
        TestHttp.route(http, "/echo-host", ex -> TestHttp.reply(ex, 200, "host=" + ex.getRequestHeaders().getFirst("Host")));
        http.start();
        base = TestHttp.base(http);

        // A self-signed certificate for 127.0.0.1 that expires in 3 days.
        caPem = tmp.resolve("ca.pem");
        https = TestHttp.https(tmp, 3, caPem);
        TestHttp.route(https, "/ok", ex -> TestHttp.reply(ex, 200, "secure"));
        https.start();
        tls = TestHttp.base(https);
    }

    @AfterAll static void stop() {
        if (http != null) http.stop(0);
        if (https != null) https.stop(0);
    }

    static ScriptRun.Result httpcheck(String... args) {
        return ScriptRun.run(httpcheck::main, args);
    }



    @Test void eachKindOfEndpointGetsItsStatusAndEveryUrlARow() throws Exception {
        String refused = "http://127.0.0.1:" + Proc.freePort() + "/";
        var r = httpcheck("--format", "json", "-t", "3s", "--max-latency", "800ms", "--body-match", "UP|late|GET",
                base + "/ok", base + "/down", base + "/slow", base + "/moved", base + "/nohead", refused);   // names that need DNS: not here, the resolver is off-box
        assertEquals(1, r.exit(), r.toString());
        Map<String, JsonNode> rows = r.rows();
        assertEquals(6, rows.size());
        assertEquals("ok", rows.get(base + "/ok").get("status").asText(), r.out());
        assertEquals(200, rows.get(base + "/ok").get("code").asInt());
        JsonNode down = rows.get(base + "/down");
        assertEquals("bad-status", down.get("status").asText());
        assertTrue(down.get("error").asText().contains("status 503, expected 200-399"), down.toString());
        assertTrue(down.get("error").asText().contains("body does not match /UP|late|GET/"), "every problem is listed: " + down);
        JsonNode slow = rows.get(base + "/slow");
        assertEquals("slow", slow.get("status").asText(), slow.toString());
        assertTrue(slow.get("latency_ms").asDouble() >= 1200, slow.toString());
        JsonNode moved = rows.get(base + "/moved");
        assertEquals(302, moved.get("code").asInt(), "redirects are not followed by default");
        assertEquals("body-mismatch", moved.get("status").asText(), moved.toString());
        assertEquals("ok", rows.get(base + "/nohead").get("status").asText());
        assertEquals("refused", rows.get(refused).get("status").asText());
        assertTrue(r.json().get("summary").get("line").asText().startsWith("httpcheck: 6 URLs, 2 ok, 4 failed"), r.out());
    }

    @Test void redirectsHeadFallbackAndHeaders() {
        var r = httpcheck("--format", "json", "-L", "--expect", "200", base + "/moved");
        JsonNode row = r.json().get("results").get(0);
        assertEquals("ok", row.get("status").asText(), r.out());
        assertEquals(base + "/ok", row.get("final_url").asText());

        var head = httpcheck("--format", "json", "-X", "HEAD", base + "/nohead", base + "/ok");
        Map<String, JsonNode> rows = head.rows();
        assertEquals("GET", rows.get(base + "/nohead").get("method").asText(), "405 to HEAD: asked again with GET");
        assertEquals(200, rows.get(base + "/nohead").get("code").asInt());
        assertEquals("HEAD", rows.get(base + "/ok").get("method").asText());

        var host = httpcheck("--format", "json", "-H", "X-Probe: 1", "--body-match", "host=127", base + "/echo-host");
        assertEquals("ok", host.json().get("results").get(0).get("status").asText(), host.out());
    }

    @Test void aHangingEndpointIsATimeoutWithinTheLimit() {
        long t0 = System.nanoTime();
        var r = httpcheck("--format", "json", "-t", "1s", base + "/hang");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        JsonNode row = r.json().get("results").get(0);
        assertEquals("timeout", row.get("status").asText(), r.out());
        assertTrue(ms < 4000, "took " + ms + " ms");
    }

    @Test void certificateExpiryUntrustedAndTrustedByCacert() {
        var untrusted = httpcheck("--format", "json", tls + "/ok");
        JsonNode u = untrusted.json().get("results").get(0);
        assertEquals("cert-invalid", u.get("status").asText(), untrusted.out());
        assertTrue(u.get("error").asText().contains("--cacert FILE trusts a private CA"), u.toString());

        var trusted = httpcheck("--format", "json", "--cacert", caPem.toString(), tls + "/ok");
        JsonNode t = trusted.json().get("results").get(0);
        assertEquals("cert-expiring", t.get("status").asText(), "3 days left, under the default 14d: " + trusted.out());
        double days = t.get("tls_days_left").asDouble();
        assertTrue(days > 1.9 && days <= 3.0, "days left " + days);
        assertTrue(t.get("error").asText().contains("under --cert-warn 14.0d") || t.get("error").asText().contains("under --cert-warn"), t.toString());

        var fine = httpcheck("--format", "json", "--cacert", caPem.toString(), "--cert-warn", "2d", tls + "/ok");
        assertEquals("ok", fine.json().get("results").get(0).get("status").asText(), fine.out());
        assertEquals(0, fine.exit());

        var insecure = httpcheck("--format", "json", "-k", "--cert-warn", "1d", tls + "/ok");
        assertEquals("ok", insecure.json().get("results").get(0).get("status").asText(), insecure.out());
        assertTrue(insecure.err().contains("warning: --insecure"), insecure.err());
    }

    @Test void urlFilesFormatsAndPrometheus() throws Exception {
        Path f = tmp.resolve("urls.txt");
        Files.writeString(f, "# health endpoints\n" + base + "/ok   # api\n\n" + base + "/down\n" + base + "/ok\n");
        var md = httpcheck("--format", "md", "--only-failed", "-f", f.toString());
        assertEquals(1, md.exit(), md.toString());
        assertTrue(md.out().contains("| " + base + "/down | **bad-status** | 503 |"), md.out());
        assertTrue(!md.out().contains(base + "/ok |"), "--only-failed: " + md.out());
        assertTrue(md.err().contains("duplicates " + f + ":2; checked once"), md.err());
        var prom = httpcheck("--format", "prom", base + "/ok");
        assertTrue(prom.out().contains("ops_httpcheck_up{status=\"ok\",url=\"" + base + "/ok\"} 1"), prom.out());
        assertTrue(prom.out().contains("ops_httpcheck_status_code{"), prom.out());
    }

    @Test void badInputIsOneLineExit2() throws Exception {
        Path f = tmp.resolve("bad-urls.txt");
        Files.writeString(f, base + "/ok\nexample.com/health\n");
        String[][] cases = {
            {f + ":2: 'example.com/health' has no scheme; write http://example.com/health or https://example.com/health", "-f", f.toString()},
            {"argument: 'ftp://x/': scheme 'ftp' is not http or https", "ftp://x/"},
            {"no URLs: give them as arguments or with -f FILE"},
            {"--expect: bad status set '2oo'", "--expect", "2oo", base + "/ok"},
            {"--body-match: bad regex", "--body-match", "(unclosed", base + "/ok"},
            {"-H 'Accept application/json': expected 'Name: value'", "-H", "Accept application/json", base + "/ok"},
            {"nope.txt: no such file", "-f", "nope.txt"},
            {"--insecure and --cacert contradict", "-k", "--cacert", caPem.toString(), base + "/ok"},
            {"-H '127.0.0.1:8088' is a header here ('Name: value'), not a host; URLs go as arguments: http://127.0.0.1:8088/", "-H", "127.0.0.1:8088"},
            {"argument: 'http//db1:8080/health' is not a URL; did you mean http://db1:8080/health ?", "http//db1:8080/health"},
        };
        for (String[] c : cases) {
            var r = httpcheck(java.util.Arrays.copyOfRange(c, 1, c.length));
            assertEquals(2, r.exit(), c[0] + "\n" + r);
            assertTrue(r.err().contains(c[0]), "expected '" + c[0] + "' in: " + r.err());
            assertEquals("", r.out());
        }
    }
}
