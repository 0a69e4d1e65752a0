import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The front door: `./jbang NAME@ops` as a user runs it, in copies of this checkout ("clones": the
 * files git knows, as they are in the working tree). Each runs its own code whatever other clones,
 * HOME, JBANG_DIR or a jbang on PATH say; a new unix account runs the example from a fresh clone;
 * without a JDK 21+ and offline one line says what to install; an exported bundle runs with no
 * Java, JBang or network at all. JBang's state goes to a JBANG_DIR made here, removed at the end.
 */
class LauncherTest {
    static Path scratch, jbangDir;

    @BeforeAll static void scratch() throws IOException {
        scratch = Files.createTempDirectory("ops-launcher-test");
        Files.setPosixFilePermissions(scratch, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        jbangDir = Files.createDirectories(scratch.resolve("jbang-dir"));
    }

    @AfterAll static void clean() {
        Proc.sh("rm -rf '" + scratch + "'");
    }

    /** A copy of this checkout: every file git tracks or would track, as it is now. */
    static Path cloneAs(String name) throws IOException {
        Path to = scratch.resolve(name);
        for (String f : Proc.sh("git -C '" + Proc.REPO + "' ls-files -co --exclude-standard").split("\n")) {
            Path src = Proc.REPO.resolve(f);
            if (f.isBlank() || !Files.isRegularFile(src)) continue;
            Files.createDirectories(to.resolve(f).getParent());
            Files.copy(src, to.resolve(f), StandardCopyOption.COPY_ATTRIBUTES);
        }
        return to;
    }

    static ScriptRun.Result jbang(Path clone, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of("./jbang"));
        cmd.addAll(List.of(args));
        Map<String, String> e = new HashMap<>(Map.of("JBANG_DIR", jbangDir.toString()));
        e.putAll(env);
        return Proc.run(cmd, Duration.ofMinutes(5), e, null, clone);
    }

    /** stderr without JBang's own first-build lines. */
    static String ours(String err) {
        return err.lines().filter(l -> !l.startsWith("[jbang]")).collect(java.util.stream.Collectors.joining("\n"));
    }

    static void setVersion(Path clone, String version) throws IOException {
        Path probe = clone.resolve("scripts/probe.java");
        Files.writeString(probe, Files.readString(probe).replaceFirst("version = \"probe \\(ops\\) [^\"]*\"", "version = \"probe (ops) " + version + "\""));
    }

    @Test void eachCloneRunsItsOwnCodeWhateverTheOthersAndJbangSay() throws Exception {
        Path a = cloneAs("clone-a"), b = cloneAs("clone-b");
        setVersion(a, "0.1-a");
        setVersion(b, "0.1-b");
        // What the old launcher did on first use: clone A registered globally as `ops` (in a JBANG_DIR of this test's own).
        String registered = Files.createDirectories(scratch.resolve("jbang-dir-registered")).toString();
        assertEquals(0, jbang(a, Map.of("JBANG_DIR", registered), "catalog", "add", "--global", "--name", "ops", a.resolve("jbang-catalog.json").toString()).exit());
        // A user's own `jbang` on PATH, with its own idea of `ops`, is not asked.
        Path fakeBin = Files.createDirectories(scratch.resolve("fake-bin"));
        Files.writeString(fakeBin.resolve("jbang"), "#!/bin/sh\necho 'the wrong jbang' >&2; exit 99\n");
        fakeBin.resolve("jbang").toFile().setExecutable(true);
        Map<String, String> path = Map.of("PATH", fakeBin + ":" + System.getenv("PATH"), "JBANG_DIR", registered);

        var rb = jbang(b, path, "probe@ops", "--version");
        assertEquals(0, rb.exit(), rb.toString());
        assertEquals("probe (ops) 0.1-b\n", rb.out());
        var ra = jbang(a, path, "probe@ops", "--version");
        assertEquals("probe (ops) 0.1-a\n", ra.out(), ra.toString());

        // An edit is picked up at once (the cached command line is keyed by every file's stat).
        setVersion(b, "0.2-b");
        assertEquals("probe (ops) 0.2-b\n", jbang(b, path, "probe@ops", "--version").out());

        // Clone A deleted: B still runs, warm and cold, and says what is wrong with the registration.
        Proc.sh("rm -rf '" + a + "'");
        var warm = jbang(b, path, "probe@ops", "--version");
        assertEquals("probe (ops) 0.2-b\n", warm.out(), warm.toString());
        var cold = jbang(b, Map.of("PATH", path.get("PATH"), "JBANG_DIR", registered, "OPS_NO_EXEC_CACHE", "1"), "probe@ops", "-H", "127.0.0.1:1", "--format", "json");
        assertEquals(1, cold.exit(), cold.toString());
        assertEquals("refused", cold.json().get("results").get(0).get("status").asText());
        assertFalse(cold.err().contains("NullPointerException") || cold.err().contains("ResourceRef"), cold.err());
        assertTrue(cold.err().contains("JBang's global catalog 'ops' points to " + a.resolve("jbang-catalog.json") + ", which is gone")
                && cold.err().contains("jbang catalog add --global --force --name ops " + b.resolve("jbang-catalog.json")), cold.err());
    }

