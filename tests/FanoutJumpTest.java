import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fanout through bastions, with real sshd daemons in three network namespaces:
 * <pre>
 *   client ns (fanout) --veth-- bastion ns (sshd 10.201.0.2:22) --veth-- targets ns
 *                                                                 sshd 10.202.1.1..N:22 (AnyIP)
 *                                                                 sshd 10.202.0.2:2222 (second hop)
 *                                                                 sshd 127.0.0.1:2200 (only from inside)
 * </pre>
 * The bastion namespace does not forward packets, so the targets are unreachable from the client
 * except through a bastion's direct-tcpip channels (the first test checks that). Everything lives
 * in the namespaces and goes away with them.
 */
class FanoutJumpTest {
    @TempDir Path tmp;

    static final String BASTION = "10.201.0.2";
    static final String HOP2 = "10.202.0.2";

    static String target(int i) { return "10.202.1." + i; }

    /** The three namespaces, their links and daemons; closed in reverse, even when a test fails. */
    static final class Lab implements AutoCloseable {
        final List<AutoCloseable> open = new ArrayList<>();
        Netns client, middle, inner;
        Sshd bastion, targets, hop2, hidden;

        static Lab start(int targetCount, String... bastionConfig) throws Exception {
            Lab lab = new Lab();
            try {
                lab.client = lab.keep(Netns.create());
                lab.middle = lab.keep(Netns.create());
                lab.inner = lab.keep(Netns.create());
                lab.client.veth(lab.middle, "10.201.0.1/30", BASTION + "/30");
                lab.middle.veth(lab.inner, "10.202.0.1/24", HOP2 + "/24");
                // The targets' whole /24 is local in the inner namespace (AnyIP); the bastion routes to it.
                lab.inner.sh("ip route add local 10.202.1.0/24 dev lo");
                lab.middle.sh("ip route add 10.202.1.0/24 via " + HOP2);
                lab.bastion = lab.keep(Sshd.fleet(lab.middle.name, List.of(BASTION + ":22"), bastionConfig));
                List<String> listen = new ArrayList<>();
                for (int i = 1; i <= targetCount; i++) listen.add(target(i) + ":22");
                lab.targets = lab.keep(Sshd.fleet(lab.inner.name, listen));
            } catch (Exception | Error e) {
                lab.close();
                throw e;
            }
            return lab;
        }

        /** A second bastion in the targets' namespace, and a host only it can reach (its own loopback). */
        void secondHop() throws Exception {
            hop2 = keep(Sshd.fleet(inner.name, List.of(HOP2 + ":2222")));
            hidden = keep(Sshd.fleet(inner.name, List.of("127.0.0.1:2200")));
        }

        <T extends AutoCloseable> T keep(T t) {
            open.add(0, t);
            return t;
        }

