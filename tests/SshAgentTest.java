import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fanout's logins through a real ssh-agent and with real OpenSSH certificates: keys held only by
 * an agent the test starts (their files deleted after ssh-add), IdentitiesOnly, a dead agent
 * socket, user certificates from a CA made with ssh-keygen -s (sshd's TrustedUserCAKeys, no
 * authorized_keys entry), and host certificates (sshd's HostCertificate) checked against
 * @cert-authority and @revoked lines in known_hosts. fanout runs as its own process, so
 * SSH_AUTH_SOCK is a real environment variable and its home (~/.ssh) is an empty folder.
 */
class SshAgentTest {
    @TempDir Path tmp;

    /** fanout as a process: {@code home} is its user.home, SSH_AUTH_SOCK is {@code agentSocket} (unset when null). */
    static ScriptRun.Result fanout(Path home, String agentSocket, String... args) {
        List<String> cmd = new ArrayList<>(Proc.javaCommand("fanout", "-Duser.home=" + home));
        cmd.addAll(List.of(args));
        Map<String, String> env = new HashMap<>();
        env.put("SSH_AUTH_SOCK", agentSocket);
        return Proc.run(cmd, Duration.ofSeconds(90), env, null);
    }

    /** A new key pair (no passphrase) named {@code name} in {@code dir}, its comment = its name. */
    static Path keygen(Path dir, String name, String type) {
        Path key = dir.resolve(name);
        Proc.sh("ssh-keygen -q -t " + type + " -N '' -C " + name + " -f " + key);
        return key;
    }

    /** "SHA256:..." as ssh-keygen -l prints it for a public key (or certificate) file. */
    static String fingerprint(Path pub) {
        return Proc.sh("ssh-keygen -l -f " + pub).trim().split("\\s+")[1];
    }

    static String knownHostsLine(String addr, String publicKeyLine) {
        return "[" + addr.replace(":", "]:") + " " + publicKeyLine;
    }

    static String pub(Path key) throws IOException {
        String[] f = Files.readString(Path.of(key + ".pub")).trim().split("\\s+");
        return f[0] + " " + f[1];
    }

    Path emptyHome(String name) throws IOException {
        return Files.createDirectories(tmp.resolve(name).resolve(".ssh")).getParent();
    }

    static void assertNoPrivateKey(ScriptRun.Result r) {
        assertFalse((r.out() + r.err()).contains("PRIVATE KEY"), "no key material in the output: " + r);
    }

    // ---- ssh-agent -------------------------------------------------------------------------------

    /**
     * Two keys in the agent (ed25519, RSA) and none on disk: the agent's keys are tried in its order,
     * the host that authorizes the second logs in with it, and the host that authorizes neither is
     * auth-failed naming both agent keys.
     */
    @Test void agentKeysLogInWithNoKeyFileOnDiskInTheAgentsOrder() throws Exception {
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        // agent-b is RSA: the agent must be asked for an rsa-sha2-512 signature (OpenSSH refuses SHA-1 ssh-rsa).
        Path a = keygen(keys, "agent-a", "ed25519"), b = keygen(keys, "agent-b", "rsa");
        String fpA = fingerprint(Path.of(a + ".pub")), fpB = fingerprint(Path.of(b + ".pub")), pubB = pub(b);
        int port = Proc.freePort();
        String open = "127.0.0.31:" + port, closed = "127.0.0.32:" + port;
        Path kh = tmp.resolve("known_hosts");
        Files.writeString(kh, knownHostsLine(open, Sshd.hostPublicKey()) + "\n" + knownHostsLine(closed, Sshd.hostPublicKey()) + "\n");
        try (TestAgent agent = TestAgent.start();
             Sshd authorizesB = Sshd.fleet(null, List.of(open));
             Sshd authorizesNeither = Sshd.fleet(null, List.of(closed))) {
            Files.writeString(authorizesB.authorizedKeys(), pubB + "\n", java.nio.file.StandardOpenOption.APPEND);
            agent.add(a);
            agent.add(b);
            Proc.sh("rm -f " + keys + "/*");
            assertEquals(List.of(), List.of(keys.toFile().list()), "no key file on disk");
            assertEquals(2, agent.list().lines().count(), agent.list());

            var r = fanout(emptyHome("home"), agent.socket.toString(),
                    "-F", "none", "--known-hosts", kh.toString(), "--format", "json", "-H", open + "," + closed, "--", "echo hi");
            assertEquals(1, r.exit(), r.toString());
            JsonNode ok = r.rows().get(open), failed = r.rows().get(closed);
            assertEquals("ok", ok.get("status").asText(), r.toString());
            assertEquals("hi\n", ok.get("stdout").asText());
            assertEquals("publickey agent key agent-b (" + fpB + ")", ok.get("ssh").get("auth").asText(), r.toString());
            assertEquals("auth-failed", failed.get("status").asText(), r.toString());
            assertEquals("as root: server accepts publickey; tried agent key agent-a (" + fpA + "), agent key agent-b (" + fpB + ")",
                    failed.get("error").asText());
            assertEquals("", r.err(), "no warning");
            assertNoPrivateKey(r);
        }
    }

    /**
     * IdentitiesOnly yes: with another key given by -i the agent's key is not offered (without
     * IdentitiesOnly it logs in); an encrypted key file whose key the agent holds logs in through
     * the agent with no passphrase; IdentityAgent names a socket (or none) instead of SSH_AUTH_SOCK.
     */
    @Test void identitiesOnlyOffersOnlyTheIdentityFilesAndTheirAgentKeys() throws Exception {
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        Path inAgent = keygen(keys, "in-agent", "ed25519"), other = keygen(keys, "other", "ed25519"), encrypted = keygen(keys, "encrypted", "ed25519");
        String fpAgent = fingerprint(Path.of(inAgent + ".pub")), fpOther = fingerprint(Path.of(other + ".pub"));
        String fpEncrypted = fingerprint(Path.of(encrypted + ".pub"));
        String addr = "127.0.0.36:" + Proc.freePort();
        Path kh = tmp.resolve("known_hosts");
        Files.writeString(kh, knownHostsLine(addr, Sshd.hostPublicKey()) + "\n");
        try (TestAgent agent = TestAgent.start(); Sshd sshd = Sshd.fleet(null, List.of(addr))) {
            Files.writeString(sshd.authorizedKeys(), pub(inAgent) + "\n" + pub(encrypted) + "\n", java.nio.file.StandardOpenOption.APPEND);
            agent.add(inAgent);
            agent.add(encrypted);
            Proc.sh("rm -f " + inAgent + " " + inAgent + ".pub");
            // The file is encrypted after ssh-add: on disk it needs a passphrase fanout is not given.
            Proc.sh("ssh-keygen -q -p -N " + FanoutTest.wrongSecret() + " -f " + encrypted);
            Path only = tmp.resolve("identities-only.conf"), noAgent = tmp.resolve("no-agent.conf"), named = tmp.resolve("named-agent.conf");
            Files.writeString(only, "Host *\n  IdentitiesOnly yes\n");
            Files.writeString(noAgent, "Host *\n  IdentityAgent none\n");
            Files.writeString(named, "Host *\n  IdentityAgent " + agent.socket + "\n");
            String sock = agent.socket.toString();
            String[] base = {"--known-hosts", kh.toString(), "--format", "json", "-H", addr};

            var onlyOther = fanout(emptyHome("home"), sock, concat(concat(new String[] {"-F", only.toString(), "-i", other.toString()}, base), "--", "true"));
            assertEquals("auth-failed", onlyOther.rows().get(addr).get("status").asText(), onlyOther.toString());
            assertEquals("as root: server accepts publickey; tried key other (" + fpOther + ")", onlyOther.rows().get(addr).get("error").asText());

            var agentFirst = fanout(emptyHome("home"), sock, concat(concat(new String[] {"-F", "none", "-i", other.toString()}, base), "--", "true"));
            assertEquals("publickey agent key in-agent (" + fpAgent + ")", agentFirst.rows().get(addr).get("ssh").get("auth").asText(), agentFirst.toString());

            var throughAgent = fanout(emptyHome("home"), sock, concat(concat(new String[] {"-F", only.toString(), "-i", encrypted.toString()}, base), "--", "true"));
            assertEquals(0, throughAgent.exit(), throughAgent.toString());
            assertEquals("publickey agent key encrypted (" + fpEncrypted + ")", throughAgent.rows().get(addr).get("ssh").get("auth").asText());
            assertEquals("", throughAgent.err(), "no passphrase asked for, no warning");

            var none = fanout(emptyHome("home"), sock, concat(concat(new String[] {"-F", noAgent.toString(), "-i", other.toString()}, base), "--", "true"));
            assertEquals("as root: server accepts publickey; tried key other (" + fpOther + ")", none.rows().get(addr).get("error").asText(), none.toString());

            var byName = fanout(emptyHome("home"), null, concat(concat(new String[] {"-F", named.toString()}, base), "--", "true"));
            assertEquals("publickey agent key in-agent (" + fpAgent + ")", byName.rows().get(addr).get("ssh").get("auth").asText(), byName.toString());
        }
    }

    /**
     * More agent keys than sshd's MaxAuthTries (6): sshd hangs up before the key file is tried, as
     * it does for ssh; the row says why and what to do.
     */
    @Test void moreAgentKeysThanMaxAuthTriesSaysWhatToDo() throws Exception {
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        String addr = "127.0.0.37:" + Proc.freePort();
        Path kh = tmp.resolve("known_hosts");
        Files.writeString(kh, knownHostsLine(addr, Sshd.hostPublicKey()) + "\n");
        try (TestAgent agent = TestAgent.start(); Sshd sshd = Sshd.fleet(null, List.of(addr))) {
            for (int i = 1; i <= 7; i++) agent.add(keygen(keys, "many-" + i, "ed25519"));
            var r = fanout(emptyHome("home"), agent.socket.toString(), "-F", "none", "--known-hosts", kh.toString(),
                    "-i", Sshd.clientKey().toString(), "--format", "json", "-H", addr, "--", "true");
            JsonNode row = r.rows().get(addr);
            assertEquals("auth-failed", row.get("status").asText(), r.toString());
            String error = row.get("error").asText();
            assertTrue(error.startsWith("as root: the server closed the connection after 6 refused logins (sshd's MaxAuthTries, 6 by default); "
                    + "tried agent key many-1 ("), error);
            assertTrue(error.contains("; not tried agent key many-7 ("), error);
            assertTrue(error.endsWith("), key id_ed25519 (" + fingerprint(Path.of(Sshd.clientKey() + ".pub")) + "); offer fewer keys: "
                    + "IdentitiesOnly yes with this host's IdentityFile in ssh_config, or ssh-add -d"), error);
        }
    }

    /** An SSH_AUTH_SOCK nothing listens on: one warning line, then the key files as if there were no agent. */
    @Test void aDeadAgentSocketIsOneWarningThenTheKeyFiles() throws Exception {
        int port = Proc.freePort();
        List<String> addrs = List.of("127.0.0.33:" + port, "127.0.0.35:" + port);
        Path kh = tmp.resolve("known_hosts");
        Files.writeString(kh, knownHostsLine(addrs.get(0), Sshd.hostPublicKey()) + "\n" + knownHostsLine(addrs.get(1), Sshd.hostPublicKey()) + "\n");
        Path dead = tmp.resolve("no-agent.sock");
        try (Sshd sshd = Sshd.fleet(null, addrs)) {
            var r = fanout(emptyHome("home"), dead.toString(), "-F", "none", "--known-hosts", kh.toString(),
                    "-i", Sshd.clientKey().toString(), "--format", "json", "-H", String.join(",", addrs), "--", "true");
            assertEquals(0, r.exit(), r.toString());
            for (String a : addrs) assertEquals("ok", r.rows().get(a).get("status").asText());
            List<String> lines = r.err().lines().toList();
            assertEquals(1, lines.size(), "one warning for the run, not one per host: " + r.err());
            assertEquals("warning: ssh-agent at SSH_AUTH_SOCK=" + dead + " did not answer (No such file or directory); "
                    + "going on without it (key files only)", lines.get(0));
        }
    }

    // ---- user certificates ------------------------------------------------------------------------

    /**
     * A user CA (ssh-keygen -s) that sshd trusts (TrustedUserCAKeys) and no authorized_keys entry:
     * the certificate next to the key logs in, for ed25519 and for RSA (signed rsa-sha2-512, which
     * OpenSSH requires); the agent's copy of a certificate does too, with no file on disk; the same
     * key without its certificate is auth-failed.
     */
    @Test void userCertificatesNextToTheKeyOrInTheAgentLogInWithoutAuthorizedKeys() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("user-ca"));
        Path ca = keygen(dir, "user-ca", "ed25519");
        Path ed = keygen(dir, "id_ed25519", "ed25519"), rsa = keygen(dir, "id_rsa", "rsa"), bare = keygen(dir, "bare", "ed25519");
        Proc.sh("cd " + dir + " && ssh-keygen -q -s user-ca -I ops-test -n root -V -5m:+1h id_ed25519.pub id_rsa.pub");
        String fpEd = fingerprint(Path.of(ed + ".pub")), fpRsa = fingerprint(Path.of(rsa + ".pub"));
        String addr = "127.0.0.34:" + Proc.freePort();
        Path kh = tmp.resolve("known_hosts");
        Files.writeString(kh, knownHostsLine(addr, Sshd.hostPublicKey()) + "\n");
        try (Sshd sshd = Sshd.fleet(null, List.of(addr), "TrustedUserCAKeys " + ca + ".pub");
             TestAgent agent = TestAgent.start()) {
            assertFalse(Files.readString(sshd.authorizedKeys()).contains(pub(ed).split(" ")[1]), "no authorized_keys entry for the user keys");
            String[] base = {"-F", "none", "--known-hosts", kh.toString(), "--format", "json", "-H", addr};
            for (var k : Map.of(ed, fpEd, rsa, fpRsa).entrySet()) {
                var r = fanout(emptyHome("home"), null, concat(concat(new String[] {"-i", k.getKey().toString()}, base), "--", "id -un"));
                assertEquals(0, r.exit(), r.toString());
                JsonNode row = r.rows().get(addr);
                assertEquals("root\n", row.get("stdout").asText());
                assertEquals("publickey certificate " + k.getKey().getFileName() + " (" + k.getValue() + ")", row.get("ssh").get("auth").asText());
            }
            var without = fanout(emptyHome("home"), null, concat(concat(new String[] {"-i", bare.toString()}, base), "--", "true"));
            assertEquals("auth-failed", without.rows().get(addr).get("status").asText(), without.toString());

            // CertificateFile names a certificate kept elsewhere (here: under another name).
            Path elsewhere = Files.createDirectories(tmp.resolve("certs")).resolve("mine.pub");
            Files.move(Path.of(rsa + "-cert.pub"), elsewhere);
            Path cfg = tmp.resolve("certificate-file.conf");
            Files.writeString(cfg, "Host *\n  CertificateFile " + elsewhere + "\n");
            var named = fanout(emptyHome("home"), null, "-F", cfg.toString(), "-i", rsa.toString(), "--known-hosts", kh.toString(),
                    "--format", "json", "-H", addr, "--", "true");
            assertEquals(0, named.exit(), named.toString());
            assertEquals("publickey certificate id_rsa (" + fpRsa + ")", named.rows().get(addr).get("ssh").get("auth").asText());

            agent.add(ed);                               // the key and id_ed25519-cert.pub
            Proc.sh("rm -f " + ed + " " + ed + ".pub " + ed + "-cert.pub");
            assertTrue(agent.list().contains("ED25519-CERT"), agent.list());
            var viaAgent = fanout(emptyHome("home"), agent.socket.toString(), concat(base, "--", "id -un"));
            assertEquals(0, viaAgent.exit(), viaAgent.toString());
            assertEquals("publickey agent certificate id_ed25519 (" + fpEd + ")", viaAgent.rows().get(addr).get("ssh").get("auth").asText());
            assertNoPrivateKey(viaAgent);
        }
    }

    // ---- host certificates --------------------------------------------------------------------------

    /**
     * A host CA (ssh-keygen -s -h) and sshds presenting certificates for one host key (HostCertificate);
     * known_hosts holds only the CA. A valid certificate for the host's name is trusted; one for
     * another name, or expired, is refused with a detail that says so; an unknown CA is
     * hostkey-unknown naming the CA; @revoked for the host key or for the CA is hostkey-revoked.
     */
    @Test void hostCertificatesAreCheckedAgainstCertAuthorityAndRevokedLines() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("host-ca"));
        Path ca = keygen(dir, "host-ca", "ed25519"), otherCa = keygen(dir, "other-ca", "ed25519");
        Path hostKey = Sshd.newHostKey("ed25519");
        int port = Proc.freePort();
        String good = "127.0.0.41:" + port, wrongName = "127.0.0.42:" + port, expired = "127.0.0.43:" + port;
        for (String c : List.of("good", "wrong", "expired")) Files.copy(Path.of(hostKey + ".pub"), dir.resolve(c + ".pub"));
        Proc.sh("cd " + dir + " && ssh-keygen -q -s host-ca -h -I good -n 127.0.0.41,web41.example -V -5m:+1h good.pub"
                + " && ssh-keygen -q -s host-ca -h -I wrong -n 127.0.0.41 -V -5m:+1h wrong.pub"
                + " && ssh-keygen -q -s host-ca -h -I expired -n 127.0.0.43 -V 20200101:20200201 expired.pub");
        String fpHost = fingerprint(Path.of(hostKey + ".pub")), fpCa = fingerprint(Path.of(ca + ".pub"));
        try (Sshd g = Sshd.fleet(null, List.of(good), hostKey, "HostCertificate " + dir.resolve("good-cert.pub"));
             Sshd w = Sshd.fleet(null, List.of(wrongName), hostKey, "HostCertificate " + dir.resolve("wrong-cert.pub"));
             Sshd e = Sshd.fleet(null, List.of(expired), hostKey, "HostCertificate " + dir.resolve("expired-cert.pub"))) {
            String all = good + "," + wrongName + "," + expired;
            var r = run(dir, "@cert-authority * " + pub(ca) + "\n", all);
            assertEquals(1, r.exit(), r.toString());
            JsonNode ok = r.rows().get(good);
            assertEquals("ok", ok.get("status").asText(), r.toString());
            assertEquals("ssh-ed25519-cert-v01@openssh.com", ok.get("ssh").get("hostkey").asText());
            assertEquals("ssh-ed25519 " + fpHost + " (host certificate \"good\" from CA " + fpCa + ")", ok.get("ssh").get("hostkey_fingerprint").asText());
            assertEquals("hostkey-mismatch", r.rows().get(wrongName).get("status").asText());
            assertEquals("HOST CERTIFICATE NOT VALID for [127.0.0.42]:" + port + ": the server's certificate from the trusted CA " + fpCa
                    + " is not good: its principals (127.0.0.41) do not include 127.0.0.42; refusing to connect",
                    r.rows().get(wrongName).get("error").asText());
            assertEquals("hostkey-mismatch", r.rows().get(expired).get("status").asText());
            assertTrue(r.rows().get(expired).get("error").asText().contains("is not good: it expired at 2020-02-01T"), r.toString());

            // With HostKeyAlias the certificate's principals must name the alias, and known_hosts is searched under it.
            Path alias = dir.resolve("alias.conf");
            Files.writeString(alias, "Host *\n  HostKeyAlias web41.example\n");
            Path aliasKh = dir.resolve("alias_known_hosts");
            Files.writeString(aliasKh, "@cert-authority web41.example " + pub(ca) + "\n");
            var aliased = fanout(emptyHome("home"), null, "-F", alias.toString(), "--known-hosts", aliasKh.toString(),
                    "-i", Sshd.clientKey().toString(), "--format", "json", "-H", good + "," + wrongName, "--", "true");
            assertEquals("ok", aliased.rows().get(good).get("status").asText(), aliased.toString());
            assertTrue(aliased.rows().get(wrongName).get("error").asText().contains("its principals (127.0.0.41) do not include web41.example"),
                    aliased.toString());

            // The @cert-authority pattern is matched like a host line's: a CA for other hosts vouches for nothing here.
            var elsewhere = run(dir, "@cert-authority *.example " + pub(ca) + "\n", good);
            assertEquals("hostkey-unknown", elsewhere.rows().get(good).get("status").asText(), elsewhere.toString());

            var unknownCa = run(dir, "@cert-authority * " + pub(otherCa) + "\n", good);
            assertEquals("hostkey-unknown", unknownCa.rows().get(good).get("status").asText(), unknownCa.toString());
            assertTrue(unknownCa.rows().get(good).get("error").asText().contains("; its host certificate is from CA " + fpCa
                    + ", which no @cert-authority line for [127.0.0.41]:" + port + " trusts"), unknownCa.toString());

            var revokedKey = run(dir, "@cert-authority * " + pub(ca) + "\n@revoked * " + Files.readString(Path.of(hostKey + ".pub")), good);
            assertEquals("hostkey-revoked", revokedKey.rows().get(good).get("status").asText(), revokedKey.toString());
            assertTrue(revokedKey.rows().get(good).get("error").asText().startsWith("REVOKED HOST KEY for [127.0.0.41]:" + port
                    + ": the server offered ssh-ed25519 " + fpHost + " (in a host certificate)"), revokedKey.toString());

            var revokedCa = run(dir, "@cert-authority * " + pub(ca) + "\n@revoked * " + pub(ca) + "\n", good);
            assertEquals("hostkey-revoked", revokedCa.rows().get(good).get("status").asText(), revokedCa.toString());
            assertTrue(revokedCa.rows().get(good).get("error").asText().startsWith("REVOKED CA for [127.0.0.41]:" + port), revokedCa.toString());
        }
    }

    /** An RSA host key's certificate is negotiated with SHA-2 (rsa-sha2-512-cert-v01, which sshj itself lacks) and trusted. */
    @Test void anRsaHostCertificateIsTrustedWithSha2() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("rsa-host-ca"));
        Path ca = keygen(dir, "host-ca", "ed25519");
        Path hostKey = Sshd.newHostKey("rsa");
        Files.copy(Path.of(hostKey + ".pub"), dir.resolve("rsa.pub"));
        Proc.sh("cd " + dir + " && ssh-keygen -q -s host-ca -h -I rsa-host -n 127.0.0.44 -V -5m:+1h rsa.pub");
        String addr = "127.0.0.44:" + Proc.freePort();
        try (Sshd sshd = Sshd.fleet(null, List.of(addr), hostKey, "HostCertificate " + dir.resolve("rsa-cert.pub"))) {
            var r = run(dir, "@cert-authority * " + pub(ca) + "\n", addr);
            assertEquals(0, r.exit(), r.toString());
            assertEquals("rsa-sha2-512-cert-v01@openssh.com", r.rows().get(addr).get("ssh").get("hostkey").asText(), r.toString());
        }
    }

    /** fanout with only {@code knownHosts} as known_hosts and the test's client key, against {@code hosts}. */
    private ScriptRun.Result run(Path dir, String knownHosts, String hosts) throws IOException {
        Path kh = Files.createTempFile(dir, "known_hosts", "");
        Files.writeString(kh, knownHosts);
        return fanout(emptyHome("home"), null, "-F", "none", "--known-hosts", kh.toString(), "-i", Sshd.clientKey().toString(),
                "--format", "json", "-H", hosts, "--", "true");
    }

    static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
