///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS org.junit.jupiter:junit-jupiter-api:5.13.4
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES ../support/Prereq.java ../support/Proc.java ../support/ScriptRun.java ../support/Sshd.java ../support/Netns.java ../support/TestUser.java
//SOURCES ../../lib/cli/Jvm.java

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
 * parallel-ssh and clush run twice: with ssh's default key exchange (OpenSSH 9.x picks the
 * post-quantum sntrup761x25519, which sshj does not have and which costs the ssh client ~100 ms of
 * CPU per host) and with -o KexAlgorithms=curve25519-sha256, the exchange fanout negotiates: the
 * second is the same work, the fair comparison.
 * Every run is checked: each tool must report every host as having run the command (exit 0 and
 * "load average" in its output); a run that doesn't counts as a failure and the benchmark exits 1.
 * Prints median wall times and fanout's time as a fraction of each other tool's. Needs root, sshd,
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
    static final String FANOUT = "fanout (./jbang fanout@ops, sshj)";

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
            // OpenSSH >= 9.0 prefers the post-quantum sntrup761x25519 key exchange, which sshj lacks
            // and which costs the ssh client ~100 ms of CPU per host. Forcing curve25519 (what fanout
            // negotiates) makes the work equal; both variants are measured and reported.
            String sameKex = sshOpts + " -o KexAlgorithms=curve25519-sha256";
            Map<String, List<String>> tools = new java.util.LinkedHashMap<>();
            tools.put("parallel-ssh (default kex: sntrup761)", List.of("parallel-ssh", "-p", "" + concurrency, "-t", "0", "-i",
                    "-h", fleet.toString(), "-l", user, "-x", sshOpts, command));
            tools.put("parallel-ssh (curve25519, as fanout)", List.of("parallel-ssh", "-p", "" + concurrency, "-t", "0", "-i",
                    "-h", fleet.toString(), "-l", user, "-x", sameKex, command));
            tools.put("clush (default kex: sntrup761)", List.of("clush", "-f", "" + concurrency, "-w", String.join(",", addrs),
                    "-l", user, "-o", sshOpts, command));
            tools.put("clush (curve25519, as fanout)", List.of("clush", "-f", "" + concurrency, "-w", String.join(",", addrs),
                    "-l", user, "-o", sameKex, command));
            tools.put("fanout (./jbang fanout@ops, sshj)", List.of("./jbang", "fanout@ops", "-c", "" + concurrency, "-F", "none",
                    "-i", key.toString(), "--known-hosts", kh.toString(), "-l", user, "--format", "json", fleet.toString(), "--", command));

            System.out.printf("%n== %d hosts (sshd in a netns, port 22), command '%s', concurrency %d, %d rounds%n", n, command, concurrency, rounds);
            Map<String, List<Long>> times = new java.util.LinkedHashMap<>();
            tools.keySet().forEach(t -> times.put(t, new ArrayList<>()));
            List<Long> inner = new ArrayList<>();
            try (Netns ns = Netns.create(); Sshd sshd = Sshd.fleet(ns.name, addrs.stream().map(a -> a + ":22").toList())) {
                Proc.run(ns.exec(tools.get(FANOUT)), Duration.ofMinutes(5));   // warm JBang's cache: compile once, not timed
                for (int r = 0; r < rounds; r++) {
                    for (var t : tools.entrySet()) {
                        var res = timed(ns, t.getValue(), times.get(t.getKey()));
                        String name = t.getKey();
                        if (name.startsWith("parallel-ssh")) {
                            failures += check(name, n, res.exit(), count(res.out(), "[SUCCESS]"), count(res.out(), "load average"));
                        } else if (name.startsWith("clush")) {
                            failures += check(name, n, res.exit(), n - count(res.err(), "exited with exit code"), count(res.out(), "load average"));
                        } else {
                            JsonNode doc = new ObjectMapper().readTree(res.out());
                            int withOutput = 0;
                            for (JsonNode row : doc.get("results")) if (row.get("stdout").asText().contains("load average")) withOutput++;
                            failures += check(name, n, res.exit(), doc.get("summary").get("ok").asInt(), withOutput);
                            inner.add(doc.get("summary").get("elapsed_ms").asLong());
                        }
                    }
                }
            }
            System.out.printf("%-40s %6s   %s%n", "tool", "median", "runs (ms)");
            times.forEach((t, xs) -> System.out.printf("%-40s %6d ms   %s%n", t, median(xs), xs));
            System.out.printf("fanout's own time from its summary (no JBang/JVM start-up): %s ms%n", inner);
            long mf = median(times.get(FANOUT));
            StringBuilder line = new StringBuilder(n + " hosts, fanout's wall time as a fraction of:");
            times.forEach((t, xs) -> { if (!t.equals(FANOUT)) line.append(String.format("%n    %-40s %.2f", t, (double) mf / median(xs))); });
            System.out.println(line);
            summary.add(line.toString());
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
