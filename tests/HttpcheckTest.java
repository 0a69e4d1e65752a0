import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        TestHttp.route(http, "/head501", ex -> TestHttp.reply(ex, ex.getRequestMethod().equals("HEAD") ? 501 : 200, "GET only"));
        TestHttp.route(http, "/missing", ex -> TestHttp.reply(ex, 404, "no such page"));
        TestHttp.route(http, "/mismatch", ex -> TestHttp.reply(ex, 200, "{\"status\":\"DOWN\"}"));
        TestHttp.route(http, "/endless", ex -> endless(ex, 0));                      // chunked, never ends
        TestHttp.route(http, "/huge", ex -> endless(ex, 256L << 20));                // Content-Length 256 MiB
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

    // ---- HEAD -> GET on 501, --max-body, expired certificates, table and csv ---------------------

    @Test void headFallsBackToGetWhenTheServerAnswers501() {
        var r = httpcheck("--format", "json", "-X", "HEAD", base + "/head501");
        assertEquals(0, r.exit(), r.toString());
        JsonNode row = r.json().get("results").get(0);
        assertEquals("GET", row.get("method").asText(), "501 to HEAD: asked again with GET: " + row);
        assertEquals(200, row.get("code").asInt());
        assertEquals("ok", row.get("status").asText());
        assertEquals(8, row.get("body_bytes").asInt(), "the GET's body was read: " + row);
        var get = httpcheck("--format", "json", base + "/head501");
        assertEquals("GET", get.json().get("results").get(0).get("method").asText(), "GET stays GET");
    }

    /** Bytes each /endless or /huge response managed to send before the client hung up, and that it did hang up. */
    static final java.util.concurrent.ConcurrentLinkedQueue<Long> served = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** 2000 bytes of 'x', then "needle", then 'x' forever (or up to {@code length} with a Content-Length). */
    static void endless(com.sun.net.httpserver.HttpExchange ex, long length) throws java.io.IOException {
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(200, length);
        byte[] chunk = new byte[8192];
        java.util.Arrays.fill(chunk, (byte) 'x');
        System.arraycopy("needle".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, chunk, 2000, 6);
        long sent = 0;
        try {
            var out = ex.getResponseBody();
            while (length == 0 || sent < length) {
                out.write(chunk, 0, (int) (length == 0 ? chunk.length : Math.min(chunk.length, length - sent)));
                sent += chunk.length;
                java.util.Arrays.fill(chunk, 2000, 2006, (byte) 'x');            // the needle only once
            }
        } catch (java.io.IOException hungUp) {
            served.add(sent);
            throw hungUp;
        }
        served.add(-sent);                                                       // sent it all: the client read everything
    }

    /**
     * --max-body: a body larger than the limit is read up to the limit and no further (the
     * connection is closed), the row is ok with body_bytes = the limit, and --body-match sees only
     * those bytes. An endless body would otherwise never finish.
     */
    @Test void maxBodyReadsOnlyThatMuch() throws Exception {
        for (String path : List.of("/endless", "/huge")) {
            served.clear();
            long t0 = System.nanoTime();
            var small = httpcheck("--format", "json", "-t", "5s", "--max-body", "1k", "--body-match", "needle", base + path);
            var large = httpcheck("--format", "json", "-t", "5s", "--max-body", "4k", "--body-match", "needle", base + path);
            var plain = httpcheck("--format", "json", "-t", "5s", "--max-body", "1k", base + path);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            JsonNode s = small.json().get("results").get(0), l = large.json().get("results").get(0), p = plain.json().get("results").get(0);
            assertEquals("body-mismatch", s.get("status").asText(), "the needle is at byte 2000, past --max-body 1k: " + s);
            assertEquals("body does not match /needle/", s.get("error").asText());
            assertEquals(1024, s.get("body_bytes").asLong(), s.toString());
            assertEquals("ok", l.get("status").asText(), "4k reaches the needle: " + l);
            assertEquals(4096, l.get("body_bytes").asLong(), l.toString());
            assertEquals("ok", p.get("status").asText(), "a body over the limit is no failure by itself: " + p);
            assertEquals(1024, p.get("body_bytes").asLong());
            assertEquals(200, p.get("code").asInt());
            assertEquals(1, small.exit());
            assertEquals(0, plain.exit());
            assertTrue(ms < 15_000, path + ": three checks took " + ms + " ms");
            long until = System.nanoTime() + 10_000_000_000L;
            while (served.size() < 3 && System.nanoTime() < until) Thread.sleep(50);
            assertEquals(3, served.size(), path + ": every response stopped: " + served);
            for (long n : served) assertTrue(n > 0 && n < 64L << 20, path + ": the client hung up early, not after reading it all: " + served);
        }
    }

    /**
     * cert-expired against real TLS servers: a self-signed certificate that expired 5 days ago
     * (trusted with --cacert, or -k), and one signed by a CA the run trusts, which the TLS
     * handshake itself refuses as expired (it was cert-invalid, with a --cacert/--insecure hint).
     */
    @Test void anExpiredCertificateIsCertExpired(@TempDir Path dir) throws Exception {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        String common = " -storetype PKCS12 -storepass changeit -keyalg EC -groupname secp256r1";
        // self-signed, valid from 10 days ago for 5 days
        Path self = dir.resolve("self.p12"), selfPem = dir.resolve("self.pem");
        Proc.sh(keytool + " -genkeypair -alias srv -startdate -10d -validity 5 -dname CN=ops-expired -ext san=ip:127.0.0.1" + common + " -keystore " + self);
        Proc.sh(keytool + " -exportcert -rfc -alias srv -storepass changeit -keystore " + self + " -file " + selfPem);
        // a CA (valid), and a server certificate it signed that expired 5 days ago
        Path ca = dir.resolve("ca.p12"), caCert = dir.resolve("ca.pem"), srv = dir.resolve("srv.p12"), csr = dir.resolve("srv.csr"), srvPem = dir.resolve("srv.pem");
        Proc.sh(keytool + " -genkeypair -alias ca -validity 365 -dname CN=ops-test-ca -ext bc:c" + common + " -keystore " + ca);
        Proc.sh(keytool + " -exportcert -rfc -alias ca -storepass changeit -keystore " + ca + " -file " + caCert);
        Proc.sh(keytool + " -genkeypair -alias srv -validity 365 -dname CN=ops-expired-leaf" + common + " -keystore " + srv);
        Proc.sh(keytool + " -certreq -alias srv -storepass changeit -keystore " + srv + " -file " + csr);
        Proc.sh(keytool + " -gencert -rfc -alias ca -storepass changeit -keystore " + ca + " -infile " + csr + " -outfile " + srvPem
                + " -startdate -10d -validity 5 -ext san=ip:127.0.0.1");
        Proc.sh(keytool + " -importcert -noprompt -alias ca -storepass changeit -keystore " + srv + " -file " + caCert);
        Proc.sh(keytool + " -importcert -noprompt -alias srv -storepass changeit -keystore " + srv + " -file " + srvPem);

        HttpsServer selfSigned = httpsWith(self), caSigned = httpsWith(srv);
        try {
            String a = TestHttp.base(selfSigned) + "/ok", b = TestHttp.base(caSigned) + "/ok";
            var trusted = httpcheck("--format", "json", "--cacert", selfPem.toString(), a);
            assertEquals(1, trusted.exit(), trusted.toString());
            JsonNode t = trusted.json().get("results").get(0);
            assertEquals("cert-expired", t.get("status").asText(), t.toString());
            assertEquals(200, t.get("code").asInt(), "the request was made: " + t);
            assertTrue(t.get("tls_days_left").asDouble() <= -4.9 && t.get("tls_days_left").asDouble() > -5.1, t.toString());
            assertTrue(t.get("error").asText().matches("certificate expired \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z"), t.toString());
            assertEquals("httpcheck: 1 URL, 0 ok, 1 failed (1 cert-expired)", trusted.json().get("summary").get("line").asText().replaceAll(" in \\S+$", ""));

            var insecure = httpcheck("--format", "json", "-k", a, b);
            assertEquals(1, insecure.exit(), insecure.toString());
            for (JsonNode row : insecure.json().get("results")) {
                assertEquals("cert-expired", row.get("status").asText(), "-k still reports the expiry: " + row);
                assertTrue(row.get("tls_days_left").asDouble() < -4.9, row.toString());
            }

            var signed = httpcheck("--format", "json", "--cacert", caCert.toString(), b);
            assertEquals(1, signed.exit(), signed.toString());
            JsonNode s = signed.json().get("results").get(0);
            assertEquals("cert-expired", s.get("status").asText(), "a trusted CA's expired certificate: " + s);
            assertTrue(s.get("error").asText().startsWith("certificate expired: TLS handshake failed: NotAfter: "), s.toString());
            assertTrue(!s.has("code"), "the handshake refused it, no request: " + s);

            var untrusted = httpcheck("--format", "json", b);
            assertEquals("cert-invalid", untrusted.json().get("results").get(0).get("status").asText(),
                    "an untrusted chain is cert-invalid before its dates are looked at: " + untrusted.out());
        } finally {
            selfSigned.stop(0);
            caSigned.stop(0);
        }
    }

    /** An HTTPS server on 127.0.0.1 with the key and chain in this PKCS12 file (store password changeit); serves /ok. */
    static HttpsServer httpsWith(Path p12) throws Exception {
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(p12)) { store.load(in, "changeit".toCharArray()); }
        var kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        var ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        HttpsServer s = HttpsServer.create(new java.net.InetSocketAddress(java.net.InetAddress.getByName("127.0.0.1"), 0), 50);
        s.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(ctx));
        s.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        TestHttp.route(s, "/ok", ex -> TestHttp.reply(ex, 200, "secure"));
        s.start();
        return s;
    }

    @Test void tableAndCsvFormats() {
        String refused = "http://127.0.0.1:" + port() + "/";
        String[] urls = {base + "/ok", base + "/missing", refused};
        var table = httpcheck(concat(new String[] {"-t", "3s"}, urls));
        assertEquals(1, table.exit(), table.toString());
        String[] lines = table.out().split("\n");
        assertEquals(5, lines.length, table.out());
        assertTrue(lines[0].matches("URL +STATUS +CODE +MS +TLS DAYS +WHY"), lines[0]);
        assertTrue(lines[1].matches(java.util.regex.Pattern.quote(base + "/ok") + " +ok +200 +[0-9.]+ +-  -"), "no TLS days, no why: " + lines[1]);
        assertTrue(lines[2].matches(java.util.regex.Pattern.quote(base + "/missing") + " +bad-status +404 +[0-9.]+ +-  status 404, expected 200-399"), lines[2]);
        assertTrue(lines[3].matches(java.util.regex.Pattern.quote(refused) + " +refused +- +- +-  connection refused"), lines[3]);
        assertTrue(lines[4].matches("httpcheck: 3 URLs, 1 ok, 2 failed \\(1 bad-status, 1 refused\\) in \\S+"), lines[4]);
        assertEquals("", table.err());

        var csv = httpcheck(concat(new String[] {"--format", "csv", "-t", "3s"}, urls));
        assertEquals(1, csv.exit(), csv.toString());
        String[] rows = csv.out().split("\n");
        assertEquals("target,status,code,latency_ms,tls_days_left,error", rows[0]);
        assertEquals(4, rows.length, csv.out());
        assertTrue(rows[1].matches(java.util.regex.Pattern.quote("\"" + base + "/ok\"") + ",ok,200,[0-9.]+,,"), rows[1]);
        assertTrue(rows[2].matches(java.util.regex.Pattern.quote("\"" + base + "/missing\"") + ",bad-status,404,[0-9.]+,,\"status 404, expected 200-399\""), rows[2]);
        assertEquals(refused + ",refused,,,,\"connection refused\"", rows[3], "Jackson quotes what is over 24 characters or has a space");
        assertTrue(csv.err().matches("httpcheck: 3 URLs, 1 ok, 2 failed \\(1 bad-status, 1 refused\\) in \\S+\n"), "the summary on stderr: " + csv.err());
    }

    /** The one line for an unknown --sort key lists httpcheck's own keys in the same order every run (it followed Map.of's per-JVM order). */
    @Test void anUnknownSortKeyIsOneStableLine() {
        for (int i = 0; i < 4; i++) {
            List<String> cmd = new java.util.ArrayList<>(Proc.javaCommand("httpcheck"));
            cmd.addAll(List.of("--sort", "nope", base + "/ok"));
            var r = Proc.run(cmd, java.time.Duration.ofSeconds(60));
            assertEquals(2, r.exit(), r.toString());
            assertEquals("", r.out());
            assertEquals("httpcheck: --sort: unknown key 'nope' (expected one of input, status, target, latency, tls)\n", r.err());
        }
    }

    // ---- golden outputs ----------------------------------------------------------------------------

    /** httpcheck in every format over 200, 404, a body that does not match, and a refused port. */
    @Test void goldenOutputsInEveryFormat() throws Exception {
        int refusedPort = port();
        String[] urls = {base + "/ok", base + "/missing", base + "/mismatch", "http://127.0.0.1:" + refusedPort + "/health"};
        Map<String, String> literals = new java.util.LinkedHashMap<>();
        literals.put(String.valueOf(http.getAddress().getPort()), "<http-port>");
        literals.put(String.valueOf(refusedPort), "<refused-port>");
        for (String format : List.of("table", "md", "slack", "json", "csv", "prom", "hosts")) {
            var r = httpcheck(concat(new String[] {"--format", format, "-t", "3s", "--body-match", "\"status\":\"UP\""}, urls));
            assertEquals(1, r.exit(), r.toString());
            ProbeTest.golden(r, literals).check("httpcheck." + format);
        }
    }

    static int port() {
        try {
            return Proc.freePort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
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
