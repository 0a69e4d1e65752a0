import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import report.Table;

/**
 * probe's main, in-process, against a real OpenSSH sshd on 127.0.0.1/127.0.0.2 and small local
 * servers that misbehave the ways real ones do. Timeouts and DNS live in ProbeNetnsTest.
 */
class ProbeTest {
    static Sshd sshd;
    static String ssh1, ssh2;                  // "127.0.0.1:P", "127.0.0.2:P"
    static String http, silent, closer, chatty, refused, overloaded;
    static final List<ServerSocket> servers = new ArrayList<>();

    @BeforeAll static void start() throws Exception {
        int p = Proc.freePort();
        ssh1 = "127.0.0.1:" + p;
        ssh2 = "127.0.0.2:" + p;
        sshd = Sshd.fleet(null, List.of(ssh1, ssh2));
        http = serve(s -> write(s, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"));
        silent = serve(s -> sleep(60_000));
        closer = serve(s -> { });
        chatty = serve(s -> write(s, "Welcome to the bastion\r\nauthorised use only\r\nSSH-2.0-FakeSSH_1.0 test\r\n"));
        overloaded = serve(s -> write(s, "Exceeded MaxStartups\r\n"));   // what OpenSSH says when it drops us
        refused = "127.0.0.1:" + Proc.freePort();
    }

    @AfterAll static void stop() throws IOException {
        if (sshd != null) sshd.close();
        for (ServerSocket s : servers) s.close();
    }

    static ScriptRun.Result probe(String... args) {
        return ScriptRun.run(probe::main, args);
    }

    static JsonNode byTarget(JsonNode doc, String target) {
        for (JsonNode r : doc.get("results")) if (r.get("target").asText().equals(target)) return r;
        throw new AssertionError("no row for " + target + " in " + doc);
    }

    @Test void eachKindOfServerGetsItsStatus() {
        var r = probe("--format", "json", "-t", "2s", "--banner-timeout", "500ms",
                "-H", String.join(",", ssh1, ssh2, http, silent, closer, chatty, refused));
        assertEquals(1, r.exit(), r.toString());
        JsonNode doc = r.json();
        assertEquals(7, doc.get("results").size());
        List<String> order = new ArrayList<>();
        doc.get("results").forEach(x -> order.add(x.get("target").asText()));
        assertEquals(List.of(ssh1, ssh2, http, silent, closer, chatty, refused), order, "rows keep input order");

        JsonNode ok = byTarget(doc, ssh2);
        assertEquals("ok", ok.get("status").asText());
        assertTrue(ok.get("banner").asText().startsWith("SSH-2.0-OpenSSH_"), ok.toString());
        assertEquals("127.0.0.2", ok.get("address").asText());
        assertTrue(ok.get("latency_ms").asDouble() >= 0);
        assertTrue(ok.get("error").isNull());

        assertEquals("not-ssh", byTarget(doc, http).get("status").asText());
        assertTrue(byTarget(doc, http).get("error").asText().contains("HTTP/1.1 400 Bad Request"));
        assertEquals("banner-timeout", byTarget(doc, silent).get("status").asText());
        assertEquals("error", byTarget(doc, closer).get("status").asText());
        assertTrue(byTarget(doc, closer).get("error").asText().contains("closed before the SSH banner"));
        assertEquals("ok", byTarget(doc, chatty).get("status").asText(), "RFC 4253 lines before the banner");
        assertEquals("SSH-2.0-FakeSSH_1.0 test", byTarget(doc, chatty).get("banner").asText());
        assertEquals("refused", byTarget(doc, refused).get("status").asText());
        assertTrue(byTarget(doc, refused).get("latency_ms").isNull());

        JsonNode s = doc.get("summary");
        assertEquals(7, s.get("total").asInt());
        assertEquals(3, s.get("ok").asInt());
        assertEquals(4, s.get("failed").asInt());
        assertEquals(1, s.get("by_status").get("refused").asInt());
        assertTrue(s.get("elapsed_ms").asLong() >= 0);
        assertEquals("", r.err(), "nothing on stderr for a clean run");
    }

    @Test void anOverloadedSshdIsNotCalledNotSsh() {
        var r = probe("--format", "json", "-H", overloaded);
        JsonNode row = r.json().get("results").get(0);
        assertEquals("error", row.get("status").asText());
        assertTrue(row.get("error").asText().contains("Exceeded MaxStartups"), row.toString());
    }

    @Test void allReachableExitsZeroWithATableAndSummary() {
        var r = probe("-H", ssh1 + "," + ssh2);
        assertEquals(0, r.exit(), r.toString());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].matches("TARGET +ADDRESS +STATUS +MS +BANNER / ERROR"), lines[0]);
        assertTrue(lines[1].startsWith(ssh1 + "  ") && lines[1].contains(" ok ") && lines[1].contains("SSH-2.0-OpenSSH_"), lines[1]);
        assertTrue(lines[3].matches("probe: 2 targets, 2 ok, 0 failed in \\d+ms"), lines[3]);
        assertEquals(4, lines.length);
    }

