import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `inspect --serve` as a real process on 127.27.0.1 (a port the kernel picks), seen the way a load
 * balancer sees it: HAProxy's HTTP/1.0 `option httpchk` probe and HEAD, 200 -> WARN's code -> 503 as
 * files the plan checks are removed, and back; the formats by ?format= and Accept; and 200
 * concurrent probes answered from one plan run (a command check appends a line to a file per run).
 */
class InspectServeTest {
    @TempDir Path tmp;
    final List<Process> started = new ArrayList<>();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    static final ObjectMapper JSON = new ObjectMapper();

    record Served(Process process, String base, int port, Path err) {
        String stderr() throws Exception { return Files.readString(err); }
    }

    /** The flags of the script's own //JAVA_OPTIONS line, so the test runs the JVM users get. */
    static List<String> scriptFlags() throws Exception {
        for (String line : Files.readAllLines(Proc.REPO.resolve("scripts/inspect.java"))) {
            if (line.startsWith("//JAVA_OPTIONS ")) return List.of(line.substring(15).trim().split("\\s+"));
        }
        throw new AssertionError("scripts/inspect.java has no //JAVA_OPTIONS");
    }

    Served serve(Path plan, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(Proc.javaCommand("inspect", scriptFlags().toArray(String[]::new)));
        cmd.addAll(List.of(plan.toString(), "--serve", "127.27.0.1:0"));
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile(tmp, "inspect", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
        started.add(p);
        Pattern serving = Pattern.compile("inspect: serving http://127\\.27\\.0\\.1:(\\d+)/");
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            Matcher m = serving.matcher(Files.readString(err));
            if (m.find()) return new Served(p, "http://127.27.0.1:" + m.group(1), Integer.parseInt(m.group(1)), err);
            if (!p.isAlive()) throw new AssertionError("inspect --serve exited " + p.exitValue() + ":\n" + Files.readString(err));
            if (System.nanoTime() > end) throw new AssertionError("inspect --serve did not start:\n" + Files.readString(err));
            Thread.sleep(20);
        }
    }

    @AfterEach
    void stop() {
        for (Process p : started) Proc.kill(p);
    }

