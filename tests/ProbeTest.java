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
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    // ---- little servers --------------------------------------------------------------------------


    /** A loopback server that runs {@code onAccept} for each connection, then closes it. */
    static String serve(Consumer<Socket> onAccept) throws IOException {
        ServerSocket ss = new ServerSocket(0, 200, InetAddress.getByName("127.0.0.1"));
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
        return "127.0.0.1:" + ss.getLocalPort();
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
