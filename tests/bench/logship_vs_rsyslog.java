///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+

/*
 * logship vs rsyslog (imfile -> omfile), file to file, side by side on the same file in one run.
 *
 *   ./jbang tests/bench/logship_vs_rsyslog.java [MB] [ROUNDS]     (defaults: 300 MB, 3 rounds)
 *
 * Generates MB of nginx-style access-log lines, then per round: rsyslogd -n with imfile reading
 * the file from the start and omfile writing each line untouched (%rawmsg%), timed from start
 * until its output is as long as the input; `./jbang logship@ops --once --from-beginning
 * --to file:` with --parse none and with a regex that extracts five fields, timed as a process
 * (JBang and JVM start-up included). Every run's output is checked to hold every line. Peak RSS
 * is VmHWM of the process tree. Prints medians, lines/s, MB/s and the ratios against the goals
 * (regex at least as fast as rsyslog passing lines through; --parse none twice as fast; RSS
 * under 256 MB). Needs rsyslog (apt-get install rsyslog).
 */

import java.io.BufferedWriter;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;

public class logship_vs_rsyslog {
    static final String REGEX = "regex:^(?<ip>\\S+) \\S+ \\S+ \\[(?<time>[^\\]]+)\\] \"(?<request>[^\"]*)\" (?<status>\\d{3}) (?<bytes>\\d+)";

    record Run(double seconds, long rssKb) {}

