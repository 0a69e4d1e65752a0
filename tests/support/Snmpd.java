import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A real net-snmp snmpd started by a test: its own config file (-C -c), persistent dir, log (-Lf)
 * and pidfile, in the foreground (-f) as our child, on loopback addresses (or inside a netns).
 * Users: alice (SHA-256/AES-128) and bob (SHA-1/AES-256), read-only at authPriv, and a v2c
 * community; every password is random per agent unless given. Killed on close.
 */
public final class Snmpd implements AutoCloseable {
    public record Users(String aliceAuth, String alicePriv, String bobAuth, String bobPriv, String community) {
        public static Users random() {
            return new Users(secret(), secret(), secret(), secret(), "c" + secret());
        }
        public Users withAliceAuth(String a) { return new Users(a, alicePriv, bobAuth, bobPriv, community); }
        public Users withAlicePriv(String p) { return new Users(aliceAuth, p, bobAuth, bobPriv, community); }
    }

    public static String secret() {
        byte[] b = new byte[9];
        new SecureRandom().nextBytes(b);
        return "s" + HexFormat.of().formatHex(b);
    }

    public static void require() {
        Prereq.requireExecutable("/usr/sbin/snmpd", "snmpd");
        Prereq.requireExecutable("/usr/bin/snmpbulkwalk", "snmp");
    }

    private final Process process;
    public final Path dir;
    public final List<String> listen;
    public final Users users;

    private Snmpd(Process p, Path dir, List<String> listen, Users users) {
        this.process = p;
        this.dir = dir;
        this.listen = listen;
        this.users = users;
    }

    /** Starts snmpd listening on {@code listen} ("127.0.0.1:16161", ...), in {@code netns} if not null. */
    public static Snmpd start(Path dir, String netns, List<String> listen, Users u) throws IOException {
        require();
        Files.createDirectories(dir.resolve("persist"));
        Path conf = dir.resolve("snmpd.conf");
        Files.writeString(conf, String.join("\n",
                "[snmp] persistentDir " + dir.resolve("persist"),
                "createUser alice SHA-256 " + u.aliceAuth() + " AES " + u.alicePriv(),
                "createUser bob SHA " + u.bobAuth() + " AES-256 " + u.bobPriv(),
                "rouser alice priv",
                "rouser bob priv",
                "rocommunity " + u.community() + " default",
                "sysName ops-test-agent",
                ""));
        List<String> cmd = new ArrayList<>();
        if (netns != null) cmd.addAll(List.of("ip", "netns", "exec", netns));
        cmd.addAll(List.of("/usr/sbin/snmpd", "-f", "-C", "-c", conf.toString(), "-Lf", dir.resolve("log").toString(),
                "-p", dir.resolve("pid").toString()));
        for (String l : listen) cmd.add("udp:" + l);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("MIBS", "");
        pb.environment().put("MIBDIRS", "/nonexistent");
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("stdout").toFile());
        Process p = pb.start();
        Snmpd s = new Snmpd(p, dir, listen, u);
        long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < until) {
            Path log = dir.resolve("log");
            if (Files.exists(log) && Files.readString(log).contains("NET-SNMP version")) return s;
            if (!p.isAlive()) break;
            sleep(50);
        }
        String log = Files.exists(dir.resolve("log")) ? Files.readString(dir.resolve("log")) : "(no log)";
        s.close();
        throw new AssertionError("snmpd did not start on " + listen + ":\n" + log);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** net-snmp's own client, with alice's credentials, for comparisons: output lines of `tool -On -Oq -Ot -Oe ... oids`. */
    public List<String> netSnmp(String tool, String address, String... oids) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/" + tool, "-v3", "-l", "authPriv", "-u", "alice", "-a", "SHA-256",
                "-A", users.aliceAuth(), "-x", "AES", "-X", users.alicePriv(), "-On", "-Oq", "-Ot", "-Oe", "-m", "", address));
        cmd.addAll(List.of(oids));
        var r = Proc.run(cmd, Duration.ofSeconds(30));
        if (r.exit() != 0) throw new AssertionError(tool + " failed: " + r);
        return r.out().lines().toList();
    }

    @Override public void close() {
        Proc.kill(process);
    }
}
