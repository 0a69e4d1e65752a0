import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Real processes for tests: run to completion with a timeout, capture output and exit code. */
public final class Proc {
    private Proc() {}

    public static final Path REPO = findRepo();

    private static Path findRepo() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !p.resolve("jbang-catalog.json").toFile().isFile()) p = p.getParent();
        if (p == null) throw new IllegalStateException("run the tests from inside the ops checkout");
        return p;
    }

    /** The java binary and classpath of this JVM: runs a script's main as a separate process. */
    public static List<String> javaCommand(String mainClass, String... jvmArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.addAll(List.of(jvmArgs));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        return cmd;
    }

    /** The deps probe and fanout run on: the harness's classpath also carries every other script's (kafka-clients, bcrypt, PKIX, SNMP4J, dnsjava ...). */
    private static final java.util.regex.Pattern PROBE_AND_FANOUT_JARS = java.util.regex.Pattern.compile(
            "/repository/(org/junit|org/opentest4j|org/apiguardian|com/hierynomus|org/slf4j|org/bouncycastle/bcprov|info/picocli"
            + "|com/fasterxml/jackson/core|com/fasterxml/jackson/dataformat/jackson-dataformat-yaml|org/yaml|io/prometheus"
            + "|com/github/oshi|net/java/dev/jna)/");

    /**
     * {@link #javaCommand} with only the jars probe and fanout use (and the harness's own jar), for tests
     * that run them under a low {@code ulimit -n}: a JVM holds a descriptor per jar, and through ./jbang a
     * script carries only its own deps.
     */
    public static List<String> leanJavaCommand(String mainClass, String... jvmArgs) {
        List<String> cmd = javaCommand(mainClass, jvmArgs);
        int cp = cmd.indexOf("-cp") + 1;
        cmd.set(cp, java.util.Arrays.stream(cmd.get(cp).split(java.io.File.pathSeparator))
                .filter(e -> !e.contains("/repository/") || PROBE_AND_FANOUT_JARS.matcher(e).find())
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator)));
        return cmd;
    }

    public static ScriptRun.Result run(List<String> cmd, Duration timeout) {
        return run(cmd, timeout, Map.of(), null);
    }

    public static ScriptRun.Result run(List<String> cmd, Duration timeout, Map<String, String> env, String stdin) {
        return run(cmd, timeout, env, stdin, REPO);
    }

    /** Kills {@code p} and every process it started (SIGKILL), and waits for {@code p} to be gone. */
    public static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** As above, in directory {@code dir}; an env value of null removes that variable. */
    public static ScriptRun.Result run(List<String> cmd, Duration timeout, Map<String, String> env, String stdin, Path dir) {
        try {
            File outF = File.createTempFile("ops-test-out", ".txt");
            File errF = File.createTempFile("ops-test-err", ".txt");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                        .redirectOutput(outF).redirectError(errF);
                env.forEach((k, v) -> { if (v == null) pb.environment().remove(k); else pb.environment().put(k, v); });
                if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                Process p = pb.start();
                if (stdin != null) {
                    try (var in = p.getOutputStream()) { in.write(stdin.getBytes(StandardCharsets.UTF_8)); }
                }
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    kill(p);
                    throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", cmd)
                            + "\nstderr so far:\n" + java.nio.file.Files.readString(errF.toPath()));
                }
                return new ScriptRun.Result(p.exitValue(),
                        java.nio.file.Files.readString(outF.toPath()), java.nio.file.Files.readString(errF.toPath()));
            } finally {
                outF.delete();
                errF.delete();
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** A TCP port on 127.0.0.1 that nothing listens on right now. */
    public static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** Runs a shell command and fails the test if it fails. */
    public static String sh(String command) {
        var r = run(List.of("bash", "-c", command), Duration.ofSeconds(60));
        if (r.exit() != 0) throw new AssertionError("command failed (" + r.exit() + "): " + command + "\n" + r.err() + r.out());
        return r.out();
    }
}
