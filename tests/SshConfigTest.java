import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cli.InputError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ssh.SshConfig;

/** The ~/.ssh/config subset fanout reads, checked against what ssh(1) itself resolves (ssh -G). */
class SshConfigTest {
    @TempDir Path tmp;
    final List<String> warnings = new ArrayList<>();

    SshConfig load(String... lines) throws Exception {
        Path f = tmp.resolve("config");
        Files.writeString(f, String.join("\n", lines) + "\n");
        return SshConfig.load(f, warnings::add);
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
        String home = System.getProperty("user.home");
        var db = c.lookup("db-primary", null);
        assertEquals("db-primary.internal.example", db.hostName());
        assertEquals(2200, db.port());
        assertEquals("dba", db.user());
        assertEquals(List.of(home + "/.ssh/db_key", home + "/.ssh/id_dba"), db.identityFiles());
        var bastion = c.lookup("db-bastion", null);
        assertEquals("10.0.0.9", bastion.hostName(), "negated pattern skips the db-* block");
        assertEquals(22, bastion.port());
        assertEquals("ops", bastion.user());
        var web = c.lookup("web7", "deploy");
        assertEquals(List.of(home + "/.ssh/id_deploy"), web.identityFiles(), "%r is the user actually used");
        var other = c.lookup("web10", null);
        assertNull(other.hostName(), "? matches exactly one character");
    }

    @Test void agreesWithSshDashG() throws Exception {
        Prereq.requireExecutable("/usr/bin/ssh", "openssh-client");
        SshConfig c = load(OPERATOR_CONFIG);
        Path f = tmp.resolve("config");
        for (String host : List.of("db-primary", "db-bastion", "web7", "elsewhere")) {
            String g = Proc.sh("ssh -G -F " + f + " " + host);
            var s = c.lookup(host, null);
            assertTrue(g.contains("\nhostname " + (s.hostName() == null ? host : s.hostName()).toLowerCase() + "\n"), host + ":\n" + g);
            assertTrue(g.contains("\nport " + (s.port() == null ? 22 : s.port()) + "\n"), host + ":\n" + g);
            assertTrue(g.startsWith("user " + s.user() + "\n") || g.contains("\nuser " + s.user() + "\n"), host + ":\n" + g);
        }
    }

    @Test void includeMatchAndProxyJump() throws Exception {
        Path d = tmp.resolve("conf.d");
        Files.createDirectories(d);
        Files.writeString(d.resolve("10-web.conf"), "Host web*\n  Port 2201\n");
        SshConfig c = load("Include " + d + "/*.conf", "Match host foo", "  Port 9", "Host jump-*", "  ProxyJump bastion", "Host *", "  Port 22");
        assertEquals(2201, c.lookup("web1", null).port());
        assertEquals(22, c.lookup("foo", null).port(), "Match block skipped");
        assertTrue(warnings.get(0).contains(":2: Match blocks are not supported"), warnings.toString());
        assertTrue(c.lookup("jump-1", null).unsupported().contains("ProxyJump (bastion)"));
        assertNull(c.lookup("web1", null).unsupported());
    }

    @Test void badLinesNameFileAndLine() {
        var e = assertThrows(InputError.class, () -> load("Host a", "  Port twenty"));
        assertEquals(tmp.resolve("config") + ":2: bad Port 'twenty' (expected 1-65535)", e.getMessage());
        e = assertThrows(InputError.class, () -> load("Host a", "  HostName \"unterminated"));
        assertTrue(e.getMessage().startsWith(tmp.resolve("config") + ":2: unterminated quote"), e.getMessage());
        e = assertThrows(InputError.class, () -> load("Host a", "  Port"));
        assertTrue(e.getMessage().contains(":2:"), e.getMessage());
    }
}
