///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS org.junit.jupiter:junit-jupiter-api:5.13.4
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES ../support/Prereq.java ../support/Proc.java ../support/ScriptRun.java ../support/Sshd.java ../support/Netns.java
//SOURCES ../../lib/cli/Jvm.java ../../lib/cli/Durations.java

/*
 * Benchmark: probe vs nmap on the same fleet, same port, same timeout, in one run.
 *
 *   ./jbang tests/bench/probe_vs_nmap.java [--ssh 320] [--refused 2000] [--dropped 200] [--timeout 1s] [--rounds 3]
 *
 * Builds a fleet inside a fresh network namespace: SSH addresses served by real OpenSSH sshd
 * daemons (16 addresses each), refused addresses (nothing listening), and dropped addresses
 * (iptables DROPs their SYNs), all on port 22, shuffled. Then, alternating, for --rounds rounds:
 *   nmap  -sT -Pn -n -p22 --max-retries 0 --{min,initial,max}-rtt-timeout T -iL fleet
 *         (the min matters: on loopback nmap otherwise shrinks its timeout to 100 ms)
 *   probe --no-banner --timeout T fleet    (TCP only: the same work nmap does)
 *   probe --timeout T fleet                (default: TCP + SSH banner, more work than nmap)
 * probe runs the way users run it (./jbang probe@ops), so JBang and JVM start-up are included.
 * Prints median wall times, the ratios, and whether every target's state agrees
 * (open=ok, closed=refused, filtered=timeout). Needs root, sshd, iptables and nmap.
 */

import cli.Durations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

public class probe_vs_nmap {
    public static void main(String... args) throws Exception {
        Map<String, String> opt = new HashMap<>(Map.of("--ssh", "320", "--refused", "2000", "--dropped", "200",
                "--timeout", "1s", "--rounds", "3"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!opt.containsKey(args[i])) { System.err.println("unknown option " + args[i]); System.exit(2); }
            opt.put(args[i], args[i + 1]);
        }
        int nSsh = Integer.parseInt(opt.get("--ssh")), nRefused = Integer.parseInt(opt.get("--refused"));
        int nDropped = Integer.parseInt(opt.get("--dropped")), rounds = Integer.parseInt(opt.get("--rounds"));
        long timeoutMs = Durations.parse(opt.get("--timeout")).toMillis();
        if (!Files.isExecutable(Path.of("/usr/bin/nmap"))) { System.err.println("needs nmap (apt-get install nmap)"); System.exit(3); }

        Map<String, String> expected = new HashMap<>();
        List<String> ssh = new ArrayList<>();
        for (int i = 0; i < nSsh; i++) { String a = addr(1, i); ssh.add(a + ":22"); expected.put(a, "ok"); }
        for (int i = 0; i < nRefused; i++) expected.put(addr(2, i), "refused");
        for (int i = 0; i < nDropped; i++) expected.put(addr(3, i), "timeout");
        List<String> fleet = new ArrayList<>(expected.keySet());
        Collections.shuffle(fleet, new Random(7));
        Path dir = Files.createTempDirectory("ops-bench");
        dir.toFile().setReadable(true, false);
        Path hosts = dir.resolve("fleet.txt");
        Files.write(hosts, fleet);

        System.out.printf("fleet: %d sshd addresses, %d refused, %d dropped (%d targets), port 22, timeout %d ms, %d rounds%n",
                nSsh, nRefused, nDropped, fleet.size(), timeoutMs, rounds);
        int exitCode;
        try (Netns ns = Netns.create(); Sshd sshd = Sshd.fleet(ns.name, ssh)) {
            ns.dropSyn("127.3.0.0/16");
            String t = timeoutMs + "ms";
            List<String> nmap = List.of("nmap", "-sT", "-Pn", "-n", "-p22", "--max-retries", "0",
                    "--min-rtt-timeout", t, "--initial-rtt-timeout", t, "--max-rtt-timeout", t, "-oG", "-", "-iL", hosts.toString());
            List<String> probeTcp = List.of("./jbang", "probe@ops", "--no-banner", "--format", "csv", "--timeout", t, hosts.toString());
            List<String> probeSsh = List.of("./jbang", "probe@ops", "--format", "csv", "--timeout", t, hosts.toString());
            Proc.run(ns.exec(probeTcp), Duration.ofMinutes(5));   // warm JBang's cache: compile once, not timed

            List<Long> tNmap = new ArrayList<>(), tTcp = new ArrayList<>(), tSsh = new ArrayList<>(), inner = new ArrayList<>();
            int disagreeNmap = 0, disagreeTcp = 0, disagreeSsh = 0;
            for (int r = 0; r < rounds; r++) {
                var n = timed(ns, nmap, tNmap);
                disagreeNmap += disagreements(nmapStates(n.out()), expected, "nmap");
                var p = timed(ns, probeTcp, tTcp);
                disagreeTcp += disagreements(probeStates(p.out()), expected, "probe --no-banner");
                inner.add(innerMs(p.err()));
                var s = timed(ns, probeSsh, tSsh);
                disagreeSsh += disagreements(probeStates(s.out()), expected, "probe");
            }
            long mNmap = median(tNmap), mTcp = median(tTcp), mSsh = median(tSsh);
            System.out.println();
            System.out.printf("%-34s %8s   %s%n", "tool", "median", "runs (ms)");
            System.out.printf("%-34s %6d ms   %s%n", "nmap -sT -Pn -p22", mNmap, tNmap);
            System.out.printf("%-34s %6d ms   %s%n", "probe --no-banner (same work)", mTcp, tTcp);
            System.out.printf("%-34s %6d ms   %s%n", "probe (TCP + SSH banner)", mSsh, tSsh);
            System.out.printf("%nratio probe --no-banner / nmap: %.2f   probe (with banner) / nmap: %.2f%n",
                    (double) mTcp / mNmap, (double) mSsh / mNmap);
            long physical = (long) Math.ceil(nDropped / 512.0) * timeoutMs;   // probe: 512 slots by default
            System.out.printf("state disagreements with the fleet's truth: nmap %d, probe --no-banner %d, probe %d%n",
                    disagreeNmap, disagreeTcp, disagreeSsh);
            System.out.printf("probe --no-banner's own time from its summary line (no JBang/JVM start-up): %s ms%n", inner);
            System.out.printf("(probe's wall times include ./jbang + JVM start-up; dropped targets alone need >= %d ms at 512 slots)%n", physical);
            exitCode = disagreeNmap + disagreeTcp + disagreeSsh == 0 ? 0 : 1;
        }   // closing here stops the sshd fleet and deletes the namespace; System.exit inside would leak them
        System.exit(exitCode);
    }

