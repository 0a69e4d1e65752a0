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
 * fanout takes each host's trust, timeouts and algorithms from ssh_config as ssh would
 * (UserKnownHostsFile, GlobalKnownHostsFile, HostKeyAlias, StrictHostKeyChecking, ConnectTimeout,
 * ServerAliveInterval, KexAlgorithms ...), the command line overriding it; and offers only what
 * OpenSSH's client offers unless the config adds more. Real sshd daemons on loopback.
 */
class FanoutSshConfigTest {
    static Sshd fleet;
    static List<String> hosts = new ArrayList<>();   // 127.0.0.31..33 on one port
    static Path key;
    static String port;
    @TempDir static Path tmp;

    @BeforeAll static void start() throws Exception {
        int p = Proc.freePort();
        port = String.valueOf(p);
        for (int i = 31; i <= 33; i++) hosts.add("127.0.0." + i + ":" + p);
        fleet = Sshd.fleet(null, hosts);
        key = Sshd.clientKey();
    }

    @AfterAll static void stop() {
        if (fleet != null) fleet.close();
    }

    static Path config(String name, String... lines) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    static String entry(String name) throws Exception { return name + " " + Sshd.hostPublicKey() + "\n"; }

    @Test void knownHostsFilesHostKeyAliasAndStrictnessComeFromTheConfig() throws Exception {
        Path kh = Files.createDirectories(tmp.resolve("kh"));
        Files.writeString(kh.resolve("by-name-127.0.0.31"), entry("[127.0.0.31]:" + port));
        Files.writeString(kh.resolve("pool"), entry("web-pool"));
        Path fresh = kh.resolve("fresh");
        Path cfg = config("trust",
                "Host web-a",
                "  HostName 127.0.0.31",
                "  UserKnownHostsFile " + kh + "/missing " + kh + "/by-name-%h",     // several files, tokens, the first absent
                "Host web-b web-c",
                "  HostName 127.0.0.32",
                "  HostKeyAlias Web-Pool",                                       // looked up under the alias, without the port
                "  UserKnownHostsFile " + kh + "/pool",
                "Host web-c",
                "  HostName 127.0.0.33",                                          // ignored: the first HostName wins
                "Host new",
                "  HostName 127.0.0.33",
                "  UserKnownHostsFile " + fresh,
                "  StrictHostKeyChecking accept-new",
                "Host strict",
                "  HostName 127.0.0.33",
                "  UserKnownHostsFile " + kh + "/missing",
                "  StrictHostKeyChecking yes",
                "Host *",
                "  Port " + port,
                "  User root",
                "  IdentityFile " + key,
                "  GlobalKnownHostsFile " + kh + "/no-global");
        var r = ScriptRun.run(fanout::main, "-F", cfg.toString(), "--format", "json", "-H", "web-a,web-b,new,strict", "--", "echo in");
        Map<String, JsonNode> rows = r.rows();
        assertEquals("ok", rows.get("web-a").get("status").asText(), r.toString());
        assertEquals("ok", rows.get("web-b").get("status").asText(), "HostKeyAlias: " + r);
        assertEquals("ok", rows.get("new").get("status").asText(), "StrictHostKeyChecking accept-new: " + r);
        assertEquals("hostkey-unknown", rows.get("strict").get("status").asText(), r.toString());
        assertTrue(rows.get("strict").get("error").asText().startsWith("[127.0.0.33]:" + port + " is not in " + kh + "/missing"), r.toString());
        assertEquals(1, r.json().get("summary").get("host_keys_recorded").asInt(), r.toString());
        assertTrue(Files.readString(fresh).startsWith("[127.0.0.33]:" + port + " ssh-ed25519 "), "recorded in the host's own file");
        assertTrue(r.err().contains("fanout: accept-new: recorded [127.0.0.33]:" + port + " ssh-ed25519 SHA256:"), r.err());

        // The command line wins: --known-hosts replaces every file, --no-host-key-check every StrictHostKeyChecking.
        Path empty = Files.writeString(kh.resolve("empty"), "");
        var over = ScriptRun.run(fanout::main, "-F", cfg.toString(), "--known-hosts", empty.toString(), "--format", "json", "-H", "web-a,web-b", "--", "true");
        assertEquals("hostkey-unknown", over.rows().get("web-a").get("status").asText(), over.toString());
        assertTrue(over.rows().get("web-b").get("error").asText().startsWith("web-pool is not in " + empty), over.toString());
        var off = ScriptRun.run(fanout::main, "-F", cfg.toString(), "--no-host-key-check", "--format", "json", "-H", "strict", "--", "true");
        assertEquals("ok", off.rows().get("strict").get("status").asText(), off.toString());
    }