    @Test void noBannerChecksTcpOnly() {
        var r = probe("--no-banner", "--format", "json", "-H", silent + "," + http);
        assertEquals(0, r.exit(), r.toString());
        r.json().get("results").forEach(x -> assertEquals("ok", x.get("status").asText()));
    }

    @Test void defaultPortAppliesToTargetsWithoutOne() {
        String port = ssh1.substring(ssh1.indexOf(':') + 1);
        var r = probe("--format", "json", "-p", port, "-H", "127.0.0.1,127.0.0.2");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(Integer.parseInt(port), r.json().get("results").get(1).get("port").asInt());
    }

    @Test void markdownIsAPasteableTableAndSummary() {
        var r = probe("--format", "md", "-H", ssh1 + "," + refused);
        assertEquals(1, r.exit());
        String[] lines = r.out().split("\n");
        assertEquals("| target | address | status | ms | banner / error |", lines[0]);
        assertEquals("|---|---|---|---:|---|", lines[1]);
        assertTrue(lines[2].startsWith("| " + ssh1 + " | 127.0.0.1 | ok | "), lines[2]);
        assertTrue(lines[3].startsWith("| " + refused + " | 127.0.0.1 | **refused** | - | connection refused |"), lines[3]);
        assertEquals("", lines[4]);
        assertTrue(lines[5].matches("probe: 2 targets, 1 ok, 1 failed \\(1 refused\\) in \\d+ms"), lines[5]);
    }

    @Test void csvHasAHeaderARowPerTargetAndTheSummaryOnStderr() {
        var r = probe("--format", "csv", "-H", ssh1 + "," + refused);
        String[] lines = r.out().split("\n");
        assertEquals("target,address,status,latency_ms,detail", lines[0]);
        assertEquals(3, lines.length);
        assertTrue(lines[2].startsWith(refused + ",127.0.0.1,refused,,"), lines[2]);
        assertTrue(r.err().startsWith("probe: 2 targets, 1 ok, 1 failed"), r.err());
    }

    @Test void promIsPrometheusTextFormat() {
        var r = probe("--format", "prom", "-H", ssh1 + "," + refused);
        assertEquals(1, r.exit());
        String out = r.out();
        assertTrue(out.contains("# TYPE ops_probe_up gauge\n"), out);
        assertTrue(out.contains("ops_probe_up{port=\"" + ssh1.split(":")[1] + "\",target=\"" + ssh1 + "\"} 1.0\n"), out);
        assertTrue(out.contains("ops_probe_up{port=\"" + refused.split(":")[1] + "\",target=\"" + refused + "\"} 0.0\n"), out);
        assertTrue(out.contains("ops_probe_status{port=\"" + refused.split(":")[1] + "\",status=\"refused\",target=\"" + refused + "\"} 1.0\n"), out);
        assertTrue(out.contains("ops_probe_targets{status=\"refused\"} 1.0\n"), out);
        for (String line : out.split("\n")) {
            assertTrue(line.startsWith("# HELP ") || line.startsWith("# TYPE ")
                    || line.matches("[a-z_]+(\\{[^}]*\\})? [-0-9.E]+"), "not Prometheus text: " + line);
        }
        assertTrue(r.err().startsWith("probe: 2 targets"), r.err());
    }

