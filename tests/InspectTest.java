import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * inspect against real things: the JDK's HTTP server and an HTTPS one whose self-signed certificate
 * (made by keytool here) expires in 3 days, a listening and a closed TCP port, processes started
 * by the test, files with set ages and sizes, a tmpfs mounted for the disk check (as root), local
 * commands, and alert webhooks received by a real HTTP server (one that fails once, one that
 * hangs, one that is down).
 */
class InspectTest {
    static HttpServer http, hooks;
    static HttpsServer https;
    static String base, tls, hookBase;
    static Path caPem;
    static ServerSocket listening;
    static int closedPort;
    static final List<Process> started = new ArrayList<>();
    static final Map<String, Queue<String>> received = new HashMap<>();
    static final AtomicInteger flakyCalls = new AtomicInteger();
    /** What the header and redirect routes of {@code http} saw: "METHOD Host X-Ops-Token User-Agent", "METHOD /path". */
    static final Queue<String> seenHeaders = new ConcurrentLinkedQueue<>(), hops = new ConcurrentLinkedQueue<>();
    /** When each webhook request arrived (System.nanoTime), per path. */
    static final Map<String, Queue<Long>> arrivals = new HashMap<>();
    @TempDir static Path tmp;

    @BeforeAll static void start() throws Exception {
        http = TestHttp.http();
        TestHttp.route(http, "/ok", ex -> TestHttp.reply(ex, 200, "{\"status\":\"UP\"}"));
        TestHttp.route(http, "/down", ex -> TestHttp.reply(ex, 503, "{\"status\":\"DOWN\"}"));
        TestHttp.route(http, "/slow", ex -> { TestHttp.sleep(700); TestHttp.reply(ex, 200, "late"); });
        TestHttp.route(http, "/headers", ex -> {
            var h = ex.getRequestHeaders();
            seenHeaders.add(ex.getRequestMethod() + " " + h.getFirst("Host") + " " + h.getFirst("X-Ops-Token") + " " + h.getFirst("User-Agent"));
            TestHttp.reply(ex, 200, "token=" + h.getFirst("X-Ops-Token"));
        });
        TestHttp.route(http, "/hop", ex -> {
            hops.add(ex.getRequestMethod() + " /hop");
            ex.getResponseHeaders().add("Location", "/landing");
            TestHttp.reply(ex, 302, "");
        });
        TestHttp.route(http, "/landing", ex -> { hops.add(ex.getRequestMethod() + " /landing"); TestHttp.reply(ex, 200, "landed"); });
        TestHttp.route(http, "/loop", ex -> { ex.getResponseHeaders().add("Location", "/loop"); TestHttp.reply(ex, 302, ""); });
        http.start();
        base = TestHttp.base(http);
        caPem = tmp.resolve("ca.pem");
        https = TestHttp.https(tmp, 3, caPem);
        TestHttp.route(https, "/ok", ex -> TestHttp.reply(ex, 200, "secure"));
        https.start();
        tls = TestHttp.base(https);

        hooks = TestHttp.http();
        for (String p : List.of("/hook", "/flaky", "/hang", "/reject")) received.put(p, new ConcurrentLinkedQueue<>());
        TestHttp.route(hooks, "/hook", ex -> {
            received.get("/hook").add(ex.getRequestHeaders().getFirst("Content-Type") + "\n" + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            TestHttp.reply(ex, 200, "ok");
        });
        TestHttp.route(hooks, "/flaky", ex -> {
            received.get("/flaky").add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            TestHttp.reply(ex, flakyCalls.incrementAndGet() % 2 == 1 ? 500 : 204, "");
        });
        TestHttp.route(hooks, "/hang", ex -> { received.get("/hang").add("x"); TestHttp.sleep(5000); TestHttp.reply(ex, 200, ""); });
        TestHttp.route(hooks, "/reject", ex -> { received.get("/reject").add("x"); TestHttp.reply(ex, 400, "bad token"); });
        // 429 Too Many Requests: once (without and with a Retry-After), or on every attempt.
        for (String[] r : new String[][] {{"/busy", null, "once"}, {"/busy-retry-after", "30", "once"}, {"/always-429", "1", "always"}}) {
            received.put(r[0], new ConcurrentLinkedQueue<>());
            arrivals.put(r[0], new ConcurrentLinkedQueue<>());
            TestHttp.route(hooks, r[0], ex -> {
                arrivals.get(r[0]).add(System.nanoTime());
                Queue<String> q = received.get(r[0]);
                q.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                if (r[2].equals("always") || q.size() == 1) {
                    if (r[1] != null) ex.getResponseHeaders().add("Retry-After", r[1]);
                    TestHttp.reply(ex, 429, "slow down");
                } else {
                    TestHttp.reply(ex, 200, "ok");
                }
            });
        }
        hooks.start();
        hookBase = TestHttp.base(hooks);

        listening = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        closedPort = Proc.freePort();

        // Two processes named ops-sleeper (a copy of sleep: its comm is the file name), and one with a telling command line.
        Path sleeper = tmp.resolve("ops-sleeper");
        Files.copy(Path.of("/bin/sleep"), sleeper);
        sleeper.toFile().setExecutable(true);
        for (int i = 0; i < 2; i++) started.add(new ProcessBuilder(sleeper.toString(), "300").start());
        started.add(new ProcessBuilder("sleep", "314159").start());

        Files.writeString(tmp.resolve("fresh.txt"), "x".repeat(100));
        Files.writeString(tmp.resolve("old.log"), "old\n");
        Files.setLastModifiedTime(tmp.resolve("old.log"), FileTime.from(Instant.now().minus(Duration.ofHours(50))));
        Files.writeString(tmp.resolve("present.lock"), "123\n");
        Files.createDirectories(tmp.resolve("not-a-mount"));
    }

    @AfterAll static void stop() throws Exception {
        if (http != null) http.stop(0);
        if (https != null) https.stop(0);
        if (hooks != null) hooks.stop(0);
        if (listening != null) listening.close();
        for (Process p : started) p.destroyForcibly();
    }

    /** Writes the plan (TMP, BASE, TLS, CA, OPEN, CLOSED, HOOK are filled in) and returns its path. */
    static Path plan(String name, String yaml) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, yaml.replace("TMP", tmp.toString()).replace("BASE", base).replace("TLS", tls).replace("CA", caPem.toString())
                .replace("OPEN", String.valueOf(listening.getLocalPort())).replace("CLOSED", String.valueOf(closedPort)));
        return p;
    }

    static ScriptRun.Result inspect(String... args) {
        return ScriptRun.run(inspect::main, args);
    }

    static Map<String, JsonNode> byName(ScriptRun.Result r) {
        Map<String, JsonNode> m = new HashMap<>();
        for (JsonNode row : r.json().get("results")) m.put(row.get("name").asText(), row);
        return m;
    }

    static final String EVERY_KIND = """
            title: test box
            defaults: {timeout: 3s}
            checks:
              - {name: tcp-open, kind: tcp, host: 127.0.0.1, port: OPEN, latency: {warn: 2s}}
              - {name: tcp-refused, kind: tcp, host: 127.0.0.1, port: CLOSED}
              - {name: tcp-refused-warn, kind: tcp, host: 127.0.0.1, port: CLOSED, severity: warn}
              - {name: http-ok, kind: http, url: 'BASE/ok', body_match: UP}
              - {name: http-down, kind: http, url: 'BASE/down'}
              - {name: http-slow, kind: http, url: 'BASE/slow', latency: {warn: 300ms, crit: 5s}}
              - {name: https-expiring, kind: http, url: 'TLS/ok', cacert: CA}
              - {name: https-expiring-warn, kind: http, url: 'TLS/ok', cacert: CA, cert_expiry: {warn: 7d, crit: 1d}}
              - {name: https-untrusted, kind: http, url: 'TLS/ok'}
              - {name: sleepers, kind: process, process: ops-sleeper, count: {min: 2, max: 2}}
              - {name: too-many-sleepers, kind: process, process: ops-sleeper, count: {max: 1}}
              - {name: sleeper-rss, kind: process, process: ops-sleeper, rss: {warn: 1k, crit: 1024G}}
              - {name: by-regex, kind: process, regex: 'sleep 314159$'}
              - {name: absent-process, kind: process, process: no-such-proc-xyz}
              - {name: root-disk, kind: disk, mount: /, used: {crit: 100%}, inodes: {crit: 100%}}
              - {name: not-mounted, kind: disk, mount: TMP/not-a-mount}
              - {name: memory, kind: memory, used: {crit: 100%}}
              - {name: memory-low, kind: memory, available: {crit: 100000G}}
              - {name: load, kind: load, load1: {crit: 10000}, per_cpu: true}
              - {name: cmd-ok, kind: command, run: 'echo ready', output_match: '^ready$'}
              - {name: cmd-exit, kind: command, run: [sh, -c, 'echo boom >&2; exit 3']}
              - {name: cmd-exit-allowed, kind: command, run: 'exit 3', exit: [0, 3]}
              - {name: cmd-value, kind: command, run: 'echo queue=42', value: {warn: 40, crit: 100}}
              - {name: cmd-timeout, kind: command, run: 'sleep 271828', timeout: 300ms}
              - {name: fresh-file, kind: file, path: TMP/fresh.txt, age: {warn: 1h}, min_size: 10}
              - {name: old-file, kind: file, path: TMP/old.log, age: {warn: 1d, crit: 3d}}
              - {name: small-file, kind: file, path: TMP/fresh.txt, min_size: 1M}
              - {name: big-file, kind: file, path: TMP/fresh.txt, size: {warn: 50}}
              - {name: missing-file, kind: file, path: TMP/nope}
              - {name: no-lock, kind: file, path: TMP/nope.lock, exists: false}
              - {name: stale-lock, kind: file, path: TMP/present.lock, exists: false}
            """;

    @Test void aPlanWithEveryKindGetsOneRowPerCheckWithItsLevel() throws Exception {
        var r = inspect("--format", "json", plan("every.yaml", EVERY_KIND).toString());
        assertEquals(1, r.exit(), r.toString());
        Map<String, JsonNode> rows = byName(r);
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        for (String ok : List.of("tcp-open", "http-ok", "sleepers", "by-regex", "root-disk", "memory", "load", "cmd-ok", "cmd-exit-allowed",
                "fresh-file", "no-lock")) expected.put(ok, "ok");
        for (String warn : List.of("tcp-refused-warn", "http-slow", "https-expiring-warn", "sleeper-rss", "cmd-value", "old-file", "big-file")) {
            expected.put(warn, "warn");
        }
        for (String crit : List.of("tcp-refused", "http-down", "https-expiring", "https-untrusted", "too-many-sleepers", "absent-process",
                "not-mounted", "memory-low", "cmd-exit", "cmd-timeout", "small-file", "missing-file", "stale-lock")) expected.put(crit, "crit");
        assertEquals(31, expected.size());
        assertEquals(expected.size(), rows.size(), "one row per check: " + r.out());
        expected.forEach((name, status) -> assertEquals(status, rows.get(name).get("status").asText(), name + ": " + rows.get(name)));

        assertEquals("connection refused (127.0.0.1:" + closedPort + ")", rows.get("tcp-refused").get("detail").asText());
        assertTrue(rows.get("http-down").get("detail").asText().contains("status 503, expected 200-399"), rows.get("http-down").toString());
        assertTrue(rows.get("https-untrusted").get("detail").asText().contains("TLS handshake failed"), rows.get("https-untrusted").toString());
        JsonNode expiring = rows.get("https-expiring");
        assertTrue(expiring.get("detail").asText().matches("cert 2\\.9d left reached crit <=3d"), expiring.toString());
        assertEquals("status 200-399; cert warn <=14d crit <=3d", expiring.get("threshold").asText());
        assertTrue(rows.get("sleepers").get("value").asText().startsWith("2 running, rss "), rows.get("sleepers").toString());
        assertEquals("2 running, expected at most 1", rows.get("too-many-sleepers").get("detail").asText());
        assertEquals("0 running, expected at least 1", rows.get("absent-process").get("detail").asText());
        assertEquals("pid " + started.get(2).pid(), rows.get("by-regex").get("detail").asText(), "the test's own JVM is not matched");
        assertTrue(rows.get("not-mounted").get("detail").asText().matches(".*/not-a-mount is not a mount point \\(its files are on /.*\\)"),
                rows.get("not-mounted").toString());
        assertTrue(rows.get("cmd-exit").get("detail").asText().startsWith("exit 3, expected 0: boom"), rows.get("cmd-exit").toString());
        assertEquals("value 42 reached warn >=40", rows.get("cmd-value").get("detail").asText());
        assertEquals("still running after 300ms; stopped it", rows.get("cmd-timeout").get("detail").asText());
        assertTrue(Proc.sh("pgrep -f 'sleep [2]71828' || true").isBlank(), "the timed-out command was killed");
        assertEquals("age 2d02h reached warn >=1d", rows.get("old-file").get("detail").asText());
        assertEquals("size 100 B, under min_size 1.0 MiB", rows.get("small-file").get("detail").asText());
        assertEquals("no such file", rows.get("missing-file").get("detail").asText());
        assertTrue(rows.get("stale-lock").get("detail").asText().endsWith("expected no such file"), rows.get("stale-lock").toString());

        // Measured values agree with the kernel's own numbers.
        Map<String, Long> meminfo = new HashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            String[] f = line.split("\\s+");
            meminfo.put(f[0].replace(":", ""), Long.parseLong(f[1]));
        }
        double used = 100.0 * (meminfo.get("MemTotal") - meminfo.get("MemAvailable")) / meminfo.get("MemTotal");
        JsonNode memUsed = rows.get("memory").get("measures").get(0);
        assertEquals("used", memUsed.get("name").asText());
        assertEquals(used, memUsed.get("value").asDouble(), 2.0, "memory used % against /proc/meminfo");
        double load1 = Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]) / Runtime.getRuntime().availableProcessors();
        assertEquals(load1, rows.get("load").get("measures").get(0).get("value").asDouble(), 0.5, "load1 per cpu against /proc/loadavg");

        JsonNode summary = r.json().get("summary");
        assertEquals(31, summary.get("total").asInt());
        assertEquals(11, summary.get("ok").asInt());
        assertEquals(7, summary.get("warn").asInt());
        assertEquals(13, summary.get("crit").asInt());
        assertTrue(summary.get("line").asText().matches("inspect: 31 checks on \\S+: 11 OK, 7 WARN, 13 CRIT in .*"), summary.toString());
        assertEquals("test box", r.json().get("title").asText());
    }

    @Test void tableAndMarkdownAreGroupedAndEndWithTheSummary() throws Exception {
        Path p = plan("small.yaml", """
                checks:
                  - {name: api, kind: http, url: 'BASE/ok'}
                  - {name: db port, kind: tcp, host: 127.0.0.1, port: CLOSED, group: database}
                  - {name: backup, kind: file, path: TMP/old.log, age: {warn: 1d}}
                  - {name: api again, kind: http, url: 'BASE/ok'}
                """);
        var table = inspect(p.toString());
        assertEquals(1, table.exit(), table.toString());
        String out = table.out();
        assertTrue(out.startsWith("inspection: "), out);
        int services = out.indexOf("\n[services]\n"), database = out.indexOf("\n[database]\n"), files = out.indexOf("\n[files]\n");
        assertTrue(services > 0 && database > services && files > database, "groups in plan order:\n" + out);
        assertTrue(out.indexOf("api again") < database, "a group's checks stay together:\n" + out);
        assertTrue(out.contains("CRIT    db port  refused"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("WARN    backup  age 2d02h  age warn >=1d")), out);
        assertTrue(out.strip().lines().reduce((a, b) -> b).orElse("").matches("inspect: 4 checks on \\S+: 2 OK, 1 WARN, 1 CRIT in .*"), out);

        var md = inspect("--format", "md", "--only-failed", p.toString());
        assertTrue(md.out().startsWith("### inspection: "), md.out());
        assertTrue(md.out().contains("#### database\n\n| status | check | value | threshold | detail |\n|---|---|---|---|---|\n| **CRIT** | db port | refused |"), md.out());
        assertFalse(md.out().contains("api"), "--only-failed leaves OK checks out:\n" + md.out());
        assertFalse(md.out().contains("#### services"), "and a group with nothing to show");
        assertTrue(md.out().contains("2 OK, 1 WARN, 1 CRIT"), "the summary still counts everything");

        var prom = inspect("--format", "prom", p.toString());
        assertTrue(prom.out().contains("ops_inspect_status{check=\"db port\",group=\"database\",kind=\"tcp\"} 2"), prom.out());
        assertTrue(prom.out().contains("ops_inspect_status{check=\"api\",group=\"services\",kind=\"http\"} 0"), prom.out());
        // 50h (180000 s) plus however long the class ran before this test (old.log's mtime is set once, in start())
        assertTrue(Pattern.compile("^ops_inspect_value\\{check=\"backup\",group=\"files\",kind=\"file\",measure=\"age\",unit=\"seconds\"\\} 18\\d{4}\\.", Pattern.MULTILINE)
                .matcher(prom.out()).find(), prom.out());
        assertTrue(prom.err().contains("1 CRIT"), prom.err());
    }

    @Test void diskUsageOfARealSmallFilesystemMatchesDf() throws Exception {
        Prereq.requireRoot();
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        Proc.sh("mount -t tmpfs -o size=1m,nr_inodes=64 ops-inspect-test " + mnt);
        try {
            Files.write(mnt.resolve("fill"), new byte[600 * 1024]);
            for (int i = 0; i < 50; i++) Files.writeString(mnt.resolve("f" + i), "");
            var r = inspect("--format", "json", plan("disk.yaml", """
                    checks:
                      - {name: small, kind: disk, mount: TMP/mnt, used: {warn: 50%, crit: 90%}, inodes: {warn: 50%, crit: 75%}, free: {warn: 500k}}
                      - {name: defaults, kind: disk, mount: TMP/mnt}
                    """).toString());
            Map<String, JsonNode> rows = byName(r);
            JsonNode small = rows.get("small");
            assertEquals("crit", small.get("status").asText(), small.toString());
            String df = Proc.sh("df --output=pcent,ipcent,avail -B1 " + mnt + " | tail -1").strip();
            String[] f = df.split("\\s+");
            JsonNode m = small.get("measures");
            assertEquals("used", m.get(0).get("name").asText());
            assertEquals(Double.parseDouble(f[0].replace("%", "")), m.get(0).get("value").asDouble(), 1.0, "used % as df says: " + df);
            assertEquals("warn", m.get(0).get("status").asText());
            assertEquals(Double.parseDouble(f[1].replace("%", "")), m.get(1).get("value").asDouble(), 1.0, "inode % as df says: " + df);
            assertEquals("crit", m.get(1).get("status").asText());
            assertEquals(Long.parseLong(f[2]), m.get(2).get("value").asLong(), "free bytes as df says");
            assertEquals("warn", m.get(2).get("status").asText(), "free under 500k is lower-is-worse");
            assertTrue(small.get("detail").asText().contains("inodes"), small.toString());
            assertTrue(rows.get("defaults").get("value").asText().matches("used [\\d.]+%, inodes [\\d.]+%"), rows.get("defaults").toString());
            assertEquals("used warn >=80% crit >=90%; inodes warn >=80% crit >=90%", rows.get("defaults").get("threshold").asText());
        } finally {
            Proc.sh("umount " + mnt);
        }
    }

    // ---- bad plans ------------------------------------------------------------------------------

    /** Each bad plan starts with a command check that would create MARKER, so "nothing ran" is checked too. */
    static final String[][] BAD_PLANS = {
        {"  - {kind: tpc, host: a, port: 22}",
         "3:6: checks[1].kind: unknown kind 'tpc' (expected one of: command, disk, file, http, load, memory, process, tcp)"},
        {"  - {host: a, port: 22}", "3:5: checks[1]: missing 'kind' (expected one of: command, disk, file, http, load, memory, process, tcp)"},
        {"  - kind: tcp\n    host: a\n    port: ssh", "5:11: checks[1].port: expected a whole number, got 'ssh'"},
        {"  - kind: tcp\n    host: a\n    port: 22.5", "5:11: checks[1].port: expected a whole number, got 22.5"},
        {"  - kind: tcp\n    host: a", "3:5: checks[1].port: missing (expected a port number 1-65535)"},
        {"  - kind: tcp\n    port: 22", "3:5: checks[1].host: missing (a 'host:' is required here)"},
        {"  - kind: tcp\n    host: a\n    port: 70000", "5:5: checks[1].port: port 70000 is out of range (expected 1-65535)"},
        {"  - kind: tcp\n    host: a\n    host: b\n    port: 22", "5:5: checks[1]: duplicate key 'host'"},
        {"  - kind: disk\n    mount: /\n    usde: {warn: 80}",
         "5:5: checks[1]: unknown key 'usde' (did you mean 'used'?); expected one of: name, group, severity, mount, used, inodes, free"},
        {"  - kind: tcp\n    host: a\n    port: 22\n    timeout: 5 sec", "6:14: checks[1].timeout: expected a duration like 500ms, 3s, 2m or 1h, got '5 sec'"},
        {"  - kind: file\n    path: /x\n    min_size: 1 potato", "5:15: checks[1].min_size: expected a size like 512k, 16M or 1G, got '1 potato'"},
        {"  - kind: disk\n    mount: /\n    used: {warn: 180%}", "5:18: checks[1].used.warn: expected a percentage 0-100 like 80 or 80%, got '180%'"},
        {"  - kind: disk\n    mount: /\n    used: {warn: 95%, crit: 90%}",
         "5:5: checks[1].used: warn 95% is above crit 90% (higher is worse here, so warn comes first)"},
        {"  - kind: http\n    url: https://a/\n    cert_expiry: {warn: 3d, crit: 14d}",
         "5:5: checks[1].cert_expiry: warn 3d is below crit 14d (lower is worse here, so warn comes first)"},
        {"  - kind: disk\n    mount: /\n    used: 90%", "5:11: checks[1].used: expected thresholds like {warn: 80, crit: 90} (either or both), got '90%'"},
        {"  - kind:tcp", "3:5: checks[1]: expected a mapping with 'kind:' and its keys, got 'kind:tcp' (YAML needs a space after ':')"},
        {"  - kind: tcp\n   host: a",
         "4: bad indentation: this line starts at column 4, the one above at column 5; keys of one mapping line up (YAML)"},
        {"  - {kind: memory, used: {warn: 0.9}}", "3:33: checks[1].used.warn: expected a percentage 0-100 like 80 or 80%, got 0.9"
                + " (0.9 reads as a fraction; percentages are 0-100: write 90 for 90%, or '0.9%' if you mean it)"},
        {"\t- kind: tcp", "3:1: found character 'a tab' that cannot start any token. (Do not use a tab for indentation)"},
        {"  - kind: process\n    regex: 'java ('", "4:5: checks[1].regex: bad regex: Unclosed group near index 6 of 'java ('"},
        {"  - {kind: process, process: a, regex: b}",
         "3:5: checks[1]: give either 'process:' (the exact process name) or 'regex:' (matched against the command line), not both"},
        {"  - {kind: process, process: a, count: {min: 3, max: 1}}", "3:33: checks[1].count: min 3 is above max 1"},
        {"  - {kind: http, url: '127.0.0.1:8080/health'}",
         "3:18: checks[1].url: '127.0.0.1:8080/health' has no scheme; write http://127.0.0.1:8080/health or https://127.0.0.1:8080/health"},
        {"  - {kind: http, url: 'http://a/', expect: 200-99}", "3:36: checks[1].expect: bad status range '200-99' (codes are 100-599)"},
        {"  - {kind: http, url: 'http://a/', follow: maybe}", "3:44: checks[1].follow: expected true or false, got 'maybe'"},
        {"  - {kind: http, url: 'http://a/', cacert: /no/such.pem}", "3:36: checks[1].cacert: /no/such.pem: no such file"},
        {"  - {kind: command, run: {a: 1}}", "3:26: checks[1].run: expected a command: text for /bin/sh -c, or a list like [systemctl, is-active, nginx]"},
        {"  - {kind: command, run: 'true', exit: zero}", "3:40: checks[1].exit: expected an exit code 0-255 or a list of them, got 'zero'"},
        {"  - {kind: memory, severity: critical}", "3:30: checks[1].severity: expected one of warn, crit, got 'critical'"},
        {"  - {kind: file, path: backups/db.dump}",
         "3:18: checks[1].path: 'backups/db.dump' is not an absolute path (a relative one would depend on where inspect runs)"},
        {"  - {kind: file, path: /x, exists: false, age: {warn: 1h}}", "3:28: checks[1].exists: exists: false contradicts age/size thresholds (they need the file)"},
        {"  - {kind: load}", "3:5: checks[1]: a load check needs thresholds for load1, load5 or load15, e.g. load5: {warn: 4, crit: 8}"},
        {"  - {kind: memory}\n  - {kind: memory}", "4:5: checks[2]: a second check named 'memory' (checks[1] has that name); give each check its own 'name:'"},
        {"  -", "3:4: checks[1]: expected a mapping with 'kind:' and its keys, got nothing"},
        {"titel: x", "3:1: unknown key 'titel' (did you mean 'title'?); expected one of: title, defaults, checks"},
        {"checks: []", "3:1: duplicate key 'checks'"},
        {"  - {kind: disk, mount: /, used: &limits {warn: 80%}}\n  - {kind: disk, mount: /var, used: *limits}",
         "4:37: checks[2].used: YAML aliases (*limits) are not supported; write the value out"},
        {"  - <<: {kind: memory}\n    name: m", "3:5: YAML merge keys (<<) are not supported; write the keys out"},
        {"---\nchecks:\n  - {kind: load}", "4: a second YAML document (after '---'); put everything in one document"},
        {"  - {kind: http, url: 'http://a/', method: CONNECT}", "3:36: checks[1].method: CONNECT is not a health check (use GET, HEAD, or the method your endpoint serves)"},
        {"  - {kind: http, url: 'http://a/', headers: {X-A: \"one\\r\\nX-B: two\"}}", "3:46: checks[1].headers.X-A: a header value is one line (no CR, LF or NUL)"},
        {"  - {kind: http, url: 'http://a/', headers: {Connection: keep-alive}}", "3:46: checks[1].headers.Connection: Connection is set by inspect itself (a Host header is fine: it names a virtual host)"},
        {"  - {kind: file, path: \"/tmp/a\\0b\"}", "3:18: checks[1].path: a path cannot hold a NUL character"},
    };

    @Test void badPlansAreRejectedWithFileLineColumnBeforeAnythingRuns() throws Exception {
        Path marker = tmp.resolve("MARKER");
        List<String> wrong = new ArrayList<>();
        for (String[] c : BAD_PLANS) {
            Path p = plan("bad.yaml", "checks:\n  - {kind: command, name: marker, run: 'touch " + marker + "'}\n" + c[0] + "\n");
            var r = inspect(p.toString());
            String expected = "inspect: " + p + ":" + c[1] + "\n";
            if (r.exit() != 2 || !r.err().equals(expected) || !r.out().isEmpty()) {
                wrong.add("plan:\n" + c[0] + "\nexpected exit 2 and " + expected + "got " + r);
            }
            assertFalse(Files.exists(marker), "a check ran although the plan was bad:\n" + c[0]);
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " of " + BAD_PLANS.length + " bad plans misreported:\n\n" + String.join("\n", wrong));
    }

    /** Every problem of a plan at once, one line each in file order, not one per run. */
    @Test void everyPlanErrorIsReportedAtOnce() throws Exception {
        Path p = plan("many.yaml", "checks:\n  - {kind: disk, path: /}\n  - {kind: tcp, host: a, port: ssh}\n  - {kind: nope}\n"
                + "  - {kind: memory}\n  - {kind: tcp, host: b, port: 70000}\n  - {kind: memory}\n");
        var r = inspect("--validate", p.toString());
        assertEquals(2, r.exit(), r.toString());
        assertEquals(String.join("\n",
                "inspect: " + p + ":2:18: checks[0]: unknown key 'path'; expected one of: name, group, severity, mount, used, inodes, free",
                "inspect: " + p + ":3:32: checks[1].port: expected a whole number, got 'ssh'",
                "inspect: " + p + ":4:6: checks[2].kind: unknown kind 'nope' (expected one of: command, disk, file, http, load, memory, process, tcp)",
                "inspect: " + p + ":6:26: checks[4].port: port 70000 is out of range (expected 1-65535)",
                "inspect: " + p + ":7:5: checks[5]: a second check named 'memory' (checks[3] has that name); give each check its own 'name:'") + "\n",
                r.err());
    }

    /** A bad value outside checks: (defaults.timeout) is one more line, not the only one: the checks are still read. */
    @Test void aBadDefaultIsSaidWithTheChecksErrors() throws Exception {
        Path p = plan("defaults.yaml", "defaults:\n  timeout: 0s\nchecks:\n  - {kind: tcp, host: a, port: 70000}\n");
        var r = inspect("--validate", p.toString());
        assertEquals(2, r.exit(), r.toString());
        assertEquals("inspect: " + p + ":2:3: defaults.timeout: must be more than 0\n"
                + "inspect: " + p + ":4:26: checks[0].port: port 70000 is out of range (expected 1-65535)\n", r.err());
    }

    @Test void badFilesAndOptions() throws Exception {
        Path empty = plan("empty.yaml", "# nothing here yet\n");
        Path latin1 = tmp.resolve("latin1.yaml");
        Files.write(latin1, "checks:\n  - {kind: memory, name: caf\u00e9}\n".getBytes(StandardCharsets.ISO_8859_1));
        Path list = plan("list.yaml", "- kind: tcp\n");
        Path none = plan("none.yaml", "title: nothing to check\n");
        Path good = plan("good.yaml", "checks:\n  - {kind: memory}\n");
        Object[][] cases = {
            {tmp.resolve("missing.yaml") + ": no such file", new String[] {tmp.resolve("missing.yaml").toString()}},
            {empty + ": empty (nothing to read)", new String[] {empty.toString()}},
            {latin1 + ": not UTF-8 text", new String[] {latin1.toString()}},
            {list + ":1:1: expected a mapping with keys title, defaults, checks, got a list", new String[] {list.toString()}},
            {none + ":1:1: checks: the plan has no checks (expected a list under 'checks:')", new String[] {none.toString()}},
            {"--alert-webhook: not an http:// or https:// URL: 'hooks.example/x'", new String[] {"--alert-webhook", "hooks.example/x", good.toString()}},
            {"--alert-webhook-env OPS_TEST_UNSET_VAR: the variable is not set", new String[] {"--alert-webhook-env", "OPS_TEST_UNSET_VAR", good.toString()}},
            {"--concurrency must be at least 1", new String[] {"-c", "0", good.toString()}},
        };
        for (Object[] c : cases) {
            var r = inspect((String[]) c[1]);
            assertEquals(2, r.exit(), r.toString());
            assertEquals("inspect: " + c[0] + "\n", r.err());
            assertEquals("", r.out());
        }
    }

    @Test void thePlanShownInHelpIsAValidPlan() throws Exception {
        var help = inspect("--help");
        String text = help.out();
        int start = text.indexOf("\n", text.indexOf("A plan (")) + 1;
        String yaml = text.substring(start, text.indexOf("\n\n", start));
        var r = inspect("--validate", plan("from-help.yaml", yaml.stripIndent()).toString());
        assertEquals(0, r.exit(), yaml + "\n" + r);
        assertTrue(r.out().endsWith("plan OK, 10 checks; nothing was run\n"), r.out());
    }

    @Test void validateChecksThePlanAndRunsNothing() throws Exception {
        Path marker = tmp.resolve("VALIDATED");
        Path p = plan("validate.yaml", "checks:\n  - {kind: command, run: 'touch " + marker + "'}\n  - {kind: disk, mount: /, group: storage}\n");
        var r = inspect("--validate", p.toString());
        assertEquals(0, r.exit(), r.toString());
        String first = r.out().lines().findFirst().orElse("");
        assertTrue(first.startsWith("commands: command touch /") && first.endsWith(" (command)"), r.out());
        assertTrue(r.out().contains("storage: disk / (disk)\n"), r.out());
        assertTrue(r.out().endsWith("plan OK, 2 checks; nothing was run\n"), r.out());
        assertFalse(Files.exists(marker));
    }

    @Test void theGlobalDeadlineMarksUnfinishedChecksNotRun() throws Exception {
        Path p = plan("deadline.yaml", "checks:\n  - {name: slow, kind: command, run: 'sleep 161803', timeout: 1m}\n  - {kind: memory}\n");
        long t0 = System.nanoTime();
        var r = inspect("--format", "json", "--deadline", "1s", p.toString());
        assertTrue(System.nanoTime() - t0 < 8_000_000_000L, "bounded by the deadline");
        assertEquals(1, r.exit(), r.toString());
        Map<String, JsonNode> rows = byName(r);
        assertEquals("not-run", rows.get("slow").get("status").asText());
        assertTrue(rows.get("slow").get("detail").asText().startsWith("cut by the global deadline"), rows.get("slow").toString());
        assertEquals("ok", rows.get("memory").get("status").asText());
        assertTrue(r.json().get("summary").get("line").asText().contains("1 OK, 0 WARN, 0 CRIT, 1 not run"), r.out());
        TestHttp.sleep(300);
        assertTrue(Proc.sh("pgrep -f 'sleep [1]61803' || true").isBlank(), "the cut command was stopped");
    }

    // ---- the alert webhook -------------------------------------------------------------------------

    static final String ALERTING = """
            title: nightly
            checks:
              - {name: fine, kind: memory, used: {crit: 100%}}
              - {name: db, kind: tcp, host: 127.0.0.1, port: CLOSED}
              - {name: backup, kind: file, path: TMP/old.log, age: {warn: 1d}}
            """;

    @Test void theWebhookGetsTheWarnAndCritResultsAfterTheReport() throws Exception {
        received.get("/hook").clear();
        var r = inspect("--alert-webhook", hookBase + "/hook", plan("alerting.yaml", ALERTING).toString());
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.out().contains("inspect: 3 checks on"), r.out());
        assertEquals(1, received.get("/hook").size(), "one POST");
        String[] req = received.get("/hook").peek().split("\n", 2);
        assertEquals("application/json", req[0]);
        JsonNode body = new ObjectMapper().readTree(req[1]);
        assertEquals("inspect", body.get("tool").asText());
        assertEquals("nightly", body.get("title").asText());
        assertEquals(2, body.get("alerts").size(), "only WARN and CRIT: " + body);
        assertEquals("db", body.get("alerts").get(0).get("name").asText());
        assertEquals("crit", body.get("alerts").get(0).get("status").asText());
        assertEquals("backup", body.get("alerts").get(1).get("name").asText());
        assertEquals(1, body.get("summary").get("crit").asInt());
        assertTrue(body.get("text").asText().contains("\nCRIT db: connection refused"), body.toString());
        assertTrue(r.err().startsWith("inspect: alert sent to " + hookBase + "/... (HTTP 200, 2 checks)"), r.err());
        assertFalse(r.err().contains("/hook"), "the URL's path (often a token) is not printed");

        received.get("/hook").clear();
        var quiet = inspect("--alert-webhook", hookBase + "/hook", plan("fine.yaml", "checks:\n  - {kind: memory, used: {crit: 100%}}\n").toString());
        assertEquals(0, quiet.exit(), quiet.toString());
        assertTrue(received.get("/hook").isEmpty(), "nothing to alert, nothing sent");
        assertEquals("", quiet.err());
    }

    /** What a monitored command prints cannot ping a channel or hide a link in the chat the webhook posts to. */
    @Test void theWebhookTextCannotPingOrHideLinks() throws Exception {
        received.get("/hook").clear();
        Path p = plan("markup.yaml", "checks:\n  - {kind: command, name: hostile, run: \"echo '<!channel> @here see <https://evil.example|docs> [x](https://evil.example) a&b'; exit 3\"}\n");
        var r = inspect("--alert-webhook", hookBase + "/hook", p.toString());
        assertEquals(1, r.exit(), r.toString());
        JsonNode body = new ObjectMapper().readTree(received.get("/hook").peek().split("\n", 2)[1]);
        String text = body.get("text").asText();
        assertFalse(text.contains("<!channel>") || text.contains("<https://") || text.contains("@here") || text.contains("](https"), text);
        assertTrue(text.contains("&lt;!channel&gt; @\u200Bhere see &lt;https://evil.example|docs&gt; [x] (https://evil.example) a&amp;b"), text);
    }

    @Test void aWebhookFailingOnceIsRetriedAndOneThatIsDownNeverHidesTheReport() throws Exception {
        Path p = plan("alerting.yaml", ALERTING);
        flakyCalls.set(0);
        received.get("/flaky").clear();
        var flaky = inspect("--alert-webhook", hookBase + "/flaky", p.toString());
        assertEquals(2, received.get("/flaky").size(), "a 500, then one retry");
        assertTrue(flaky.err().contains("alert sent to " + hookBase + "/... (HTTP 204"), flaky.err());

        int down = Proc.freePort();
        long t0 = System.nanoTime();
        var r = inspect("--format", "md", "--alert-webhook", "http://127.0.0.1:" + down + "/hook", p.toString());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.out().contains("| **CRIT** | db |") && r.out().contains("inspect: 3 checks on"), "the whole report is printed:\n" + r.out());
        assertEquals("inspect: warning: alert webhook http://127.0.0.1:" + down + "/... failed after 2 attempts: connection refused"
                + " (the report above is complete)\n", r.err());
        assertTrue(ms >= 1000, "the retry waited 1s: " + ms + " ms");

        received.get("/hang").clear();
        var hang = inspect("--webhook-timeout", "300ms", "--alert-webhook", hookBase + "/hang", p.toString());
        assertEquals(2, received.get("/hang").size());
        assertTrue(hang.err().contains("failed after 2 attempts: no answer within 300ms"), hang.err());

        received.get("/reject").clear();
        var rejected = inspect("--alert-webhook", hookBase + "/reject", p.toString());
        assertEquals(1, received.get("/reject").size(), "a 400 is not retried: the same request would fail the same way");
        assertTrue(rejected.err().contains("failed after 1 attempt: HTTP 400"), rejected.err());
    }

    @Test void theWebhookUrlCanComeFromTheEnvironment() throws Exception {
        Path p = plan("alerting.yaml", ALERTING);
        received.get("/hook").clear();
        List<String> cmd = new ArrayList<>(Proc.javaCommand("inspect", "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(List.of("--alert-webhook-env", "OPS_TEST_HOOK", p.toString()));
        var r = Proc.run(cmd, Duration.ofMinutes(1), Map.of("OPS_TEST_HOOK", hookBase + "/hook"), null);
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, received.get("/hook").size(), r.toString());
    }

    // ---- http: headers and redirects -------------------------------------------------------------

    /** headers: go out with the request (a Host header replaces the default one); the body the server sends back proves it. */
    @Test void httpHeadersFromThePlanArriveAtTheServer() throws Exception {
        seenHeaders.clear();
        Path p = plan("headers.yaml", """
                checks:
                  - {name: with-token, kind: http, url: 'BASE/headers', headers: {X-Ops-Token: t0ken-42, Host: vhost.example}, body_match: '^token=t0ken-42$'}
                  - {name: without-token, kind: http, url: 'BASE/headers', body_match: '^token=t0ken-42$'}
                """);
        var r = inspect("--format", "json", p.toString());
        assertEquals(1, r.exit(), r.toString());
        Map<String, JsonNode> rows = byName(r);
        assertEquals("ok", rows.get("with-token").get("status").asText(), rows.get("with-token").toString());
        assertEquals("crit", rows.get("without-token").get("status").asText(), rows.get("without-token").toString());
        assertEquals("body does not match /^token=t0ken-42$/", rows.get("without-token").get("detail").asText());
        List<String> gets = seenHeaders.stream().filter(l -> l.startsWith("GET ")).toList();
        assertEquals(2, gets.size(), "one GET per check: " + seenHeaders);
        assertTrue(gets.contains("GET vhost.example t0ken-42 ops-httpcheck/0.1"), "the plan's headers, and its Host instead of ours: " + seenHeaders);
        assertTrue(gets.contains("GET " + base.substring("http://".length()) + " null ops-httpcheck/0.1"), "no header the plan did not ask for: " + seenHeaders);
    }

    /** follow: true follows a redirect (and says where it ended); without it the 3xx itself is the answer. */
    @Test void redirectsAreFollowedOnlyWithFollowTrue() throws Exception {
        Path p = plan("follow.yaml", """
                checks:
                  - {name: followed, kind: http, url: 'BASE/hop', follow: true, expect: 200, body_match: landed}
                  - {name: not-followed, kind: http, url: 'BASE/hop', expect: 200}
                  - {name: follow-false, kind: http, url: 'BASE/hop', follow: false}
                  - {name: loop, kind: http, url: 'BASE/loop', follow: true}
                """);
        var r = inspect("--format", "json", p.toString());
        assertEquals(1, r.exit(), r.toString());
        Map<String, JsonNode> rows = byName(r);
        JsonNode followed = rows.get("followed");
        assertEquals("ok", followed.get("status").asText(), followed.toString());
        assertTrue(followed.get("value").asText().startsWith("HTTP 200, latency "), followed.toString());
        assertEquals("redirected to " + base + "/landing", followed.get("detail").asText());
        JsonNode notFollowed = rows.get("not-followed");
        assertEquals("crit", notFollowed.get("status").asText(), "redirects are not followed by default: " + notFollowed);
        assertEquals("status 302, expected 200", notFollowed.get("detail").asText());
        JsonNode followFalse = rows.get("follow-false");
        assertEquals("ok", followFalse.get("status").asText(), "302 is in the default 200-399: " + followFalse);
        assertTrue(followFalse.get("value").asText().startsWith("HTTP 302, latency "), followFalse.toString());
        assertEquals("0 bytes of body read", followFalse.get("detail").asText());
        JsonNode loop = rows.get("loop");
        assertEquals("crit", loop.get("status").asText(), loop.toString());
        assertEquals("error", loop.get("value").asText(), loop.toString());
        assertEquals("more than 10 redirects (last: " + base + "/loop)", loop.get("detail").asText());

        hops.clear();
        var noFollow = inspect(plan("no-follow.yaml", "checks:\n  - {name: a, kind: http, url: 'BASE/hop'}\n  - {name: b, kind: http, url: 'BASE/hop', follow: false}\n").toString());
        assertEquals(0, noFollow.exit(), noFollow.toString());
        assertTrue(hops.contains("GET /hop"), hops.toString());
        assertFalse(hops.stream().anyMatch(h -> h.endsWith("/landing")), "never followed to /landing: " + hops);
    }

    // ---- process checks with user: -----------------------------------------------------------------

    /** user: counts only that user's processes: a real one of root and one of nobody, and a user with none. */
    @Test void processChecksWithUserCountOnlyThatUsersProcesses() throws Exception {
        Prereq.requireRoot();
        Prereq.requireExecutable("/usr/bin/setpriv", "util-linux");
        String idle = null;
        for (String u : List.of("games", "lp", "news", "uucp", "proxy", "backup", "list", "irc", "mail", "daemon", "bin", "sys", "man")) {
            if (Proc.run(List.of("id", "-u", u), Duration.ofSeconds(10)).exit() == 0 && Proc.sh("pgrep -u " + u + " || true").isBlank()) {
                idle = u;
                break;
            }
        }
        Prereq.require(idle != null, "a system account (games, lp, daemon, ...) that runs no process");
        Path dir = Files.createTempDirectory("ops-inspect-users");
        List<Process> mine = new ArrayList<>();
        try {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Path bin = dir.resolve("ops-usr-sleep");                  // its own name, so only the test's processes match
            Files.copy(Path.of("/bin/sleep"), bin);
            Files.setPosixFilePermissions(bin, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Process root = new ProcessBuilder(bin.toString(), "60").start();
            mine.add(root);
            Process nobody = new ProcessBuilder("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", bin.toString(), "60").start();
            mine.add(nobody);
            for (Process pr : mine) {                                 // setpriv execs the program: wait until it has
                long end = System.nanoTime() + 10_000_000_000L;
                while (!Files.readString(Path.of("/proc/" + pr.pid() + "/comm")).strip().equals("ops-usr-sleep") && System.nanoTime() < end) TestHttp.sleep(20);
            }
            assertEquals("nobody", Files.getOwner(Path.of("/proc/" + nobody.pid())).getName());
            Path p = plan("users.yaml", """
                    checks:
                      - {name: as-root, kind: process, process: ops-usr-sleep, user: root, count: {min: 1, max: 1}}
                      - {kind: process, process: ops-usr-sleep, user: nobody, count: {min: 1, max: 1}}
                      - {name: any-user, kind: process, process: ops-usr-sleep, count: {min: 2, max: 2}}
                      - {name: as-idle, kind: process, process: ops-usr-sleep, user: IDLE}
                      - {name: anything-as-idle, kind: process, regex: '.', user: IDLE}
                      - {name: nothing-as-idle, kind: process, regex: '.', user: IDLE, count: {max: 0}}
                      - {name: unknown-user, kind: process, process: ops-usr-sleep, user: no-such-user-ops}
                    """.replace("IDLE", idle));
            var r = inspect("--format", "json", p.toString());
            assertEquals(1, r.exit(), r.toString());
            Map<String, JsonNode> rows = byName(r);
            assertEquals("ok", rows.get("as-root").get("status").asText(), rows.get("as-root").toString());
            assertEquals("pid " + root.pid(), rows.get("as-root").get("detail").asText(), "root's process only");
            JsonNode asNobody = rows.get("process ops-usr-sleep (nobody)");
            assertTrue(asNobody != null, "the user is part of the check's name: " + rows.keySet());
            assertEquals("ok", asNobody.get("status").asText(), asNobody.toString());
            assertEquals("pid " + nobody.pid(), asNobody.get("detail").asText(), "nobody's process only");
            assertEquals("ok", rows.get("any-user").get("status").asText(), rows.get("any-user").toString());
            assertTrue(rows.get("any-user").get("value").asText().startsWith("2 running, rss "), rows.get("any-user").toString());
            for (String crit : List.of("as-idle", "anything-as-idle", "unknown-user")) {
                assertEquals("crit", rows.get(crit).get("status").asText(), rows.get(crit).toString());
                assertEquals("0 running, expected at least 1", rows.get(crit).get("detail").asText());
            }
            assertEquals("ok", rows.get("nothing-as-idle").get("status").asText(), "count max 0: nothing runs as " + idle + ": " + rows.get("nothing-as-idle"));
            assertEquals("0 running", rows.get("nothing-as-idle").get("value").asText());
            assertEquals("count 0-0", rows.get("nothing-as-idle").get("threshold").asText());
        } finally {
            for (Process pr : mine) {
                pr.destroyForcibly();
                pr.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
            Proc.sh("rm -rf " + dir);
        }
    }

    // ---- memory: swap; load: load5 and load15 ------------------------------------------------------

    static long meminfoKb(String key) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith(key + ":")) return Long.parseLong(line.split("\\s+")[1]);
        }
        throw new AssertionError("no " + key + " in /proc/meminfo");
    }

    /**
     * swap thresholds that any swap in use would reach (0%): with no swap configured the check shows
     * "swap none", measures no swap and stays OK; with swap it is measured as the kernel counts it.
     */
    @Test void swapThresholdsOnAHostWithoutSwapShowNoneAndStayOk() throws Exception {
        long total = meminfoKb("SwapTotal");
        var r = inspect("--format", "json", plan("swap.yaml", "checks:\n  - {name: swap, kind: memory, used: {crit: 100%}, swap: {warn: 0%, crit: 0%}}\n").toString());
        JsonNode row = byName(r).get("swap");
        List<String> measured = new ArrayList<>();
        row.get("measures").forEach(m -> measured.add(m.get("name").asText()));
        if (total == 0) {
            assertEquals(0, r.exit(), r.toString());
            assertEquals("ok", row.get("status").asText(), "no swap is never a swap problem: " + row);
            assertTrue(row.get("value").asText().matches("used [\\d.]+%, swap none"), row.toString());
            assertEquals("used crit >=100%", row.get("threshold").asText(), "the swap thresholds are not shown when there is no swap");
            assertEquals(List.of("used"), measured, "no swap measure when there is no swap");
            assertTrue(row.get("detail").asText().matches("[\\d.]+ [KMGT]iB available of [\\d.]+ [KMGT]iB"), row.toString());
            var prom = inspect("--format", "prom", plan("swap.yaml", "checks:\n  - {name: swap, kind: memory, used: {crit: 100%}, swap: {warn: 0%, crit: 0%}}\n").toString());
            assertFalse(prom.out().contains("measure=\"swap\""), prom.out());
            assertTrue(prom.out().contains("ops_inspect_status{check=\"swap\",group=\"system\",kind=\"memory\"} 0.0"), prom.out());
        } else {
            // Not reached on the machine these tests were written on (it has no swap).
            assertEquals(1, r.exit(), r.toString());
            assertEquals("crit", row.get("status").asText(), "any swap use reaches 0%: " + row);
            assertEquals(List.of("used", "swap"), measured);
            double swapPct = 100.0 * (total - meminfoKb("SwapFree")) / total;
            assertEquals(swapPct, row.get("measures").get(1).get("value").asDouble(), 2.0, "swap used % against /proc/meminfo");
            assertEquals("used crit >=100%; swap warn >=0% crit >=0%", row.get("threshold").asText());
        }
    }

    /** load5 and load15 like load1: thresholds no load reaches pass, thresholds every load reaches (0) fire. */
    @Test void load5AndLoad15ThresholdsThatCertainlyPassOrFail() throws Exception {
        Path p = plan("load.yaml", """
                checks:
                  - {name: calm, kind: load, load1: {crit: 10000}, load5: {warn: 5000, crit: 10000}, load15: {warn: 5000, crit: 10000}}
                  - {name: load5-warn, kind: load, load5: {warn: 0, crit: 10000}}
                  - {name: load15-crit, kind: load, load15: {warn: 0, crit: 0}}
                  - {name: load15-per-cpu, kind: load, load15: {crit: 0}, per_cpu: true}
                """);
        String[] before = Files.readString(Path.of("/proc/loadavg")).split(" ");
        var r = inspect("--format", "json", p.toString());
        assertEquals(1, r.exit(), r.toString());
        Map<String, JsonNode> rows = byName(r);
        JsonNode calm = rows.get("calm");
        assertEquals("ok", calm.get("status").asText(), calm.toString());
        assertEquals("load1 crit >=10000; load5 warn >=5000 crit >=10000; load15 warn >=5000 crit >=10000", calm.get("threshold").asText());
        assertTrue(calm.get("value").asText().matches("load1 [\\d.]+, load5 [\\d.]+, load15 [\\d.]+"), calm.toString());
        assertEquals(0.0, Math.abs(Double.parseDouble(before[1]) - calm.get("measures").get(1).get("value").asDouble()), 0.5, "load5 against /proc/loadavg");
        assertEquals(0.0, Math.abs(Double.parseDouble(before[2]) - calm.get("measures").get(2).get("value").asDouble()), 0.5, "load15 against /proc/loadavg");
        assertEquals("load5", calm.get("measures").get(1).get("name").asText());
        assertEquals("load15", calm.get("measures").get(2).get("name").asText());

        JsonNode warn = rows.get("load5-warn");
        assertEquals("warn", warn.get("status").asText(), warn.toString());
        assertEquals(1, warn.get("measures").size(), "only the load asked for: " + warn);
        assertTrue(warn.get("detail").asText().matches("load5 [\\d.]+ reached warn >=0"), warn.toString());
        JsonNode crit = rows.get("load15-crit");
        assertEquals("crit", crit.get("status").asText(), crit.toString());
        assertTrue(crit.get("detail").asText().matches("load15 [\\d.]+ reached crit >=0"), crit.toString());
        assertEquals("load15 warn >=0 crit >=0", crit.get("threshold").asText());
        JsonNode perCpu = rows.get("load15-per-cpu");
        assertEquals("crit", perCpu.get("status").asText(), perCpu.toString());
        assertTrue(perCpu.get("detail").asText().matches("load15 [\\d.]+/cpu reached crit >=0"), perCpu.toString());
        assertEquals("per cpu", perCpu.get("measures").get(0).get("unit").asText());
        assertEquals(Double.parseDouble(before[2]) / Runtime.getRuntime().availableProcessors(), perCpu.get("measures").get(0).get("value").asDouble(), 0.5);
        assertTrue(r.json().get("summary").get("line").asText().contains(": 1 OK, 1 WARN, 2 CRIT in "), r.out());
    }

    // ---- exit codes -------------------------------------------------------------------------------

    /** Exit 1 for a run whose worst result is WARN (as a real process, so the shell's exit code), 0 for all OK. */
    @Test void onlyWarnResultsExitOneAndAllOkExitsZero() throws Exception {
        Path warnOnly = plan("warn-only.yaml", """
                checks:
                  - {name: backup, kind: file, path: TMP/old.log, age: {warn: 1d}}
                  - {name: flaky job, kind: command, run: 'exit 3', severity: warn}
                  - {name: optional port, kind: tcp, host: 127.0.0.1, port: CLOSED, severity: warn}
                  - {name: fine, kind: command, run: 'true'}
                """);
        List<String> cmd = new ArrayList<>(Proc.javaCommand("inspect", "--enable-native-access=ALL-UNNAMED"));
        cmd.add(warnOnly.toString());
        var r = Proc.run(cmd, Duration.ofMinutes(1));
        assertEquals(1, r.exit(), "WARN only, no CRIT, still exit 1:\n" + r);
        assertTrue(r.out().strip().lines().reduce((a, b) -> b).orElse("").matches("inspect: 4 checks on \\S+: 1 OK, 3 WARN, 0 CRIT in .*"), r.out());
        assertTrue(r.out().contains("WARN    flaky job  exit 3"), r.out());

        Path allOk = plan("all-ok.yaml", """
                checks:
                  - {kind: tcp, host: 127.0.0.1, port: OPEN}
                  - {kind: http, url: 'BASE/ok'}
                  - {kind: command, run: 'true'}
                  - {kind: file, path: TMP/fresh.txt}
                  - {kind: memory, used: {crit: 100%}}
                """);
        var ok = inspect(allOk.toString());
        assertEquals(0, ok.exit(), ok.toString());
        assertTrue(ok.out().contains(": 5 OK, 0 WARN, 0 CRIT in "), ok.out());
    }

    // ---- webhook: 429 ------------------------------------------------------------------------------

    static double gapMs(String path) {
        List<Long> t = new ArrayList<>(arrivals.get(path));
        return (t.get(1) - t.get(0)) / 1e6;
    }

    /**
     * 429 Too Many Requests is retried once, after 1s, with the same payload, and the alert is
     * delivered; a Retry-After header does not change that wait; a receiver that keeps answering
     * 429 gets exactly two attempts, then a warning, and the report and exit code stand.
     */
    @Test void aWebhookAnswering429IsRetriedOnceAfterASecond() throws Exception {
        Path p = plan("alerting.yaml", ALERTING);
        for (String path : List.of("/busy", "/busy-retry-after", "/always-429")) {
            received.get(path).clear();
            arrivals.get(path).clear();
        }
        var busy = inspect("--alert-webhook", hookBase + "/busy", p.toString());
        assertEquals(1, busy.exit(), busy.toString());
        assertEquals(2, received.get("/busy").size(), "a 429, then one retry");
        List<String> bodies = new ArrayList<>(received.get("/busy"));
        assertEquals(bodies.get(0), bodies.get(1), "the retry sends the same alert");
        assertEquals(2, new ObjectMapper().readTree(bodies.get(1)).get("alerts").size());
        assertEquals("inspect: alert sent to " + hookBase + "/... (HTTP 200, 2 checks)\n", busy.err());
        assertTrue(gapMs("/busy") >= 900, "the retry waited about 1s: " + gapMs("/busy") + " ms");

        var retryAfter = inspect("--alert-webhook", hookBase + "/busy-retry-after", p.toString());
        assertEquals(1, retryAfter.exit(), retryAfter.toString());
        assertEquals(2, received.get("/busy-retry-after").size());
        assertEquals("inspect: alert sent to " + hookBase + "/... (HTTP 200, 2 checks)\n", retryAfter.err());
        double gap = gapMs("/busy-retry-after");
        assertTrue(gap >= 900 && gap < 15_000, "Retry-After: 30 is not waited for; the retry comes after 1s as always: " + gap + " ms");

        var always = inspect("--format", "md", "--alert-webhook", hookBase + "/always-429", p.toString());
        assertEquals(1, always.exit(), always.toString());
        assertEquals(2, received.get("/always-429").size(), "two attempts, no more");
        assertTrue(always.out().contains("| **CRIT** | db |") && always.out().contains("inspect: 3 checks on"), "the whole report:\n" + always.out());
        assertEquals("inspect: warning: alert webhook " + hookBase + "/... failed after 2 attempts: HTTP 429 (the report above is complete)\n",
                always.err());
    }

    // ---- golden outputs ---------------------------------------------------------------------------

    /**
     * A plan whose every check has the same result on any machine: a listening and a closed port,
     * HTTP 200 and 503 from the test's server, commands with known exit codes and output, files with
     * fixed contents and an mtime of 2020-01-01, and disk checks on a 1 MiB tmpfs the test mounts
     * (so used %, inode % and free space are the same everywhere). DIR is a directory whose path
     * has the same length in every run, so the table's cut of long details falls in the same place;
     * the groups whose values vary (latencies) stay within 120 columns, so nothing there is cut.
     */
    static final String GOLDEN_PLAN = """
            title: golden box
            defaults: {timeout: 3s}
            checks:
              - {name: port open, kind: tcp, host: 127.0.0.1, port: OPEN, latency: {warn: 5s}}
              - {name: port closed, kind: tcp, host: 127.0.0.1, port: CLOSED}
              - {name: api, kind: http, url: 'BASE/ok', body_match: UP, latency: {warn: 5s}, group: web}
              - {name: api down, kind: http, url: 'BASE/down', severity: warn, group: web}
              - {name: ready, kind: command, run: 'echo ready', output_match: '^ready$'}
              - {name: exit 3, kind: command, run: 'echo boom; exit 3'}
              - {name: exit 3 allowed, kind: command, run: 'exit 3', exit: [0, 3]}
              - {name: queue, kind: command, run: 'echo queue=42', value: {warn: 40, crit: 100}}
              - {name: backup, kind: file, path: DIR/backup.dump, min_size: 1k}
              - {name: backup stale, kind: file, path: DIR/backup.dump, age: {warn: 1d}}
              - {name: backup small, kind: file, path: DIR/backup.dump, min_size: 1M}
              - {name: missing, kind: file, path: DIR/nope.dump}
              - {name: no lock, kind: file, path: DIR/nope.lock, exists: false}
              - {name: stale pid, kind: file, path: DIR/app.pid, exists: false}
              - {name: data, kind: disk, mount: DIR/mnt, group: storage}
              - {name: data full, kind: disk, mount: DIR/mnt, used: {warn: 50%, crit: 95%}, free: {crit: 512k}, group: storage}
              - {name: not a mount, kind: disk, mount: DIR/mnt/sub, group: storage}
            """;

    /** What differs between runs, and only that: paths, ports, host name, start time, latencies, run times, file ages. */
    static Golden golden(ScriptRun.Result r, Path dir) {
        String host = Proc.sh("cat /proc/sys/kernel/hostname").strip();
        String h = Pattern.quote(host);
        return Golden.of(r).literal(dir.toString(), "<tmp>")
                .literal(base, "http://127.0.0.1:<http>")
                .literal("127.0.0.1:" + listening.getLocalPort(), "127.0.0.1:<open>")
                .literal("127.0.0.1:" + closedPort, "127.0.0.1:<closed>")
                .regex("(golden box: )" + h + ", \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC", "$1<host>, <started>")
                .regex(" checks on " + h + ": ", " checks on <host>: ")
                .regex("(\"host\" : )\"" + h + "\"", "$1\"<host>\"")
                .regex("(\"started\" : )\"[^\"]+\"", "$1\"<started>\"")
                .regex("( CRIT(?:, \\d+ not run)? in )[0-9.]+(?:ms|s)\\b|( CRIT(?:, \\d+ not run)? in )\\d+[mhd]\\d\\d[smh]\\b", "$1$2<t>")
                .regex("(\"elapsed_ms\" : )\\d+", "$1<t>")
                .regex("\\b(connect|latency) \\d+\\.\\dms", "$1 <t>")
                .regex("ran in \\d+ms", "ran in <t>")
                .regex("age \\d+d\\d\\dh", "age <age>")
                .regex("(\"name\" : \"(?:connect|latency|age)\",\\s+\"value\" : )[0-9.E-]+", "$1<n>")
                .regex("(measure=\"(?:connect|latency|age)\",unit=\"seconds\"\\} )\\S+", "$1<n>");
    }

    @Test void goldenReportInEveryFormat() throws Exception {
        Prereq.requireRoot();                                          // mounts the tmpfs
        Path dir = Path.of("/tmp/ops-inspect-golden-" + java.util.UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectory(dir);
        Path mnt = Files.createDirectory(dir.resolve("mnt"));
        boolean mounted = false;
        try {
            Proc.sh("mount -t tmpfs -o size=1m,nr_inodes=64,mode=755 ops-inspect-golden " + mnt);
            mounted = true;
            Files.write(mnt.resolve("fill"), new byte[600 * 1024]);
            Files.createDirectory(mnt.resolve("sub"));
            FileTime y2020 = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
            Files.writeString(dir.resolve("backup.dump"), "x".repeat(2048));
            Files.setLastModifiedTime(dir.resolve("backup.dump"), y2020);
            Files.writeString(dir.resolve("app.pid"), "4242\n");
            Files.setLastModifiedTime(dir.resolve("app.pid"), y2020);
            Path plan = dir.resolve("golden.yaml");
            Files.writeString(plan, GOLDEN_PLAN.replace("DIR", dir.toString()).replace("BASE", base)
                    .replace("OPEN", String.valueOf(listening.getLocalPort())).replace("CLOSED", String.valueOf(closedPort)));
            for (String format : List.of("table", "md", "slack", "json", "prom")) {
                var r = inspect("--format", format, plan.toString());
                assertEquals(1, r.exit(), r.toString());
                Golden g = golden(r, dir);
                if (format.equals("table") || format.equals("slack")) g = g.columns();   // widths follow the latencies
                g.check("inspect.report." + format);
            }
        } finally {
            if (mounted) Proc.sh("umount " + mnt);
            Proc.sh("rm -rf " + dir);
        }
    }

    /** Every problem of a plan at once, one file:line:col line each, in file order, exit 2, nothing on stdout. */
    @Test void goldenPlanErrors() throws Exception {
        Path p = plan("errors.yaml", """
                title: broken plan
                checks:
                  - {kind: disk, mount: /, usde: {warn: 80%}}
                  - {kind: tcp, host: db, port: ssh}
                  - {kind: htp, url: 'http://a/'}
                  - kind: tcp
                    host: db
                    port: 70000
                  - {kind: http, url: 'http://a/', timeout: 5 sec}
                  - {kind: http, url: 'a.example/health'}
                  - {kind: disk, mount: /var, used: {warn: 95%, crit: 90%}}
                  - {kind: process, regex: 'java ('}
                  - {kind: process, process: nginx, count: {min: 3, max: 1}}
                  - {kind: memory, used: {warn: 0.9}}
                  - {kind: command, run: 'true', exit: zero}
                  - {kind: file, path: backups/db.dump}
                  - {kind: load}
                  - {kind: memory}
                  - {kind: memory}
                """);
        var r = inspect(p.toString());
        assertEquals(2, r.exit(), r.toString());
        assertEquals("", r.out());
        assertEquals(14, r.err().lines().count(), "one line per problem:\n" + r.err());
        Golden.of(r).literal(tmp.toString(), "<tmp>").check("inspect.plan-errors");
    }
}