    /** "probe: ... in 1.2s" on stderr -> 1200 */
    static long innerMs(String err) {
        var m = java.util.regex.Pattern.compile(" in ([0-9.]+)(ms|s)\\s*$").matcher(err.strip());
        if (!m.find()) return -1;
        double v = Double.parseDouble(m.group(1));
        return Math.round(m.group(2).equals("s") ? v * 1000 : v);
    }

    static String addr(int net, int i) { return "127." + net + "." + (i / 250) + "." + (1 + i % 250); }

    static ScriptRun.Result timed(Netns ns, List<String> cmd, List<Long> times) {
        long t0 = System.nanoTime();
        var r = Proc.run(ns.exec(cmd), Duration.ofMinutes(10));
        times.add((System.nanoTime() - t0) / 1_000_000);
        if (r.exit() > 1) throw new IllegalStateException(String.join(" ", cmd) + " failed: " + r);
        return r;
    }

    /** Greppable output: "Host: 127.1.0.1 ()\tPorts: 22/open/tcp//ssh///". */
    static Map<String, String> nmapStates(String out) {
        Map<String, String> m = new HashMap<>();
        for (String line : out.split("\n")) {
            if (!line.startsWith("Host: ") || !line.contains("Ports: ")) continue;
            String host = line.substring(6, line.indexOf(' ', 6));
            String state = line.substring(line.indexOf("Ports: ") + 7).split("/")[1];
            m.put(host, switch (state) { case "open" -> "ok"; case "closed" -> "refused"; case "filtered" -> "timeout"; default -> state; });
        }
        return m;
    }

    /** probe --format csv: target,address,status,latency_ms,detail */
    static Map<String, String> probeStates(String out) {
        Map<String, String> m = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.split(",", 4);
            if (f.length >= 3 && !f[0].equals("target")) m.put(f[0], f[2]);
        }
        return m;
    }

    static int disagreements(Map<String, String> got, Map<String, String> expected, String tool) {
        int bad = 0;
        for (var e : expected.entrySet()) {
            String g = got.get(e.getKey());
            if (!e.getValue().equals(g)) {
                if (bad++ < 3) System.out.println("  " + tool + ": " + e.getKey() + " is " + e.getValue() + ", reported " + g);
            }
        }
        return bad;
    }

    static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
