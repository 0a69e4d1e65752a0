///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS org.junit.jupiter:junit-jupiter-api:5.13.4
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES ../support/Prereq.java ../support/Proc.java ../support/ScriptRun.java
//SOURCES ../../lib/cli/Jvm.java

/*
 * Benchmark: cleanup vs find, same trees, in one run, on the disk under /tmp (not a tmpfs).
 *
 *   ./jbang tests/bench/cleanup_vs_find.java [--files 100000] [--gzip-mb 2048] [--rounds 3]
 *
 * 1. delete: --files files of 100 bytes in 100 directories, half of them 10 days old. Each round
 *    makes the tree afresh, then times (alternating which goes first)
 *      find ROOT -type f -mtime +7 -delete
 *      ./jbang cleanup@ops --root ROOT --older-than 7d --apply --format json
 *    and checks that each left exactly the new half.
 * 2. gzip: --gzip-mb MiB of log text in 32 MiB files (lines like an access log, ~6x compressible),
 *    10 days old. Each round copies the files afresh (the copy is in the page cache for both), then
 *      find ROOT -type f -name '*.log' -mtime +7 -print0 | xargs -0 -P 2 -n 1 gzip
 *      ./jbang cleanup@ops --root ROOT --match '*.log' --older-than 7d --action gzip -j 2 --apply --format json
 *    and checks that only .gz files are left, as many as logs, and that a sample decompresses to the original.
 * cleanup runs the way users run it (through ./jbang: JBang and JVM start-up included) and does
 * what find does not: it reads /proc/PID/fd for open files, re-checks every file before acting,
 * and for gzip fsyncs each .gz and its directory before removing the original. Two untimed
 * warm-up runs first (JBang's build, the launcher's caches). Prints medians and the ratios.
 */

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

public class cleanup_vs_find {
    static final FileTime OLD = FileTime.from(Instant.now().minus(Duration.ofDays(10)));

