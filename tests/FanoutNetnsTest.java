import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fanout as a real process inside a network namespace: an address whose SYNs are dropped, one
 * that refuses, one that is unreachable, next to real sshd hosts; and SIGTERM in the middle of a
 * run (the summary still printed, unfinished hosts marked, the remote commands stopped).
 */
class FanoutNetnsTest {
    @TempDir Path tmp;

    List<String> fanout(Netns ns, Path knownHosts, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(Proc.javaCommand("fanout"));
        cmd.addAll(List.of("-F", "none", "-i", Sshd.clientKey().toString(), "--known-hosts", knownHosts.toString()));
        cmd.addAll(List.of(args));
        return ns.exec(cmd);
    }

    Path knownHosts(List<String> hosts) throws Exception {
        return Sshd.knownHosts(tmp.resolve("known_hosts"), hosts);
    }


    @Test void droppedRefusedAndUnreachableHostsEachGetTheirStatus() throws Exception {
        try (Netns ns = Netns.create(); Sshd sshd = Sshd.fleet(ns.name, List.of("127.0.0.1:22", "127.0.0.2:22"))) {
            ns.dropSyn("127.0.0.66");
            ns.rejectUnreachable("127.0.0.77");
            Path kh = knownHosts(List.of("127.0.0.1", "127.0.0.2"));
            long t0 = System.nanoTime();
            var r = Proc.run(fanout(ns, kh, "--connect-timeout", "1s", "--format", "json", "-l", "root",
                    "-H", "127.0.0.1,127.0.0.66,127.0.0.2,127.0.0.77,127.0.0.88,db01.invalid", "--", "echo hello"), Duration.ofSeconds(60));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(1, r.exit(), r.toString());
            Map<String, JsonNode> rows = r.rows();
            assertEquals(6, rows.size(), "every host gets a row");
            assertEquals("ok", rows.get("127.0.0.1").get("status").asText(), r.toString());
            assertEquals("hello\n", rows.get("127.0.0.2").get("stdout").asText());
            assertEquals("timeout", rows.get("127.0.0.66").get("status").asText());
            assertTrue(rows.get("127.0.0.66").get("error").asText().contains("no answer to connect within 1.0s"), r.out());
            assertEquals("unreachable", rows.get("127.0.0.77").get("status").asText());
            assertEquals("refused", rows.get("127.0.0.88").get("status").asText());
            assertEquals("unresolved", rows.get("db01.invalid").get("status").asText());
            assertTrue(ms < 15_000, "a 1 s connect timeout, in parallel, took " + ms + " ms");
        }
    }

    @Test void aLowOpenFileLimitLowersConcurrencyAndNoHostIsReportedDownForIt() throws Exception {
        List<String> addrs = new ArrayList<>();
        for (int i = 1; i <= 96; i++) addrs.add("127.0.1." + i);
        try (Netns ns = Netns.create(); Sshd sshd = Sshd.fleet(ns.name, addrs.stream().map(a -> a + ":22").toList())) {
            Path kh = knownHosts(addrs);
            // 96, not 80: the JVM holds one descriptor per jar on its classpath (about 45 without the jars only
            // other tools need), and fanout keeps Limits.FD_RESERVE (32) of the rest for itself
            List<String> cmd = new ArrayList<>(List.of("bash", "-c", "ulimit -n 96 && exec \"$@\"", "fanout"));
            cmd.addAll(Proc.leanJavaCommand("fanout"));
            cmd.addAll(List.of("-F", "none", "-i", Sshd.clientKey().toString(), "--known-hosts", kh.toString(), "-l", "root",
                    "-c", "500", "--format", "json", "-H", String.join(",", addrs), "--", "echo up"));
            var r = Proc.run(ns.exec(cmd), Duration.ofMinutes(2));
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.err().contains("note: concurrency lowered from 96 to"), r.err());
            int slots = r.json().get("summary").get("concurrency").asInt();
            assertTrue(slots < 96 && slots > 0, "concurrency " + slots);
            assertEquals(96, r.json().get("summary").get("ok").asInt(), r.out());
        }
    }

    @Test void sigtermPrintsTheSummaryMarksUnfinishedHostsAndStopsRemoteCommands() throws Exception {
        TestUser.ensure();
        try (Netns ns = Netns.create(); Sshd sshd = Sshd.fleet(ns.name, List.of("127.0.0.1:22", "127.0.0.2:22", "127.0.0.3:22"))) {
            Path kh = knownHosts(List.of("127.0.0.1", "127.0.0.2", "127.0.0.3"));
            File out = tmp.resolve("out").toFile(), err = tmp.resolve("err").toFile();
            // 127.0.0.1 finishes at once; the others sleep; -c 2 leaves 127.0.0.3 waiting for a slot.
            Process p = new ProcessBuilder(fanout(ns, kh, "-l", TestUser.NAME, "-c", "2", "--format", "json",
                    "-H", "127.0.0.1,127.0.0.2,127.0.0.3", "--",
                    "case $SSH_CONNECTION in *' 127.0.0.1 '*) echo quick;; *) echo slow; exec sleep 41.337;; esac"))
                    .redirectOutput(out).redirectError(err).start();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < until && Proc.run(List.of("pgrep", "-u", TestUser.NAME, "-f", "sleep 41.337"),
                    Duration.ofSeconds(5)).out().isBlank()) {
                Thread.sleep(100);
            }
            Thread.sleep(300);
            // ip netns exec is the direct child; the JVM is its child (exec'd, same pid) or grandchild.
            p.toHandle().descendants().forEach(h -> h.destroy());
            p.destroy();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "fanout did not exit after SIGTERM");
            String stdout = Files.readString(out.toPath()), stderr = Files.readString(err.toPath());
            assertEquals(143, p.exitValue(), stdout + stderr);
            Map<String, JsonNode> rows = new ScriptRun.Result(143, stdout, stderr).rows();
            assertEquals("ok", rows.get("127.0.0.1").get("status").asText(), stdout);
            assertEquals("quick\n", rows.get("127.0.0.1").get("stdout").asText());
            assertEquals("interrupted", rows.get("127.0.0.2").get("status").asText(), stdout);
            assertEquals("interrupted", rows.get("127.0.0.3").get("status").asText(), stdout);
            Thread.sleep(500);
            assertEquals("", Proc.run(List.of("pgrep", "-u", TestUser.NAME, "-f", "sleep 41.337"), Duration.ofSeconds(5)).out().trim(),
                    "remote commands were left running after SIGTERM");
        } finally {
            Proc.run(List.of("pkill", "-f", "sleep 41.337"), Duration.ofSeconds(5));
        }
    }
}