    static HttpResponse<String> get(String url, String accept) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (accept != null) b.header("Accept", accept);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** HAProxy's `option httpchk GET /healthz`: HTTP/1.0, no Host, and only the status code matters. */
    static String haproxyCheck(Served s, String method) throws Exception {
        try (Socket sock = new Socket("127.27.0.1", s.port())) {
            sock.setSoTimeout(10_000);
            sock.getOutputStream().write((method + " /healthz HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = sock.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            return all.substring(0, 12);                                 // "HTTP/1.1 200": the reason phrase is optional
        }
    }

    /** Waits out the cache so the next probe runs the plan again. */
    static void pastCache(Duration cache) throws InterruptedException {
        Thread.sleep(cache.toMillis() + 150);
    }

    @Test
    void aLoadBalancerSeesOkThenWarnThenCritAndBackAsChecksStartFailing() throws Exception {
        Path must = Files.writeString(tmp.resolve("must-exist"), "x"), should = Files.writeString(tmp.resolve("should-exist"), "x");
        Path plan = Files.writeString(tmp.resolve("plan.yaml"), "title: lb view\nchecks:\n"
                + "  - {kind: file, path: " + must + ", name: must}\n"
                + "  - {kind: file, path: " + should + ", name: should, severity: warn}\n");
        Duration cache = Duration.ofMillis(400);
        Served s = serve(plan, "--cache", "400ms", "--warn-status", "429", "--format", "json");

        assertEquals("HTTP/1.1 200", haproxyCheck(s, "GET"), "every check OK");
        assertEquals("HTTP/1.1 200", haproxyCheck(s, "HEAD"));
        var json = get(s.base() + "/healthz", null);                        // --format json: the default body
        assertEquals("application/json", json.headers().firstValue("Content-Type").orElse(""));
        assertEquals(2, JSON.readTree(json.body()).get("summary").get("ok").asInt(), json.body());

        Files.delete(should);
        pastCache(cache);
        assertEquals("HTTP/1.1 429", haproxyCheck(s, "GET"), "WARN answers --warn-status");
        Files.delete(must);
        pastCache(cache);
        assertEquals("HTTP/1.1 503", haproxyCheck(s, "GET"), "a CRIT check takes the box out");
        var md = get(s.base() + "/?format=md", null);
        assertEquals(503, md.statusCode());
        assertTrue(md.body().startsWith("### lb view: ") && md.body().contains("| **CRIT** | must | missing | exists | no such file |")
                && md.body().contains("| **WARN** | should | missing |"), md.body());
        assertEquals("text/markdown; charset=utf-8", md.headers().firstValue("Content-Type").orElse(""));

        Files.writeString(must, "back");
        Files.writeString(should, "back");
        pastCache(cache);
        assertEquals("HTTP/1.1 200", haproxyCheck(s, "GET"), "back in the pool once the files are back");
        String log = s.stderr();
        assertTrue(log.contains("inspect: now answering 200: inspect: 2 checks on ") && log.contains("now answering 429: ")
                && log.contains("now answering 503: "), "status changes are logged:\n" + log);
    }

    @Test
    void formatsByAcceptAndQuery() throws Exception {
        Path plan = Files.writeString(tmp.resolve("plan.yaml"), "checks:\n  - {kind: command, run: 'true', name: truth}\n");
        Served s = serve(plan);
        var table = get(s.base() + "/", "*/*");                             // curl's Accept: the table (--format's default)
        assertEquals("text/plain; charset=utf-8", table.headers().firstValue("Content-Type").orElse(""));
        assertTrue(table.body().contains("STATUS  CHECK") && table.body().contains("inspect: 1 check on "), table.body());
        var json = get(s.base() + "/", "text/html;q=0.9, application/json");
        assertEquals("truth", JSON.readTree(json.body()).get("results").get(0).get("name").asText(), json.body());
        assertEquals("text/markdown; charset=utf-8", get(s.base() + "/", "text/markdown").headers().firstValue("Content-Type").orElse(""));
        // What Prometheus 3 sends: OpenMetrics first; it gets the 0.0.4 text format, and so does /metrics.
        var prom = get(s.base() + "/healthz", "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
                + "application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=0.0.4;q=0.3,*/*;q=0.2");
        assertEquals("text/plain; version=0.0.4; charset=utf-8", prom.headers().firstValue("Content-Type").orElse(""));
        assertTrue(prom.body().contains("ops_inspect_status{check=\"truth\",group=\"commands\",kind=\"command\"} 0.0"), prom.body());
        assertTrue(get(s.base() + "/metrics", null).body().contains("# TYPE ops_inspect_status gauge"));
        assertTrue(get(s.base() + "/?format=slack", null).body().startsWith("*inspection: "));
        var bad = get(s.base() + "/?format=csv", null);
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("expected one of [table, md, slack, dingtalk, wecom, json, prom]"), bad.body());
        assertEquals(404, get(s.base() + "/healthz/x", null).statusCode());
        assertEquals(405, HTTP.send(HttpRequest.newBuilder(URI.create(s.base() + "/")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());

        // The same address again: refused before anything runs, exit 2.
        var again = Proc.run(concat(Proc.javaCommand("inspect"), plan.toString(), "--serve", "127.27.0.1:" + s.port()), Duration.ofSeconds(20));
        assertEquals(2, again.exit(), again.toString());
        assertTrue(again.err().startsWith("inspect: --serve 127.27.0.1:" + s.port() + ": address already in use"), again.err());
    }

    /**
     * 200 probes at once, twice: within --cache of the run before serving (no run), then once the cache
     * has expired (one run, which the others wait for or find cached). On a quiet machine each burst
     * takes well under a second; a burst longer than the cache may honestly run the plan once more per
     * cache period, and the bound says so.
     */
    @Test
    void twoHundredConcurrentProbesShareOnePlanRun() throws Exception {
        Path runs = tmp.resolve("runs");
        Path plan = Files.writeString(tmp.resolve("plan.yaml"), "checks:\n"
                + "  - {kind: command, run: 'echo run >> " + runs + "; sleep 0.3', name: counted}\n");
        Duration cache = Duration.ofSeconds(4);
        Served s = serve(plan, "--cache", "4s", "--format", "json");
        assertEquals(1, Files.readAllLines(runs).size(), "one run before serving");

        long ms = burst(s, 200);
        long cachedRuns = Files.readAllLines(runs).size() - 1;
        assertTrue(cachedRuns <= ms / cache.toMillis(), "200 probes within the cache ran the plan " + cachedRuns + " times in " + ms + " ms");

        pastCache(cache);
        int before = Files.readAllLines(runs).size();
        ms = burst(s, 200);
        long newRuns = Files.readAllLines(runs).size() - before;
        System.err.println("InspectServeTest: bursts of 200 probes: " + ms + " ms, " + newRuns + " plan run(s)");
        assertTrue(newRuns >= 1 && newRuns <= 1 + ms / cache.toMillis(),
                "200 probes after the cache expired ran the plan " + newRuns + " times in " + ms + " ms (once expected)");
    }

    /** {@code n} probes released at once; every one must be answered 200 with the same report. Returns how long they took. */
    static long burst(Served s, int n) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        Set<String> bodies = new HashSet<>();
        long t0;
        int ok = 0;
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) answers.add(clients.submit(() -> { go.await(); return get(s.base() + "/healthz", null); }));
            t0 = System.nanoTime();
            go.countDown();
            for (var f : answers) {
                var r = f.get();
                if (r.statusCode() == 200) ok++;
                bodies.add(r.body());
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(n, ok, "every probe answered 200");
        assertTrue(bodies.size() <= 1 + ms / 4000, "the probes got " + bodies.size() + " different reports in " + ms + " ms");
        return ms;
    }

    static List<String> concat(List<String> a, String... b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(List.of(b));
        return all;
    }
}