    /** The user from the hosts file (user@host) or -l is what Match user sees, as with ssh -l. */
    @Test void matchUserSeesTheUserFromTheHostsFileAndIncludeApplies() throws Exception {
        Path kh = tmp.resolve("kh-match");
        Files.writeString(kh, entry("[127.0.0.32]:" + port));
        Path inc = config("included.conf", "Host web-m", "  UserKnownHostsFile " + kh, "  IdentityFile " + key);
        Path cfg = config("match",
                "Match originalhost web-m user root",
                "  HostName 127.0.0.32",
                "  Port " + port,
                "Include " + inc,
                "Match originalhost web-m",
                "  HostName no-such-host.invalid");
        var r = ScriptRun.run(fanout::main, "-F", cfg.toString(), "--format", "json", "-H", "root@web-m,nobody@web-m", "--", "id -un");
        Map<String, JsonNode> rows = r.rows();
        assertEquals("ok", rows.get("root@web-m").get("status").asText(), r.toString());
        assertEquals("root\n", rows.get("root@web-m").get("stdout").asText());
        assertEquals("unresolved", rows.get("nobody@web-m").get("status").asText(), "Match user root does not apply to nobody: " + r);
        var l = ScriptRun.run(fanout::main, "-F", cfg.toString(), "-l", "root", "--format", "json", "-H", "web-m", "--", "true");
        assertEquals("ok", l.rows().get("web-m").get("status").asText(), "-l root: " + l);
    }

