///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS org.junit.jupiter:junit-jupiter-api:5.13.4
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES ../support/Prereq.java ../support/Proc.java ../support/ScriptRun.java ../support/Sshd.java ../support/Netns.java ../support/TestUser.java
//SOURCES ../../lib/Cli.java

/*
 * Benchmark: fanout vs parallel-ssh (Debian's pssh) vs clush (Debian's clustershell), same hosts,
 * same command, same concurrency, same key, host keys verified by all three, in one run.
 *
 *   ./jbang tests/bench/fanout_vs_pssh.java [--hosts 50,200] [--concurrency 64] [--rounds 3] [--command uptime]
 *
 * For each fleet size it starts real OpenSSH sshd daemons (16 addresses each, port 22) inside a
 * fresh network namespace, writes one known_hosts for all of them, and then, alternating, for
 * --rounds rounds runs:
 * All three log in as the test account opsfan (made by tests/support/TestUser, shell /bin/sh):
 *   parallel-ssh -p C -t 0 -i -h fleet -l opsfan -x "-F /dev/null -i KEY -o UserKnownHostsFile=KH
 *                -o StrictHostKeyChecking=yes -o BatchMode=yes" COMMAND
 *   clush -f C -w ... -l opsfan -o "<the same ssh options>" COMMAND
 *   ./jbang fanout@ops -c C -F none -i KEY --known-hosts KH -l opsfan --format json -H ... -- COMMAND
 * fanout runs the way users run it (through ./jbang), so JBang and JVM start-up are included.
 * Every run is checked: each tool must report every host as having run the command (exit 0 and
 * "load average" in its output); a run that doesn't counts as a failure and the benchmark exits 1.
 * Prints median wall times and the ratios fanout/parallel-ssh and fanout/clush. Needs root, sshd,
 * pssh and clustershell.
 */

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

