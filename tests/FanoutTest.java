import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fanout's main, in-process, against real OpenSSH sshd daemons on loopback: commands, exit codes,
 * output, timeouts, signals, each login and host-key failure, the output views (with golden files),
 * and bad input. What needs its own process (a scratch user.home, an environment variable, a
 * private /etc/ssh) runs fanout as one (fanoutProcess). Dropped addresses and SIGTERM to fanout
 * itself (which need a namespace or a real process) are in FanoutNetnsTest.
 */
class FanoutTest {
    static Sshd fleet;
    static List<String> hosts = new ArrayList<>();   // 127.0.0.11..14 on one port
    static String refused;
    static Path key, knownHosts;
    @TempDir static Path tmp;

    @BeforeAll static void start() throws Exception {
        int port = Proc.freePort();
        for (int i = 11; i <= 14; i++) hosts.add("127.0.0." + i + ":" + port);
        fleet = Sshd.fleet(null, hosts);
        refused = "127.0.0.15:" + port;
        key = Sshd.clientKey();
        knownHosts = tmp.resolve("known_hosts");
        StringBuilder kh = new StringBuilder();
        for (String h : hosts) kh.append("[").append(h.replace(":", "]:")).append(" ").append(Sshd.hostPublicKey()).append('\n');
        Files.writeString(knownHosts, kh);
    }

    @AfterAll static void stop() {
        if (fleet != null) fleet.close();
    }

    /** fanout with the test's key and known_hosts, and no ~/.ssh/config of the machine running the tests. */
    static ScriptRun.Result fanout(String... args) {
        List<String> all = new ArrayList<>(List.of("-F", "none", "--known-hosts", knownHosts.toString(), "-i", key.toString()));
        all.addAll(List.of(args));
        return ScriptRun.run(fanout::main, all.toArray(String[]::new));
    }


    /** Re-run only what failed: --format hosts --only-failed pipes into another run; probe's rows do too. */
    @Test void failedHostsPipeIntoTheNextRun() {
        String h1 = hosts.get(0), h2 = hosts.get(1), down = "root@127.0.0.1:" + freePortQuietly();
        var first = fanout("--format", "hosts", "--only-failed", "-H", h1 + "," + h2 + "," + down,
                "--", "case \"$SSH_CONNECTION\" in *' 127.0.0.12 '*) exit 7;; esac");
        assertEquals(1, first.exit(), first.toString());
        assertEquals(h2 + "\n" + down + "\n", first.out(), "the failed hosts, as given");
        assertTrue(first.err().startsWith("fanout: 3 hosts, 1 ok, 2 failed"), first.err());
        assertEquals(h2 + "\n", fanout("--format", "hosts", "--status", "exit", "-H", h1 + "," + h2 + "," + down,
                "--", "case \"$SSH_CONNECTION\" in *' 127.0.0.12 '*) exit 7;; esac").out());

        var again = ScriptRun.withStdin(first.out(), fanout::main, "-F", "none", "--known-hosts", knownHosts.toString(), "-i", key.toString(),
                "--format", "json", "-", "--", "echo again");
        assertEquals(java.util.Set.of(h2, down), again.rows().keySet(), again.toString());
        assertEquals("ok", again.rows().get(h2).get("status").asText());

        var probed = ScriptRun.run(probe::main, "--format", "hosts", "--only-failed", "-p", "22", "-H", "deploy@" + h1 + "," + down);
        assertEquals(down + "\n", probed.out(), "probe keeps user@ and :port: " + probed);
    }

    static int freePortQuietly() {
        try {
            return Proc.freePort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test void successNonZeroExitAndStderrPerHost() {
        String h1 = hosts.get(0), h2 = hosts.get(1);
        var r = fanout("--format", "json", "-H", h1 + "," + h2,
                "--", "echo out; echo to-stderr >&2; case \"$SSH_CONNECTION\" in *' 127.0.0.12 '*) exit 7;; esac");
        assertEquals(1, r.exit(), r.toString());
        Map<String, JsonNode> rows = r.rows();
        JsonNode ok = rows.get(h1), bad = rows.get(h2);
        assertEquals("ok", ok.get("status").asText(), r.toString());
        assertEquals(0, ok.get("exit_code").asInt());
        assertEquals("out\n", ok.get("stdout").asText());
        assertEquals("to-stderr\n", ok.get("stderr").asText());
        assertEquals("127.0.0.11", ok.get("address").asText());
        assertEquals("exit 7", bad.get("status").asText());
        assertEquals(7, bad.get("exit_code").asInt());
        assertTrue(r.json().get("summary").get("line").asText().contains("2 hosts, 1 ok, 1 failed (1 exit 7)"), r.out());
    }

    @Test void largeOutputArrivesWhole() {
        var r = fanout("--format", "json", "-H", hosts.get(0), "--", "head -c 6000000 /dev/zero | tr '\\0' x; echo; echo done >&2");
        assertEquals(0, r.exit(), r.err());
        JsonNode row = r.json().get("results").get(0);
        assertEquals(6_000_001, row.get("stdout_bytes").asLong());
        assertEquals(6_000_001, row.get("stdout").asText().length());
        assertEquals("done\n", row.get("stderr").asText());
        assertFalse(row.get("truncated").asBoolean());
    }

    @Test void outputOverMaxOutputIsTruncatedAndSaysSo() {
        var r = fanout("--max-output", "1M", "-H", hosts.get(0), "--", "head -c 3000000 /dev/zero | tr '\\0' y");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("[... output truncated: kept 1.0 MiB of 2.9 MiB; raise --max-output]"), r.err());
    }

    /** All the hosts' output together is bounded too: past --max-total-output it is counted, not kept, and no host loses its row. */
    @Test void totalOutputIsBoundedAndEveryHostKeepsItsRow() {
        List<String> three = hosts.subList(0, 3);
        String cmd = "head -c 2500000 /dev/zero | tr '\\0' y";
        var r = fanout("--format", "json", "--max-output", "2M", "--max-total-output", "3M", "-H", String.join(",", three), "--", cmd);
        assertEquals(0, r.exit(), r.err());
        long kept = 0;
        for (JsonNode row : r.json().get("results")) {
            assertEquals("ok", row.get("status").asText(), row.get("target").asText());
            assertEquals(2_500_000, row.get("stdout_bytes").asLong());
            assertTrue(row.get("truncated").asBoolean());
            kept += row.get("stdout").asText().length();
        }
        assertEquals(3, r.json().get("results").size());
        assertTrue(kept <= 3 << 20, "kept " + kept + " bytes in all");

        var text = fanout("--max-output", "2M", "--max-total-output", "3M", "-H", String.join(",", three), "--", cmd);
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().contains("; the run's --max-total-output was reached]"), "says why it was cut");
        assertEquals(3, text.out().lines().filter(l -> l.startsWith("==> ")).count(), "every host has its block");
    }

