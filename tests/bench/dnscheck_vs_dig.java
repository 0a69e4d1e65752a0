///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS org.junit.jupiter:junit-jupiter-api:5.13.4
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES ../support/Prereq.java ../support/Proc.java ../support/ScriptRun.java ../support/Netns.java ../support/Dnsmasq.java
//SOURCES ../../lib/cli/Jvm.java

/*
 * Benchmark: dnscheck's whole report vs what an operator would script, on the same 200 names.
 *
 *   ./jbang tests/bench/dnscheck_vs_dig.java [--names 200] [--rounds 3]
 *
 * A fresh network namespace with its own resolv.conf (search a.test b.test, timeout:1 attempts:1)
 * and a real dnsmasq answering from its records: half the names are short names that resolve only
 * through the second search domain, 40% are FQDNs that resolve, 10% do not exist. Then,
 * alternating, for --rounds rounds, inside the namespace:
 *   loop      for n in $(cat names.txt); do dig +search $n; getent ahosts $n; done
 *   dnscheck  ./jbang dnscheck@ops -f names.txt   (system resolver + every query to every server,
 *             the stub replay, the findings; the table written out), JBang and JVM start-up included
 * Prints median wall times, the ratio (goal: dnscheck <= 0.5x the loop), and how many names each
 * found. Needs root, iproute2, dnsmasq (dnsmasq-base) and dig (dnsutils).
 */

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

public class dnscheck_vs_dig {
    public static void main(String... args) throws Exception {
        Map<String, String> opt = new HashMap<>(Map.of("--names", "200", "--rounds", "3"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!opt.containsKey(args[i])) { System.err.println("unknown option " + args[i]); System.exit(2); }
            opt.put(args[i], args[i + 1]);
        }
        int n = Integer.parseInt(opt.get("--names")), rounds = Integer.parseInt(opt.get("--rounds"));
        if (!Files.isExecutable(Path.of("/usr/bin/dig"))) { System.err.println("needs dig (apt-get install dnsutils)"); System.exit(3); }
        Path dir = Files.createTempDirectory("ops-bench-dns");
        List<String> names = new ArrayList<>(), hosts = new ArrayList<>();
        int shortNames = n / 2, fqdns = n * 4 / 10;
        for (int i = 0; i < shortNames; i++) { names.add("app" + i); hosts.add("10.1." + (i / 250) + "." + (1 + i % 250) + " app" + i + ".b.test"); }
        for (int i = 0; i < fqdns; i++) { names.add("web" + i + ".example.com"); hosts.add("10.2." + (i / 250) + "." + (1 + i % 250) + " web" + i + ".example.com"); }
        for (int i = 0; names.size() < n; i++) names.add("gone" + i + ".example.com");
        Collections.shuffle(names, new Random(7));
        Path list = dir.resolve("names.txt"), records = dir.resolve("records.hosts");
        Files.write(list, names);
        Files.write(records, hosts);
        dir.toFile().setReadable(true, false);
        list.toFile().setReadable(true, false);
        System.out.printf("%d names (%d short via the 2nd search domain, %d FQDNs, %d NXDOMAIN), one dnsmasq, %d rounds%n",
                n, shortNames, fqdns, n - shortNames - fqdns, rounds);
        int exitCode = 0;
        try (Netns ns = Netns.create(); Dnsmasq dns = Dnsmasq.start(ns, "127.0.0.1", dir, "--addn-hosts=" + records)) {
            ns.etc("resolv.conf", "nameserver 127.0.0.1\nsearch a.test b.test\noptions timeout:1 attempts:1\n");
            ns.etc("hosts", "127.0.0.1 localhost\n");
            List<String> loop = List.of("bash", "-c", "for n in $(cat " + list + "); do dig +search $n; getent ahosts $n; done");
            List<String> dnscheck = List.of("./jbang", "dnscheck@ops", "-f", list.toString());
            for (int i = 0; i < 3; i++) {                                  // warm-up, not timed: JBang's build, the
                Proc.run(ns.exec(dnscheck), Duration.ofMinutes(5));       // launcher's command-line cache, the AOT
                awaitNoAotBuild();                                         // cache it records and builds in the background
            }
            List<Long> tLoop = new ArrayList<>(), tCheck = new ArrayList<>();
            String loopOut = "", checkOut = "";
            for (int r = 0; r < rounds; r++) {
                loopOut = timed(ns, loop, tLoop).out();
                checkOut = timed(ns, dnscheck, tCheck).out();
            }
            long mLoop = median(tLoop), mCheck = median(tCheck);
            int getentFound = (int) loopOut.lines().filter(l -> l.contains(" STREAM ")).count();
            int checkFound = (int) checkOut.lines().filter(l -> l.startsWith("  system   ") && !l.contains("not found")).count();
            System.out.println();
            System.out.printf("%-44s %8s   %s%n", "tool", "median", "runs (ms)");
            System.out.printf("%-44s %6d ms   %s%n", "loop: dig +search N; getent ahosts N", mLoop, tLoop);
            System.out.printf("%-44s %6d ms   %s%n", "dnscheck -f names.txt (whole report)", mCheck, tCheck);
            System.out.printf("%nratio dnscheck / loop: %.2f (goal <= 0.50)%n", (double) mCheck / mLoop);
            System.out.printf("names found by the system resolver: getent %d, dnscheck %d (expected %d)%n", getentFound, checkFound, shortNames + fqdns);
            String summary = checkOut.lines().filter(l -> l.startsWith("dnscheck: ")).findFirst().orElse("?");
            System.out.println(summary);
            if (getentFound != checkFound || checkFound != shortNames + fqdns) exitCode = 1;
        }
        System.exit(exitCode);
    }

    /** Waits (at most a minute) until no background AOT cache build of the launcher is running. */
    static void awaitNoAotBuild() throws InterruptedException {
        Thread.sleep(500);
        for (int i = 0; i < 600 && ProcessHandle.allProcesses().anyMatch(p ->
                p.info().arguments().map(a -> java.util.Arrays.asList(a).contains("-XX:AOTMode=create")).orElse(false)); i++) {
            Thread.sleep(100);
        }
    }

    static ScriptRun.Result timed(Netns ns, List<String> cmd, List<Long> times) {
        long t0 = System.nanoTime();
        var r = Proc.run(ns.exec(cmd), Duration.ofMinutes(10));
        times.add((System.nanoTime() - t0) / 1_000_000);
        if (r.exit() > 1) throw new IllegalStateException(String.join(" ", cmd) + " failed: " + r);
        return r;
    }

    static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