    @Test void onlyFailedAndSortStatus() {
        var r = probe("--format", "json", "--only-failed", "-H", ssh1 + "," + refused + "," + ssh2);
        assertEquals(1, r.json().get("results").size());
        assertEquals(3, r.json().get("summary").get("total").asInt(), "the summary still counts every target");
        var sorted = probe("--format", "json", "--sort", "status", "-H", ssh1 + "," + refused + "," + ssh2);
        assertEquals("refused", sorted.json().get("results").get(0).get("status").asText());
    }

    @Test void retriesAreCountedPerTarget() {
        var r = probe("--format", "json", "--retries", "2", "--banner-timeout", "100ms", "-H", silent + "," + refused);
        assertEquals(3, byTarget(r.json(), silent).get("attempts").asInt());
        assertEquals(1, byTarget(r.json(), refused).get("attempts").asInt(), "refused is an answer, not retried");
    }

    @Test void globalDeadlineMarksTheRestNotRun() {
        var r = probe("--format", "json", "-c", "1", "--deadline", "400ms", "--banner-timeout", "5s",
                "-H", silent + "," + ssh1 + "," + refused);
        assertEquals(1, r.exit(), r.toString());
        JsonNode doc = r.json();
        assertEquals(3, doc.get("results").size());
        assertEquals("not-run", byTarget(doc, silent).get("status").asText());
        assertTrue(byTarget(doc, silent).get("error").asText().matches("cut by the global deadline \\(--deadline 400ms\\): connected to 127\\.0\\.0\\.1 in [\\d.]+ ms, no banner yet"),
                "what was learned is kept: " + byTarget(doc, silent));
        assertEquals("127.0.0.1", byTarget(doc, silent).get("address").asText());
        assertTrue(byTarget(doc, silent).get("latency_ms").isNumber(), byTarget(doc, silent).toString());
        assertEquals("not-run", byTarget(doc, refused).get("status").asText());
        assertTrue(byTarget(doc, refused).get("error").asText().startsWith("not started: global deadline reached"));
        assertTrue(doc.get("summary").get("elapsed_ms").asLong() < 3000, "the deadline cut the 5 s banner wait");
    }

    @Test void readsStdinAndHostsFiles(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("hosts.txt");
        Files.writeString(f, "# two sshd addresses\n" + ssh1 + "\n\n" + ssh2 + "  # second\n");
        var r = ScriptRun.withStdin(refused + "\n", probe::main, "--format", "json", f.toString(), "-");
        assertEquals(3, r.json().get("results").size(), r.toString());
        assertEquals("refused", r.json().get("results").get(2).get("status").asText());
    }