    @Test void connectTimeoutFromTheConfigAndTheCommandLineOverride() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            Thread.ofVirtual().start(() -> {
                try {
                    List<java.net.Socket> held = new ArrayList<>();
                    while (true) held.add(silent.accept());      // hold every connection open, say nothing
                } catch (Exception ignored) { }
            });
            Path cfg = config("timeout", "Host silent", "  HostName 127.0.0.1", "  Port " + silent.getLocalPort(), "  ConnectTimeout 1",
                    "  IdentityFile " + key, "  StrictHostKeyChecking no");
            long t0 = System.nanoTime();
            var r = ScriptRun.run(fanout::main, "-F", cfg.toString(), "--format", "json", "-H", "silent", "--", "true");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals("timeout", r.rows().get("silent").get("status").asText(), r.toString());
            assertTrue(r.rows().get("silent").get("error").asText().startsWith("SSH handshake did not finish within 1.0s"), r.toString());
            assertTrue(ms < 4000, "ConnectTimeout 1 (not the 10s default): took " + ms + " ms");
            var over = ScriptRun.run(fanout::main, "-F", cfg.toString(), "--connect-timeout", "2s", "--format", "json", "-H", "silent", "--", "true");
            assertTrue(over.rows().get("silent").get("error").asText().startsWith("SSH handshake did not finish within 2.0s"), over.toString());
        }
    }

    /**
     * A server that offers only diffie-hellman-group1-sha1 (Debian 12's sshd still implements it) is
     * refused with what each side offers; a config that adds it (KexAlgorithms +..., as in ssh)
     * reaches it, and -v says a weak algorithm was used.
     */
    @Test void weakKexIsRefusedUnlessTheConfigAddsItAndVerboseSaysSo() throws Exception {
        String addr = "127.0.0.34:" + Proc.freePort();
        Path kh = tmp.resolve("kh-weak");
        Files.writeString(kh, entry("[" + addr.replace(":", "]:")));
        try (Sshd old = Sshd.fleet(null, List.of(addr), "KexAlgorithms diffie-hellman-group1-sha1")) {
            var refused = ScriptRun.run(fanout::main, "-F", "none", "--known-hosts", kh.toString(), "-i", key.toString(), "-l", "root",
                    "--format", "json", "-H", addr, "--", "echo hi");
            assertEquals(1, refused.exit(), refused.toString());
            JsonNode row = refused.json().get("results").get(0);
            assertEquals("kex-failed", row.get("status").asText(), row.toString());
            String error = row.get("error").asText();
            assertTrue(error.startsWith("no common KeyExchangeAlgorithms: server offers diffie-hellman-group1-sha1; we offer curve25519-sha256, "), error);
            assertFalse(error.substring(error.indexOf("we offer"), error.indexOf(" (")).contains("sha1"), "no SHA-1 key exchange offered by default: " + error);
            assertTrue(error.endsWith("(if you must reach it, allow it for this host in ssh_config: KexAlgorithms +diffie-hellman-group1-sha1)"), error);

            Path cfg = config("weak", "Host " + addr.split(":")[0], "  KexAlgorithms +diffie-hellman-group1-sha1");
            var allowed = ScriptRun.run(fanout::main, "-F", cfg.toString(), "--known-hosts", kh.toString(), "-i", key.toString(), "-l", "root",
                    "-v", "--format", "json", "-H", addr, "--", "echo hi");
            assertEquals(0, allowed.exit(), allowed.toString());
            assertEquals("diffie-hellman-group1-sha1", allowed.json().get("results").get(0).get("ssh").get("kex").asText());
            assertTrue(allowed.err().contains("; WEAK: diffie-hellman-group1-sha1 (SHA-1 key exchange)"), allowed.err());
        }
        // CBC and HMAC-SHA1: likewise refused by default, named by -v when a config adds them.
        String cbc = "127.0.0.36:" + Proc.freePort();
        try (Sshd old = Sshd.fleet(null, List.of(cbc), "Ciphers aes128-cbc", "MACs hmac-sha1")) {
            var refused = ScriptRun.run(fanout::main, "-F", "none", "--no-host-key-check", "-i", key.toString(), "-l", "root",
                    "--format", "json", "-H", cbc, "--", "true");
            String error = refused.json().get("results").get(0).get("error").asText();
            assertTrue(error.startsWith("no common CipherAlgorithms: server offers aes128-cbc; we offer chacha20-poly1305@openssh.com, aes128-ctr"), error);
            assertTrue(error.endsWith("Ciphers +aes128-cbc)"), error);
            Path cfg = config("cbc", "Host " + cbc.split(":")[0], "  Ciphers +aes128-cbc", "  MACs +hmac-sha1");
            var allowed = ScriptRun.run(fanout::main, "-F", cfg.toString(), "--no-host-key-check", "-i", key.toString(), "-l", "root",
                    "-v", "-H", cbc, "--", "true");
            assertEquals(0, allowed.exit(), allowed.toString());
            assertTrue(allowed.err().contains("; WEAK: aes128-cbc (CBC cipher), hmac-sha1 (HMAC-SHA1)"), allowed.err());
        }
        var modern = ScriptRun.run(fanout::main, "-F", "none", "--no-host-key-check", "-i", key.toString(), "-l", "root", "-v", "-H", hosts.get(0), "--", "true");
        assertEquals(0, modern.exit(), modern.toString());
        assertTrue(modern.err().contains("kex curve25519-sha256") && !modern.err().contains("WEAK"), modern.err());
    }

    /**
     * ServerAliveInterval/CountMax: a server that stops answering mid-command (its session processes
     * are stopped with SIGSTOP) is given up after about interval x count, not at --timeout.
     */
    @Test void serverAliveIntervalGivesUpOnAServerThatStoppedAnswering() throws Exception {
        String addr = "127.0.0.35:" + Proc.freePort();
        Path cfg = config("alive", "Host frozen", "  HostName " + addr.split(":")[0], "  Port " + addr.split(":")[1],
                "  User root", "  IdentityFile " + key, "  StrictHostKeyChecking no", "  UserKnownHostsFile /dev/null",
                "  ServerAliveInterval 1", "  ServerAliveCountMax 2");
        try (Sshd one = Sshd.fleet(null, List.of(addr))) {
            List<ProcessHandle> stopped = new ArrayList<>();
            Thread freezer = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 100 && one.sessions().stream().noneMatch(p -> p.info().commandLine().orElse("").contains("sleep")); i++) {
                        Thread.sleep(100);
                    }
                    for (ProcessHandle p : one.sessions()) {
                        Proc.sh("kill -STOP " + p.pid());
                        stopped.add(p);
                    }
                } catch (Exception ignored) { }
            });
            try {
                long t0 = System.nanoTime();
                var r = ScriptRun.run(fanout::main, "-F", cfg.toString(), "--timeout", "20s", "--format", "json", "-H", "frozen", "--", "sleep 30");
                long ms = (System.nanoTime() - t0) / 1_000_000;
                JsonNode row = r.rows().get("frozen");
                assertEquals("error", row.get("status").asText(), r.toString());
                assertTrue(row.get("error").asText().contains("keep-alive"), r.toString());
                assertTrue(ms < 10_000, "given up after the keep-alives, not at --timeout 20s: took " + ms + " ms");
            } finally {
                freezer.join();
                for (ProcessHandle p : stopped) Proc.run(List.of("kill", "-CONT", String.valueOf(p.pid())), java.time.Duration.ofSeconds(5));
            }
        }
    }

    /** ssh-rsa (RSA with SHA-1) host key signatures: likewise only when HostKeyAlgorithms adds them. */
    @Test void sha1RsaHostKeySignaturesOnlyWhenTheConfigAddsThem() throws Exception {
        String addr = "127.0.0.37:" + Proc.freePort();
        try (Sshd rsa = Sshd.fleet(null, List.of(addr), Sshd.newHostKey("rsa"), "HostKeyAlgorithms ssh-rsa")) {
            String[] base = {"--no-host-key-check", "-i", key.toString(), "-l", "root", "-v", "--format", "json", "-H", addr, "--", "true"};
            var refused = ScriptRun.run(fanout::main, concat(new String[] {"-F", "none"}, base));
            String error = refused.json().get("results").get(0).get("error").asText();
            assertEquals("kex-failed", refused.json().get("results").get(0).get("status").asText(), refused.toString());
            assertTrue(error.startsWith("no common HostKeyAlgorithms: server offers ssh-rsa; we offer ssh-ed25519-cert-v01@openssh.com, "), error);
            assertTrue(error.endsWith("HostKeyAlgorithms +ssh-rsa)"), error);
            Path cfg = config("rsa", "Host " + addr.split(":")[0], "  HostKeyAlgorithms +ssh-rsa");
            var allowed = ScriptRun.run(fanout::main, concat(new String[] {"-F", cfg.toString()}, base));
            assertEquals(0, allowed.exit(), allowed.toString());
            assertTrue(allowed.err().contains("; WEAK: ssh-rsa (RSA signatures with SHA-1)"), allowed.err());
        }
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test void aConfigThatLeavesNothingSshjImplementsIsBadInput() throws Exception {
        Path cfg = config("nothing", "Host pq", "  KexAlgorithms sntrup761x25519-sha512@openssh.com");
        var r = ScriptRun.run(fanout::main, "-F", cfg.toString(), "-i", key.toString(), "-H", "pq", "--", "true");
        assertEquals(2, r.exit(), r.toString());
        assertEquals("fanout: pq: none of the KexAlgorithms its ssh config allows (sntrup761x25519-sha512@openssh.com) is implemented by ops' SSH library"
                + " (sshj has " + String.join(",", ssh.SshjConfigs.implemented(ssh.Algorithms.Kind.KEX)) + ")\n", r.err());
        assertEquals("", r.out());
        Path bad = config("bad-value", "Host *", "  ServerAliveInterval soon");
        var b = ScriptRun.run(fanout::main, "-F", bad.toString(), "-i", key.toString(), "-H", "x", "--", "true");
        assertEquals(2, b.exit(), b.toString());
        assertEquals("fanout: " + bad + ":2: bad ServerAliveInterval 'soon' (a time: 30, 30s, 10m, 1h30m)\n", b.err());
    }
}
