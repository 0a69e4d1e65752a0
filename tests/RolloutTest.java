import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rollout against a fleet of real OpenSSH sshd "hosts" on loopback (127.0.0.41-48, one daemon,
 * one port). Each host is a directory of this test's @TempDir named by its address: its
 * {@code version} file, a {@code deploys} file the deploy command appends a line to (so a test
 * counts deploys per host), and switches the test sets ({@code sick}: its health endpoint fails
 * once it runs 2.0; {@code broken}: its deploy exits 4; {@code slow}: its deploy sleeps after the
 * change; {@code pause}: its deploy takes 2 s more). Each host also has its own HTTP health endpoint (a JDK HttpServer on its own address)
 * that reports the version in its directory. The deploy command finds its directory with
 * {host}, which rollout replaces with the host's address.
 */
class RolloutTest {
    static Sshd fleet;
    static final List<String> hosts = new ArrayList<>();             // "127.0.0.41:PORT"
    static final List<HttpServer> health = new ArrayList<>();
    static String refused;
    static int httpPort;
    static Path key, knownHosts;
    static volatile Path root;                                       // this test's host directories
    @TempDir static Path shared;
    @TempDir Path tmp;

    @BeforeAll static void start() throws Exception {
        int port = Proc.freePort();
        for (int i = 41; i <= 48; i++) hosts.add("127.0.0." + i + ":" + port);
        refused = "127.0.0.49:" + port;
        fleet = Sshd.fleet(null, hosts);
        key = Sshd.clientKey();
        knownHosts = shared.resolve("known_hosts");
        StringBuilder kh = new StringBuilder();
        for (String h : hosts) kh.append("[").append(h.replace(":", "]:")).append(" ").append(Sshd.hostPublicKey()).append('\n');
        Files.writeString(knownHosts, kh);
        httpPort = Proc.freePort();
        for (String h : hosts) health.add(healthEndpoint(ip(h)));
    }

    @AfterAll static void stop() {
        health.forEach(s -> s.stop(0));
        if (fleet != null) fleet.close();
    }