    @Test void badInputIsOneLineExitTwoAndNothingRuns(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("hosts.txt");
        Files.writeString(f, ssh1 + "\nweb01:22a\n");
        var r = probe(f.toString());
        assertEquals(2, r.exit());
        assertEquals("", r.out(), "nothing ran");
        assertEquals("probe: " + f + ":2: bad port '22a' (expected 1-65535): 'web01:22a'\n", r.err());

        assertEquals(2, probe(dir.resolve("missing.txt").toString()).exit());
        assertEquals("probe: " + dir.resolve("missing.txt") + ": no such file\n", probe(dir.resolve("missing.txt").toString()).err());
        assertEquals(2, probe().exit(), "no targets at all");
        for (String[] args : new String[][] {
                {"--timeout", "3x", "-H", ssh1}, {"--format", "xml", "-H", ssh1}, {"--sort", "nope", "-H", ssh1},
                {"-p", "0", "-H", "a"}, {"-c", "0", "-H", ssh1}, {"--bogus", "-H", ssh1}}) {
            var bad = probe(args);
            assertEquals(2, bad.exit(), String.join(" ", args) + "\n" + bad);
            assertEquals("", bad.out(), String.join(" ", args));
            assertTrue(bad.err().startsWith("probe: "), bad.err());
        }
        assertTrue(probe("--timeout", "3x", "-H", ssh1).err().contains("bad duration '3x'"));
        assertEquals("probe: Unknown option: '--timout'; did you mean --timeout?\nTry 'probe --help' for usage.\n",
                probe("--timout", "1s", "-H", ssh1).err(), "a typo gets the nearest option");
        assertTrue(probe("--sort", "nope", "-H", ssh1).err().contains("unknown key 'nope' (expected one of input, status, target, latency)"));
    }

