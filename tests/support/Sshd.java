import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH sshd for tests, on loopback addresses (optionally inside a network namespace).
 * OpenSSH listens on at most 16 addresses per daemon; {@link #fleet} starts as many daemons as
 * needed. The host key is made once per test run with ssh-keygen.
 */
public final class Sshd implements AutoCloseable {
    public static final String SSHD = "/usr/sbin/sshd";
    private static Path hostKey;
    private static Path clientKey;

    private final List<Process> daemons = new ArrayList<>();
    private final List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Path dir;
    public final List<String> addresses;   // "127.0.0.1:2222"

    private Sshd(Path dir, List<String> addresses) { this.dir = dir; this.addresses = addresses; }

    public static void require() {
        Prereq.requireExecutable(SSHD, "openssh-server");
        Prereq.requireExecutable("/usr/bin/ssh-keygen", "openssh-client");
    }

    static synchronized Path hostKey() throws IOException {
        if (hostKey == null) {
            Path d = Files.createTempDirectory("ops-sshd-key");
            Proc.sh("ssh-keygen -q -t ed25519 -N '' -f " + d.resolve("host_ed25519"));
            hostKey = d.resolve("host_ed25519");
        }
        return hostKey;
    }

    /** A client key pair (ed25519, no passphrase) that every fleet authorizes; returns the private key. */
    public static synchronized Path clientKey() throws IOException {
        if (clientKey == null) {
            Path d = Files.createTempDirectory("ops-ssh-client");
            Proc.sh("ssh-keygen -q -t ed25519 -N '' -C ops-test-client -f " + d.resolve("id_ed25519"));
            clientKey = d.resolve("id_ed25519");
        }
        return clientKey;
    }

    /** A fresh host key, for tests that need a server whose key changed. */
    public static Path newHostKey(String type) throws IOException {
        Path d = Files.createTempDirectory("ops-sshd-key");
        Proc.sh("ssh-keygen -q -t " + type + " -N '' -f " + d.resolve("host_" + type));
        return d.resolve("host_" + type);
    }

    /** The public half of the shared host key, as a known_hosts key field ("ssh-ed25519 AAAA..."). */
    public static String hostPublicKey() throws IOException {
        String[] f = Files.readString(Path.of(hostKey() + ".pub")).trim().split("\\s+");
        return f[0] + " " + f[1];
    }

    /** Writes {@code file}: a known_hosts line for each of {@code names} ("10.0.0.1", "[10.0.0.2]:2222") with the shared host key. */
    public static Path knownHosts(Path file, List<String> names) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String n : names) sb.append(n).append(' ').append(hostPublicKey()).append('\n');
        Files.writeString(file, sb);
        return file;
    }

    /** One sshd per 16 addresses ("ip:port"); {@code netns} may be null for the root namespace. */
    public static Sshd fleet(String netns, List<String> listen, String... extraConfig) throws IOException {
        return fleet(netns, listen, hostKey(), extraConfig);
    }

    /** As {@link #fleet(String, List, String...)}, with this host key instead of the shared one. */
    public static Sshd fleet(String netns, List<String> listen, Path hostKey, String... extraConfig) throws IOException {
        require();
        Files.createDirectories(Path.of("/run/sshd"));   // privilege separation directory
        Path dir = Files.createTempDirectory("ops-sshd");
        Sshd s = new Sshd(dir, List.copyOf(listen));
        Files.copy(Path.of(clientKey() + ".pub"), dir.resolve("authorized_keys"));
        // sshd reads AuthorizedKeysFile as the user logging in: other test users must be able to.
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            for (int i = 0; i < listen.size(); i += 16) {
                List<String> chunk = listen.subList(i, Math.min(listen.size(), i + 16));
                StringBuilder cfg = new StringBuilder();
                for (String a : chunk) cfg.append("ListenAddress ").append(a).append('\n');
                cfg.append("HostKey ").append(hostKey).append('\n')
                   .append("PidFile none\nUsePAM no\nLogLevel INFO\nMaxStartups 10000\nMaxSessions 100\n")
                   .append("KbdInteractiveAuthentication no\n")
                   .append("StrictModes no\nAuthorizedKeysFile ").append(dir.resolve("authorized_keys")).append('\n');
                // sshd takes the first value of a keyword: the test's own lines go first.
                StringBuilder own = new StringBuilder();
                for (String line : extraConfig) own.append(line).append('\n');
                cfg.insert(0, own);
                if (own.indexOf("PasswordAuthentication") < 0) cfg.append("PasswordAuthentication no\n");
                Path cfgFile = dir.resolve("sshd_config." + i);
                Files.writeString(cfgFile, cfg);
                List<String> cmd = new ArrayList<>();
                if (netns != null) cmd.addAll(List.of("ip", "netns", "exec", netns));
                // -r: no re-exec per connection. Same protocol and banner, but a fork instead of a
                // fork+exec, so 300 sshd targets on a 2-core test box don't eat the CPU the tool
                // under test is being timed on.
                cmd.addAll(List.of(SSHD, "-D", "-e", "-r", "-f", cfgFile.toString()));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                s.daemons.add(p);
                waitListening(p, chunk.size(), cmd, s.log);
            }
        } catch (IOException | RuntimeException | Error e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** sshd -e prints "Server listening on ADDR port N." once per address it bound. */
    private static void waitListening(Process p, int count, List<String> cmd, List<String> log) throws IOException {
        var r = new BufferedReader(new InputStreamReader(p.getInputStream()));
        List<String> seen = new ArrayList<>();
        int listening = 0;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (listening < count && System.nanoTime() < until) {
            String line = r.readLine();
            if (line == null) throw new AssertionError("sshd exited: " + String.join(" ", cmd) + "\n" + String.join("\n", seen));
            seen.add(line);
            if (line.startsWith("Server listening on")) listening++;
        }
        if (listening < count) throw new AssertionError("sshd did not start listening: " + String.join("\n", seen));
        Thread.ofVirtual().start(() -> {   // keep draining its log so it never blocks on a full pipe
            try {
                for (String line; (line = r.readLine()) != null; ) log.add(line);
            } catch (IOException ignored) { }
        });
    }

    /** The lines its daemons logged after they started listening (sshd -e: "Accepted publickey for ..."). */
    public List<String> log() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    /** How many logins the daemons accepted so far (their "Accepted ..." log lines). */
    public long logins() { return log().stream().filter(l -> l.startsWith("Accepted ")).count(); }

    /** The processes serving this fleet's connections now (each login's sshd and what it runs). */
    public List<ProcessHandle> sessions() {
        return daemons.stream().flatMap(Process::descendants).toList();
    }

    /** The authorized_keys file every daemon of this fleet reads (holds {@link #clientKey()}'s public key). */
    public Path authorizedKeys() { return dir.resolve("authorized_keys"); }

    @Override public void close() {
        for (Process p : daemons) {
            p.destroy();
            try {
                if (!p.waitFor(3, TimeUnit.SECONDS)) p.destroyForcibly();
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
        try {
            Proc.sh("rm -rf '" + dir + "'");
        } catch (AssertionError ignored) { }
    }
}