    /** GET /health: 200 "version=V" from the host's version file; 503 once a sick host runs 2.0. */
    static HttpServer healthEndpoint(String ip) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getByName(ip), httpPort), 50);
        s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        s.createContext("/health", ex -> {
            Path dir = root.resolve(ip);
            String v = Files.exists(dir.resolve("version")) ? Files.readString(dir.resolve("version")).strip() : "none";
            boolean sick = Files.exists(dir.resolve("sick")) && v.equals("2.0");
            byte[] body = ("version=" + v + (sick ? " failing" : "") + "\n").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(sick ? 503 : 200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        s.start();
        return s;
    }

    @BeforeEach void hostsAtVersionOne() throws IOException {
        root = tmp.resolve("hosts");
        for (String h : hosts) {
            Files.createDirectories(root.resolve(ip(h)));
            Files.writeString(root.resolve(ip(h)).resolve("version"), "1.0\n");
        }
    }

    static String ip(String hostPort) { return hostPort.substring(0, hostPort.indexOf(':')); }

    String version(String host) throws IOException {
        return Files.readString(root.resolve(ip(host)).resolve("version")).strip();
    }

    long deploys(String host) throws IOException {
        Path f = root.resolve(ip(host)).resolve("deploys");
        return Files.exists(f) ? Files.readAllLines(f).size() : 0;
    }

    void mark(String host, String what) throws IOException {
        Files.writeString(root.resolve(ip(host)).resolve(what), "");
    }

    /** The plan: deploy writes 2.0 (and counts itself), verify asks the host's health endpoint, rollback writes 1.0. */
    Path plan(String phases) throws IOException {
        String d = root + "/{host}";
        String text = "title: app 2.0\n"
                + "precheck: {command: 'test -f " + d + "/version'}\n"
                + "deploy:\n"
                + "  command: 'echo deploy >> " + d + "/deploys; test -f " + d + "/broken && exit 4;"
                + " echo 2.0 > " + d + "/version; if test -f " + d + "/slow; then exec sleep 33.3; fi;"
                + " if test -f " + d + "/pause; then sleep 2; fi; true'\n"
                + "  timeout: 60s\n"
                + "verify:\n"
                + "  checks:\n"
                + "    - {kind: http, url: 'http://{host}:" + httpPort + "/health', body_match: 'version=2\\.0'}\n"
                + "  within: 1s\n"
                + "  interval: 200ms\n"
                + "rollback: {command: 'echo 1.0 > " + d + "/version'}\n"
                + phases;
        Path p = tmp.resolve("plan.yaml");
        Files.writeString(p, text);
        return p;
    }

    static final String CANARY_THEN_3 = "phases:\n  canary: {hosts: 1}\n  batches: {size: 3}\n";

    static List<String> base(Path plan, List<String> targets) {
        return new ArrayList<>(List.of(plan.toString(), "-F", "none", "--known-hosts", knownHosts.toString(), "-i", key.toString(),
                "-H", String.join(",", targets)));
    }

    static ScriptRun.Result rollout(Path plan, List<String> targets, String... more) {
        List<String> args = base(plan, targets);
        args.addAll(List.of(more));
        return ScriptRun.run(rollout::main, args.toArray(String[]::new));
    }

    static JsonNode state(Path plan) throws IOException {
        return new ObjectMapper().readTree(plan.resolveSibling("plan.state.json").toFile());
    }

    /** Index of the first record matching host/step/event in the state file (-1 if none). */
    static int at(JsonNode state, String host, String step, String event) {
        JsonNode rs = state.get("records");
        for (int i = 0; i < rs.size(); i++) {
            JsonNode r = rs.get(i);
            if (r.get("host").asText().equals(host) && r.get("step").asText().equals(step) && r.get("event").asText().equals(event)) return i;
        }
        return -1;
    }

    @Test void cleanRolloutGoesCanaryThenBatchesAndEveryHostEndsAtTheNewVersion() throws IOException {
        List<String> seven = hosts.subList(0, 7);
        Path plan = plan(CANARY_THEN_3);
        var r = rollout(plan, seven, "--yes", "--format", "json");
        assertEquals(0, r.exit(), r.toString());
        Map<String, JsonNode> rows = r.rows();
        for (int i = 0; i < 7; i++) {
            String h = seven.get(i);
            assertEquals("done", rows.get(h).get("status").asText(), r.toString());
            assertEquals(i == 0 ? "canary" : i <= 3 ? "batch 1/2" : "batch 2/2", rows.get(h).get("phase").asText());
            assertEquals("2.0", version(h));
            assertEquals(1, deploys(h), h + " deployed once");
        }
        assertTrue(r.json().get("summary").get("line").asText().startsWith("rollout: 7 hosts, 7 done, 0 failed in "), r.out());
        // Phase order, from the state file: a phase's hosts all end before the next phase's first deploy starts.
        JsonNode s = state(plan);
        int canaryEnd = at(s, seven.get(0), "result", "end");
        for (int i = 1; i < 7; i++) assertTrue(at(s, seven.get(i), "deploy", "start") > canaryEnd, "batches start after the canary ended");
        for (int i = 1; i <= 3; i++) {
            for (int j = 4; j < 7; j++) {
                assertTrue(at(s, seven.get(j), "deploy", "start") > at(s, seven.get(i), "result", "end"), "batch 2 after batch 1");
            }
        }
        assertTrue(r.err().contains("rollout: canary: 1 host, 1 done, 0 failed (budget 0)"), r.err());
        assertTrue(r.err().contains("rollout: batch 2/2: 3 hosts, 3 done, 0 failed (budget 0)"), r.err());
    }

    @Test void aCanaryThatFailsHealthIsRolledBackAndNoOtherHostChanges() throws IOException {
        List<String> five = hosts.subList(0, 5);
        mark(five.get(0), "sick");
        Path plan = plan(CANARY_THEN_3);
        var r = rollout(plan, five, "--yes", "--format", "json");
        assertEquals(1, r.exit(), r.toString());
        Map<String, JsonNode> rows = r.rows();
        JsonNode canary = rows.get(five.get(0));
        assertEquals("rolled-back", canary.get("status").asText(), r.toString());
        assertTrue(canary.get("detail").asText().contains("status 503, expected 200-399"), canary.toString());
        assertEquals("1.0", version(five.get(0)), "the canary is back at the old version");
        for (String h : five.subList(1, 5)) {
            assertEquals("not-run", rows.get(h).get("status").asText(), r.toString());
            assertEquals("1.0", version(h), h + " unchanged");
            assertEquals(0, deploys(h), h + " never deployed");
        }
        assertTrue(r.err().contains("rollout: stopping: canary: 1 host failed, over its budget of 0"), r.err());
        assertTrue(r.err().contains("--resume"), "says how to resume: " + r.err());
    }

    @Test void overTheBudgetInBatchTwoLeavesLaterBatchesUntouched() throws IOException {
        List<String> seven = hosts.subList(0, 7);
        mark(seven.get(3), "broken");                                // batch 2/3 is hosts 3 and 4
        Path plan = plan("phases:\n  canary: {hosts: 1}\n  batches: {size: 2, max_failures: 0}\n");
        var r = rollout(plan, seven, "--yes", "--format", "json");
        assertEquals(1, r.exit(), r.toString());
        Map<String, JsonNode> rows = r.rows();
        for (String h : seven.subList(0, 3)) assertEquals("done", rows.get(h).get("status").asText(), r.toString());
        JsonNode broken = rows.get(seven.get(3));
        assertEquals("rolled-back", broken.get("status").asText(), r.toString());
        assertTrue(broken.get("detail").asText().startsWith("deploy exit 4"), broken.toString());
        assertEquals("done", rows.get(seven.get(4)).get("status").asText(), "its batch mate ran at the same time");
        for (String h : seven.subList(5, 7)) {
            assertEquals("not-run", rows.get(h).get("status").asText(), r.toString());
            assertEquals("batch 3/3", rows.get(h).get("phase").asText());
            assertEquals(0, deploys(h), h + " untouched");
            assertEquals("1.0", version(h));
        }
        assertTrue(r.err().contains("stopping: batch 2/3: 1 host failed, over its budget of 0"), r.err());
    }

    @Test void anUnreachableHostCountsAgainstTheBudgetAndIsReported() throws IOException {
        List<String> targets = new ArrayList<>(hosts.subList(0, 4));
        targets.add(2, refused);                                      // in batch 1/2 (hosts 1-3)
        Path plan = plan(CANARY_THEN_3);
        var strict = rollout(plan, targets, "--yes", "--format", "json");
        assertEquals(1, strict.exit(), strict.toString());
        assertEquals("refused", strict.rows().get(refused).get("status").asText(), strict.toString());
        assertTrue(strict.err().contains("stopping: batch 1/2 has 1 host that failed precheck, over its budget of 0; nothing was changed"), strict.err());
        for (String h : hosts.subList(0, 4)) {
            assertEquals("not-run", strict.rows().get(h).get("status").asText());
            assertEquals(0, deploys(h));
        }

        Files.delete(plan.resolveSibling("plan.state.json"));
        plan = plan("phases:\n  canary: {hosts: 1}\n  batches: {size: 3, max_failures: 1}\n");
        var lenient = rollout(plan, targets, "--yes", "--format", "json");
        assertEquals(1, lenient.exit(), "a failed host makes the run exit 1: " + lenient);
        assertEquals("refused", lenient.rows().get(refused).get("status").asText());
        assertTrue(lenient.rows().get(refused).get("detail").asText().contains("refused"), lenient.out());
        for (String h : hosts.subList(0, 4)) assertEquals("done", lenient.rows().get(h).get("status").asText(), lenient.toString());
        assertTrue(lenient.json().get("summary").get("line").asText().startsWith("rollout: 5 hosts, 4 done, 1 failed (1 refused)"), lenient.out());
    }

    @Test void killedMidBatchThenResumedNoHostIsDeployedTwice() throws Exception {
        List<String> seven = hosts.subList(0, 7);
        mark(seven.get(2), "slow");                                   // in batch 1/2, with hosts 1 and 3
        Path plan = plan(CANARY_THEN_3);
        List<String> cmd = new ArrayList<>(Proc.javaCommand("rollout"));
        cmd.addAll(base(plan, seven));
        cmd.add("--yes");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("killed.out").toFile()).start();
        try {
            Path sf = plan.resolveSibling("plan.state.json");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < until) {                       // the slow host's deploy runs there, its batch mates are done
                if (Files.exists(sf)) {
                    JsonNode s = state(plan);
                    if (deploys(seven.get(2)) == 1 && at(s, seven.get(1), "result", "end") >= 0
                            && at(s, seven.get(3), "result", "end") >= 0) break;
                }
                Thread.sleep(50);
            }
            p.destroyForcibly();                                      // SIGKILL: no hook, no report
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertEquals(137, p.exitValue(), Files.readString(tmp.resolve("killed.out")));
        } finally {
            p.destroyForcibly();
            Proc.run(List.of("pkill", "-f", "sleep 33.3"), Duration.ofSeconds(5));
        }
        assertEquals(0, deploys(seven.get(4)), "batch 2 had not started");
        Files.delete(root.resolve(ip(seven.get(2))).resolve("slow"));

        var r = rollout(plan, seven, "--yes", "--resume", "--format", "json");
        assertEquals(0, r.exit(), r.toString());
        for (String h : seven) {
            assertEquals("done", r.rows().get(h).get("status").asText(), r.toString());
            assertEquals(1, deploys(h), h + " deployed exactly once over both runs");
            assertEquals("2.0", version(h));
        }
        assertTrue(r.rows().get(seven.get(2)).get("detail").asText().contains("deployed by the interrupted run; verified"), r.out());
        assertTrue(r.rows().get(seven.get(0)).get("detail").asText().endsWith("(earlier run)"), r.out());
    }

    @Test void ctrlCFinishesTheHostsInFlightStartsNothingNewAndSaysHowToResume() throws Exception {
        List<String> seven = hosts.subList(0, 7);
        mark(seven.get(2), "pause");                                  // batch 1/2 takes 2 s
        Path plan = plan(CANARY_THEN_3);
        List<String> cmd = new ArrayList<>(Proc.javaCommand("rollout"));
        cmd.addAll(base(plan, seven));
        cmd.addAll(List.of("--yes", "--format", "json"));
        Process p = new ProcessBuilder(cmd).redirectOutput(tmp.resolve("int.out").toFile()).redirectError(tmp.resolve("int.err").toFile()).start();
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < until && !(Files.exists(plan.resolveSibling("plan.state.json"))
                    && at(state(plan), seven.get(2), "deploy", "start") >= 0)) {
                Thread.sleep(20);
            }
            Proc.sh("kill -INT " + p.pid());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "rollout ends after its hosts in flight");
        } finally {
            p.destroyForcibly();
        }
        String err = Files.readString(tmp.resolve("int.err"));
        assertEquals(130, p.exitValue(), err);
        var r = new ScriptRun.Result(p.exitValue(), Files.readString(tmp.resolve("int.out")), err);
        Map<String, JsonNode> rows = r.rows();
        for (String h : seven.subList(0, 4)) assertEquals("done", rows.get(h).get("status").asText(), "in flight, so finished: " + r);
        for (String h : seven.subList(4, 7)) {
            assertEquals("not-run", rows.get(h).get("status").asText(), r.toString());
            assertEquals(0, deploys(h), "nothing new started");
        }
        assertTrue(err.contains("To continue: rollout " + plan) && err.contains(" --resume"), err);
        var rest = rollout(plan, seven, "--yes", "--resume");
        assertEquals(0, rest.exit(), rest.toString());
        for (String h : seven) assertEquals(1, deploys(h), h);
    }

    @Test void aScriptStepIsUploadedRunAndRemoved() throws IOException {
        List<String> two = hosts.subList(0, 2);
        Files.writeString(tmp.resolve("deploy.sh"), "#!/bin/sh\nd=" + root + "/$(echo \"$SSH_CONNECTION\" | cut -d' ' -f3)\n"
                + "echo script >> \"$d/deploys\"\necho 2.0 > \"$d/version\"\n");
        Path plan = tmp.resolve("plan.yaml");
        Files.writeString(plan, "deploy: {script: deploy.sh}\n"               // relative to the plan
                + "verify: {checks: [{kind: http, url: 'http://{host}:" + httpPort + "/health', body_match: 'version=2'}]}\n");
        var r = rollout(plan, two, "--yes", "--format", "json");
        assertEquals(0, r.exit(), r.toString());
        for (String h : two) {
            assertEquals("2.0", version(h));
            assertEquals(List.of("script"), Files.readAllLines(root.resolve(ip(h)).resolve("deploys")));
        }
        try (var left = Files.list(Path.of("/tmp"))) {
            assertEquals(List.of(), left.filter(f -> f.getFileName().toString().startsWith("ops-rollout.")).toList(), "the uploaded script is removed");
        }
    }

    @Test void aStateFileOfAnotherPlanIsRefusedAndAnOldOneIsNotOverwritten() throws IOException {
        List<String> two = hosts.subList(0, 2);
        Path plan = plan(CANARY_THEN_3);
        assertEquals(0, rollout(plan, two, "--yes").exit());
        var again = rollout(plan, two, "--yes");
        assertEquals(2, again.exit(), again.toString());
        assertTrue(again.err().contains("a state file from an earlier run is there; continue that run with --resume"), again.err());
        var otherHosts = rollout(plan, hosts.subList(0, 3), "--yes", "--resume");
        assertEquals(2, otherHosts.exit(), otherHosts.toString());
        assertTrue(otherHosts.err().contains("plan.state.json: written for a different plan or hosts (sha256:"), otherHosts.err());
        assertTrue(otherHosts.err().contains("refusing to resume"), otherHosts.err());
        assertEquals(0, deploys(hosts.get(2)));
        var done = rollout(plan, two, "--yes", "--resume", "--format", "json");
        assertEquals(0, done.exit(), done.toString());
        for (String h : two) assertEquals(1, deploys(h), "a finished host is not deployed again on --resume");
    }

    @Test void pauseAfterCanaryThenResume() throws IOException {
        List<String> four = hosts.subList(0, 4);
        Path plan = plan(CANARY_THEN_3);
        var paused = rollout(plan, four, "--yes", "--pause-after", "canary", "--format", "json");
        assertEquals(1, paused.exit(), paused.toString());
        assertEquals("done", paused.rows().get(four.get(0)).get("status").asText());
        for (String h : four.subList(1, 4)) assertEquals("not-run", paused.rows().get(h).get("status").asText());
        assertTrue(paused.err().contains("To continue: rollout " + plan), paused.err());
        var rest = rollout(plan, four, "--yes", "--resume");
        assertEquals(0, rest.exit(), rest.toString());
        for (String h : four) assertEquals(1, deploys(h), h);
    }

    /** Without --yes rollout asks on the terminal; with no terminal (setsid: no controlling tty) it refuses before contacting anyone. */
    @Test void withoutATerminalItNeedsYes() throws IOException {
        Path plan = plan(CANARY_THEN_3);
        List<String> cmd = new ArrayList<>(List.of("setsid", "--wait"));
        cmd.addAll(Proc.javaCommand("rollout"));
        cmd.addAll(base(plan, hosts.subList(0, 2)));
        var r = Proc.run(cmd, Duration.ofSeconds(60));
        assertEquals(2, r.exit(), r.toString());
        assertEquals("rollout: no terminal to ask on before the canary and the batches: add --yes to go on without asking\n", r.err());
        assertEquals(0, deploys(hosts.get(0)));
        assertFalse(Files.exists(plan.resolveSibling("plan.state.json")), "nothing started");
    }

    @Test void dryRunTouchesNothing() throws IOException {
        List<String> targets = new ArrayList<>(hosts.subList(0, 4));
        targets.add(refused);
        Path plan = plan(CANARY_THEN_3);
        var r = rollout(plan, targets, "--dry-run");
        assertEquals(0, r.exit(), r.toString());
        Golden.of(r).literal(root.toString(), "<hosts>").literal(plan.toString(), "<plan>").literal(String.valueOf(httpPort), "<http>")
                .literal(hosts.get(0).substring(hosts.get(0).indexOf(':')), ":<ssh>").check("rollout.dry-run");
        for (String h : hosts.subList(0, 4)) {
            assertEquals("1.0", version(h));
            assertEquals(0, deploys(h));
        }
        assertFalse(Files.exists(plan.resolveSibling("plan.state.json")), "a dry run writes no state");
    }

    @Test void reportFormats() throws IOException {
        List<String> two = hosts.subList(0, 2);
        Path plan = plan(CANARY_THEN_3);
        var table = rollout(plan, two, "--yes");
        assertEquals(0, table.exit(), table.toString());
        String port = hosts.get(0).substring(hosts.get(0).indexOf(':'));
        Golden.of(new ScriptRun.Result(table.exit(), table.out(), "")).literal(port, ":<ssh>").times().columns().check("rollout.table");
        Files.delete(plan.resolveSibling("plan.state.json"));
        var md = rollout(plan, two, "--yes", "--format", "md");
        Golden.of(new ScriptRun.Result(md.exit(), md.out(), "")).literal(port, ":<ssh>").times().columns().check("rollout.md");
    }

    @Test void badPlansAreRefusedWithFileLineColumnBeforeAnyHostIsContacted() throws IOException {
        String good = "deploy: {command: 'true'}\nverify: {command: 'true'}\n";
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("unknown-key", good + "rollbak: {command: 'true'}\n");
        cases.put("budget-over-100", good + "phases:\n  batches: {size: 2, max_failures: 120%}\n");
        cases.put("empty-phase", good + "phases:\n  canary: {hosts: 0}\n");
        cases.put("no-command", "deploy: {timeout: 5m}\n");
        cases.put("no-deploy", "verify: {command: 'true'}\n");
        cases.put("local-kind", good.replace("verify: {command: 'true'}", "verify:\n  checks:\n    - {kind: disk, mount: /}") + "\n");
        cases.put("bad-url", good.replace("verify: {command: 'true'}", "verify:\n  checks:\n    - {kind: http, url: 'ftp://{host}/'}") + "\n");
        StringBuilder all = new StringBuilder();
        for (var c : cases.entrySet()) {
            Path p = tmp.resolve(c.getKey() + ".yaml");
            Files.writeString(p, c.getValue());
            var r = ScriptRun.run(rollout::main, p.toString(), "-H", refused, "--yes");
            assertEquals(2, r.exit(), c.getKey() + ": " + r);
            assertTrue(r.err().startsWith("rollout: " + p + ":"), c.getKey() + ": " + r.err());
            all.append("== ").append(c.getKey()).append('\n').append(r.err().replace(tmp.toString(), "<tmp>"));
        }
        Golden.ofText(all.toString()).check("rollout.plan-errors");
        assertFalse(Files.exists(tmp.resolve("unknown-key.state.json")), "nothing was started");
    }
}