    @Test void helpListsExitCodesAndExamples() {
        var r = probe("--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("Exit codes:"), r.out());
        assertTrue(r.out().contains("--format md --only-failed"), r.out());
    }

    // ---- --sort, IPv6, Prometheus, exit 3 --------------------------------------------------------

    static List<String> column(JsonNode doc, String key) {
        List<String> out = new ArrayList<>();
        doc.get("results").forEach(x -> out.add(x.get(key).asText()));
        return out;
    }

    /** --sort input|status|target|latency: each key orders the rows its own way; the summary is unchanged. */
    @Test void sortByEachKey() {
        List<String> in = List.of(ssh2, refused, http, ssh1, closer, chatty);
        String[] common = {"--format", "json", "-t", "2s", "--banner-timeout", "1s", "-H", String.join(",", in)};

        var input = probe(concat(common, "--sort", "input"));
        assertEquals(1, input.exit(), input.toString());
        assertEquals(in, column(input.json(), "target"), "input: the order of the input");
        assertEquals(column(probe(common).json(), "target"), in, "input is the default");

        var status = probe(concat(common, "--sort", "status"));
        assertEquals(List.of(closer, http, refused, ssh2, ssh1, chatty), column(status.json(), "target"),
                "status: failures first, by status name (error, not-ssh, refused), then the ok rows in input order");
        assertEquals(List.of("error", "not-ssh", "refused", "ok", "ok", "ok"), column(status.json(), "status"));

        var target = probe(concat(common, "--sort", "target"));
        List<String> byText = new ArrayList<>(in);
        byText.sort(null);                                   // plain string order, not numeric
        assertEquals(byText, column(target.json(), "target"), "target: by the target's text");

        var latency = probe(concat(common, "--sort", "latency"));
        JsonNode rows = latency.json().get("results");
        assertEquals(in.size(), rows.size());
        assertEquals(refused, rows.get(rows.size() - 1).get("target").asText(), "no latency (refused): last");
        for (int i = 1; i < rows.size() - 1; i++) {
            assertTrue(rows.get(i - 1).get("latency_ms").asDouble() >= rows.get(i).get("latency_ms").asDouble(),
                    "latency: slowest first: " + rows);
        }
        for (var r : List.of(input, status, target, latency)) {
            assertEquals("probe: 6 targets, 3 ok, 3 failed (1 refused, 1 not-ssh, 1 error)",
                    r.json().get("summary").get("line").asText().replaceAll(" in \\S+$", ""), "the summary is the same whatever the order");
        }
        // the other formats keep the sorted order too (hosts here, so that a retry list can be failures first)
        var hosts = probe("--sort", "status", "--format", "hosts", "-H", String.join(",", in));
        assertEquals(String.join("\n", List.of(closer, http, refused, ssh2, ssh1, chatty)) + "\n", hosts.out());

        var bad = probe("--sort", "latncy", "-H", ssh1);
        assertEquals(2, bad.exit());
        assertEquals("", bad.out(), "nothing ran");
        assertEquals("probe: --sort: unknown key 'latncy' (expected one of input, status, target, latency)\n", bad.err());
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** [::1]:PORT against a real sshd and a listener on ::1; the address column and JSON say ::1. */
    @Test void ipv6TargetsInBrackets() throws Exception {
        ServerSocket banner;
        try {
            banner = serveAt(InetAddress.getByName("::1"), s -> write(s, "SSH-2.0-FakeSSH_1.0 v6\r\n"));
        } catch (IOException e) {
            Prereq.require(false, "IPv6 on loopback (::1): " + e.getMessage());
            return;
        }
        int sshPort, refusedPort;
        try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getByName("::1")); ServerSocket b = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            sshPort = a.getLocalPort();
            refusedPort = b.getLocalPort();
        }
        String ssh6 = "[::1]:" + sshPort, fake6 = "[::1]:" + banner.getLocalPort(), refused6 = "[::1]:" + refusedPort;
        try (Sshd v6 = Sshd.fleet(null, List.of(ssh6))) {
            var r = probe("--format", "json", "-H", String.join(",", ssh6, fake6, refused6));
            assertEquals(1, r.exit(), r.toString());
            JsonNode ok = byTarget(r.json(), ssh6);
            assertEquals("ok", ok.get("status").asText(), ok.toString());
            assertEquals("::1", ok.get("address").asText());
            assertEquals("::1", ok.get("host").asText());
            assertEquals(sshPort, ok.get("port").asInt());
            assertTrue(ok.get("banner").asText().startsWith("SSH-2.0-OpenSSH_"), ok.toString());
            JsonNode fake = byTarget(r.json(), fake6);
            assertEquals("ok", fake.get("status").asText(), fake.toString());
            assertEquals("SSH-2.0-FakeSSH_1.0 v6", fake.get("banner").asText());
            assertEquals("::1", fake.get("address").asText());
            JsonNode no = byTarget(r.json(), refused6);
            assertEquals("refused", no.get("status").asText(), no.toString());
            assertEquals("::1", no.get("address").asText());

            var table = probe("-H", ssh6 + "," + refused6);
            String[] lines = table.out().split("\n");
            assertTrue(lines[1].matches(java.util.regex.Pattern.quote(ssh6) + "  ::1 +ok +[0-9.]+  SSH-2\\.0-OpenSSH_.*"), lines[1]);
            assertTrue(lines[2].matches(java.util.regex.Pattern.quote(refused6) + "  ::1 +refused +-  connection refused"), lines[2]);

            // a bare v6 address takes -p, and --format hosts writes it back bracketed
            var bare = probe("--format", "json", "-p", String.valueOf(sshPort), "-H", "::1");
            assertEquals(0, bare.exit(), bare.toString());
            assertEquals("::1", bare.json().get("results").get(0).get("target").asText());
            assertEquals("ok", bare.json().get("results").get(0).get("status").asText());
            assertEquals(ssh6 + "\n", probe("--format", "hosts", "-p", String.valueOf(sshPort), "-H", "::1").out());
            assertEquals(ssh6 + "\n" + refused6 + "\n", probe("--format", "hosts", "-H", ssh6 + "," + refused6).out());

            var prom = probe("--format", "prom", "-H", ssh6);
            assertTrue(prom.out().contains("ops_probe_up{port=\"" + sshPort + "\",target=\"" + ssh6 + "\"} 1.0\n"), prom.out());
        } finally {
            banner.close();
        }
    }

