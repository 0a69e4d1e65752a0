import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH ssh-agent for tests: {@code ssh-agent -D -a SOCKET} as a child process, its socket
 * in a folder of its own under /tmp. Always use it in try-with-resources: {@link #close} kills the
 * agent and removes the folder, also when the test failed. The harness's leftover check looks for
 * agents still running on such a socket.
 */
public final class TestAgent implements AutoCloseable {
    public static final String PREFIX = "/tmp/ops-agent";
    public final Path socket;
    private final Path dir;
    private final Process process;

    private TestAgent(Path dir, Path socket, Process process) {
        this.dir = dir;
        this.socket = socket;
        this.process = process;
    }

    public static TestAgent start() throws IOException {
        Prereq.requireExecutable("/usr/bin/ssh-agent", "openssh-client");
        Prereq.requireExecutable("/usr/bin/ssh-add", "openssh-client");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ops-agent");
        Path socket = dir.resolve("agent.sock");
        Process p = new ProcessBuilder("/usr/bin/ssh-agent", "-D", "-a", socket.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        TestAgent a = new TestAgent(dir, socket, p);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(socket)) {
            if (!p.isAlive() || System.nanoTime() > until) {
                a.close();
                throw new AssertionError("ssh-agent did not create " + socket);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                a.close();
                throw new AssertionError("interrupted", e);
            }
        }
        return a;
    }

    /** ssh-add KEY (and KEY-cert.pub, which ssh-add adds too when it is there). */
    public void add(Path key) {
        var r = Proc.run(List.of("/usr/bin/ssh-add", key.toString()), Duration.ofSeconds(30), Map.of("SSH_AUTH_SOCK", socket.toString()), null);
        if (r.exit() != 0) throw new AssertionError("ssh-add " + key + " failed: " + r);
    }

    /** What ssh-add -l lists, one key a line ("256 SHA256:... comment (ED25519)"). */
    public String list() {
        return Proc.run(List.of("/usr/bin/ssh-add", "-l"), Duration.ofSeconds(30), Map.of("SSH_AUTH_SOCK", socket.toString()), null).out();
    }

    @Override public void close() {
        process.destroy();
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
        }
        try {
            Proc.sh("rm -rf '" + dir + "'");
        } catch (AssertionError ignored) { }
    }
}
