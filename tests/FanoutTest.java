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
 * output, timeouts, each login and host-key failure, the output views, and bad input. Dropped
 * addresses and signals (which need a namespace or a real process) are in FanoutNetnsTest.
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
        assertEquals("fanout: nothing to log in with: no usable private key (looked for -i, IdentityFile in ssh_config, "
                + "~/.ssh/id_ed25519, id_ecdsa, id_rsa) and no --password-env/--password-file\n", r.err());
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
        assertTrue(slack.out().startsWith("fanout: 4 hosts, 4 ok, 0 failed") && slack.out().contains("\n```\n---------------\n127.0.0.[11-14]:" + port
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
        assertEquals("error", rows.get("jumped").get("status").asText(), "never connect directly behind the user's back");
        assertTrue(rows.get("jumped").get("error").asText().contains("ProxyJump"), rows.get("jumped").toString());
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
        assertTrue(r.out().contains("IdentityFile (~ %d %u %r %h)"), r.out());
        assertTrue(r.out().contains("Not supported: Match blocks"), r.out());
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