    /** Every series of --format prom, with its HELP and TYPE lines and labels; promtool accepts it. */
    @Test void promHasEverySeriesAndPassesPromtool(@TempDir Path dir) throws Exception {
        var r = probe("--format", "prom", "-t", "2s", "--banner-timeout", "1s", "-H", String.join(",", ssh1, refused, http, silent));
        assertEquals(1, r.exit(), r.toString());
        String out = r.out();
        String[][] families = {
            {"ops_probe_connect_latency_seconds", "TCP connect time of the last attempt"},
            {"ops_probe_duration_seconds", "Wall time of the last run"},
            {"ops_probe_last_run_timestamp_seconds", "When the last run finished"},
            {"ops_probe_status", "1 for the status the target ended with (ok, refused, timeout, ...)"},
            {"ops_probe_targets", "Targets per status in the last run"},
            {"ops_probe_up", "1 if the target accepted TCP (and sent an SSH banner unless --no-banner), else 0"}};
        List<String> seen = new ArrayList<>();
        for (String line : out.split("\n")) if (line.startsWith("# HELP ")) seen.add(line.split(" ")[2]);
        assertEquals(java.util.Arrays.stream(families).map(f -> f[0]).toList(), seen, "these families, sorted by name:\n" + out);
        for (String[] f : families) {
            assertTrue(out.contains("# HELP " + f[0] + " " + f[1] + "\n# TYPE " + f[0] + " gauge\n"), f[0] + ":\n" + out);
        }
        // the connect latency: one series per target that connected (not the refused one), in seconds
        for (String t : List.of(ssh1, http, silent)) {
            var m = java.util.regex.Pattern.compile("(?m)^ops_probe_connect_latency_seconds\\{port=\"" + t.split(":")[1] + "\",target=\""
                    + java.util.regex.Pattern.quote(t) + "\"} (\\S+)$").matcher(out);
            assertTrue(m.find(), t + ":\n" + out);
            double v = Double.parseDouble(m.group(1));
            assertTrue(v >= 0 && v < 2, "seconds, not ms: " + v);
        }
        assertTrue(!out.contains("ops_probe_connect_latency_seconds{port=\"" + refused.split(":")[1]), "no latency for refused:\n" + out);
        assertEquals(3, out.lines().filter(l -> l.startsWith("ops_probe_connect_latency_seconds{")).count(), out);
        assertEquals(4, out.lines().filter(l -> l.startsWith("ops_probe_up{")).count(), out);
        assertTrue(out.contains("ops_probe_status{port=\"" + silent.split(":")[1] + "\",status=\"banner-timeout\",target=\"" + silent + "\"} 1.0\n"), out);
        assertTrue(out.contains("ops_probe_status{port=\"" + http.split(":")[1] + "\",status=\"not-ssh\",target=\"" + http + "\"} 1.0\n"), out);
        assertTrue(out.contains("ops_probe_up{port=\"" + http.split(":")[1] + "\",target=\"" + http + "\"} 0.0\n"), "not-ssh is down:\n" + out);
        for (String s : List.of("ok", "refused", "not-ssh", "banner-timeout")) {
            assertTrue(out.contains("ops_probe_targets{status=\"" + s + "\"} 1.0\n"), s + ":\n" + out);
        }
        assertTrue(out.matches("(?s).*\nops_probe_duration_seconds [0-9.E-]+\n.*"), out);
        var when = java.util.regex.Pattern.compile("(?m)^ops_probe_last_run_timestamp_seconds (\\S+)$").matcher(out);
        assertTrue(when.find(), out);
        assertTrue(Math.abs(Double.parseDouble(when.group(1)) - System.currentTimeMillis() / 1000.0) < 60, "a unix time in seconds: " + when.group(1));
        assertEquals("probe: 4 targets, 1 ok, 3 failed (1 refused, 1 not-ssh, 1 banner-timeout)", r.err().strip().replaceAll(" in \\S+$", ""), "the summary on stderr");

        // --only-failed leaves the ok target's series out; the totals still count every target
        var failed = probe("--format", "prom", "--only-failed", "-t", "2s", "--banner-timeout", "1s", "-H", ssh1 + "," + refused);
        assertTrue(!failed.out().contains("target=\"" + ssh1 + "\""), failed.out());
        assertTrue(failed.out().contains("ops_probe_targets{status=\"ok\"} 1.0\n"), failed.out());

        if (java.nio.file.Files.isExecutable(Path.of("/usr/bin/promtool")) || Prereq.inCi()) {
            Prereq.requireExecutable("/usr/bin/promtool", "prometheus");
            Path file = dir.resolve("probe.prom");
            Files.writeString(file, out);
            var lint = Proc.run(List.of("sh", "-c", "promtool check metrics < " + file), java.time.Duration.ofSeconds(30));
            assertEquals(0, lint.exit(), "promtool check metrics:\n" + lint.out() + lint.err());
            assertEquals("", lint.out() + lint.err(), "promtool has nothing to say");
        }
    }