    @Test void commandThatOutlivesTheTimeoutIsStoppedAndReported() throws Exception {
        TestUser.ensure();   // sshd delivers signal requests to non-root sessions only
        String user = TestUser.NAME + "@" + hosts.get(0), root = "root@" + hosts.get(1);
        long t0 = System.nanoTime();
        var r = fanout("--format", "json", "-t", "1s", "-H", user + "," + root, "--", "echo started; exec sleep 31.337");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        try {
            assertEquals(1, r.exit(), r.toString());
            Map<String, JsonNode> rows = r.rows();
            for (JsonNode row : rows.values()) {
                assertEquals("timeout", row.get("status").asText(), row.toString());
                assertEquals("started\n", row.get("stdout").asText(), "output before the timeout is kept");
            }
            assertTrue(rows.get(user).get("error").asText().contains("stopped it with SIGTERM"), rows.get(user).toString());
            assertTrue(rows.get(root).get("error").asText().contains("it may still be running"), "honest about root: " + rows.get(root));
            assertTrue(ms < 5000, "two 1 s timeouts in parallel took " + ms + " ms");
            String left = Proc.run(List.of("pgrep", "-u", TestUser.NAME, "-f", "sleep 31.337"), java.time.Duration.ofSeconds(5)).out().trim();
            assertEquals("", left, "the non-root remote command must not be left behind");
        } finally {
            Proc.run(List.of("pkill", "-f", "sleep 31.337"), java.time.Duration.ofSeconds(5));
        }
    }

    @Test void globalDeadlineCutsTheRunAndMarksEveryHost() throws Exception {
        TestUser.ensure();
        List<String> targets = hosts.subList(0, 3).stream().map(h -> TestUser.NAME + "@" + h).toList();
        long t0 = System.nanoTime();
        var r = fanout("--format", "json", "-c", "1", "--deadline", "1500ms", "-H", String.join(",", targets),
                "--", "echo begun; exec sleep 32.337");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        try {
            assertEquals(1, r.exit(), r.toString());
            Map<String, JsonNode> rows = r.rows();
            assertEquals("timeout", rows.get(targets.get(0)).get("status").asText(), r.out());
            assertTrue(rows.get(targets.get(0)).get("error").asText().contains("cut by the global deadline (--deadline 1.5s)"), r.out());
            assertEquals("not-run", rows.get(targets.get(1)).get("status").asText(), r.out());
            assertEquals("not-run", rows.get(targets.get(2)).get("status").asText(), r.out());
            assertTrue(ms < 6000, "--deadline 1.5s took " + ms + " ms");
            Thread.sleep(300);
            assertEquals("", Proc.run(List.of("pgrep", "-f", "sleep 32.337"), java.time.Duration.ofSeconds(5)).out().trim(),
                    "the command cut by the deadline was stopped");
        } finally {
            Proc.run(List.of("pkill", "-f", "sleep 32.337"), java.time.Duration.ofSeconds(5));
        }
    }