    @Test void homePointingAtAnEmptyDirectoryWorks() throws Exception {
        Path c = cloneAs("clone-home");
        Path home = Files.createDirectories(scratch.resolve("empty-home"));
        var r = jbang(c, Map.of("HOME", home.toString()), "probe@ops", "-H", "127.0.0.1:1", "--format", "json");
        assertEquals(1, r.exit(), r.toString());
        assertEquals("refused", r.json().get("results").get(0).get("status").asText(), r.toString());
    }

    /** `./scripts/probe.java` and a symlink to it run with no jbang on PATH (and never a wrong one that is). */
    @Test void aScriptRunsDirectlyAndThroughASymlink() throws Exception {
        Path fakeBin = Files.createDirectories(scratch.resolve("fake-bin-direct"));
        Files.writeString(fakeBin.resolve("jbang"), "#!/bin/sh\necho 'the wrong jbang' >&2; exit 99\n");
        fakeBin.resolve("jbang").toFile().setExecutable(true);
        Path link = scratch.resolve("probe-link");
        Files.createSymbolicLink(link, Proc.REPO.resolve("scripts/probe.java"));
        for (String path : List.of("/usr/bin:/bin", fakeBin + ":/usr/bin:/bin")) {
            for (String script : List.of("./scripts/probe.java", link.toString())) {
                var r = Proc.run(List.of(script, "-H", "127.0.0.1:1", "--format", "json"), Duration.ofMinutes(3),
                        Map.of("PATH", path), null, Proc.REPO);
                assertEquals(1, r.exit(), script + " with PATH=" + path + ": " + r);
                assertEquals("refused", r.json().get("results").get(0).get("status").asText(), r.toString());
            }
        }
    }

    @Test void anUnknownScriptIsOneLineWithTheNearestName() throws Exception {
        var r = jbang(Proc.REPO, Map.of(), "prbe@ops", "-H", "x");
        assertEquals(2, r.exit(), r.toString());
        assertEquals("jbang (ops launcher): no script 'prbe' in this checkout's catalog; did you mean 'probe@ops'? "
                + "(there are: probe fanout rollout sysinfo httpcheck dnscheck inspect logship exporter snmp netconf cleanup alertrelay ops)\n", r.err());
    }

    /** A unix account made for this test (not root, empty home), removed with its home afterwards. */
    @Test void aBrandNewAccountRunsTheExampleFromAFreshClone() throws Exception {
        Prereq.requireRoot();
        String user = "opsl" + Long.toString(ProcessHandle.current().pid(), 36);
        Proc.sh("userdel -r " + user + " >/dev/null 2>&1; true");
        Path home = scratch.resolve("home-" + user);
        try {
            Proc.sh("useradd -M -d '" + home + "' -s /bin/sh " + user + " && mkdir -p '" + home + "' && chown " + user + " '" + home + "'");
            Path c = cloneAs("clone-" + user);
            Proc.sh("chown -R " + user + " '" + c + "'");
            var r = Proc.run(List.of("runuser", "-u", user, "--", "env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + home,
                    "./jbang", "probe@ops", "--timeout", "1s", "examples/hosts.txt"), Duration.ofMinutes(8), Map.of(), null, c);
            assertTrue(r.exit() == 0 || r.exit() == 1, r.toString());
            assertTrue(r.out().contains("\nprobe: 5 targets, "), r.toString());
        } finally {
            Proc.sh("pkill -u " + user + " >/dev/null 2>&1; userdel -r " + user + " >/dev/null 2>&1; rm -rf '" + home + "'; true");
        }
        assertFalse(Proc.sh("getent passwd " + user + " || true").contains(user), "the account is gone");
    }