    /**
     * Exit 3, "the tool itself failed": an open-file limit too low to check anything, in a real
     * process under `ulimit -n`. The harness's class path keeps ~47 descriptors open (one a jar):
     * at 64 probe sees that no slot fits and says so in its first line, naming the limit and the
     * way out; at 40 the JVM cannot even load what it needs to look, and that is exit 3 too
     * (it was exit 1, "a target failed", when picocli let the Error through).
     */
    @Test void anOpenFileLimitTooLowToWorkIsExitThree() {
        var r = probeUnderUlimit(64, "-H", ssh1 + "," + refused);
        assertEquals(3, r.exit(), r.toString());
        assertEquals("", r.out(), "nothing checked, nothing printed as a result");
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(first.matches("probe: internal error: java\\.lang\\.IllegalStateException: open-file limit 64 leaves no room to work "
                + "\\(\\d+ already open\\); raise it with ulimit -n"), r.err());

        var starved = probeUnderUlimit(40, "-H", ssh1 + "," + refused);
        assertEquals(3, starved.exit(), starved.toString());
        assertEquals("", starved.out());
        String line = starved.err().lines().findFirst().orElse("");
        assertTrue(line.startsWith("probe: internal error: java.lang.") && (line.contains("Too many open files") || line.contains("open-file limit 40")),
                starved.err());
    }

