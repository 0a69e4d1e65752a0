import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * cleanup on real files on small tmpfs mounts each test makes (and unmounts, see support/Tmpfs):
 * symlinks and mounts that lead out of the root, a file a running process holds open, a nearly
 * full filesystem for --until-free, a filesystem too small for the .gz, 100,000 files under
 * `ulimit -n 64` (a child JVM under prlimit), another process deleting files during the run, a
 * directory root may not read (a child JVM without CAP_DAC_OVERRIDE), and bad plans and flags.
 */
class CleanupTest {
    static ScriptRun.Result cleanup(String... args) {
        return ScriptRun.run(cleanup::main, args);
    }

    static Path file(Path p, byte[] content, double daysOld) throws Exception {
        Files.createDirectories(p.getParent());
        Files.write(p, content);
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusMillis((long) (daysOld * 86_400_000L))));
        return p;
    }

    static Path file(Path p, String content, double daysOld) throws Exception {
        return file(p, content.getBytes(), daysOld);
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    static JsonNode row(ScriptRun.Result r) {
        JsonNode rows = r.json().get("results");
        assertEquals(1, rows.size(), r.toString());
        return rows.get(0);
    }

    /** Every entry under {@code dir}: type, mode, size, mtime, inode, content hash or link target. */
    static Map<String, String> snapshot(Path dir) throws Exception {
        Map<String, String> m = new TreeMap<>();
        try (var all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Map<String, Object> a = Files.readAttributes(p, "unix:mode,size,lastModifiedTime,ino", LinkOption.NOFOLLOW_LINKS);
                String what = Files.isSymbolicLink(p) ? "-> " + Files.readSymbolicLink(p)
                        : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))) : "dir";
                m.put(dir.relativize(p).toString(), a + " " + what);
            }
        }
        return m;
    }

    /** The files of a snapshot (a directory's mtime moves when a .gz.tmp comes and goes). */
    static Map<String, String> files(Map<String, String> snapshot) {
        Map<String, String> m = new TreeMap<>(snapshot);
        m.values().removeIf(v -> v.endsWith(" dir"));
        return m;
    }

    @Test void neverLeavesTheRootAndCountsHardLinksOnce() throws Exception {
        try (Tmpfs fs = Tmpfs.mount("8m")) {
            Path outside = Files.createDirectories(fs.dir.resolve("outside"));
            Path secret = file(outside.resolve("secret.log"), "keep me", 30);
            file(outside.resolve("deep/old.log"), "keep me too", 30);
            Path root = Files.createDirectories(fs.dir.resolve("root"));
            Files.createSymbolicLink(root.resolve("dirlink"), outside);
            Files.createSymbolicLink(root.resolve("filelink.log"), secret);
            Path mnt = fs.mountInside("root/mnt", "1m");                  // another filesystem under root
            Path onMnt = file(mnt.resolve("other-fs.log"), "x".repeat(100), 30);
            Files.createDirectories(root.resolve("bind"));                 // a bind mount: same device, still not ours
            Proc.sh("mount --bind " + outside + " " + root.resolve("bind"));
            Path a = file(root.resolve("a.log"), "l".repeat(1000), 30);
            Files.createDirectories(root.resolve("sub"));
            Path b = Files.createLink(root.resolve("sub/b.log"), a);       // the same 1000 bytes under a second name
            Path old = file(root.resolve("sub/old.log"), "o".repeat(500), 30);
            Path fresh = file(root.resolve("fresh.log"), "new", 0);
            Map<String, String> outsideBefore = snapshot(outside);

            var dry = cleanup("--root", root.toString(), "--older-than", "7d", "--format", "json");
            assertEquals(0, dry.exit(), dry.toString());
            assertEquals(1500, row(dry).get("would_free_bytes").asLong(), "a hard-linked file's bytes once: " + row(dry));

            var r = cleanup("--root", root.toString(), "--older-than", "7d", "--apply", "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            JsonNode row = row(r);
            assertEquals("ok", row.get("status").asText(), row.toString());
            assertEquals(3, row.get("files").asLong(), row.toString());
            assertEquals(1500, row.get("found_bytes").asLong(), "a.log and sub/b.log are one inode: " + row);
            assertEquals(1500, row.get("freed_bytes").asLong(), row.toString());
            assertEquals(2, row.get("skipped").get("symlink").asLong(), row.toString());
            assertEquals(2, row.get("skipped").get("mount").asLong(), "the tmpfs and the bind mount are not entered: " + row);
            for (Path gone : List.of(a, b, old)) assertFalse(Files.exists(gone, LinkOption.NOFOLLOW_LINKS), gone + " deleted");
            assertTrue(Files.exists(fresh), "a file newer than 7d stays");
            assertTrue(Files.isSymbolicLink(root.resolve("dirlink")) && Files.isSymbolicLink(root.resolve("filelink.log")), "links stay");
            assertEquals(outsideBefore, snapshot(outside), "nothing outside the root changed");
            assertTrue(Files.exists(onMnt), "nothing on the other filesystem changed");
        }
    }

    @Test void aFileHeldOpenIsListedNotDeletedAndTruncateShrinksIt() throws Exception {
        try (Tmpfs fs = Tmpfs.mount("4m")) {
            Path held = file(fs.dir.resolve("app/daemon.log"), "d".repeat(4096), 30);
            Path free = file(fs.dir.resolve("app/rotated.log"), "r".repeat(2048), 30);
            Process p = new ProcessBuilder("bash", "-c", "exec 3>>\"$0\"; echo ready; exec sleep 60", held.toString()).start();
            try {
                var ready = new BufferedReader(new InputStreamReader(p.getInputStream())).readLine();
                assertEquals("ready", ready);
                Path comm = Path.of("/proc/" + p.pid() + "/comm");   // "ready" comes from bash, before its exec of sleep
                for (long until = System.nanoTime() + 10_000_000_000L; !Files.readString(comm).strip().equals("sleep") && System.nanoTime() < until; ) {
                    Thread.sleep(20);
                }
                var r = cleanup("--root", fs.dir.resolve("app").toString(), "--match", "*.log", "--older-than", "1d", "--apply", "--format", "json");
                assertEquals(0, r.exit(), r.toString());
                JsonNode row = row(r);
                assertTrue(Files.exists(held) && Files.size(held) == 4096, "the open file is not touched");
                assertFalse(Files.exists(free), "the closed one is deleted");
                assertEquals(1, row.get("skipped").get("open").asLong(), row.toString());
                assertTrue(row.get("open").get(0).asText().startsWith(held + " (held by " + p.pid() + " (sleep))"), row.toString());
                assertTrue(r.err().contains("left alone, open: " + held), r.err());
                assertEquals(2048, row.get("freed_bytes").asLong());

                var t = cleanup("--root", fs.dir.resolve("app").toString(), "--match", "daemon.log", "--larger-than", "1k",
                        "--action", "truncate", "--apply", "--format", "json");
                assertEquals(0, t.exit(), t.toString());
                assertEquals(0, Files.size(held), "truncated in place");
                assertEquals(4096, row(t).get("freed_bytes").asLong(), t.toString());
                assertTrue(p.isAlive(), "the writer lives on");
            } finally {
                Proc.kill(p);
            }
        }
    }

    @Test void untilFreeTakesTheOldestFirstAndStopsAtTheTarget() throws Exception {
        try (Tmpfs fs = Tmpfs.mount("10m")) {
            Path root = Files.createDirectories(fs.dir.resolve("cache"));
            List<Path> files = new ArrayList<>();
            for (int i = 1; i <= 8; i++) files.add(file(root.resolve("part-" + i), random(1 << 20), 9 - i));   // part-1 oldest
            Map<String, String> before = snapshot(fs.dir);

            var dry = cleanup("--root", root.toString(), "--until-free", "4608k", "--format", "json");
            assertEquals(0, dry.exit(), dry.toString());
            assertEquals(3, row(dry).get("done").asLong(), "2 MiB free + 3 files = 5 MiB >= 4.5 MiB: " + row(dry));
            assertEquals(before, snapshot(fs.dir), "the dry run changed nothing");
            var tooMuch = cleanup("--root", root.toString(), "--until-free", "95%", "--keep", "1", "--format", "json");
            assertEquals(1, tooMuch.exit(), "9.5 MiB free on a 10 MiB filesystem with 1 MiB kept cannot be: " + tooMuch);
            assertEquals("short", row(tooMuch).get("status").asText());

            var r = cleanup("--root", root.toString(), "--until-free", "45%", "--apply", "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            JsonNode row = row(r);
            for (int i = 0; i < 8; i++) assertEquals(i >= 3, Files.exists(files.get(i)), files.get(i) + ": the three oldest go: " + row);
            assertEquals(5, row.get("skipped").get("not-needed").asLong(), row.toString());
            assertTrue(row.get("free_after_bytes").asLong() >= 4718592, row.toString());
            assertEquals(row.get("free_after_bytes").asLong(), host.Mounts.statvfs(fs.dir.toString()).avail(), "as statvfs says");
        }
    }

    @Test void gzipWithoutRoomLeavesTheOriginalAndGzipWithRoomKeepsMtimeAndBytes() throws Exception {
        try (Tmpfs fs = Tmpfs.mount("3m")) {
            Path big = file(fs.dir.resolve("logs/big.log"), random(2 << 20), 10);   // incompressible: its .gz needs 2 MiB, 1 is free
            Map<String, String> before = files(snapshot(fs.dir));
            var r = cleanup("--root", fs.dir.resolve("logs").toString(), "--older-than", "1d", "--action", "gzip", "--apply", "--format", "json");
            assertEquals(1, r.exit(), r.toString());
            JsonNode row = row(r);
            assertEquals("error", row.get("status").asText(), row.toString());
            assertTrue(row.get("error").asText().startsWith(big + ": ") && row.get("error").asText().contains("No space left on device"), row.toString());
            assertEquals(before, files(snapshot(fs.dir)), "the original as it was, no .gz or .gz.tmp left");

            Files.delete(big);
            byte[] text = "2026-12-02T10:00:00Z INFO request served in 12ms\n".repeat(20_000).getBytes();
            Path log = file(fs.dir.resolve("logs/app.log.1"), text, 10);
            FileTime mtime = Files.getLastModifiedTime(log);
            var ok = cleanup("--root", fs.dir.resolve("logs").toString(), "--older-than", "1d", "--action", "gzip", "--apply", "--format", "json");
            assertEquals(0, ok.exit(), ok.toString());
            Path gz = fs.dir.resolve("logs/app.log.1.gz");
            assertFalse(Files.exists(log), "the original goes once the .gz is in place");
            try (var in = new GZIPInputStream(Files.newInputStream(gz))) {
                assertTrue(java.util.Arrays.equals(text, in.readAllBytes()), "the .gz holds the same bytes");
            }
            assertEquals(mtime, Files.getLastModifiedTime(gz), "mtime kept, as gzip does");
            assertEquals(text.length - Files.size(gz), row(ok).get("freed_bytes").asLong(), ok.toString());
            var again = cleanup("--root", fs.dir.resolve("logs").toString(), "--older-than", "1d", "--action", "gzip", "--apply", "--format", "json");
            assertEquals(1, row(again).get("skipped").get("compressed").asLong(), "a .gz is not compressed again: " + again);
        }
    }

    @Test void gzipOnTwoWorkersGivesEachFileItsOwnGz() throws Exception {
        try (Tmpfs fs = Tmpfs.mount("64m")) {
            Path root = fs.dir.resolve("logs");
            Random rnd = new Random(7);
            Map<Path, byte[]> want = new TreeMap<>();
            for (int i = 0; i < 8; i++) {                       // sizes around the 64 KiB buffer, and a few MiB
                StringBuilder sb = new StringBuilder();
                int size = i == 0 ? 0 : i == 1 ? 65_536 : i == 2 ? 65_537 : 1 << (16 + i);
                while (sb.length() < size) sb.append("GET /item/").append(rnd.nextInt(100_000)).append(" 200 ").append(rnd.nextInt(900)).append("ms\n");
                byte[] text = sb.substring(0, size).getBytes();
                want.put(file(root.resolve("d" + (i % 3) + "/app-" + i + ".log"), text, 10), text);
            }
            var r = cleanup("--root", root.toString(), "--match", "*.log", "--older-than", "7d", "--action", "gzip", "-j", "2", "--apply", "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            assertEquals(8, row(r).get("done").asLong(), r.toString());
            for (var e : want.entrySet()) {
                assertFalse(Files.exists(e.getKey()), e.getKey() + " goes once its .gz is in place");
                try (var in = new GZIPInputStream(Files.newInputStream(Path.of(e.getKey() + ".gz")))) {
                    assertTrue(java.util.Arrays.equals(e.getValue(), in.readAllBytes()), e.getKey() + ".gz holds the same bytes");
                }
                var gzip = Proc.run(List.of("gzip", "-t", e.getKey() + ".gz"), Duration.ofSeconds(30));
                assertEquals(0, gzip.exit(), "gzip -t " + e.getKey() + ".gz: " + gzip);
            }
            try (var all = Files.walk(root)) {
                assertEquals(List.of(), all.filter(p -> p.toString().endsWith(".tmp")).toList(), "no .gz.tmp left");
            }
        }
    }

    /** Only the jars cleanup needs, so the child JVM starts well under 64 descriptors (the harness has dozens). */
    static String cleanupClassPath() {
        List<String> keep = new ArrayList<>();
        String[] cp = System.getProperty("java.class.path").split(java.io.File.pathSeparator);
        keep.add(cp[0]);                                                    // the harness jar: scripts, lib and tests
        for (String e : cp) {
            if (Path.of(e).getFileName().toString().matches("(picocli|jackson|snakeyaml|jna|oshi|prometheus|slf4j).*\\.jar")) keep.add(e);
        }
        return String.join(java.io.File.pathSeparator, keep);
    }

    static List<String> child(List<String> wrapper, String... args) {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED", "-cp", cleanupClassPath(), "cleanup"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test void hundredThousandFilesUnderUlimit64() throws Exception {
        Prereq.requireExecutable("/usr/bin/prlimit", "util-linux");
        try (Tmpfs fs = Tmpfs.mount("1g")) {
            Path root = fs.dir.resolve("spool");
            FileTime old = FileTime.from(Instant.now().minus(Duration.ofDays(10)));
            byte[] one = {'x'};
            for (int d = 0; d < 100; d++) {
                Path dir = Files.createDirectories(root.resolve("d" + d));
                for (int f = 0; f < 1000; f++) {
                    Path p = Files.write(dir.resolve("f" + f), one);
                    if (f % 2 == 0) Files.setLastModifiedTime(p, old);
                }
            }
            var r = Proc.run(child(List.of("prlimit", "--nofile=64:64"), "--root", root.toString(), "--older-than", "7d", "--apply", "--format", "json"),
                    Duration.ofSeconds(60));
            assertEquals(0, r.exit(), r.toString());
            assertFalse(r.err().contains("Too many open files"), r.err());
            JsonNode row = row(r);
            assertEquals("ok", row.get("status").asText(), row.toString());
            assertEquals(50_000, row.get("done").asLong(), row.toString());
            assertEquals(50_000, row.get("freed_bytes").asLong(), row.toString());
            long left;
            try (var all = Files.walk(root)) {
                left = all.filter(Files::isRegularFile).count();
            }
            assertEquals(50_000, left, "the new half stays");
        }
    }

    @Test void anUnreadableDirectoryIsReportedAndTheRestIsDone() throws Exception {
        Prereq.requireExecutable("/usr/bin/setpriv", "util-linux");
        try (Tmpfs fs = Tmpfs.mount("4m")) {
            Path locked = file(fs.dir.resolve("tmp/locked/old.log"), "l", 30).getParent();
            Path other = file(fs.dir.resolve("tmp/open/old.log"), "o", 30);
            Files.setPosixFilePermissions(locked, java.util.Set.of());
            // root without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH is held to mode bits like anyone
            var r = Proc.run(child(List.of("setpriv", "--bounding-set=-dac_override,-dac_read_search"),
                    "--root", fs.dir.resolve("tmp").toString(), "--older-than", "7d", "--apply", "--format", "json"), Duration.ofSeconds(30));
            assertEquals(1, r.exit(), r.toString());
            JsonNode row = row(r);
            assertEquals("unreadable", row.get("status").asText(), row.toString());
            assertEquals("cannot read " + locked, row.get("error").asText());
            assertFalse(Files.exists(other), "the readable part is done");
            Files.setPosixFilePermissions(locked, java.util.Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                    java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE));
            assertTrue(Files.exists(locked.resolve("old.log")));
        }
    }

    @Test void aDryRunLeavesTheTreeByteIdentical() throws Exception {
        try (Tmpfs fs = Tmpfs.mount("4m")) {
            Path root = fs.dir.resolve("var");
            for (int i = 0; i < 20; i++) file(root.resolve("d" + (i % 4) + "/app.log." + i), "line\n".repeat(100 + i), i);
            Files.createLink(root.resolve("d0/hard.log"), root.resolve("d0/app.log.12"));
            Files.createSymbolicLink(root.resolve("d1/link.log"), root.resolve("d0/app.log.8"));
            Map<String, String> before = snapshot(fs.dir);
            for (String action : List.of("delete", "gzip", "truncate")) {
                var r = cleanup("--root", root.toString(), "--match", "*.log*", "--older-than", "3d", "--keep", "2", "--action", action, "--list");
                assertEquals(0, r.exit(), r.toString());
                assertTrue(r.out().contains("would " + action), r.out());
                assertTrue(r.err().contains("dry run, nothing changed: --apply would free "), r.err());
                assertEquals(before, snapshot(fs.dir), action + " dry run changed nothing");
            }
            var md = cleanup("--root", root.toString(), "--match", "*.log*", "--older-than", "3d", "--format", "md");
            assertTrue(md.out().startsWith("| rule | action | status | files | found | would free | left alone | error |"), md.out());
        }
    }

    @Test void filesDeletedAndCreatedByAnotherProcessDuringTheRunAreCountedNotErrors() throws Exception {
        Prereq.requireExecutable("/usr/bin/python3", "python3");
        try (Tmpfs fs = Tmpfs.mount("160m")) {
            Path root = fs.dir.resolve("churn");
            FileTime old = FileTime.from(Instant.now().minus(Duration.ofDays(10)));
            int n = 20_000;
            for (int i = 0; i < n; i++) {
                Path p = root.resolve("d" + (i % 20) + "/f" + i);
                if (i < 20) Files.createDirectories(p.getParent());
                Files.setLastModifiedTime(Files.write(p, new byte[] {'x'}), old);
            }
            // Deletes the old files in random order and writes new old ones, for about 3 s.
            String churn = """
                    import os, random, sys, time
                    root, n = sys.argv[1], int(sys.argv[2])
                    names = [f"{root}/d{i % 20}/f{i}" for i in range(n)]
                    random.shuffle(names)
                    print("go", flush=True)
                    for k, p in enumerate(names):
                        try: os.remove(p)
                        except FileNotFoundError: pass
                        if k % 4 == 0:
                            q = f"{root}/d{k % 20}/new{k}"
                            with open(q, "w") as f: f.write("y")
                            os.utime(q, (time.time() - 864000, time.time() - 864000))
                        if k % 20 == 0: time.sleep(0.003)
                    """;
            Process p = new ProcessBuilder("python3", "-c", churn, root.toString(), String.valueOf(n)).start();
            try {
                assertEquals("go", new BufferedReader(new InputStreamReader(p.getInputStream())).readLine());
                Thread.sleep(100);
                var r = cleanup("--root", root.toString(), "--older-than", "7d", "--apply", "--format", "json");
                assertEquals(0, r.exit(), r.toString());
                JsonNode row = row(r);
                assertEquals("ok", row.get("status").asText(), row.toString());
                assertEquals(0, row.get("errors").size(), row.toString());
                JsonNode s = row.get("skipped");
                long lost = s.path("vanished").asLong() + s.path("changed").asLong() + s.path("open").asLong();
                assertTrue(lost > 0, "some files went under our feet, and were counted: " + row);
                long files = row.get("files").asLong(), done = row.get("done").asLong();
                assertTrue(done <= files && files <= done + lost, "every file selected was deleted or counted: " + row);
            } finally {
                Proc.kill(p);
            }
        }
    }

    @Test void badPlansAndFlagsAreOneLineEachAndTouchNothing() throws Exception {
        try (Tmpfs fs = Tmpfs.mount("1m")) {
            Path victim = file(fs.dir.resolve("logs/old.log"), "x", 30);
            Path plan = fs.dir.resolve("plan.yaml");
            Files.writeString(plan, """
                    rules:
                      - root: %s
                        older_than: 7d
                      - root: %s
                        older_than: 7days
                      - root: /var/log
                        match: "*.log"
                        action: shred
                      - root: /srv
                        match: "*.tmp"
                      - root: /
                        keep: 3
                      - root: /var/tmp
                        until_free: 120%%
                      - root: /tmp/x
                        older_then: 3d
                    """.formatted(fs.dir.resolve("logs"), fs.dir.resolve("logs")));
            var r = cleanup(plan.toString(), "--apply");
            assertEquals(2, r.exit(), r.toString());
            assertEquals(String.join("\n",
                    "cleanup: " + plan + ":5:17: rules[1].older_than: expected a duration like 500ms, 3s, 2m or 1h, got '7days'",
                    "cleanup: " + plan + ":8:13: rules[2].action: expected one of delete, gzip, truncate, got 'shred'",
                    "cleanup: " + plan + ":9:5: rules[3]: a rule needs at least one of older_than, larger_than, keep or until_free"
                            + " (without one it would take every file that matches)",
                    "cleanup: " + plan + ":11:5: rules[4].root: refusing to clean '/' itself; name the directory to clean",
                    "cleanup: " + plan + ":14:17: rules[5].until_free: '120%': expected more than 0% and less than 100%",
                    "cleanup: " + plan + ":16:5: rules[6]: unknown key 'older_then' (did you mean 'older_than'?); expected one of: name, root, match,"
                            + " older_than, larger_than, keep, action, until_free, one_file_system", ""), r.err());
            assertTrue(Files.exists(victim), "nothing ran: the first rule is valid but the plan is not");

            List<String[]> flags = List.of(
                    new String[] {"--root", fs.dir.resolve("logs").toString()},
                    new String[] {plan.toString(), "--root", "/tmp"},
                    new String[] {"--root", "/tmp/x", "--keep", "-1"},
                    new String[] {"--root", "/tmp/x", "--until-free", "lots"},
                    new String[] {"--root", "/tmp/x", "--older-than", "1d", "--match", "../*"},
                    new String[] {"--root", "/tmp/x", "--older-than", "soon"});
            List<String> errors = List.of(
                    "cleanup: a rule needs at least one of older_than, larger_than, keep or until_free (without one it would take every file that matches)\n",
                    "cleanup: give a plan file or the rule flags (--root, --match, ...), not both\n",
                    "cleanup: --keep: expected 0 or more, got -1\n",
                    "cleanup: --until-free: bad size 'lots' (expected e.g. 512k, 16M, 1G)\n",
                    "cleanup: --match: '../*': a pattern is relative to root and has no '..'\n",
                    "cleanup: Invalid value for option '--older-than': bad duration 'soon' (expected e.g. 500ms, 3s, 2m, 1h)\n"
                            + "Try 'cleanup --help' for usage.\n");
            for (int i = 0; i < flags.size(); i++) {
                var f = cleanup(flags.get(i));
                assertEquals(2, f.exit(), f.toString());
                assertEquals(errors.get(i), f.err(), String.join(" ", flags.get(i)));
            }
            assertTrue(Files.exists(victim));
            var missing = cleanup("--root", fs.dir.resolve("nope").toString(), "--older-than", "1d", "--format", "json");
            assertEquals(1, missing.exit(), "a missing root is that rule's failure, not bad input: " + missing);
            assertEquals("no-such-dir", row(missing).get("status").asText());
        }
    }
}