    /** No JDK 21+ (Temurin hidden by a mount namespace) and no network (a fresh netns): one line, exit 3. */
    @Test void withoutAJdk21AndOfflineOneLineSaysWhatToInstall() throws Exception {
        Path jdk17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
        Prereq.require(Files.isExecutable(jdk17.resolve("bin/java")), jdk17 + " (the machine's default Java 17)");
        Path c = cloneAs("clone-nojdk");
        Path emptyJbang = Files.createDirectories(scratch.resolve("jbang-dir-nojdk"));
        StringBuilder hide = new StringBuilder();
        try (var dirs = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path d : dirs.toList()) {
                if (Files.isDirectory(d) && !Files.isSymbolicLink(d) && !d.equals(jdk17) && !d.getFileName().toString().contains("17")) {
                    hide.append("mount -t tmpfs none '").append(d).append("' && ");
                }
            }
        }
        try (Netns ns = Netns.create()) {
            var r = Proc.run(ns.exec(List.of("unshare", "-m", "sh", "-c", hide + "exec ./jbang probe@ops -H 127.0.0.1:1")),
                    Duration.ofMinutes(3), Map.of("JAVA_HOME", jdk17.toString(), "JBANG_DIR", emptyJbang.toString(),
                            "PATH", "/usr/bin:/bin"), null, c);
            assertEquals(3, r.exit(), r.toString());
            List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
            assertEquals(1, lines.size(), "one line:\n" + r.err());
            assertTrue(lines.get(0).startsWith("jbang (ops launcher): no JDK 21+ on this machine and JBang could not download one")
                    && lines.get(0).contains("apt-get install openjdk-21-jdk-headless"), lines.get(0));
        }
    }

    /** The bundle on a host with no Java, JBang or network: PATH without java, no JAVA_HOME, empty HOME, another directory. */
    @Test void anExportedBundleRunsWithNoJavaNoJbangAndNoNetwork() throws Exception {
        Netns.require();
        Path bundle = scratch.resolve("bundle/probe");
        var ex = jbang(Proc.REPO, Map.of(), "ops@ops", "export", "probe", "--to", bundle.toString());
        assertEquals(0, ex.exit(), ex.toString());
        assertTrue(ex.out().startsWith("ops export: " + bundle.resolve("probe") + " ("), ex.out());
        Path moved = scratch.resolve("elsewhere/probe");                      // copied like `tar` would, then moved
        Files.createDirectories(moved.getParent());
        Proc.sh("cp -a '" + bundle + "' '" + moved + "' && rm -rf '" + bundle + "'");
        Path bin = Files.createDirectories(scratch.resolve("bin-no-java"));
        for (String tool : List.of("sh", "dirname", "readlink")) Files.createSymbolicLink(bin.resolve(tool), Path.of("/usr/bin/" + tool));
        Path home = Files.createDirectories(scratch.resolve("bundle-home"));
        Path cwd = Files.createDirectories(scratch.resolve("some-other-dir"));
        try (Netns ns = Netns.create(); Sshd sshd = Sshd.fleet(ns.name, List.of("127.0.0.1:22"))) {
            var r = Proc.run(ns.exec(List.of("env", "-i", "PATH=" + bin, "HOME=" + home, moved.resolve("probe").toString(),
                    "--format", "json", "-H", "127.0.0.1,127.0.0.1:1")), Duration.ofSeconds(60), Map.of(), null, cwd);
            assertEquals(1, r.exit(), r.toString());
            var rows = r.rows();
            assertEquals("ok", rows.get("127.0.0.1").get("status").asText(), r.toString());
            assertTrue(rows.get("127.0.0.1").get("banner").asText().startsWith("SSH-2.0-OpenSSH"), r.toString());
            assertEquals("refused", rows.get("127.0.0.1:1").get("status").asText(), r.toString());
            assertEquals("", r.err().replaceAll("probe: 2 targets, 1 ok, 1 failed \\(1 refused\\) in \\d+ms\n", ""), "nothing else on stderr");
        }
        var jar = jbang(Proc.REPO, Map.of(), "ops@ops", "export", "probe", "--jar", scratch.resolve("probe.jar").toString());
        assertEquals(0, jar.exit(), jar.toString());
        var r = Proc.run(List.of(ProcessHandle.current().info().command().orElseThrow(), "-jar", scratch.resolve("probe.jar").toString(),
                "-H", "127.0.0.1:1", "--format", "json"), Duration.ofSeconds(60));
        assertEquals("refused", r.json().get("results").get(0).get("status").asText(), r.toString());
    }

    @Test void exportRefusesADirectoryThatIsNotEmptyAndLeavesItAlone() throws Exception {
        Path dir = Files.createDirectories(scratch.resolve("not-empty"));
        Files.writeString(dir.resolve("keep.txt"), "mine");
        var r = jbang(Proc.REPO, Map.of(), "ops@ops", "export", "probe", "--to", dir.toString());
        assertEquals(2, r.exit(), r.toString());
        assertEquals("export: " + dir + " exists and is not an empty directory", ours(r.err()));
        assertEquals(List.of(dir.resolve("keep.txt")), Files.list(dir).toList());
    }
}