    static ScriptRun.Result probeUnderUlimit(int limit, String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "ulimit -n " + limit + " && exec \"$@\"", "probe"));
        cmd.addAll(Proc.leanJavaCommand("probe"));
        cmd.addAll(List.of(args));
        return Proc.run(cmd, java.time.Duration.ofSeconds(60));
    }

    // ---- golden outputs --------------------------------------------------------------------------

    /**
     * probe in every format over one fixed set of real servers: sshd (ok), a closed port (refused),
     * an HTTP server (not-ssh), a silent one (banner-timeout), one that hangs up (error) and one
     * with text before its banner (ok); then --only-failed and --status once each.
     */
    @Test void goldenOutputsInEveryFormat() {
        // --banner-timeout 1s, not less: the servers that do answer must do so within it on a busy 2-core box
        String hosts = String.join(",", ssh1, refused, http, silent, closer, chatty);
        String banner = probe("--format", "json", "-H", ssh1).json().get("results").get(0).get("banner").asText();
        Map<String, String> literals = new LinkedHashMap<>();
        literals.put(banner, "<sshd banner>");                           // the installed OpenSSH's version
        literals.put(port(ssh1), "<sshd-port>");
        literals.put(port(refused), "<refused-port>");
        literals.put(port(http), "<http-port>");
        literals.put(port(silent), "<silent-port>");
        literals.put(port(closer), "<closer-port>");
        literals.put(port(chatty), "<chatty-port>");
        for (String format : List.of("table", "md", "slack", "json", "csv", "prom", "hosts")) {
            var r = probe("--format", format, "-t", "2s", "--banner-timeout", "1s", "-H", hosts);
            assertEquals(1, r.exit(), r.toString());
            if (format.equals("table") || format.equals("slack")) {
                r.out().lines().forEach(l -> assertTrue(l.length() <= Table.WIDTH, "fits 120 columns: " + l));
            }
            golden(r, literals).check("probe." + format);
        }
        golden(probe("--format", "md", "--only-failed", "-t", "2s", "--banner-timeout", "1s", "-H", hosts), literals).check("probe.only-failed");
        golden(probe("--status", "refused,not-ssh", "-t", "2s", "--banner-timeout", "1s", "-H", hosts), literals).check("probe.status");
    }

    static String port(String hostPort) {
        return hostPort.substring(hostPort.lastIndexOf(':') + 1);
    }

    /**
     * A probe or httpcheck run for a golden file, with only what differs between runs replaced: times
     * and latencies (JSON values stay numbers or null, table cells stay numbers or "-"), the
     * {@code literals} (ports, sshd's version), and two things that follow the ports and the
     * latencies: the order of Prometheus samples (sorted by their labels, the port first) and where
     * a cut table cell ends (a wider latency column cuts the free text one character sooner).
     */
    static Golden golden(ScriptRun.Result r, Map<String, String> literals) {
        Golden g = Golden.of(r)
                .regex("^(ops_[a-z_]+_(?:latency|duration|timestamp)_seconds(?:\\{[^}]*\\})?) \\S+$", "$1 <t>")
                .regex("(\"[a-z_]*_ms\" : )[0-9.]+", "$1<t>")
                .regex(" in (?:\\d+(?:\\.\\d+)?(?:ms|s)|\\d+[mhd](?:\\d{2}[smh])?)(?=$|\")", " in <t>")
                .regex("(?<=  )\\d+\\.\\d(?=  |$)", "<n>")                     // table: the latency column
                .regex("(?<=\\| )\\d+\\.\\d(?= \\|)", "<n>")                   // md
                .regex("(?<=,)\\d+\\.\\d(?=,)", "<n>");                         // csv
        String text = cutCells(g.text());
        g = Golden.ofText(text);
        for (var e : literals.entrySet()) g.literal(e.getKey(), e.getValue());
        return Golden.ofText(sortSamples(g.text())).columns();
    }

    /** Table lines cut to 120 columns ("...") keep the first 30 characters of the cut cell. */
    static String cutCells(String text) {
        StringBuilder out = new StringBuilder();
        for (String l : text.split("\n", -1)) {
            int i = l.lastIndexOf("  ");
            if (l.endsWith("...") && i > 0 && l.length() - 3 - (i + 2) > 30) l = l.substring(0, i + 2 + 30) + "<cut>...";
            out.append(l).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }

    /** Prometheus samples of one family in a fixed order (the writer sorts them by label values: the ports). */
    static String sortSamples(String text) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        for (int i = 0; i < lines.size(); ) {
            int j = i;
            while (j < lines.size() && lines.get(j).matches("ops_[a-z_]+\\{.*")) j++;
            if (j > i) lines.subList(i, j).sort(null);
            i = Math.max(j, i + 1);
        }
        return String.join("\n", lines);
    }

    // ---- little servers --------------------------------------------------------------------------


    /** A loopback server that runs {@code onAccept} for each connection, then closes it. */
    static String serve(Consumer<Socket> onAccept) throws IOException {
        return "127.0.0.1:" + serveAt(InetAddress.getByName("127.0.0.1"), onAccept).getLocalPort();
    }

    /** As {@link #serve}, on {@code address}; closed with the others in @AfterAll. */
    static ServerSocket serveAt(InetAddress address, Consumer<Socket> onAccept) throws IOException {
        ServerSocket ss = new ServerSocket(0, 200, address);
        servers.add(ss);
        Thread.ofVirtual().start(() -> {
            while (!ss.isClosed()) {
                try {
                    Socket s = ss.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            onAccept.accept(s);
                        } catch (IOException ignored) { }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return ss;
    }

    static void write(Socket s, String text) {
        try {
            OutputStream out = s.getOutputStream();
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(200);
        } catch (IOException | InterruptedException ignored) { }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException ignored) { }
    }
}
