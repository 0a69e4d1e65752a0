import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * probe as a real process inside a network namespace the test creates: SYNs dropped by iptables
 * (timeout), ICMP host-unreachable (unreachable), a resolver that answers nothing (unresolved),
 * and the load case: 10,000 targets under `ulimit -n 256`.
 */
class ProbeNetnsTest {

    static ScriptRun.Result probeIn(Netns ns, String ulimit, Duration limit, String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", (ulimit == null ? "" : "ulimit -n " + ulimit + " && ")
                + "exec \"$@\"", "probe"));
        cmd.addAll(Proc.javaCommand("probe"));
        cmd.addAll(List.of(args));
        return Proc.run(ns.exec(cmd), limit);
    }

    @Test void droppedRejectedAndUnresolvedTargets() throws Exception {
        try (Netns ns = Netns.create(); Sshd sshd = Sshd.fleet(ns.name, List.of("127.0.0.1:22"))) {
            ns.dropSyn("127.0.0.66");
            ns.rejectUnreachable("127.0.0.77");
            var r = probeIn(ns, null, Duration.ofSeconds(30), "--format", "json", "--timeout", "1s",
                    "-H", "127.0.0.1,127.0.0.66,127.0.0.77,127.0.0.88,db01.invalid");
            assertEquals(1, r.exit(), r.toString());
            Map<String, JsonNode> rows = r.rows();
            assertEquals("ok", rows.get("127.0.0.1").get("status").asText());
            assertEquals("timeout", rows.get("127.0.0.66").get("status").asText());
            assertEquals("no answer to connect within 1.0s", rows.get("127.0.0.66").get("error").asText());
            assertEquals("unreachable", rows.get("127.0.0.77").get("status").asText());
            assertEquals("refused", rows.get("127.0.0.88").get("status").asText());
            assertEquals("unresolved", rows.get("db01.invalid").get("status").asText());
            assertTrue(r.json().get("summary").get("elapsed_ms").asLong() < 2500, "timeouts run in parallel");
            String line = r.json().get("summary").get("line").asText();
            assertTrue(line.startsWith("probe: 5 targets, 1 ok, 4 failed (") && line.contains("1 timeout") && line.contains("1 unreachable")
                    && line.contains("1 refused") && line.contains("1 unresolved"), line);
        }
    }

    @Test void retriesApplyToDroppedTargets() {
        try (Netns ns = Netns.create()) {
            ns.dropSyn("127.0.0.66");
            var r = probeIn(ns, null, Duration.ofSeconds(30), "--format", "json", "--timeout", "300ms", "--retries", "2",
                    "-H", "127.0.0.66");
            JsonNode row = r.json().get("results").get(0);
            assertEquals("timeout", row.get("status").asText());
            assertEquals(3, row.get("attempts").asInt());
        }
    }

    /**
     * --sort latency on real connect times: the first SYN to 127.0.0.2 is dropped (iptables
     * "recent"), so its connect takes the kernel's 1 s retransmit; slowest first, the targets
     * without a latency (refused) last in input order.
     */
    @Test void sortByLatencyPutsTheSlowestFirst() throws Exception {
        try (Netns ns = Netns.create(); Sshd sshd = Sshd.fleet(ns.name, List.of("127.0.0.1:22", "127.0.0.2:22"))) {
            ns.sh("iptables -A INPUT -p tcp --syn -d 127.0.0.2 -m recent --name ops-slow --rcheck --seconds 120 -j ACCEPT"
                    + " && iptables -A INPUT -p tcp --syn -d 127.0.0.2 -m recent --name ops-slow --set -j DROP");
            var r = probeIn(ns, null, Duration.ofSeconds(30), "--format", "json", "--timeout", "3s", "--sort", "latency",
                    "-H", "127.0.0.1:1,127.0.0.1,127.0.0.2,127.0.0.99:1");
            assertEquals(1, r.exit(), r.toString());
            List<String> order = new ArrayList<>();
            r.json().get("results").forEach(x -> order.add(x.get("target").asText()));
            assertEquals(List.of("127.0.0.2", "127.0.0.1", "127.0.0.1:1", "127.0.0.99:1"), order, r.out());
            double slow = r.rows().get("127.0.0.2").get("latency_ms").asDouble();
            assertTrue(slow >= 900 && slow < 2900, "one SYN retransmit: " + slow + " ms");
            assertTrue(r.rows().get("127.0.0.1").get("latency_ms").asDouble() < slow / 2, r.out());
            assertEquals("ok", r.rows().get("127.0.0.2").get("status").asText(), "slow is not down");
        }
    }

    /** SIGTERM (and Ctrl-C) mid-run: every target still gets a row, the unfinished ones not-run. */
    @Test void sigtermPrintsWhatItHasAndMarksTheRestNotRun(@TempDir Path dir) throws Exception {
        try (Netns ns = Netns.create()) {
            ns.dropSyn("127.3.0.0/16");
            List<String> cmd = new ArrayList<>(Proc.javaCommand("probe"));
            cmd.addAll(List.of("-c", "2", "--timeout", "20s", "--format", "json",
                    "-H", "127.0.0.2:1,127.3.0.1,127.3.0.2,127.3.0.3,127.0.0.1:5"));
            Path out = dir.resolve("out.json");
            Process p = new ProcessBuilder(ns.exec(cmd)).redirectOutput(out.toFile())
                    .redirectError(dir.resolve("err.txt").toFile()).start();   // `ip netns exec` execs: same pid
            Thread.sleep(2000);
            p.destroy();                                                        // SIGTERM
            assertTrue(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "probe did not stop on SIGTERM");
            assertEquals(143, p.exitValue(), Files.readString(dir.resolve("err.txt")));
            Map<String, JsonNode> rows = new ScriptRun.Result(143, Files.readString(out), "").rows();
            assertEquals(5, rows.size(), "every target gets a row");
            assertEquals("refused", rows.get("127.0.0.2:1").get("status").asText());
            assertEquals("interrupted while running", rows.get("127.3.0.1").get("error").asText());
            assertEquals("not-run", rows.get("127.3.0.2").get("status").asText());
            assertEquals("not started: interrupted", rows.get("127.0.0.1:5").get("error").asText());
        }
    }

    /**
     * The acceptance test: 10,000 targets, the open-file limit at 256, a few hundred sshd
     * addresses, a few hundred silent (SYN-dropping) ones, the rest refused. Every target must get
     * its true status, and the wall time must stay near ceil(silent / slots) x timeout.
     */
    @Test void tenThousandTargetsUnderUlimit256DoNotLie(@TempDir Path dir) throws Exception {
        int sshAddrs = 320, silentAddrs = 400, total = 10_000;
        List<String> ssh = new ArrayList<>(), silent = new ArrayList<>(), refused = new ArrayList<>();
        for (int i = 0; i < sshAddrs; i++) ssh.add("127.1." + (i / 250) + "." + (1 + i % 250));
        for (int i = 0; i < silentAddrs; i++) silent.add("127.3." + (i / 250) + "." + (1 + i % 250));
        for (int i = 0; refused.size() < total - sshAddrs - silentAddrs; i++) refused.add("127.2." + (i / 250) + "." + (1 + i % 250));
        Map<String, String> expected = new HashMap<>();
        ssh.forEach(a -> expected.put(a, "ok"));
        silent.forEach(a -> expected.put(a, "timeout"));
        refused.forEach(a -> expected.put(a, "refused"));
        List<String> lines = new ArrayList<>(expected.keySet());
        Collections.shuffle(lines, new Random(42));
        Path hosts = dir.resolve("fleet.txt");
        Files.write(hosts, lines);
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));

        try (Netns ns = Netns.create();
             Sshd sshd = Sshd.fleet(ns.name, ssh.stream().map(a -> a + ":22").toList())) {
            ns.dropSyn("127.3.0.0/16");
            var r = probeIn(ns, "256", Duration.ofSeconds(120), "--format", "json", "--timeout", "1s", hosts.toString());
            assertEquals(1, r.exit(), r.err());
            JsonNode doc = r.json();
            assertEquals(total, doc.get("results").size());
            int wrong = 0;
            StringBuilder examples = new StringBuilder();
            for (JsonNode row : doc.get("results")) {
                String want = expected.get(row.get("host").asText());
                if (!want.equals(row.get("status").asText())) {
                    if (wrong++ < 5) examples.append(row).append('\n');
                }
            }
            assertEquals(0, wrong, "targets with a wrong status, e.g.\n" + examples);
            JsonNode s = doc.get("summary");
            int slots = s.get("concurrency").asInt();
            assertTrue(slots < 256 && slots > 100, "concurrency " + slots + " must be capped below the fd limit, not far below");
            assertTrue(r.err().contains("concurrency lowered from"), r.err());
            long physical = (long) Math.ceil((double) silentAddrs / slots) * 1000;
            long elapsed = s.get("elapsed_ms").asLong();
            System.out.printf("    10,000 targets, ulimit -n 256: %d slots, %d ms (physical limit %d ms, overhead %d ms)%n",
                    slots, elapsed, physical, elapsed - physical);
            assertTrue(elapsed >= physical - 50, "faster than physics? " + elapsed);
            assertTrue(elapsed - physical < 1000, "overhead over the physical limit must stay under a second: " + elapsed + " ms vs " + physical);
            assertTrue(!s.has("fd_waits"), "never ran out of descriptors: " + s);
        }
    }

}