public class fanout_vs_pssh {
    public static void main(String... args) throws Exception {
        Map<String, String> opt = new HashMap<>(Map.of("--hosts", "50,200", "--concurrency", "64", "--rounds", "3",
                "--command", "uptime"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!opt.containsKey(args[i])) { System.err.println("unknown option " + args[i]); System.exit(2); }
            opt.put(args[i], args[i + 1]);
        }
        for (String tool : List.of("/usr/bin/parallel-ssh", "/usr/bin/clush")) {
            if (!Files.isExecutable(Path.of(tool))) {
                System.err.println("needs " + tool + " (apt-get install pssh clustershell)");
                System.exit(3);
            }
        }
        int concurrency = Integer.parseInt(opt.get("--concurrency")), rounds = Integer.parseInt(opt.get("--rounds"));
        String command = opt.get("--command");
        Path key = Sshd.clientKey();
        // An ordinary account with /bin/sh, as on a server: root's shell on a dev box may source a
        // slow ~/.bashrc (pyenv, ...) that would dominate every tool's time alike.
        TestUser.ensure();
        String user = TestUser.NAME;
        int failures = 0;
        List<String> summary = new ArrayList<>();
        for (String size : opt.get("--hosts").split(",")) {
            int n = Integer.parseInt(size.trim());
            List<String> addrs = new ArrayList<>();
            for (int i = 0; i < n; i++) addrs.add("127.1." + (i / 250) + "." + (1 + i % 250));
            Path dir = Files.createTempDirectory("ops-bench-fanout");
            Path fleet = dir.resolve("fleet.txt"), kh = dir.resolve("known_hosts");
            Files.write(fleet, addrs);
            StringBuilder known = new StringBuilder();
            for (String a : addrs) known.append(a).append(' ').append(Sshd.hostPublicKey()).append('\n');
            Files.writeString(kh, known);
            String sshOpts = "-F /dev/null -i " + key + " -o UserKnownHostsFile=" + kh
                    + " -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes";
            List<String> pssh = List.of("parallel-ssh", "-p", "" + concurrency, "-t", "0", "-i", "-h", fleet.toString(),
                    "-l", user, "-x", sshOpts, command);
            List<String> clush = List.of("clush", "-f", "" + concurrency, "-w", String.join(",", addrs), "-l", user,
                    "-o", sshOpts, command);
            List<String> fanout = List.of("./jbang", "fanout@ops", "-c", "" + concurrency, "-F", "none", "-i", key.toString(),
                    "--known-hosts", kh.toString(), "-l", user, "--format", "json", fleet.toString(), "--", command);

            System.out.printf("%n== %d hosts (sshd in a netns, port 22), command '%s', concurrency %d, %d rounds%n", n, command, concurrency, rounds);
            List<Long> tPssh = new ArrayList<>(), tClush = new ArrayList<>(), tFanout = new ArrayList<>(), inner = new ArrayList<>();
            try (Netns ns = Netns.create(); Sshd sshd = Sshd.fleet(ns.name, addrs.stream().map(a -> a + ":22").toList())) {
                Proc.run(ns.exec(fanout), Duration.ofMinutes(5));   // warm JBang's cache: compile once, not timed
                for (int r = 0; r < rounds; r++) {
                    var p = timed(ns, pssh, tPssh);
                    failures += check("parallel-ssh", n, p.exit(), count(p.out(), "[SUCCESS]"), count(p.out(), "load average"));
                    var c = timed(ns, clush, tClush);
                    failures += check("clush", n, c.exit(), n - count(c.err(), "exited with exit code"), count(c.out(), "load average"));
                    var f = timed(ns, fanout, tFanout);
                    JsonNode doc = new ObjectMapper().readTree(f.out());
                    int ok = doc.get("summary").get("ok").asInt(), withOutput = 0;
                    for (JsonNode row : doc.get("results")) if (row.get("stdout").asText().contains("load average")) withOutput++;
                    failures += check("fanout", n, f.exit(), ok, withOutput);
                    inner.add(doc.get("summary").get("elapsed_ms").asLong());
                }
            }
            long mp = median(tPssh), mc = median(tClush), mf = median(tFanout);
            System.out.printf("%-40s %6s   %s%n", "tool", "median", "runs (ms)");
            System.out.printf("%-40s %6d ms   %s%n", "parallel-ssh (pssh 2.3.4, OpenSSH ssh)", mp, tPssh);
            System.out.printf("%-40s %6d ms   %s%n", "clush (clustershell 1.9.1, OpenSSH ssh)", mc, tClush);
            System.out.printf("%-40s %6d ms   %s%n", "fanout (./jbang fanout@ops, sshj)", mf, tFanout);
            System.out.printf("fanout's own time from its summary (no JBang/JVM start-up): %s ms%n", inner);
            String line = String.format("%d hosts: fanout/parallel-ssh %.2f, fanout/clush %.2f", n, (double) mf / mp, (double) mf / mc);
            System.out.println(line);
            summary.add(line);
        }
        System.out.println();
        summary.forEach(System.out::println);
        System.out.println(failures == 0 ? "every tool ran the command on every host in every round"
                : failures + " runs did not reach every host (see above)");
        System.exit(failures == 0 ? 0 : 1);
    }

    static int check(String tool, int n, int exit, int ok, int withOutput) {
        if (exit == 0 && ok == n && withOutput == n) return 0;
        System.out.printf("  %s: exit %d, %d/%d hosts ok, %d/%d with the command's output%n", tool, exit, ok, n, withOutput, n);
        return 1;
    }

    static int count(String text, String needle) {
        int c = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) c++;
        return c;
    }

    static ScriptRun.Result timed(Netns ns, List<String> cmd, List<Long> times) {
        long t0 = System.nanoTime();
        var r = Proc.run(ns.exec(cmd), Duration.ofMinutes(10));
        times.add((System.nanoTime() - t0) / 1_000_000);
        return r;
    }

    static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}