        @Override public void close() {
            for (AutoCloseable c : open) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("warning: cleanup: " + e);
                }
            }
        }
    }

    /** known_hosts naming these hosts ("10.202.1.1", "[10.202.0.2]:2222") with the shared host key. */
    Path knownHosts(List<String> names) throws Exception {
        return Sshd.knownHosts(tmp.resolve("known_hosts"), names);
    }

    Path knownHostsFor(int targets, String... more) throws Exception {
        List<String> names = new ArrayList<>(List.of(BASTION));
        for (int i = 1; i <= targets; i++) names.add(target(i));
        names.addAll(List.of(more));
        return knownHosts(names);
    }

    static List<String> hosts(int from, int to) {
        List<String> h = new ArrayList<>();
        for (int i = from; i <= to; i++) h.add(target(i));
        return h;
    }

    ScriptRun.Result fanout(Lab lab, Path knownHosts, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(Proc.javaCommand("fanout"));
        if (!List.of(args).contains("-F")) cmd.addAll(List.of("-F", "none"));
        if (!List.of(args).contains("--format")) cmd.addAll(List.of("--format", "json"));
        if (!List.of(args).contains("--connect-timeout")) cmd.addAll(List.of("--connect-timeout", "5s"));
        cmd.addAll(List.of("-i", Sshd.clientKey().toString(), "-l", "root"));
        if (knownHosts != null) cmd.addAll(List.of("--known-hosts", knownHosts.toString()));
        cmd.addAll(List.of(args));
        return Proc.run(lab.client.exec(cmd), Duration.ofMinutes(2));
    }

    static List<JsonNode> results(ScriptRun.Result r) {
        List<JsonNode> rows = new ArrayList<>();
        r.json().get("results").forEach(rows::add);
        return rows;
    }

    /** sshd logs a login a moment after it happens; waits up to 3 s for the count to settle at {@code expected}. */
    static long loginsSettled(Sshd sshd, long expected) throws InterruptedException {
        long until = System.nanoTime() + 3_000_000_000L;
        while (sshd.logins() < expected && System.nanoTime() < until) Thread.sleep(50);
        Thread.sleep(200);
        return sshd.logins();
    }

    @Test void theTargetsAreUnreachableDirectlyAndReachedThroughOneBastion() throws Exception {
        try (Lab lab = Lab.start(3)) {
            Path kh = knownHostsFor(3);
            var direct = fanout(lab, kh, "-H", String.join(",", hosts(1, 3)), "--", "true");
            assertEquals(1, direct.exit(), direct.toString());
            for (JsonNode row : results(direct)) {
                assertEquals("unreachable", row.get("status").asText(), "reached a target without the bastion: " + direct.out());
            }
            var r = fanout(lab, kh, "-J", BASTION, "-H", String.join(",", hosts(1, 3)), "--", "echo $SSH_CONNECTION");
            assertEquals(0, r.exit(), r.toString());
            Map<String, JsonNode> rows = r.rows();
            for (String h : hosts(1, 3)) {
                // The target sees the bastion's inner address as its client: the connection came through it.
                assertTrue(rows.get(h).get("stdout").asText().startsWith("10.202.0.1 "), r.out());
                assertEquals(BASTION, rows.get(h).get("ssh").get("via").asText(), r.out());
            }
            assertEquals(1, loginsSettled(lab.bastion, 1), "one bastion login for 3 hosts: " + lab.bastion.log());
        }
    }

    /**
     * rollout stands on the same SSH layer: through -J, one bastion login serves every host, and
     * each host's precheck, deploy and verify share one login (the pool keeps it between steps).
     */
    @Test void rolloutReachesHostsThroughTheBastionWithOneLoginPerHostForAllItsSteps() throws Exception {
        try (Lab lab = Lab.start(3)) {
            Path kh = knownHostsFor(3);
            Path versions = Files.createDirectories(tmp.resolve("versions"));
            for (String h : hosts(1, 3)) Files.writeString(versions.resolve(h), "1.0\n");
            Path plan = tmp.resolve("plan.yaml");
            Files.writeString(plan, "title: app 2.0\n"
                    + "precheck: {command: 'grep -q 1.0 " + versions + "/{host}'}\n"
                    + "deploy: {command: 'echo 2.0 > " + versions + "/{host}'}\n"
                    + "verify: {command: 'grep -q 2.0 " + versions + "/{host}'}\n"
                    + "phases:\n  canary: {hosts: 1}\n  batches: {size: 2}\n");
            List<String> cmd = new ArrayList<>(Proc.javaCommand("rollout"));
            cmd.addAll(List.of(plan.toString(), "-F", "none", "-i", Sshd.clientKey().toString(), "-l", "root",
                    "--known-hosts", kh.toString(), "--connect-timeout", "5s", "--yes", "--format", "json",
                    "-H", String.join(",", hosts(1, 3))));
            var direct = Proc.run(lab.client.exec(cmd), Duration.ofMinutes(2));
            assertEquals(1, direct.exit(), "the targets are unreachable without the bastion: " + direct);
            for (String h : hosts(1, 3)) assertEquals("1.0\n", Files.readString(versions.resolve(h)), "changed without the bastion: " + direct);
            Files.deleteIfExists(tmp.resolve("plan.state.json"));

            cmd.addAll(List.of("-J", BASTION));
            var r = Proc.run(lab.client.exec(cmd), Duration.ofMinutes(2));
            assertEquals(0, r.exit(), r.toString());
            for (String h : hosts(1, 3)) assertEquals("2.0\n", Files.readString(versions.resolve(h)), h + ": " + r);
            assertEquals(1, loginsSettled(lab.bastion, 1), "one bastion login for 3 hosts: " + lab.bastion.log());
            assertEquals(3, loginsSettled(lab.targets, 3), "one login per host for precheck, deploy and verify: " + lab.targets.log());
        }
    }

    @Test void moreTargetsThanTheChannelBoundAllSucceedOverOneBastionLogin() throws Exception {
        int n = 24;
        // MaxSessions counts shell/exec sessions, not direct-tcpip channels: 2 here does not limit the 3 tunnels.
        try (Lab lab = Lab.start(n, "MaxSessions 2")) {
            Path kh = knownHostsFor(n);
            var r = fanout(lab, kh, "-J", "root@" + BASTION + ":22", "--jump-channels", "3", "-c", "24",
                    "-H", String.join(",", hosts(1, n)), "--", "sleep 0.2; echo up");
            assertEquals(0, r.exit(), r.toString());
            assertEquals(n, r.json().get("summary").get("ok").asInt(), r.out());
            assertEquals(1, loginsSettled(lab.bastion, 1), "one bastion login for " + n + " hosts: " + lab.bastion.log());
            assertEquals(n, loginsSettled(lab.targets, n));
            // 24 hosts of 0.2 s each, 3 at a time: at least 8 rounds.
            assertTrue(r.json().get("summary").get("elapsed_ms").asLong() >= 1600, "the channel bound was not kept: " + r.out());
        }
    }

    @Test void theDeadlineCutsHostsQueuedForAChannelAndEveryOneGetsARow() throws Exception {
        try (Lab lab = Lab.start(3)) {
            Path kh = knownHostsFor(3);
            long t0 = System.nanoTime();
            var r = fanout(lab, kh, "-J", BASTION, "--jump-channels", "1", "--deadline", "3s",
                    "-H", String.join(",", hosts(1, 3)), "--", "sleep 30");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(1, r.exit(), r.toString());
            assertEquals(3, results(r).size(), r.out());
            for (JsonNode row : results(r)) assertTrue(List.of("timeout", "not-run").contains(row.get("status").asText()), r.out());
            assertTrue(ms < 15_000, "a 3 s deadline took " + ms + " ms");
            assertEquals(1, loginsSettled(lab.targets, 1), "the other two waited for the one channel: " + lab.targets.log());
        }
    }

    @Test void aChainOfTwoBastionsReachesAHostOnlyTheSecondCanReach() throws Exception {
        try (Lab lab = Lab.start(1)) {
            lab.secondHop();
            Path kh = knownHostsFor(0, "[" + HOP2 + "]:2222", "[127.0.0.1]:2200");
            var one = fanout(lab, kh, "-J", BASTION, "-H", "127.0.0.1:2200", "--", "true");
            assertEquals("refused", results(one).get(0).get("status").asText(), "the first bastion has no such host: " + one.out());
            assertEquals(1, loginsSettled(lab.bastion, 1));
            var r = fanout(lab, kh, "-J", BASTION + "," + HOP2 + ":2222", "-H", "127.0.0.1:2200", "--", "echo $SSH_CONNECTION");
            assertEquals(0, r.exit(), r.toString());
            JsonNode row = results(r).get(0);
            assertTrue(row.get("stdout").asText().startsWith("127.0.0.1 "), "came from the second hop's loopback: " + r.out());
            assertEquals(BASTION + "," + HOP2 + ":2222", row.get("ssh").get("via").asText());
            assertEquals(2, loginsSettled(lab.bastion, 2));
            assertEquals(1, loginsSettled(lab.hop2, 1));
        }
    }

    @Test void aBastionWithAnUnknownHostKeyFailsEveryHostBehindItNamingTheBastion() throws Exception {
        try (Lab lab = Lab.start(3)) {
            Path kh = knownHosts(hosts(1, 3));                // the targets are known, the bastion is not
            var r = fanout(lab, kh, "-J", BASTION, "-H", String.join(",", hosts(1, 3)), "--", "true");
            assertEquals(1, r.exit(), r.toString());
            for (JsonNode row : results(r)) {
                assertEquals("jump-failed", row.get("status").asText(), r.out());
                assertTrue(row.get("error").asText().startsWith("via " + BASTION + ": hostkey-unknown: " + BASTION + " is not in"),
                        row.get("error").asText());
            }
            assertEquals(0, loginsSettled(lab.targets, 0), "no target was tried");
            var text = fanout(lab, kh, "-J", BASTION, "--format", "text", "-H", String.join(",", hosts(1, 3)), "--", "true");
            assertTrue(text.out().contains("3 failed (3 jump-failed)"), text.toString());
            // A bastion that refuses, or does not let us in, is named the same way.
            Path known = knownHostsFor(3);
            var refused = fanout(lab, known, "-J", BASTION + ":2299", "-H", String.join(",", hosts(1, 2)), "--", "true");
            for (JsonNode row : results(refused)) {
                assertEquals("via " + BASTION + ":2299: refused: connection refused", row.get("error").asText(), refused.out());
            }
            var auth = fanout(lab, known, "-J", "nobody-here@" + BASTION, "-H", String.join(",", hosts(1, 2)), "--", "true");
            for (JsonNode row : results(auth)) {
                assertEquals("jump-failed", row.get("status").asText(), auth.out());
                assertTrue(row.get("error").asText().startsWith("via nobody-here@" + BASTION + ": auth-failed: as nobody-here: "), auth.out());
            }
            assertEquals(0, loginsSettled(lab.targets, 0), "no target was tried");
        }
    }

    @Test void aTargetThatRefusesOrCannotBeRoutedBehindTheBastionGetsItsOwnStatus() throws Exception {
        try (Lab lab = Lab.start(1)) {
            Path kh = knownHostsFor(1);
            lab.inner.dropSyn(target(77));
            var r = fanout(lab, kh, "-J", BASTION, "--connect-timeout", "2s",
                    "-H", target(1) + "," + target(99) + ",10.203.0.1," + target(77) + ",db01.invalid", "--", "echo ok");
            assertEquals(1, r.exit(), r.toString());
            Map<String, JsonNode> rows = r.rows();
            assertEquals("ok", rows.get(target(1)).get("status").asText(), r.out());
            assertEquals("refused", rows.get(target(99)).get("status").asText(), r.out());
            assertEquals("via " + BASTION + ": the bastion could not connect to " + target(99) + ":22 (Connection refused)",
                    rows.get(target(99)).get("error").asText());
            assertEquals("unreachable", rows.get("10.203.0.1").get("status").asText(), r.out());
            assertTrue(rows.get("10.203.0.1").get("error").asText().contains("via " + BASTION), r.out());
            assertEquals("unresolved", rows.get("db01.invalid").get("status").asText(), r.out());
            assertTrue(rows.get("db01.invalid").get("error").asText().startsWith("via " + BASTION + ": the bastion cannot resolve db01.invalid:22 ("), r.out());
            assertEquals("timeout", rows.get(target(77)).get("status").asText(), r.out());
            assertEquals("via " + BASTION + ": the bastion did not connect to " + target(77) + ":22 within 2.0s (no answer from there?)",
                    rows.get(target(77)).get("error").asText());
        }
    }

    @Test void aBastionThatForbidsForwardingSaysSo() throws Exception {
        try (Lab lab = Lab.start(1, "AllowTcpForwarding no")) {
            var r = fanout(lab, knownHostsFor(1), "-J", BASTION, "-H", target(1), "--", "true");
            JsonNode row = results(r).get(0);
            assertEquals("error", row.get("status").asText(), r.out());
            assertTrue(row.get("error").asText().startsWith("via " + BASTION + ": the bastion refuses to forward to " + target(1) + ":22 ("), r.out());
            assertTrue(row.get("error").asText().endsWith("; AllowTcpForwarding or PermitOpen in its sshd_config?)"), r.out());
        }
    }

    @Test void oneHostNamedThreeWaysIsOneLoginAndThreeRows() throws Exception {
        try (Lab lab = Lab.start(2)) {
            Path kh = knownHostsFor(2);
            // With -l root all three are root@10.202.1.1:22; -c 1 runs them one after the other.
            String same = target(1) + ",root@" + target(1) + "," + target(1) + ":22";
            var r = fanout(lab, kh, "-J", BASTION, "-c", "1", "-H", same + "," + target(2), "--", "echo hi");
            assertEquals(0, r.exit(), r.toString());
            assertEquals(4, results(r).size(), r.out());
            for (JsonNode row : results(r)) assertEquals("hi\n", row.get("stdout").asText(), r.out());
            assertEquals(2, loginsSettled(lab.targets, 2), "10.202.1.1's other rows reuse its login: " + lab.targets.log());
        }
    }

    Path config(String... lines) throws Exception {
        Path f = tmp.resolve("ssh_config");
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    @Test void proxyJumpFromTheConfigSharesOneBastionAndMinusJNoneGoesDirect() throws Exception {
        try (Lab lab = Lab.start(3)) {
            Path kh = knownHostsFor(3);
            Path cfg = config("Host bastion", "    HostName " + BASTION, "    User root", "Host 10.202.1.*", "    ProxyJump bastion");
            var r = fanout(lab, kh, "-F", cfg.toString(), "-H", String.join(",", hosts(1, 3)), "--", "echo $SSH_CONNECTION");
            assertEquals(0, r.exit(), r.toString());
            for (JsonNode row : results(r)) {
                assertTrue(row.get("stdout").asText().startsWith("10.202.0.1 "), r.out());
                assertEquals("bastion", row.get("ssh").get("via").asText(), r.out());
            }
            assertEquals(1, loginsSettled(lab.bastion, 1), lab.bastion.log().toString());
            var direct = fanout(lab, kh, "-F", cfg.toString(), "-J", "none", "-H", target(1), "--", "true");
            assertEquals("unreachable", results(direct).get(0).get("status").asText(), "-J none overrides ProxyJump: " + direct.out());
            Path loop = config("Host *", "    ProxyJump root@" + BASTION);     // the bastion would go through itself
            var looping = fanout(lab, kh, "-F", loop.toString(), "-H", target(1), "--", "true");
            assertEquals(2, looping.exit(), looping.toString());
            assertTrue(looping.err().contains("ProxyJump loop?"), looping.err());
        }
    }

    @Test void eachBastionLogsInWithItsOwnSettingsFromTheConfig() throws Exception {
        try (Lab lab = Lab.start(2)) {
            Path bastionKnown = tmp.resolve("bastion_known_hosts");
            Files.writeString(bastionKnown, "");
            Path targetsKnown = knownHosts(hosts(1, 2));
            Path cfg = config("Host bastion", "    HostName " + BASTION, "    User root",
                    "    UserKnownHostsFile " + bastionKnown, "    StrictHostKeyChecking accept-new",
                    "Host 10.202.1.*", "    ProxyJump bastion", "    UserKnownHostsFile " + targetsKnown,
                    "Host *", "    GlobalKnownHostsFile /dev/null");
            var r = fanout(lab, null, "-F", cfg.toString(), "-H", String.join(",", hosts(1, 2)), "--", "true");
            assertEquals(0, r.exit(), r.toString());
            assertTrue(Files.readString(bastionKnown).startsWith(BASTION + " ssh-ed25519 "), "the bastion's key went to its own file");
            assertTrue(r.err().contains("accept-new: recorded " + BASTION + " ssh-ed25519"), r.err());
            assertEquals(1, r.err().lines().filter(l -> l.contains("recorded")).count(), "the targets are strict, and known: " + r.err());
        }
    }

    @Test void proxyCommandSshDashWIsAJumpAndAnyOtherIsRefusedForItsHostOnly() throws Exception {
        try (Lab lab = Lab.start(3)) {
            Path kh = knownHostsFor(3);
            Path cfg = config(
                    "Host " + target(1), "    ProxyCommand ssh -W %h:%p -q root@" + BASTION,
                    "Host " + target(2), "    ProxyCommand exec ssh -l root -p 22 -W [%h]:%p " + BASTION,
                    "Host " + target(3), "    ProxyCommand nc -X connect -x proxy.example:3128 %h %p");
            var r = fanout(lab, kh, "-F", cfg.toString(), "-H", String.join(",", hosts(1, 3)), "--", "echo $SSH_CONNECTION");
            assertEquals(1, r.exit(), r.toString());
            Map<String, JsonNode> rows = r.rows();
            assertEquals(3, rows.size(), "every host gets a row");
            for (String h : hosts(1, 2)) {
                assertEquals("ok", rows.get(h).get("status").asText(), r.out());
                assertTrue(rows.get(h).get("stdout").asText().startsWith("10.202.0.1 "), r.out());
            }
            assertEquals("not-run", rows.get(target(3)).get("status").asText(), r.out());
            assertEquals("unsupported: " + cfg + ":6: ProxyCommand 'nc -X connect -x proxy.example:3128 %h %p' for " + target(3) + ": "
                    + "ops runs no local proxy commands, only ProxyJump and 'ssh -W %h:%p [user@]bastion': use ProxyJump (or -J)",
                    rows.get(target(3)).get("error").asText());
            assertEquals(1, loginsSettled(lab.bastion, 1), "both ProxyCommands name the same bastion: " + lab.bastion.log());
        }
    }

    /** Established TCP connections from the bastion to this address (its side of our tunnels). */
    static int tunnelsTo(Lab lab, String address) {
        return (int) lab.middle.sh("ss -Htn state established dst " + address).lines().filter(l -> !l.isBlank()).count();
    }

    @Test void aFinishedHostsTunnelClosesWhileTheBastionServesTheOthers() throws Exception {
        try (Lab lab = Lab.start(2)) {
            Path kh = knownHostsFor(2);
            List<String> cmd = new ArrayList<>(Proc.javaCommand("fanout"));
            cmd.addAll(List.of("-F", "none", "-i", Sshd.clientKey().toString(), "--known-hosts", kh.toString(), "-l", "root",
                    "-J", BASTION, "--format", "json", "-H", String.join(",", hosts(1, 2)), "--",
                    "case $SSH_CONNECTION in *' " + target(2) + " '*) sleep 8;; esac; echo done"));
            Process p = new ProcessBuilder(lab.client.exec(cmd)).redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("out").toFile()).start();
            try {
                long until = System.nanoTime() + 20_000_000_000L;
                while (tunnelsTo(lab, target(2) + ":22") == 0 && System.nanoTime() < until) Thread.sleep(100);
                // 10.202.1.1 finishes at once, 10.202.1.2 sleeps 8 s: its tunnel must close well before that
                // (waited for, not slept: on a loaded machine host 1 may take a few seconds to finish).
                long closeBy = System.nanoTime() + 5_000_000_000L;
                while (tunnelsTo(lab, target(1) + ":22") != 0 && System.nanoTime() < closeBy) Thread.sleep(100);
                assertEquals(0, tunnelsTo(lab, target(1) + ":22"), "the finished host's tunnel is still open: " + lab.middle.sh("ss -tn"));
                assertEquals(1, tunnelsTo(lab, target(2) + ":22"), lab.middle.sh("ss -tn"));
                assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
                assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("out")));
            } finally {
                p.destroyForcibly();
            }
            assertEquals(1, loginsSettled(lab.bastion, 1));
        }
    }

    @Test void idleHostsWaitingForTheirSecondRowDoNotHoldTheBastionsOnlyChannel() throws Exception {
        try (Lab lab = Lab.start(2)) {
            // One channel, one host at a time: 10.202.1.1 is kept open for its second row, and would
            // hold the channel 10.202.1.2 needs, for ever, if idle connections kept their tunnels.
            var r = fanout(lab, knownHostsFor(2), "-J", BASTION, "--jump-channels", "1", "-c", "1", "--deadline", "30s",
                    "-H", target(1) + "," + target(2) + ",root@" + target(1) + ",root@" + target(2), "--", "echo hi");
            assertEquals(0, r.exit(), r.toString());
            assertEquals(4, r.json().get("summary").get("ok").asInt(), r.out());
        }
    }

    @Test void proxyCommandFormsThatAreJumpsAndThoseThatAreNot() {
        Map<String, String> jumps = Map.of(
                "ssh -W %h:%p bastion", "bastion",
                "ssh -q -W [%h]:%p admin@bastion", "admin@bastion",
                "exec ssh -l admin -p 2222 -W %h:%p bastion.dc1", "admin@bastion.dc1:2222",
                "/usr/bin/ssh -T -a -x -W %h:%p ssh://ops@[fd00::1]:22", "ops@[fd00::1]:22");
        jumps.forEach((cmd, hop) -> assertEquals(hop, ssh.Jumps.fromProxyCommand(cmd).spec(), cmd));
        for (String other : List.of("nc %h %p", "ssh -W %h:22 bastion", "ssh -W %h:%p", "ssh -o User=x -W %h:%p bastion",
                "ssh -W %h:%p bastion nc", "ssh -W %h:%p -p 22 bastion:2222", "connect-proxy -S socks:1080 %h %p",
                "ssh -i key -W %h:%p bastion", "ssh -W %h:%p -l 'bad user' bastion")) {
            assertEquals(null, ssh.Jumps.fromProxyCommand(other), other);
        }
    }

    @Test void badJumpSpecsAreOneLineExit2() throws Exception {
        try (Lab lab = Lab.start(0)) {
            Path kh = knownHostsFor(0);
            for (String bad : List.of("", "a,,b", "host:0", "host:99999", "us er@host", "[::1")) {
                var r = fanout(lab, kh, "-J", bad, "-H", target(1), "--", "true");
                assertEquals(2, r.exit(), bad + ": " + r);
                assertTrue(r.err().startsWith("fanout: -J: "), bad + ": " + r.err());
                assertEquals(1, r.err().strip().lines().count(), r.err());
            }
        }
    }
}