    public static void main(String... args) throws Exception {
        int mb = args.length > 0 ? Integer.parseInt(args[0]) : 300, rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        if (!new File("/usr/sbin/rsyslogd").canExecute()) {
            System.err.println("needs rsyslogd: apt-get install rsyslog");
            System.exit(2);
        }
        Path dir = Files.createTempDirectory("logship-bench");
        Path log = dir.resolve("access.log");
        long lines = generate(log, mb * 1_000_000L);
        long bytes = Files.size(log);
        System.out.printf(Locale.ROOT, "input: %,d lines, %.0f MB (%s)%n", lines, bytes / 1e6, log);
        Path repo = Path.of("").toAbsolutePath();
        run(List.of(repo + "/jbang", "logship@ops", "--help"), dir);        // build once, outside the timing

        List<Run> rs = new ArrayList<>(), none = new ArrayList<>(), regex = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            rs.add(rsyslog(dir, log, bytes));
            none.add(logship(repo, dir, log, lines, "none"));
            regex.add(logship(repo, dir, log, lines, REGEX));
            System.out.printf(Locale.ROOT, "round %d: rsyslog %.2f s, logship none %.2f s, logship regex %.2f s%n", r + 1,
                    rs.get(r).seconds(), none.get(r).seconds(), regex.get(r).seconds());
        }
        Run rsm = median(rs), nm = median(none), xm = median(regex);
        System.out.println();
        System.out.println("| tool | median wall | lines/s | MB/s | peak RSS |");
        System.out.println("|---|---:|---:|---:|---:|");
        row("rsyslog imfile -> omfile (untouched)", rsm, lines, bytes);
        row("logship --parse none", nm, lines, bytes);
        row("logship --parse regex (5 fields)", xm, lines, bytes);
        System.out.println();
        System.out.printf(Locale.ROOT, "logship none / rsyslog:  %.2f (goal <= 0.50)  %s%n", nm.seconds() / rsm.seconds(), nm.seconds() / rsm.seconds() <= 0.5 ? "met" : "NOT met");
        System.out.printf(Locale.ROOT, "logship regex / rsyslog: %.2f (goal <= 1.00)  %s%n", xm.seconds() / rsm.seconds(), xm.seconds() / rsm.seconds() <= 1.0 ? "met" : "NOT met");
        long rss = Math.max(nm.rssKb(), xm.rssKb());
        System.out.printf(Locale.ROOT, "logship peak RSS: %d MB (goal < 256 MB)  %s%n", rss / 1024, rss < 256 * 1024 ? "met" : "NOT met");
        try (var w = Files.walk(dir)) {
            w.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static void row(String name, Run r, long lines, long bytes) {
        System.out.printf(Locale.ROOT, "| %s | %.2f s | %,.0f | %.1f | %d MB |%n", name, r.seconds(), lines / r.seconds(), bytes / 1e6 / r.seconds(), r.rssKb() / 1024);
    }

    static Run median(List<Run> runs) {
        List<Run> s = new ArrayList<>(runs);
        s.sort((a, b) -> Double.compare(a.seconds(), b.seconds()));
        return s.get(s.size() / 2);
    }

    /** nginx combined-format lines with varied paths, codes and agents. */
    static long generate(Path f, long size) throws Exception {
        Random r = new Random(1);
        String[] paths = {"/api/v1/orders", "/api/v1/users/", "/static/app.", "/health", "/login", "/cart/"};
        String[] agents = {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36", "curl/8.5.0", "Go-http-client/1.1"};
        int[] codes = {200, 200, 200, 304, 404, 500};
        long n = 0, written = 0;
        try (BufferedWriter w = Files.newBufferedWriter(f, StandardCharsets.UTF_8)) {
            while (written < size) {
                String p = paths[r.nextInt(paths.length)];
                if (p.endsWith("/") || p.endsWith(".")) p += r.nextInt(99_999);
                String line = String.format(Locale.ROOT, "10.%d.%d.%d - - [24/Nov/2026:10:%02d:%02d +0000] \"GET %s HTTP/1.1\" %d %d \"-\" \"%s\"%n",
                        r.nextInt(256), r.nextInt(256), 1 + r.nextInt(254), (n / 60_000) % 60, (n / 1000) % 60, p, codes[r.nextInt(codes.length)],
                        100 + r.nextInt(50_000), agents[r.nextInt(agents.length)]);
                w.write(line);
                written += line.length();
                n++;
            }
        }
        return n;
    }

    static Run rsyslog(Path dir, Path log, long bytes) throws Exception {
        Path work = Files.createDirectories(dir.resolve("rswork")), out = dir.resolve("rs.out"), conf = dir.resolve("rs.conf");
        Files.deleteIfExists(out);
        try (var w = Files.list(work)) { w.forEach(p -> p.toFile().delete()); }
        Files.writeString(conf, "global(workDirectory=\"" + work + "\" maxMessageSize=\"64k\")\n"
                + "module(load=\"imfile\")\n"
                + "template(name=\"raw\" type=\"string\" string=\"%rawmsg%\\n\")\n"
                + "input(type=\"imfile\" File=\"" + log + "\" Tag=\"app\" freshStartTail=\"off\" ruleset=\"out\")\n"
                + "ruleset(name=\"out\") { action(type=\"omfile\" file=\"" + out + "\" template=\"raw\") }\n");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("/usr/sbin/rsyslogd", "-n", "-f", conf.toString(), "-i", dir.resolve("rs.pid").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("rs.log").toFile()).start();
        long peak = 0;
        while (!Files.exists(out) || Files.size(out) < bytes) {
            if (!p.isAlive()) throw new IllegalStateException("rsyslogd exited: " + Files.readString(dir.resolve("rs.log")));
            peak = Math.max(peak, hwm(p.pid()));
            Thread.sleep(20);
            if (System.nanoTime() - t0 > TimeUnit.MINUTES.toNanos(10)) throw new IllegalStateException("rsyslog did not finish in 10 minutes");
        }
        double s = (System.nanoTime() - t0) / 1e9;
        peak = Math.max(peak, hwm(p.pid()));
        p.destroy();
        p.waitFor();
        if (Files.size(out) != bytes) throw new IllegalStateException("rsyslog wrote " + Files.size(out) + " bytes, expected " + bytes);
        return new Run(s, peak);
    }

    static Run logship(Path repo, Path dir, Path log, long lines, String parse) throws Exception {
        Path out = dir.resolve("ls.out");
        Files.deleteIfExists(out);
        long t0 = System.nanoTime();
        long peak = run(List.of(repo + "/jbang", "logship@ops", "--once", "--from-beginning", "--path", log.toString(), "--parse", parse,
                "--stats-interval", "0", "--to", "file:" + out), dir);
        double s = (System.nanoTime() - t0) / 1e9;
        long n;
        try (var l = Files.lines(out)) { n = l.count(); }
        if (n != lines) throw new IllegalStateException("logship --parse " + parse + " wrote " + n + " lines, expected " + lines);
        return new Run(s, peak);
    }

    /** Runs a command to completion; returns the peak VmHWM (KB) seen over its process tree. */
    static long run(List<String> cmd, Path dir) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectOutput(dir.resolve("cmd.out").toFile()).redirectError(dir.resolve("cmd.err").toFile()).start();
        long peak = 0;
        while (p.isAlive()) {
            peak = Math.max(peak, hwm(p.pid()));
            for (ProcessHandle h : p.descendants().toList()) peak = Math.max(peak, hwm(h.pid()));
            Thread.sleep(20);
        }
        if (p.exitValue() != 0) throw new IllegalStateException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + Files.readString(dir.resolve("cmd.err")));
        return peak;
    }

    static long hwm(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("\\D", ""));
            }
        } catch (Exception gone) { }
        return 0;
    }
}
