import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cli.InputError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ssh.Algorithms;
import ssh.HostConfig;
import ssh.SshConfig;

/**
 * ssh_config as ssh reads it: every resolution is compared, option by option, with what the
 * installed ssh(1) prints for the same config and host (`ssh -G -F CONFIG [-l USER] [-p PORT]
 * HOST`, which resolves and prints but never connects). Java and ssh both take the home directory
 * from the password database, so ~ means the same to both.
 */
class SshConfigTest {
    @TempDir Path tmp;
    final List<String> warnings = new ArrayList<>();
    static final String HOME = System.getProperty("user.home");
    static final String ME = System.getProperty("user.name");

    Path write(String name, String... lines) throws Exception {
        Path f = tmp.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    SshConfig load(String... lines) throws Exception {
        return SshConfig.load(write("config", lines), warnings::add);
    }

    static final String[] OPERATOR_CONFIG = {
        "# global defaults come first in the file but lose to earlier matches below",
        "Host db-* !db-bastion",
        "    HostName %h.internal.example",
        "    Port 2200",
        "    User=dba",
        "    IdentityFile ~/.ssh/db_key",
        "Host db-bastion web?",
        "    \"HostName\" \"10.0.0.9\"",
        "Host *",
        "    User ops",
        "    Port 22",
        "    IdentityFile %d/.ssh/id_%r",
    };

    @Test void firstValueWinsPatternsNegationAndTokens() throws Exception {
        SshConfig c = load(OPERATOR_CONFIG);
        HostConfig db = c.resolve("db-primary", null, null);
        assertEquals("db-primary.internal.example", db.hostName());
        assertEquals(2200, db.port());
        assertEquals("dba", db.user());
        assertEquals(List.of(HOME + "/.ssh/db_key", HOME + "/.ssh/id_dba"), db.identityFiles());
        HostConfig bastion = c.resolve("db-bastion", null, null);
        assertEquals("10.0.0.9", bastion.hostName(), "negated pattern skips the db-* block");
        assertEquals(22, bastion.port());
        assertEquals("ops", bastion.user());
        assertEquals(List.of(HOME + "/.ssh/id_deploy"), c.resolve("web7", "deploy", null).identityFiles(), "%r is the user actually used");
        assertEquals("web10", c.resolve("web10", null, null).hostName(), "? matches exactly one character");
        HostConfig none = SshConfig.none().resolve("Plain", null, null);
        assertEquals("plain", none.hostName());
        assertEquals(List.of(HOME + "/.ssh/known_hosts", HOME + "/.ssh/known_hosts2"), none.userKnownHostsFiles());
        assertEquals(HostConfig.StrictHostKeyChecking.ASK, none.strictHostKeyChecking());
        assertNull(none.connectTimeout());
        assertEquals(Algorithms.Kind.KEX.defaults, none.kexAlgorithms());
    }

    // ---- the same answers as ssh -G ------------------------------------------------------------

    @Test void operatorConfigAgreesWithSsh() throws Exception {
        Path f = write("config", OPERATOR_CONFIG);
        for (String host : List.of("db-primary", "db-bastion", "web7", "web10", "elsewhere")) {
            agrees(f, host, null, null);
            agrees(f, host, "deploy", 2022);
        }
    }

    @Test void matchBlocksAgreeWithSsh() throws Exception {
        Path f = write("config",
                "Match originalhost DB-* user !root,admin*",
                "  Port 5432",
                "Host db-*",
                "  HostName %h.db.internal",
                "Match host *.db.internal !user backup",
                "  User postgres",
                "Match host *.db.internal",
                "  ServerAliveInterval 1m",
                "  ServerAliveCountMax=5",
                "Match exec \"test %h = web1.example || test %n = exec-yes\" localuser " + ME,
                "  ConnectTimeout 7",
                "Match !exec \"exit 0\"",
                "  ConnectTimeout 99",
                "Match localuser nobody-here",
                "  Port 1",
                "Host web1",
                "  HostName web1.example",
                "Match all",
                "  IdentitiesOnly yes",
                "  StrictHostKeyChecking accept-new");
        for (String host : List.of("db-1", "DB-2", "web1", "exec-yes", "other")) {
            agrees(f, host, null, null);
            agrees(f, host, "admin7", null);
            agrees(f, host, "backup", 2200);
        }
        HostConfig db = SshConfig.load(f, warnings::add).resolve("db-1", null, null);
        assertEquals("postgres", db.user(), "Match host sees the HostName set above it");
        assertEquals(Duration.ofMinutes(1), db.serverAliveInterval());
        assertEquals(Duration.ofSeconds(7), SshConfig.load(f, warnings::add).resolve("exec-yes", null, null).connectTimeout(), "Match exec ran");
    }

    @Test void finalPassAgreesWithSsh() throws Exception {
        Path f = write("config",
                "Host short",
                "  HostName long.example",
                "Match final host long.example",
                "  Port 2022",
                "Host long.example",
                "  User via-hostname",
                "Match canonical",
                "  ConnectTimeout 5",
                "Match !final",
                "  IdentityFile ~/.ssh/first_pass_only",
                "Host *",
                "  IdentityFile ~/.ssh/every_pass",                // read in both passes, listed once (as ssh)
                "  CertificateFile ~/.ssh/every_pass-cert.pub");
        agrees(f, "short", null, null);
        agrees(f, "long.example", null, null);
        agrees(f, "unrelated", "x", null);
        HostConfig h = SshConfig.load(f, warnings::add).resolve("short", null, null);
        assertEquals("via-hostname", h.user(), "the final pass compares Host lines with the HostName");
        assertEquals(2022, h.port());
    }

    @Test void includeWithGlobsInsideBlocksAgreesWithSsh() throws Exception {
        write("conf.d/10-web.conf", "Host web*", "  Port 2201", "  User www");
        write("conf.d/20-all.conf", "Port 2299", "UserKnownHostsFile /etc/ssh/kh-from-include");
        write("conf.d/README", "this is not included: Bad Line That Would Fail");
        write("db/inner.conf", "Port 6000", "Host *-replica", "  User reader", "Host *", "  ServerAliveCountMax 9");
        Path f = write("config",
                "Include " + tmp.resolve("conf.d") + "/*.conf",
                "Host db*",
                "  Include " + tmp.resolve("d?") + "/inner.conf",
                "  HostName db.internal",
                "Host *",
                "  User fallback");
        for (String host : List.of("web1", "db-main", "db-replica", "other")) agrees(f, host, null, null);
        HostConfig db = SshConfig.load(f, warnings::add).resolve("db-main", null, null);
        assertEquals(2299, db.port(), "conf.d/20-all.conf comes first (sorted), and applies to every host");
        assertEquals(9, db.serverAliveCountMax(), "a Host line inside an included file: the rest of that file");
        assertEquals("db.internal", db.hostName(), "after the Include, back in the outer Host block");
    }

    /**
     * Include without an absolute path is relative to ~/.ssh. ssh takes ~ from the password
     * database, so it runs in a private mount namespace with a scratch directory bind-mounted over
     * the real home; our side reads the same scratch home through user.home.
     */
    @Test void includeRelativeToDotSshAgreesWithSsh() throws Exception {
        Prereq.requireRoot();
        Prereq.requireExecutable("/usr/bin/unshare", "util-linux");
        Path home = Files.createDirectories(tmp.resolve("home"));
        write("home/.ssh/conf.d/web.conf", "Host web*", "  Port 2201", "  User www");
        write("home/.ssh/conf.d/skip.txt", "Port 1");
        write("home/.ssh/common", "Host *", "  ServerAliveCountMax 4", "  UserKnownHostsFile ~/.ssh/fleet_hosts");
        Path f = write("config", "Include conf.d/*.conf", "Host db*", "  Include ~/.ssh/common", "Host *", "  Port 22");
        for (String host : List.of("web1", "db1", "other")) {
            List<String> cmd = List.of("unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                    "mount --bind \"$0\" \"$1\" && exec ssh -G -F \"$2\" \"$3\"", home.toString(), HOME, f.toString(), host);
            var r = Proc.run(cmd, Duration.ofSeconds(30));
            assertEquals(0, r.exit(), r.toString());
            String old = System.getProperty("user.home");
            HostConfig h;
            System.setProperty("user.home", home.toString());
            try {
                h = SshConfig.load(f, warnings::add).resolve(host, null, null);
            } finally {
                System.setProperty("user.home", old);
            }
            String g = "\n" + r.out();
            assertTrue(g.contains("\nport " + h.port() + "\n"), host + ": port " + h.port() + " but ssh -G says\n" + r);
            assertTrue(g.contains("\nuser " + h.user() + "\n"), host + ": user " + h.user() + "\n" + r.out());
            assertTrue(g.contains("\nserveralivecountmax " + h.serverAliveCountMax() + "\n"), host + "\n" + r.out());
            String files = String.join(" ", h.userKnownHostsFiles()).replace(home.toString(), HOME);
            assertTrue(g.contains("\nuserknownhostsfile " + files + "\n"), host + ": " + files + "\n" + r.out());
        }
        System.setProperty("user.home", home.toString());
        try {
            assertEquals(2201, SshConfig.load(f, warnings::add).resolve("web1", null, null).port(), "conf.d/web.conf found under ~/.ssh");
            assertEquals(4, SshConfig.load(f, warnings::add).resolve("db1", null, null).serverAliveCountMax());
        } finally {
            System.setProperty("user.home", HOME);
        }
    }

    @Test void quotesEqualsAndCommentsAgreeWithSsh() throws Exception {
        Path f = write("config",
                "Host \"quoted host\" q1",
                "  HostName = \"q.example\"   # comment after a value",
                "  User='single'",
                "  IdentityFile \"~/.ssh/with space\"",
                "  IdentityFile ~/.ssh/second\\ key",
                "Host q*",
                "\tPort\t=\t2345",
                "  ProxyCommand ssh -W %h:%p \"jump host\"",
                "Host jump?",
                "  ProxyJump admin@bastion1:2222,bastion2",
                "  ProxyCommand ignored-because-ProxyJump-came-first",
                "Host *",
                "  CertificateFile ~/.ssh/%r-cert.pub",
                "  IdentityAgent ~/.ssh/agent-%h.sock");
        for (String host : List.of("q1", "quoted", "jump1", "plain")) agrees(f, host, null, null);
    }

    @Test void algorithmListsAgreeWithSsh() throws Exception {
        Path f = write("config",
                "Host legacy",
                "  KexAlgorithms +diffie-hellman-group1-sha1,diffie-hellman-group14-sha1",
                "  HostKeyAlgorithms +ssh-rsa",
                "  Ciphers +aes128-cbc",
                "  MACs +hmac-md5",
                "Host strict",
                "  KexAlgorithms -*-sha1,ecdh-sha2-*",
                "  HostKeyAlgorithms -*-cert-v01@openssh.com,sk-*",
                "  Ciphers -chacha20-poly1305@openssh.com",
                "  MACs -umac-*,*-sha1*",
                "Host first",
                "  KexAlgorithms ^diffie-hellman-group14-sha1",
                "  Ciphers ^aes256-gcm@openssh.com",
                "  HostKeyAlgorithms ^ssh-rsa",
                "  MACs ^hmac-sha2-512",
                "Host explicit",
                "  KexAlgorithms curve25519-sha256,diffie-hellman-group-exchange-sha256",
                "  HostKeyAlgorithms ecdsa-*,ssh-ed25519",
                "  Ciphers aes256-ctr,aes128-ctr",
                "  MACs hmac-sha2-256-etm@openssh.com,hmac-sha2-256",
                "Host *",
                "  KexAlgorithms curve25519-sha256");
        for (String host : List.of("legacy", "strict", "first", "explicit", "default")) agrees(f, host, null, null);
        HostConfig legacy = SshConfig.load(f, warnings::add).resolve("legacy", null, null);
        assertEquals("diffie-hellman-group1-sha1", legacy.kexAlgorithms().get(legacy.kexAlgorithms().size() - 2), "+ appends");
    }

    @Test void knownHostsFilesTokensAndHostKeyAliasAgreeWithSsh() throws Exception {
        Path f = write("config",
                "Host web*",
                "  HostName %h.example.org",
                "  HostKeyAlias Web-Pool",
                "  UserKnownHostsFile ~/.ssh/kh_%k %d/.ssh/kh_%h_%p_%r %d/kh-%n-%u-%l-%L-%i \"/tmp/quoted/%C\" ${HOME}/.ssh/env",
                "  GlobalKnownHostsFile /etc/ssh/fleet_known_hosts",
                "  StrictHostKeyChecking yes",
                "Host db*",
                "  UserKnownHostsFile none",
                "  StrictHostKeyChecking off",
                "  ConnectTimeout none",
                "Host *",
                "  StrictHostKeyChecking no",
                "  ConnectTimeout 1m30s",
                "  UserKnownHostsFile ~/.ssh/known_hosts_%r");
        for (String host : List.of("web1", "db1", "other")) {
            agrees(f, host, null, null);
            agrees(f, host, "svc", 2222);
        }
        HostConfig web = SshConfig.load(f, warnings::add).resolve("web1", null, null);
        assertEquals("web-pool", web.hostKeyAlias(), "ssh lower-cases the alias, as it looks it up");
        assertEquals(HOME + "/.ssh/kh_web-pool", web.userKnownHostsFiles().get(0));
        assertEquals(Duration.ofSeconds(90), SshConfig.load(f, warnings::add).resolve("x", null, null).connectTimeout());
    }

    @Test void opensshDefaultsAreTheInstalledClients() {
        requireSsh();
        Map<String, List<String>> g = sshG(List.of("-F", "none", "anyhost"));
        assertEquals(Algorithms.Kind.KEX.defaults, commas(g, "kexalgorithms"));
        assertEquals(Algorithms.Kind.HOST_KEY.defaults, commas(g, "hostkeyalgorithms"));
        assertEquals(Algorithms.Kind.CIPHER.defaults, commas(g, "ciphers"));
        assertEquals(Algorithms.Kind.MAC.defaults, commas(g, "macs"));
        assertEquals(Algorithms.Kind.KEX.all, List.of(Proc.sh("ssh -Q kex").trim().split("\n")));
        assertEquals(Algorithms.Kind.HOST_KEY.all, List.of(Proc.sh("ssh -Q HostKeyAlgorithms").trim().split("\n")));
        assertEquals(Algorithms.Kind.CIPHER.all, List.of(Proc.sh("ssh -Q cipher").trim().split("\n")));
        assertEquals(Algorithms.Kind.MAC.all, List.of(Proc.sh("ssh -Q mac").trim().split("\n")));
    }

    /** sshj's cipher check is cut to OpenSSH's ciphers (SshjConfigs.Catalogue): every one of them is still offered. */
    @Test void sshjOffersEveryCipherOpensshHas() {
        assertEquals(new java.util.TreeSet<>(Algorithms.Kind.CIPHER.all), new java.util.TreeSet<>(ssh.SshjConfigs.implemented(Algorithms.Kind.CIPHER)));
    }

    // ---- bad input -----------------------------------------------------------------------------

    @Test void badValuesNameFileAndLine() throws Exception {
        String cfg = tmp.resolve("config").toString();
        String[][] cases = {
            {":2: bad Port 'twenty' (expected 1-65535)", "Host a", "  Port twenty"},
            {":2: unterminated quote", "Host a", "  HostName \"unterminated"},
            {":2: no argument after keyword \"Port\"", "Host a", "  Port"},
            {":3: bad StrictHostKeyChecking 'maybe'", "Host a", "  User x", "  StrictHostKeyChecking maybe"},
            {":1: bad ConnectTimeout '10x'", "ConnectTimeout 10x"},
            {":1: bad IdentitiesOnly 'sure'", "IdentitiesOnly sure"},
            {":1: bad ServerAliveCountMax '-1'", "ServerAliveCountMax -1"},
            {":2: Bad KexAlgorithms '+diffie-hellman-group99-sha1': 'diffie-hellman-group99-sha1' is not an algorithm OpenSSH knows",
                "Host legacy", "  KexAlgorithms +diffie-hellman-group99-sha1"},
            {":1: Ciphers '-*' leaves no algorithm", "Ciphers -*"},
            {":1: Bad KexAlgorithms 'curve25519-*': 'curve25519-*': patterns are allowed only in a -list", "KexAlgorithms curve25519-*"},
            {":1: Port takes one value, got 2 (22 23)", "Port 22 23"},
            {":1: unsupported Match attribute 'tagged'", "Match tagged x"},
            {":1: Match host needs an argument", "Match host"},
            {":1: bad ProxyJump 'user@:22'", "ProxyJump user@:22"},
        };
        for (String[] c : cases) {
            String[] lines = java.util.Arrays.copyOfRange(c, 1, c.length);
            var e = assertThrows(InputError.class, () -> load(lines), String.join(" / ", lines));
            assertTrue(e.getMessage().startsWith(cfg + c[0]), e.getMessage());
        }
        // Tokens are expanded when a host is resolved: the error still names the line.
        SshConfig tokens = load("Host a", "  UserKnownHostsFile ~/.ssh/kh_%Z");
        var e = assertThrows(InputError.class, () -> tokens.resolve("a", null, null));
        assertEquals(cfg + ":2: unknown token %Z in '~/.ssh/kh_%Z'", e.getMessage());
        assertEquals("b", tokens.resolve("b", null, null).hostName(), "a block that does not apply is not expanded");
    }

    @Test void unknownKeywordsAreIgnoredAndCanonicalizationIsAWarning() throws Exception {
        SshConfig c = load("Host a", "  ForwardAgent yes", "  SendEnv LANG LC_*", "  CanonicalizeHostname yes", "  Port 2");
        assertEquals(2, c.resolve("a", null, null).port());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains(":4: CanonicalizeHostname is not supported by ops"), warnings.toString());
    }