    @Test void aServerThatAcceptsButNeverSpeaksIsATimeoutNotAHang() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            Thread.ofVirtual().start(() -> {
                try {
                    var s = silent.accept();                 // hold the connection open, say nothing
                    Thread.sleep(30_000);
                    s.close();
                } catch (Exception ignored) { }
            });
            long t0 = System.nanoTime();
            var r = fanout("--connect-timeout", "1s", "--format", "json", "-H", "127.0.0.1:" + silent.getLocalPort(), "--", "true");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            JsonNode row = r.json().get("results").get(0);
            assertEquals("timeout", row.get("status").asText(), r.toString());
            assertTrue(row.get("error").asText().startsWith("SSH handshake did not finish within 1.0s"), row.toString());
            assertTrue(ms < 4000, "took " + ms + " ms");
        }
    }

    @Test void wrongKeyIsAuthFailed() throws Exception {
        Path other = tmp.resolve("other_key");
        Proc.sh("ssh-keygen -q -t ed25519 -N '' -f " + other);
        var r = ScriptRun.run(fanout::main, "-F", "none", "--known-hosts", knownHosts.toString(), "-i", other.toString(),
                "--format", "json", "-H", hosts.get(0), "--", "true");
        assertEquals(1, r.exit(), r.toString());
        JsonNode row = r.json().get("results").get(0);
        assertEquals("auth-failed", row.get("status").asText());
        assertTrue(row.get("error").asText().contains("server accepts publickey"), row.toString());
        assertTrue(row.get("error").asText().contains("other_key (SHA256:"), row.toString());
    }

    /** No key anywhere and no password: one line and exit 2 before any connection, not a run of auth failures. */
    @Test void nothingToLogInWithIsBadUsage() throws Exception {
        Path emptyHome = Files.createDirectories(tmp.resolve("home-without-keys"));
        String home = System.getProperty("user.home");
        ScriptRun.Result r;
        synchronized (ScriptRun.class) {
            System.setProperty("user.home", emptyHome.toString());
            try {
                r = ScriptRun.run(fanout::main, "-F", "none", "--known-hosts", knownHosts.toString(), "-H", hosts.get(0), "--", "true");
            } finally {
                System.setProperty("user.home", home);
            }
        }
        assertEquals(2, r.exit(), r.toString());
        assertEquals("fanout: nothing to log in with: no key in ssh-agent ($SSH_AUTH_SOCK), no usable private key (looked for -i, "
                + "IdentityFile in ssh_config, ~/.ssh/id_ed25519, id_ecdsa, id_rsa) and no --password-env/--password-file\n", r.err());
        assertEquals("", r.out());
    }

    @Test void changedHostKeyIsAMismatchWithBothFingerprints() throws Exception {
        Path newKey = Sshd.newHostKey("ed25519");
        String addr = "127.0.0.16:" + Proc.freePort();
        try (Sshd changed = Sshd.fleet(null, List.of(addr), newKey)) {
            Path kh = tmp.resolve("kh-changed");
            Files.writeString(kh, "[" + addr.replace(":", "]:") + " " + Sshd.hostPublicKey() + "\n");
            var r = ScriptRun.run(fanout::main, "-F", "none", "--known-hosts", kh.toString(), "-i", key.toString(),
                    "--accept-new", "--format", "json", "-H", addr, "--", "touch /tmp/ops-fanout-must-not-run");
            assertEquals(1, r.exit(), r.toString());
            JsonNode row = r.json().get("results").get(0);
            assertEquals("hostkey-mismatch", row.get("status").asText(), "--accept-new never accepts a changed key");
            String expected = fingerprint(Path.of(Sshd.hostKey() + ".pub")), offered = fingerprint(Path.of(newKey + ".pub"));
            assertTrue(row.get("error").asText().contains(expected), "known fingerprint: " + row);
            assertTrue(row.get("error").asText().contains(offered), "offered fingerprint: " + row);
            assertEquals(1, Files.readAllLines(kh).size(), "known_hosts untouched");
            assertFalse(Files.exists(Path.of("/tmp/ops-fanout-must-not-run")));
        }
    }

    /** A host key marked @revoked is refused with its own status, also when another line lists the same key. */
    @Test void aRevokedHostKeyIsRefused() throws Exception {
        String h = hosts.get(3), pattern = "[" + h.replace(":", "]:");
        for (String lines : List.of(pattern + " " + Sshd.hostPublicKey() + "\n@revoked " + pattern + " " + Sshd.hostPublicKey() + "\n",
                                    "@revoked * " + Sshd.hostPublicKey() + "\n")) {
            Path kh = tmp.resolve("kh-revoked");
            Files.writeString(kh, lines);
            var r = ScriptRun.run(fanout::main, "-F", "none", "--known-hosts", kh.toString(), "-i", key.toString(), "--accept-new",
                    "--format", "json", "-H", h, "--", "touch /tmp/ops-fanout-revoked-ran");
            assertEquals(1, r.exit(), r.toString());
            JsonNode row = r.json().get("results").get(0);
            assertEquals("hostkey-revoked", row.get("status").asText(), lines + r);
            assertTrue(row.get("error").asText().startsWith("REVOKED HOST KEY for " + pattern + ": the server offered ssh-ed25519 SHA256:"), row.toString());
            assertEquals(lines, Files.readString(kh), "--accept-new records nothing for a revoked key");
            assertFalse(Files.exists(Path.of("/tmp/ops-fanout-revoked-ran")));
        }
    }

    @Test void unknownHostIsRefusedUnlessAcceptNewThenRecorded() throws Exception {
        Path kh = tmp.resolve("kh-empty");
        String h = hosts.get(2);
        var strict = ScriptRun.run(fanout::main, "-F", "none", "--known-hosts", kh.toString(), "-i", key.toString(),
                "--format", "json", "-H", h, "--", "true");
        assertEquals(1, strict.exit(), strict.toString());
        assertEquals("hostkey-unknown", strict.json().get("results").get(0).get("status").asText());
        assertFalse(Files.exists(kh), "nothing recorded without --accept-new");
        var text = ScriptRun.run(fanout::main, "-F", "none", "--known-hosts", kh.toString(), "-i", key.toString(), "-H", h, "--", "true");
        assertTrue(text.out().contains("\n  hostkey-unknown: " + h + " ("), text.out());
        for (String line : text.out().lines().toList()) assertTrue(line.length() <= 120, "fits 120 columns: " + line);

        var accept = ScriptRun.run(fanout::main, "-F", "none", "--known-hosts", kh.toString(), "-i", key.toString(),
                "--accept-new", "--format", "json", "-H", h, "--", "true");
        assertEquals(0, accept.exit(), accept.toString());
        assertEquals(1, accept.json().get("summary").get("host_keys_recorded").asInt());
        assertTrue(accept.err().matches("(?s)fanout: --accept-new: recorded \\[" + h.replace(":", "]:").replace(".", "\\.")
                + " ssh-ed25519 SHA256:\\S+ in " + java.util.regex.Pattern.quote(kh.toString()) + "\n"), "one line a key recorded:\n" + accept.err());
        String line = Files.readString(kh).trim();
        assertTrue(line.startsWith("[" + h.replace(":", "]:") + " ssh-ed25519 "), line);

        Path newDir = tmp.resolve("fresh-ssh-dir");
        var fresh = ScriptRun.run(fanout::main, "-F", "none", "--known-hosts", newDir.resolve("known_hosts").toString(), "-i", key.toString(),
                "--accept-new", "-H", h, "--", "true");
        assertEquals(0, fresh.exit(), fresh.toString());
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(newDir)), "made like OpenSSH's ~/.ssh");

        // OpenSSH agrees with what we recorded, and so does a strict second run.
        Proc.sh("ssh-keygen -F '[" + h.replace(":", "]:") + "' -f " + kh + " | grep -q ssh-ed25519");
        var again = ScriptRun.run(fanout::main, "-F", "none", "--known-hosts", kh.toString(), "-i", key.toString(), "-H", h, "--", "true");
        assertEquals(0, again.exit(), again.toString());
    }

    @Test void hashedKnownHostsEntriesAreHonoured() throws Exception {
        Path kh = tmp.resolve("kh-hashed");
        Files.copy(knownHosts, kh);
        Proc.sh("ssh-keygen -q -H -f " + kh + " && rm -f " + kh + ".old");
        assertTrue(Files.readString(kh).startsWith("|1|"), "ssh-keygen -H hashed it");
        var r = ScriptRun.run(fanout::main, "-F", "none", "--known-hosts", kh.toString(), "-i", key.toString(),
                "-H", hosts.get(3), "--", "true");
        assertEquals(0, r.exit(), r.toString());
    }

    @Test void restrictedKexServerConnectsAndVerboseSaysWhatWasNegotiated() throws Exception {
        String addr = "127.0.0.17:" + Proc.freePort();
        try (Sshd old = Sshd.fleet(null, List.of(addr), "KexAlgorithms diffie-hellman-group14-sha256")) {
            var r = fanout("--no-host-key-check", "-v", "--format", "json", "-H", addr, "--", "echo hi");
            assertEquals(0, r.exit(), r.toString());
            JsonNode ssh = r.json().get("results").get(0).get("ssh");
            assertEquals("diffie-hellman-group14-sha256", ssh.get("kex").asText());
            assertTrue(r.err().contains(addr + ": OpenSSH_") && r.err().contains("kex diffie-hellman-group14-sha256"), r.err());
            assertTrue(r.err().contains("warning: --no-host-key-check"), r.err());
        }
    }

    @Test void serverWithNothingInCommonIsKexFailedWithItsList() throws Exception {
        String addr = "127.0.0.18:" + Proc.freePort();
        try (Sshd odd = Sshd.fleet(null, List.of(addr), "KexAlgorithms sntrup761x25519-sha512@openssh.com")) {
            var r = fanout("--format", "json", "-H", addr, "--", "true");
            assertEquals(1, r.exit(), r.toString());
            JsonNode row = r.json().get("results").get(0);
            assertEquals("kex-failed", row.get("status").asText(), row.toString());
            assertTrue(row.get("error").asText().contains("server offers sntrup761x25519-sha512@openssh.com"), row.toString());
            assertTrue(row.get("error").asText().contains("curve25519-sha256"), "and what we support: " + row);
            assertTrue(row.get("error").asText().endsWith("(ops' SSH library, sshj, implements none of the server's)"), "no advice that cannot work: " + row);
        }
    }

    @Test void everyHostGetsARowWhateverHappened() {
        List<String> targets = new ArrayList<>(hosts);
        targets.add(refused);
        targets.add(hosts.get(0));                      // duplicate: warned about, run once
        var r = fanout("--format", "json", "-H", String.join(",", targets), "--", "true");
        assertEquals(1, r.exit(), r.toString());
        Map<String, JsonNode> rows = r.rows();
        assertEquals(5, r.json().get("results").size());
        for (String h : hosts) assertEquals("ok", rows.get(h).get("status").asText(), h);
        assertEquals("refused", rows.get(refused).get("status").asText());
        assertTrue(r.err().contains("duplicates"), r.err());

        var text = fanout("-H", String.join(",", targets), "--", "true");
        for (String h : hosts) assertTrue(text.out().contains("==> " + h + " <== ok"), text.out());
        assertTrue(text.out().contains("==> " + refused + " <== refused"), text.out());
        assertTrue(text.out().contains("fanout: 5 hosts, 4 ok, 1 failed (1 refused)"), text.out());
    }

    @Test void gatheredViewGroupsIdenticalOutputAndFoldsHostNames() {
        String port = hosts.get(0).split(":")[1];
        var r = fanout("-b", "-H", String.join(",", hosts) + "," + refused,
                "--", "case $SSH_CONNECTION in *127.0.0.13*) echo odd; exit 2;; *) echo same;; esac");
        assertEquals(1, r.exit(), r.toString());
        String out = r.out();
        assertTrue(out.contains("127.0.0.[11-12,14]:" + port + " (3)\n---------------\nsame\n"), out);
        assertTrue(out.contains("127.0.0.13:" + port + " (1) exit 2\n---------------\nodd\n"), out);
        assertTrue(out.contains("127.0.0.15:" + port + " (1) refused: connection refused"), out);
        assertTrue(out.indexOf("(3)") < out.indexOf("exit 2"), "the majority first, the odd ones out last");
        assertFalse(out.contains("---------------\n---------------"), "no doubled rules:\n" + out);

        var twoFailures = fanout("-b", "-H", refused + "," + hosts.get(0), "--", "exit 3");
        assertTrue(twoFailures.out().contains(" (1) exit 3\n") && twoFailures.out().contains(" (1) refused"), twoFailures.out());
        assertFalse(twoFailures.out().contains("---------------\n---------------"), "no doubled rules between failures:\n" + twoFailures.out());

        var ticks = fanout("--format", "md", "-H", hosts.get(0), "--", "echo `echo same`");
        assertTrue(ticks.out().startsWith("**fanout** `` echo `echo same` ``\n"), "backticks survive: " + ticks.out());
        var slack = fanout("--format", "slack", "-H", String.join(",", hosts), "--", "echo same");
        assertTrue(slack.out().startsWith("fanout: 4 hosts, 4 ok, 0 failed") && slack.out().contains("\n```\n$ echo same\n---------------\n127.0.0.[11-14]:" + port
                + " (4)\n---------------\nsame\n```\n"), slack.out());

        var md = fanout("--format", "md", "-H", String.join(",", hosts), "--", "echo same");
        assertTrue(md.out().contains("- `127.0.0.[11-14]:" + port + "` (4): ok\n\n```text\nsame\n```"), md.out());
        assertTrue(md.out().contains("fanout: 4 hosts, 4 ok, 0 failed"), md.out());
    }

    @Test void prefixModeStreamsLinesWithTheirHost() {
        var r = fanout("-P", "-H", hosts.get(0) + "," + hosts.get(1), "--", "echo one; echo two; echo warn >&2");
        assertEquals(0, r.exit(), r.toString());
        for (String h : List.of(hosts.get(0), hosts.get(1))) {
            assertTrue(r.out().contains(h + ": one\n") && r.out().contains(h + ": two\n"), r.out());
            assertTrue(r.err().contains(h + ": warn\n"), r.err());
        }
    }

    @Test void scriptIsUploadedRunWithItsInterpreterAndRemoved() throws Exception {
        Path s = tmp.resolve("check.sh");
        Files.writeString(s, "#!/bin/bash\necho \"bash=${BASH_VERSION:+yes} n=$# 2=$2 3=$3 self=$0\"\n");
        var r = fanout("--format", "json", "--script", s.toString(), "-H", hosts.get(0), "--", "a", "b c", "c;echo INJECTED $(id -u)");
        assertEquals(0, r.exit(), r.toString());
        String out = r.json().get("results").get(0).get("stdout").asText();
        assertTrue(out.startsWith("bash=yes n=3 2=b c 3=c;echo INJECTED $(id -u) self=/tmp/ops-fanout."),
                "each argument arrives as given, none is run by the remote shell: " + out);
        assertFalse(out.contains("INJECTED 0"), out);
        String remote = out.substring(out.indexOf("self=") + 5).trim();
        assertFalse(Files.exists(Path.of(remote)), "uploaded script removed: " + remote);
    }

    @Test void stdinIsForwardedOnlyWhenAsked() {
        var off = ScriptRun.withStdin("secret\n", fanout::main, "-F", "none", "--known-hosts", knownHosts.toString(),
                "-i", key.toString(), "--format", "json", "-H", hosts.get(0), "--", "cat; echo end");
        assertEquals("end\n", off.json().get("results").get(0).get("stdout").asText(), "remote stdin is empty by default");
        var on = ScriptRun.withStdin("line1\nline2\n", fanout::main, "-F", "none", "--known-hosts", knownHosts.toString(),
                "-i", key.toString(), "--stdin", "--format", "json", "-H", hosts.get(0) + "," + hosts.get(1), "--", "wc -l");
        for (JsonNode row : on.json().get("results")) assertEquals("2", row.get("stdout").asText().trim(), on.toString());
    }

    @Test void sshConfigAliasesPortsUsersAndKeys() throws Exception {
        String[] hp = hosts.get(0).split(":");
        Path cfg = tmp.resolve("ssh_config");
        Files.writeString(cfg, String.join("\n",
                "# an operator's config",
                "Host db-* !db-bastion",
                "    HostName " + hp[0],
                "    Port " + hp[1],
                "Host db-primary",
                "    HostName 127.0.0.99",                 // ignored: the first HostName found wins
                "Host *",
                "    User root",
                "    IdentityFile " + key,
                "Host jumped",
                "    ProxyJump bastion.example",
                ""));
        var r = ScriptRun.run(fanout::main, "-F", cfg.toString(), "--known-hosts", knownHosts.toString(),
                "--format", "json", "-H", "db-primary,jumped", "--", "whoami");
        Map<String, JsonNode> rows = r.rows();
        JsonNode db = rows.get("db-primary");
        assertEquals("ok", db.get("status").asText(), r.toString());
        assertEquals("root\n", db.get("stdout").asText());
        assertEquals(hp[0], db.get("host").asText());
        assertEquals(Integer.parseInt(hp[1]), db.get("port").asInt());
        assertEquals("jump-failed", rows.get("jumped").get("status").asText(), "never connect directly behind the user's back");
        assertEquals("via bastion.example: unresolved: cannot resolve bastion.example", rows.get("jumped").get("error").asText());
    }

    @Test void passwordLoginAndSudoWithPasswordFromTheEnvironment() throws Exception {
        TestUser.ensure();
        String addr = "127.0.0.19:" + Proc.freePort();
        try (Sshd pw = Sshd.fleet(null, List.of(addr), "PasswordAuthentication yes")) {
            Path pwFile = tmp.resolve("pw");
            Files.writeString(pwFile, TestUser.password() + "\n");
            Path wrong = tmp.resolve("wrong-pw");
            Files.writeString(wrong, "not-it\n");
            String[] base = {"-F", "none", "--no-host-key-check", "-l", TestUser.NAME, "--password-file", pwFile.toString(),
                    "--format", "json", "-H", addr, "--"};

            var who = ScriptRun.run(fanout::main, concat(base, "id -un"));
            assertEquals("ok", who.json().get("results").get(0).get("status").asText(), who.toString());
            assertEquals(TestUser.NAME + "\n", who.json().get("results").get(0).get("stdout").asText());

            List<String> sudo = new ArrayList<>(List.of(base).subList(0, base.length - 1));
            sudo.addAll(List.of("--sudo-password-file", pwFile.toString(), "--", "id -un; cat"));
            var root = ScriptRun.run(fanout::main, sudo.toArray(String[]::new));
            JsonNode row = root.json().get("results").get(0);
            assertEquals("ok", row.get("status").asText(), root.toString());
            assertEquals("root\n", row.get("stdout").asText(), "the password never reaches the command's stdin");
            assertFalse(root.out().contains(TestUser.password()) || root.err().contains(TestUser.password()), "secret never printed");
            assertFalse(row.get("stderr").asText().contains("ops-sudo"), "our prompt and marker are not output: " + row);

            sudo.set(sudo.lastIndexOf(pwFile.toString()), wrong.toString());
            var refusedSudo = ScriptRun.run(fanout::main, sudo.toArray(String[]::new));
            JsonNode bad = refusedSudo.json().get("results").get(0);
            assertTrue(bad.get("status").asText().startsWith("exit "), refusedSudo.toString());
            assertTrue(bad.get("error").asText().contains("sudo refused the password"), bad.toString());

            var noPw = ScriptRun.run(fanout::main, "-F", "none", "--no-host-key-check", "-l", TestUser.NAME,
                    "--password-file", pwFile.toString(), "--sudo", "--format", "json", "-H", addr, "--", "id -un");
            JsonNode n = noPw.json().get("results").get(0);
            assertEquals("exit 1", n.get("status").asText(), "sudo -n fails fast instead of hanging: " + n);
            assertTrue(n.get("stderr").asText().contains("password is required"), n.toString());
        }
    }

    @Test void helpIsCleanAndNamesWhatTheSshConfigSupportDoesNot() {
        var r = ScriptRun.run(fanout::main, "--help");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.err(), "picocli must not warn about the help text");
        assertTrue(r.out().contains("Match host/originalhost/user/localuser/exec/"), r.out());
        assertTrue(r.out().contains("tokens (%h %p %r %u %d %n %C ~ ${ENV})"), r.out());
        assertTrue(r.out().contains("ProxyJump, ProxyCommand (see Bastions)"), r.out());
        assertTrue(r.out().contains("any\nother ProxyCommand leaves its host not-run"), r.out());
        assertTrue(r.out().contains("130/143  interrupted"), r.out());
    }

    @Test void badInputIsOneLineExit2AndNothingRuns() throws Exception {
        Path marker = tmp.resolve("ran");
        String cmd = "touch " + marker;
        Path encrypted = tmp.resolve("enc_key");
        Proc.sh("ssh-keygen -q -t ed25519 -N 'right-one' -f " + encrypted);
        Path badCfg = tmp.resolve("bad_config");
        Files.writeString(badCfg, "Host web\n  Port 22x\n");
        String h = hosts.get(0);
        String[][] cases = {
            {"no command: put it after --", "-H", h},
            {"-i " + tmp.resolve("nope") + ": no such file", "-i", tmp.resolve("nope").toString(), "-H", h, "--", cmd},
            {"key is encrypted; give its passphrase", "-i", encrypted.toString(), "-H", h, "--", cmd},
            {"environment variable OPS_NO_SUCH_VAR is not set", "--password-env", "OPS_NO_SUCH_VAR", "-H", h, "--", cmd},
            {badCfg + ":2: bad Port '22x'", "-F", badCfg.toString(), "-H", h, "--", cmd},
            {"-P (live lines) and -b (gathered) are different views", "-P", "-b", "-H", h, "--", cmd},
            {"bad port '99999'", "-H", "127.0.0.11:99999", "--", cmd},
            {"--accept-new and --no-host-key-check contradict", "--accept-new", "--no-host-key-check", "-H", h, "--", cmd},
            {"bad size 'lots'", "--max-output", "lots", "-H", h, "--", cmd},
            {"this is a public key; give the private key", "-i", key + ".pub", "-H", h, "--", cmd},
            {"--password-env and --password-file: give one, not both", "--password-env", "HOME", "--password-file", badCfg.toString(), "-H", h, "--", cmd},
            {"-l 'bad user': not a valid user name", "-l", "bad user", "-H", h, "--", cmd},
            {"--script " + tmp.resolve("nope.sh") + ": no such file", "--script", tmp.resolve("nope.sh").toString(), "-H", h},
            {"hosts.txt: no such file", "hosts.txt", "--", cmd},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("--known-hosts", knownHosts.toString()));
            if (!List.of(c).contains("-F")) args.addAll(List.of("-F", "none"));
            if (!List.of(c).contains("-i")) args.addAll(List.of("-i", key.toString()));
            args.addAll(List.of(c).subList(1, c.length));
            var r = ScriptRun.run(fanout::main, args.toArray(String[]::new));
            assertEquals(2, r.exit(), c[0] + "\n" + r);
            assertTrue(r.err().contains(c[0]), "expected '" + c[0] + "' in: " + r.err());
            assertTrue(r.err().strip().lines().count() <= 2, "one line (+ picocli's usage hint): " + r.err());
            assertEquals("", r.out(), c[0]);
        }
        assertFalse(Files.exists(marker), "a command ran despite bad input");
    }

    @Test void encryptedKeysWorkWithThePassphraseFromAFileAndFailClearlyWithAWrongOne() throws Exception {
        Path enc = tmp.resolve("enc_login_key");
        Proc.sh("ssh-keygen -q -t ecdsa -N 'right-one' -m PEM -f " + enc);
        Files.writeString(fleet.authorizedKeys(), Files.readString(Path.of(enc + ".pub")), java.nio.file.StandardOpenOption.APPEND);
        Path pass = tmp.resolve("passphrase");
        Files.writeString(pass, "right-one\n");
        var ok = ScriptRun.run(fanout::main, "-F", "none", "--known-hosts", knownHosts.toString(), "-i", enc.toString(),
                "--passphrase-file", pass.toString(), "-H", hosts.get(1), "--", "true");
        assertEquals(0, ok.exit(), ok.toString());
        Files.writeString(pass, "wrong\n");
        var bad = ScriptRun.run(fanout::main, "-F", "none", "--known-hosts", knownHosts.toString(), "-i", enc.toString(),
                "--passphrase-file", pass.toString(), "-H", hosts.get(1), "--", "true");
        assertEquals(2, bad.exit(), bad.toString());
        assertTrue(bad.err().contains(enc + ": cannot load private key: cannot decrypt it (wrong passphrase?)"), bad.err());
    }

    // ---- promises locked before the lib/ refactoring -------------------------------------------

    /** A remote command killed by a signal ends as "signal NAME" (exit code null, the signal named), and the run exits 1. */
    @Test void aCommandKilledByASignalReportsTheSignal() {
        String term = hosts.get(0), kill = hosts.get(1), other = hosts.get(2), ok = hosts.get(3);
        // SIGVTALRM is not one of the 13 names SSH carries: OpenSSH sends "SIG@openssh.com", sshj says UNKNOWN.
        String cmd = "echo before; case $SSH_CONNECTION in *' 127.0.0.11 '*) kill -TERM $$;; *' 127.0.0.12 '*) kill -9 $$;;"
                + " *' 127.0.0.13 '*) kill -VTALRM $$;; esac; echo after";
        var r = fanout("--format", "json", "-H", String.join(",", term, kill, other, ok), "--", cmd);
        assertEquals(1, r.exit(), r.toString());
        Map<String, JsonNode> rows = r.rows();
        for (String[] c : new String[][] {{term, "TERM"}, {kill, "KILL"}, {other, "UNKNOWN"}}) {
            JsonNode row = rows.get(c[0]);
            assertEquals("signal " + c[1], row.get("status").asText(), row.toString());
            assertEquals(c[1], row.get("signal").asText(), row.toString());
            assertTrue(row.get("exit_code").isNull(), "no exit code for a killed command: " + row);
            assertEquals("killed by SIG" + c[1], row.get("error").asText(), row.toString());
            assertEquals("before\n", row.get("stdout").asText(), "output before the signal is kept: " + row);
        }
        assertEquals("ok", rows.get(ok).get("status").asText());
        assertTrue(rows.get(ok).get("signal").isNull());
        assertEquals("before\nafter\n", rows.get(ok).get("stdout").asText());
        assertEquals("fanout: 4 hosts, 1 ok, 3 failed (1 signal TERM, 1 signal KILL, 1 signal UNKNOWN) in",
                r.json().get("summary").get("line").asText().replaceAll(" in .*", " in"), r.out());

        var text = fanout("-H", term + "," + kill, "--", cmd);
        assertEquals(1, text.exit(), text.toString());
        assertTrue(text.out().matches("(?s).*==> " + java.util.regex.Pattern.quote(term) + " <== signal TERM: killed by SIGTERM \\([0-9.ms]+\\)\nbefore\n.*"), text.out());
        assertTrue(text.out().contains("\n  signal TERM: " + term + " (killed by SIGTERM)\n"), text.out());
        assertTrue(text.out().contains("\n  signal KILL: " + kill + " (killed by SIGKILL)\n"), text.out());
    }

    /** fanout as its own process: its user.home (so its ~/.ssh) is {@code home}, and {@code env} is added to its environment. */
    static ScriptRun.Result fanoutProcess(Path home, Map<String, String> env, String... args) {
        return Proc.run(processCommand(home, args), java.time.Duration.ofSeconds(90), env, null);
    }

    static List<String> processCommand(Path home, String... args) {
        List<String> cmd = new ArrayList<>(Proc.javaCommand("fanout", "-Duser.home=" + home));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** A secret made for this run that is not the test account's password. */
    static String wrongSecret() {
        byte[] b = new byte[12];
        new java.security.SecureRandom().nextBytes(b);
        return "w-" + java.util.HexFormat.of().formatHex(b);
    }

    static void assertNoSecret(ScriptRun.Result r, String... secrets) {
        for (String s : secrets) {
            assertFalse(r.out().contains(s), "a secret is in stdout:\n" + r.out().replace(s, "<SECRET>"));
            assertFalse(r.err().contains(s), "a secret is in stderr:\n" + r.err().replace(s, "<SECRET>"));
        }
    }

    /**
     * --password-env and --password-file log in with the password against a real sshd (no key anywhere: an
     * empty ~/.ssh), a wrong one is auth-failed naming what was tried, and the password is never printed.
     */
    @Test void passwordLoginFromTheEnvironmentOrAFileAndAWrongPasswordIsAuthFailed() throws Exception {
        TestUser.ensure();
        String addr = "127.0.0.20:" + Proc.freePort();
        try (Sshd pw = Sshd.fleet(null, List.of(addr), "PasswordAuthentication yes")) {
            Path home = Files.createDirectories(tmp.resolve("home-password-only/.ssh")).getParent();
            Path kh = tmp.resolve("kh-password");
            Files.writeString(kh, "[" + addr.replace(":", "]:") + " " + Sshd.hostPublicKey() + "\n");
            String right = TestUser.password(), wrong = wrongSecret();
            Path rightFile = tmp.resolve("login-pw"), wrongFile = tmp.resolve("login-pw-wrong");
            Files.writeString(rightFile, right + "\n");
            Files.writeString(wrongFile, wrong + "\n");
            String[] base = {"-F", "none", "--known-hosts", kh.toString(), "-l", TestUser.NAME};
            String authFailed = "as " + TestUser.NAME + ": server accepts publickey,password; tried password";

            var env = fanoutProcess(home, Map.of("OPS_TEST_LOGIN_PW", right),
                    concat(base, "--password-env", "OPS_TEST_LOGIN_PW", "--format", "json", "-H", addr, "--", "id -un"));
            assertEquals(0, env.exit(), env.toString());
            JsonNode row = env.json().get("results").get(0);
            assertEquals("ok", row.get("status").asText(), env.toString());
            assertEquals(TestUser.NAME + "\n", row.get("stdout").asText());
            assertEquals("password", row.get("ssh").get("auth").asText(), "logged in with the password, not a key: " + row);
            assertEquals("", env.err());
            assertNoSecret(env, right);

            var envWrong = fanoutProcess(home, Map.of("OPS_TEST_LOGIN_PW", wrong),
                    concat(base, "--password-env", "OPS_TEST_LOGIN_PW", "--format", "json", "-H", addr, "--", "id -un"));
            assertEquals(1, envWrong.exit(), envWrong.toString());
            JsonNode bad = envWrong.json().get("results").get(0);
            assertEquals("auth-failed", bad.get("status").asText(), envWrong.toString());
            assertEquals(authFailed, bad.get("error").asText());
            assertEquals("", bad.get("stdout").asText());
            assertNoSecret(envWrong, right, wrong);

            var file = fanoutProcess(home, Map.of(), concat(base, "--password-file", rightFile.toString(), "--format", "json", "-H", addr, "--", "id -un"));
            assertEquals(0, file.exit(), file.toString());
            assertEquals(TestUser.NAME + "\n", file.json().get("results").get(0).get("stdout").asText());
            assertEquals("password", file.json().get("results").get(0).get("ssh").get("auth").asText());
            assertNoSecret(file, right);

            var fileWrong = fanoutProcess(home, Map.of(), concat(base, "--password-file", wrongFile.toString(), "-H", addr, "--", "id -un"));
            assertEquals(1, fileWrong.exit(), fileWrong.toString());
            assertTrue(fileWrong.out().matches("(?s)==> " + java.util.regex.Pattern.quote(addr) + " <== auth-failed: "
                    + java.util.regex.Pattern.quote(authFailed) + " \\([0-9.ms]+\\)\nfanout: 1 host, 0 ok, 1 failed \\(1 auth-failed\\) in [0-9.ms]+\n"
                    + "  auth-failed: " + java.util.regex.Pattern.quote(addr + " (" + authFailed + ")") + "\n"), fileWrong.out());
            assertNoSecret(fileWrong, right, wrong);
        }
    }

    /** --sudo --sudo-password-env: root through sudo with the password from the environment; a wrong one says sudo refused it. */
    @Test void sudoWithThePasswordFromTheEnvironment() throws Exception {
        TestUser.ensure();
        List<String> targets = hosts.subList(0, 2).stream().map(h -> TestUser.NAME + "@" + h).toList();
        Path home = Files.createDirectories(tmp.resolve("home-sudo"));
        String right = TestUser.password(), wrong = wrongSecret();
        String[] args = {"-F", "none", "--known-hosts", knownHosts.toString(), "-i", key.toString(), "--format", "json",
                "--sudo", "--sudo-password-env", "OPS_TEST_SUDO_PW", "-H", String.join(",", targets), "--", "id -un; cat"};

        var ok = fanoutProcess(home, Map.of("OPS_TEST_SUDO_PW", right), args);
        assertEquals(0, ok.exit(), ok.toString());
        for (JsonNode row : ok.json().get("results")) {
            assertEquals("ok", row.get("status").asText(), ok.toString());
            assertEquals("root\n", row.get("stdout").asText(), "root, and the password never reaches the command's stdin: " + row);
            assertEquals("", row.get("stderr").asText(), "sudo's prompt and our marker are not output: " + row);
            assertTrue(row.get("error").isNull(), row.toString());
        }
        assertNoSecret(ok, right);

        var refused = fanoutProcess(home, Map.of("OPS_TEST_SUDO_PW", wrong), args);
        assertEquals(1, refused.exit(), refused.toString());
        assertEquals(2, refused.json().get("results").size());
        for (JsonNode row : refused.json().get("results")) {
            assertEquals("exit 1", row.get("status").asText(), refused.toString());
            assertEquals(1, row.get("exit_code").asInt());
            assertEquals("sudo refused the password", row.get("error").asText(), row.toString());
            assertEquals("", row.get("stdout").asText(), "the command never ran: " + row);
            assertFalse(row.get("stderr").asText().contains("ops-sudo"), "our prompt and marker are not output: " + row);
        }
        assertTrue(refused.json().get("summary").get("line").asText().startsWith("fanout: 2 hosts, 0 ok, 2 failed (2 exit 1) in "), refused.out());
        assertNoSecret(refused, right, wrong);
    }

    /**
     * With no -i and no IdentityFile, fanout tries ~/.ssh/id_ed25519, id_ecdsa, id_rsa of the user running it, in that
     * order, skipping the ones that are not there; ~/.ssh/known_hosts is its default known_hosts. In a real process,
     * since Java takes user.home from the password database (the in-process case with no key at all is
     * nothingToLogInWithIsBadUsage).
     */
    @Test void defaultKeysAreTriedInOrderFromTheHomeOfTheUserRunningIt() throws Exception {
        Path keys = Files.createDirectories(tmp.resolve("default-keys"));
        Proc.sh("cd " + keys + " && ssh-keygen -q -t ed25519 -N '' -f e && ssh-keygen -q -t ecdsa -N '' -f c && ssh-keygen -q -t rsa -b 2048 -N '' -f r");
        Files.writeString(fleet.authorizedKeys(), Files.readString(keys.resolve("c.pub")), java.nio.file.StandardOpenOption.APPEND);
        String fe = fingerprint(keys.resolve("e.pub")), fc = fingerprint(keys.resolve("c.pub")), fr = fingerprint(keys.resolve("r.pub"));
        String h = hosts.get(0);

        // 1. All three names: id_ed25519 is refused, id_ecdsa logs in.
        Path all = home("home-all-three", Map.of("id_ed25519", keys.resolve("e"), "id_ecdsa", keys.resolve("c"), "id_rsa", keys.resolve("r")));
        var r1 = fanoutProcess(all, Map.of(), "-F", "none", "--known-hosts", knownHosts.toString(), "--format", "json", "-v", "-H", h, "--", "whoami");
        assertEquals(0, r1.exit(), r1.toString());
        JsonNode row = r1.json().get("results").get(0);
        assertEquals("root\n", row.get("stdout").asText(), r1.toString());
        assertEquals("publickey id_ecdsa (" + fc + ")", row.get("ssh").get("auth").asText(), "id_ed25519 first, then id_ecdsa: " + row);

        // 2. No id_ecdsa, nothing authorized: both others tried, in order, and named.
        Path two = home("home-two-unauthorized", Map.of("id_ed25519", keys.resolve("e"), "id_rsa", keys.resolve("r")));
        var r2 = fanoutProcess(two, Map.of(), "-F", "none", "--known-hosts", knownHosts.toString(), "--format", "json", "-H", h, "--", "whoami");
        assertEquals(1, r2.exit(), r2.toString());
        row = r2.json().get("results").get(0);
        assertEquals("auth-failed", row.get("status").asText(), r2.toString());
        assertEquals("as root: server accepts publickey; tried key id_ed25519 (" + fe + "), key id_rsa (" + fr + ")", row.get("error").asText());

        // 3. The common case: ~/.ssh/id_ed25519 and ~/.ssh/known_hosts, no option at all but the hosts.
        Path plain = home("home-plain", Map.of("id_ed25519", key));
        Files.copy(knownHosts, plain.resolve(".ssh/known_hosts"));
        var r3 = fanoutProcess(plain, Map.of(), "-H", h, "--", "whoami");
        assertEquals(0, r3.exit(), r3.toString());
        assertTrue(r3.out().startsWith("==> " + h + " <== ok ("), r3.out());
        assertTrue(r3.out().contains(")\nroot\nfanout: 1 host, 1 ok, 0 failed in "), r3.out());
        assertEquals("", r3.err());

        // 4. None of them: one line, exit 2, nothing run (as a real process too).
        Path none = Files.createDirectories(tmp.resolve("home-no-keys/.ssh")).getParent();
        var noAgent = new java.util.HashMap<String, String>();
        noAgent.put("SSH_AUTH_SOCK", null);
        var r4 = fanoutProcess(none, noAgent, "-F", "none", "--known-hosts", knownHosts.toString(), "-H", h, "--", "true");
        assertEquals(2, r4.exit(), r4.toString());
        assertEquals("fanout: nothing to log in with: no key in ssh-agent ($SSH_AUTH_SOCK), no usable private key (looked for -i, "
                + "IdentityFile in ssh_config, ~/.ssh/id_ed25519, id_ecdsa, id_rsa) and no --password-env/--password-file\n", r4.err());
        assertEquals("", r4.out());
    }

    /** A scratch home whose .ssh holds copies of {@code keys} (name -> private key file). */
    static Path home(String name, Map<String, Path> keys) throws Exception {
        Path ssh = Files.createDirectories(tmp.resolve(name).resolve(".ssh"));
        for (var e : keys.entrySet()) Files.copy(e.getValue(), ssh.resolve(e.getKey()));
        return ssh.getParent();
    }

    /**
     * /etc/ssh/ssh_known_hosts is read too: a host whose key is only there is accepted. The real file is never touched:
     * fanout runs in a private mount namespace where a scratch directory is bind-mounted over /etc/ssh. With
     * --known-hosts FILE, today only FILE is read (the global file is not), and that is locked too.
     */
    @Test void theGlobalKnownHostsFileIsReadToo() throws Exception {
        Prereq.requireRoot();
        Prereq.requireExecutable("/usr/bin/unshare", "util-linux");
        String h = hosts.get(1);
        Path home = home("home-global-kh", Map.of("id_ed25519", key));
        Path etcWith = Files.createDirectories(tmp.resolve("etc-ssh-with"));
        Files.writeString(etcWith.resolve("ssh_known_hosts"), "[" + h.replace(":", "]:") + " " + Sshd.hostPublicKey() + "\n");
        Path etcWithout = Files.createDirectories(tmp.resolve("etc-ssh-without"));
        Path emptyKh = tmp.resolve("kh-global-test-empty");
        Files.writeString(emptyKh, "");

        var accepted = withEtcSsh(etcWith, home, "-F", "none", "--format", "json", "-H", h, "--", "echo trusted");
        assertEquals(0, accepted.exit(), accepted.toString());
        assertEquals("trusted\n", accepted.json().get("results").get(0).get("stdout").asText(), accepted.toString());
        assertFalse(Files.exists(home.resolve(".ssh/known_hosts")), "nothing recorded");

        var unknown = withEtcSsh(etcWithout, home, "-F", "none", "--format", "json", "-H", h, "--", "echo trusted");
        assertEquals(1, unknown.exit(), unknown.toString());
        JsonNode row = unknown.json().get("results").get(0);
        assertEquals("hostkey-unknown", row.get("status").asText(), "without the global entry the same host is unknown: " + unknown);
        assertTrue(row.get("error").asText().startsWith("[" + h.replace(":", "]:") + " is not in " + home.resolve(".ssh/known_hosts")
                + " (server offered ssh-ed25519 SHA256:"), row.toString());

        var explicit = withEtcSsh(etcWith, home, "-F", "none", "--known-hosts", emptyKh.toString(), "--format", "json", "-H", h, "--", "echo trusted");
        assertEquals(1, explicit.exit(), explicit.toString());
        assertEquals("hostkey-unknown", explicit.json().get("results").get(0).get("status").asText(),
                "today --known-hosts FILE replaces both files: " + explicit);
    }

    /** fanout as a process that sees {@code etcSsh} as /etc/ssh (a bind mount in its own mount namespace). */
    static ScriptRun.Result withEtcSsh(Path etcSsh, Path home, String... args) {
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--",
                "sh", "-c", "mount --bind \"$0\" /etc/ssh && exec \"$@\"", etcSsh.toString()));
        cmd.addAll(processCommand(home, args));
        return Proc.run(cmd, java.time.Duration.ofSeconds(90), Map.of(), null);
    }

    /** JSON's groups: hosts with the same status, exit code, stdout and stderr, folded into ranges, the majority first. */
    @Test void jsonGroupsGatherHostsWithIdenticalOutputAndStatus() {
        String port = hosts.get(0).split(":")[1];
        var r = fanout("-b", "--format", "json", "-H", String.join(",", hosts) + "," + refused,
                "--", "echo same; echo note >&2; case $SSH_CONNECTION in *' 127.0.0.13 '*) exit 2;; esac");
        assertEquals(1, r.exit(), r.toString());
        JsonNode groups = r.json().get("groups");
        assertEquals(3, groups.size(), groups.toPrettyString());
        List<String> keys = new ArrayList<>();
        groups.get(0).fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("hosts", "count", "status", "error", "stdout", "stderr"), keys);
        String[][] want = {
            {"127.0.0.[11-12,14]:" + port, "3", "ok", null, "same\n", "note\n"},
            {"127.0.0.13:" + port, "1", "exit 2", null, "same\n", "note\n"},
            {"127.0.0.15:" + port, "1", "refused", "connection refused", "", ""},
        };
        int total = 0;
        for (int i = 0; i < want.length; i++) {
            JsonNode g = groups.get(i);
            assertEquals(want[i][0], g.get("hosts").asText(), g.toString());
            assertEquals(Integer.parseInt(want[i][1]), g.get("count").asInt(), g.toString());
            assertEquals(want[i][2], g.get("status").asText(), g.toString());
            if (want[i][3] == null) assertTrue(g.get("error").isNull(), g.toString());
            else assertEquals(want[i][3], g.get("error").asText(), g.toString());
            assertEquals(want[i][4], g.get("stdout").asText(), g.toString());
            assertEquals(want[i][5], g.get("stderr").asText(), g.toString());
            total += g.get("count").asInt();
        }
        assertEquals(r.json().get("results").size(), total, "every host is in exactly one group");

        // stderr alone splits a group too; equal groups keep input order.
        var split = fanout("--format", "json", "-H", hosts.get(0) + "," + hosts.get(1),
                "--", "echo same; case $SSH_CONNECTION in *' 127.0.0.12 '*) echo extra >&2;; esac");
        JsonNode g2 = split.json().get("groups");
        assertEquals(2, g2.size(), g2.toPrettyString());
        assertEquals(hosts.get(0), g2.get(0).get("hosts").asText());
        assertEquals("", g2.get(0).get("stderr").asText());
        assertEquals(hosts.get(1), g2.get(1).get("hosts").asText());
        assertEquals("extra\n", g2.get(1).get("stderr").asText());
    }

    // ---- golden outputs: one run on a fixed mix (two ok with the same output, exit 3 with stderr, one more ok, refused)

    /** 127.0.0.13 exits 3 with a line on stderr; the others print the same two lines. */
    static final String MIXED = "case $SSH_CONNECTION in *' 127.0.0.13 '*) echo 'disk 91%'; echo 'over 90%' >&2; exit 3;;"
            + " *) echo 'disk 40%'; echo 'inodes 2%';; esac";

    static ScriptRun.Result mixed(String... options) {
        List<String> args = new ArrayList<>(List.of(options));
        args.addAll(List.of("-H", String.join(",", hosts) + "," + refused, "--", MIXED));
        return fanout(args.toArray(String[]::new));
    }

    /** What varies from run to run: the port, the per-run host and client keys' fingerprints, times; the sshd's version varies by machine. */
    static Golden golden(ScriptRun.Result r) throws Exception {
        return Golden.of(r)
                .literal(fingerprint(Path.of(Sshd.hostKey() + ".pub")), "<host-key-fingerprint>")
                .literal(fingerprint(Path.of(key + ".pub")), "<client-key-fingerprint>")
                .regex("\"OpenSSH_[^\"]*\"", "\"OpenSSH_<version>\"")
                .literal(tmp.toString(), "<tmp>")
                .literal(hosts.get(0).split(":")[1], "<port>")
                .times();
    }

    /** Default view, -c 1 so the blocks (printed as each host finishes) come in input order. */
    @Test void goldenBlocks() throws Exception {
        golden(mixed("-c", "1")).check("fanout.blocks");
    }

    @Test void goldenGathered() throws Exception {
        golden(mixed("-b")).check("fanout.gathered");
    }

    /**
     * -P, with the default concurrency: lines from different hosts interleave in any order, so the live lines (of
     * stdout before the summary, and of stderr) are sorted; each host's own lines sort in the order it printed them.
     */
    @Test void goldenPrefixed() throws Exception {
        var r = mixed("-P");
        String out = r.out();
        int summary = out.indexOf("fanout: ");
        assertTrue(summary >= 0, r.toString());
        String live = sorted(out.substring(0, summary)), rest = out.substring(summary);
        golden(new ScriptRun.Result(r.exit(), live + rest, sorted(r.err()))).check("fanout.prefixed");
    }

    static String sorted(String lines) {
        return lines.lines().sorted().map(l -> l + "\n").collect(java.util.stream.Collectors.joining());
    }

    @Test void goldenMarkdownAndSlack() throws Exception {
        golden(mixed("--format", "md")).check("fanout.md");
        golden(mixed("--format", "slack")).check("fanout.slack");
    }

    @Test void goldenJson() throws Exception {
        golden(mixed("--format", "json")).check("fanout.json");
    }

    @Test void goldenHosts() throws Exception {
        golden(mixed("--format", "hosts")).check("fanout.hosts");
        golden(mixed("--format", "hosts", "--only-failed")).check("fanout.hosts-only-failed");
    }

    // ---- helpers -----------------------------------------------------------------------------

    static String fingerprint(Path pub) {
        return Proc.sh("ssh-keygen -l -E sha256 -f " + pub).split("\\s+")[1];
    }

    static String[] concat(String[] a, String... b) {
        List<String> l = new ArrayList<>(List.of(a));
        l.addAll(List.of(b));
        return l.toArray(String[]::new);
    }

}