    public static void main(String... args) throws Exception {
        Map<String, String> opt = new HashMap<>(Map.of("--files", "100000", "--gzip-mb", "2048", "--rounds", "3"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!opt.containsKey(args[i])) { System.err.println("unknown option " + args[i]); System.exit(2); }
            opt.put(args[i], args[i + 1]);
        }
        int files = Integer.parseInt(opt.get("--files")), gzipMb = Integer.parseInt(opt.get("--gzip-mb")), rounds = Integer.parseInt(opt.get("--rounds"));
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ops-bench-cleanup");
        int exit = 0;
        try {
            Path warm = Files.createDirectories(dir.resolve("warm"));
            for (int i = 0; i < 2; i++) run(List.of("./jbang", "cleanup@ops", "--root", warm.toString(), "--older-than", "7d", "--apply"));

            System.out.printf("delete: %,d files of 100 B in 100 directories, half 10 days old; %d rounds%n", files, rounds);
            List<Long> tFind = new ArrayList<>(), tOurs = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                for (int which = 0; which < 2; which++) {
                    boolean oursNow = (r + which) % 2 == 1;
                    Path root = dir.resolve("del");
                    makeTree(root, files);
                    List<String> cmd = oursNow
                            ? List.of("./jbang", "cleanup@ops", "--root", root.toString(), "--older-than", "7d", "--apply", "--format", "json")
                            : List.of("find", root.toString(), "-type", "f", "-mtime", "+7", "-delete");
                    long ms = run(cmd);
                    (oursNow ? tOurs : tFind).add(ms);
                    long left = count(root, "");
                    if (left != files - (files + 1) / 2) { System.out.println((oursNow ? "cleanup" : "find") + " left " + left + " files"); exit = 1; }
                    sh("rm -rf " + root);
                }
            }
            report("find -mtime +7 -delete", tFind, "cleanup --older-than 7d --apply", tOurs);

            Path master = Files.createDirectories(dir.resolve("master"));
            int n = Math.max(1, gzipMb / 32);
            makeLogs(master, n);
            System.out.printf("%ngzip: %d MiB of logs in %d files of 32 MiB, 10 days old; %d rounds%n", n * 32, n, rounds);
            tFind.clear();
            tOurs.clear();
            for (int r = 0; r < rounds; r++) {
                for (int which = 0; which < 2; which++) {
                    boolean oursNow = (r + which) % 2 == 1;
                    Path root = dir.resolve("gz");
                    sh("rm -rf " + root + " && cp -a " + master + " " + root + " && sync");
                    List<String> cmd = oursNow
                            ? List.of("./jbang", "cleanup@ops", "--root", root.toString(), "--match", "*.log", "--older-than", "7d",
                                      "--action", "gzip", "-j", "2", "--apply", "--format", "json")
                            : List.of("bash", "-c", "find " + root + " -type f -name '*.log' -mtime +7 -print0 | xargs -0 -P 2 -n 1 gzip");
                    long ms = run(cmd);
                    (oursNow ? tOurs : tFind).add(ms);
                    if (count(root, ".gz") != n || count(root, "") != n) { System.out.println((oursNow ? "cleanup" : "gzip") + ": not only .gz left"); exit = 1; }
                    String same = Proc.sh("cmp <(gzip -dc " + root + "/app-0.log.gz) " + master + "/app-0.log && echo same").trim();
                    if (!same.equals("same")) { System.out.println("app-0.log.gz differs from the original"); exit = 1; }
                }
            }
            report("find | xargs -P 2 gzip", tFind, "cleanup --action gzip -j 2", tOurs);
        } finally {
            sh("rm -rf " + dir);
        }
        System.exit(exit);
    }

    static void makeTree(Path root, int files) throws Exception {
        byte[] body = "x".repeat(100).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < files; i++) {
            Path d = root.resolve("d" + (i % 100));
            if (i < 100) Files.createDirectories(d);
            Path p = Files.write(d.resolve("f" + i), body);
            if (i % 2 == 0) Files.setLastModifiedTime(p, OLD);
        }
        sh("sync");
    }

    /** Access-log-like lines (timestamps, paths, ids, latencies): about 6x smaller gzipped, as real logs are. */
    static void makeLogs(Path dir, int n) throws Exception {
        SplittableRandom rnd = new SplittableRandom(42);
        String[] paths = {"/api/v1/items/", "/api/v1/users/", "/static/app.js?v=", "/healthz?probe=", "/api/v2/orders/"};
        String[] status = {"200", "200", "200", "304", "404", "500"};
        StringBuilder sb = new StringBuilder(32 << 20);
        long t = 1_764_000_000_000L;
        while (sb.length() < (32 << 20) - 256) {
            t += rnd.nextInt(50);
            sb.append(Instant.ofEpochMilli(t)).append(" 10.").append(rnd.nextInt(256)).append('.').append(rnd.nextInt(256)).append('.')
              .append(rnd.nextInt(256)).append(" \"GET ").append(paths[rnd.nextInt(paths.length)]).append(rnd.nextInt(100_000))
              .append(" HTTP/1.1\" ").append(status[rnd.nextInt(status.length)]).append(' ').append(rnd.nextInt(20_000))
              .append(" rt=").append(rnd.nextInt(900)).append("ms ua=\"curl/8.").append(rnd.nextInt(12)).append("\" trace=")
              .append(Long.toHexString(rnd.nextLong())).append('\n');
        }
        byte[] one = sb.toString().getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < n; i++) Files.setLastModifiedTime(Files.write(dir.resolve("app-" + i + ".log"), one), OLD);
    }

    /** A shell step with room for a slow disk (Proc.sh gives up after 60 s). */
    static void sh(String command) {
        var r = Proc.run(List.of("bash", "-c", command), Duration.ofMinutes(15));
        if (r.exit() != 0) throw new IllegalStateException(command + " exited " + r.exit() + "\n" + r.err());
    }

    static long count(Path root, String suffix) throws Exception {
        try (var all = Files.walk(root)) {
            return all.filter(p -> Files.isRegularFile(p) && p.toString().endsWith(suffix)).count();
        }
    }

    static long run(List<String> cmd) {
        long t0 = System.nanoTime();
        var r = Proc.run(cmd, Duration.ofMinutes(10));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (r.exit() != 0) throw new IllegalStateException(String.join(" ", cmd) + " exited " + r.exit() + "\n" + r.err());
        return ms;
    }

    static void report(String theirs, List<Long> tTheirs, String ours, List<Long> tOurs) {
        long a = median(tTheirs), b = median(tOurs);
        System.out.printf("%s: median %d ms %s%n", theirs, a, tTheirs);
        System.out.printf("%s (./jbang): median %d ms %s%n", ours, b, tOurs);
        System.out.printf("ratio cleanup/%s: %.2fx (goal <= 1.0x)%n", theirs.split(" ")[0], (double) b / a);
    }

    static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