    // ---- the comparison ------------------------------------------------------------------------

    static void requireSsh() { Prereq.requireExecutable("/usr/bin/ssh", "openssh-client"); }

    /** ssh -G's options, keyword -> values (several for identityfile and certificatefile). */
    static Map<String, List<String>> sshG(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("ssh", "-G"));
        cmd.addAll(args);
        var r = Proc.run(cmd, Duration.ofSeconds(30));
        assertEquals(0, r.exit(), "ssh -G failed: " + cmd + "\n" + r.err());
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String line : r.out().split("\n")) {
            int sp = line.indexOf(' ');
            if (sp > 0) out.computeIfAbsent(line.substring(0, sp), k -> new ArrayList<>()).add(line.substring(sp + 1));
        }
        return out;
    }

    static List<String> commas(Map<String, List<String>> g, String key) { return List.of(g.get(key).get(0).split(",")); }

    static String one(Map<String, List<String>> g, String key) {
        List<String> v = g.get(key);
        return v == null ? null : v.get(0);
    }

    /** Our resolution of {@code host} equals ssh -G's, keyword by keyword. */
    void agrees(Path config, String host, String user, Integer port) {
        requireSsh();
        List<String> args = new ArrayList<>(List.of("-F", config.toString()));
        if (user != null) args.addAll(List.of("-l", user));
        if (port != null) args.addAll(List.of("-p", port.toString()));
        args.add(host);
        Map<String, List<String>> g = sshG(args);
        HostConfig h = SshConfig.load(config, warnings::add).resolve(host, user, port);
        String what = "ssh -G " + String.join(" ", args) + ": ";
        assertEquals(one(g, "hostname"), h.hostName(), what + "hostname");
        assertEquals(one(g, "user"), h.user(), what + "user");
        assertEquals(one(g, "port"), String.valueOf(h.port()), what + "port");
        // ssh -G prints IdentityFile and CertificateFile before expanding them; the default list when none is set.
        List<String> ids = g.get("identityfile").stream().map(s -> expand(s, h)).toList();
        List<String> defaults = List.of("id_rsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519_sk", "id_xmss", "id_dsa")
                .stream().map(n -> HOME + "/.ssh/" + n).toList();
        assertEquals(ids.equals(defaults) ? List.of() : ids, h.identityFiles(), what + "identityfile");
        assertEquals(g.getOrDefault("certificatefile", List.of()).stream().map(s -> expand(s, h)).toList(), h.certificateFiles(), what + "certificatefile");
        assertEquals(one(g, "identitiesonly"), h.identitiesOnly() ? "yes" : "no", what + "identitiesonly");
        assertEquals(g.containsKey("identityagent") ? one(g, "identityagent") : "SSH_AUTH_SOCK", h.identityAgent(), what + "identityagent");
        assertEquals(one(g, "proxyjump"), h.proxyJump(), what + "proxyjump");
        assertEquals(one(g, "proxycommand"), h.proxyCommand(), what + "proxycommand");
        assertEquals(List.of(one(g, "userknownhostsfile").split(" ")), h.userKnownHostsFiles().isEmpty() ? List.of("none") : h.userKnownHostsFiles(),
                what + "userknownhostsfile");
        assertEquals(List.of(one(g, "globalknownhostsfile").split(" ")), h.globalKnownHostsFiles(), what + "globalknownhostsfile");
        String strict = switch (h.strictHostKeyChecking()) {
            case YES -> "true";
            case NO -> "false";
            case ASK -> "ask";
            case ACCEPT_NEW -> "accept-new";
        };
        assertEquals(one(g, "stricthostkeychecking"), strict, what + "stricthostkeychecking");
        assertEquals(one(g, "hostkeyalias"), h.hostKeyAlias(), what + "hostkeyalias");
        assertEquals(one(g, "connecttimeout"), h.connectTimeout() == null ? "none" : String.valueOf(h.connectTimeout().toSeconds()), what + "connecttimeout");
        assertEquals(one(g, "serveraliveinterval"), String.valueOf(h.serverAliveInterval().toSeconds()), what + "serveraliveinterval");
        assertEquals(one(g, "serveralivecountmax"), String.valueOf(h.serverAliveCountMax()), what + "serveralivecountmax");
        assertEquals(commas(g, "kexalgorithms"), h.kexAlgorithms(), what + "kexalgorithms");
        assertEquals(commas(g, "hostkeyalgorithms"), h.hostKeyAlgorithms(), what + "hostkeyalgorithms");
        assertEquals(commas(g, "ciphers"), h.ciphers(), what + "ciphers");
        assertEquals(commas(g, "macs"), h.macs(), what + "macs");
    }

    /** The tokens ssh expands in IdentityFile/CertificateFile after -G printed them (the ones these configs use). */
    static String expand(String s, HostConfig h) {
        if (s.startsWith("~/")) s = HOME + s.substring(1);
        return s.replace("%d", HOME).replace("%h", h.hostName()).replace("%r", h.user()).replace("%u", ME)
                .replace("%n", h.host()).replace("%p", String.valueOf(h.port())).replace("%%", "%");
    }
}
