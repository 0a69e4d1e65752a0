///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS org.junit.jupiter:junit-jupiter-api:5.13.4
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES ../support/Prereq.java ../support/Proc.java ../support/ScriptRun.java ../support/Sshd.java ../support/Netns.java ../support/TestUser.java
//SOURCES ../../lib/cli/Jvm.java

/*
 * Benchmark: fanout through one bastion vs parallel-ssh -x '-J bastion', same hosts, same command,
 * same concurrency, same key, host keys verified by both, alternating in one run.
 *
 *   ./jbang tests/bench/fanout_via_bastion.java [--hosts 100] [--concurrency 64] [--rounds 3] [--command uptime]
 *
 * Three network namespaces, as in FanoutJumpTest: the tools run in the client namespace, which
 * reaches only the bastion (sshd on 10.201.0.2:22); the bastion reaches the N target sshds
 * (10.202.1.1..N:22, 16 listeners per daemon) in a third namespace. All log in as the test account
 * (tests/support/TestUser, shell /bin/sh).
 *   parallel-ssh -p C -t 0 -i -h fleet -l USER -x "-F CFG -J USER@10.201.0.2" COMMAND
 *     CFG: IdentityFile KEY, UserKnownHostsFile KH, GlobalKnownHostsFile /dev/null,
 *     StrictHostKeyChecking yes, BatchMode yes, and KexAlgorithms curve25519-sha256 (the exchange
 *     sshj negotiates: OpenSSH's default sntrup761 costs each ssh ~100 ms of CPU, twice per host
 *     here; see fanout_vs_pssh.java). ssh -J runs `ssh -W` with the same -F, so both hops use it.
 *   the same with OpenSSH's default key exchange (what an operator's parallel-ssh really runs).
 *   ./jbang fanout@ops -c C -F none -i KEY --known-hosts KH -l USER -J USER@10.201.0.2 --format json fleet -- COMMAND
 *     once with the default --jump-channels (10) and once with --jump-channels C.
 * What throttles: every sshd here has MaxStartups 10000 (no unauthenticated-connection limit:
 * parallel-ssh opens one bastion connection per host, C at once) and MaxSessions 100; the bastion
 * forwards direct-tcpip channels, which MaxSessions does not count. fanout's own bound is
 * --jump-channels.
 * fanout runs the way users run it (through ./jbang), so JBang and JVM start-up are included.
 * Each run is checked (every host exit 0 with "load average" in its output); a run that isn't
 * counts as a failure and the benchmark exits 1. Prints median wall times and fanout's as a
 * fraction of parallel-ssh's, and the CPU time (user+sys, /usr/bin/time) each tool used on the
 * client side, which a loaded machine distorts less than wall time. Needs root, sshd and pssh.
 */

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class fanout_via_bastion {
    static final String BASTION = "10.201.0.2";
    static final String PSSH = "parallel-ssh -x '-J bastion' (curve25519)";
    static final String PSSH_STOCK = "parallel-ssh -x '-J bastion' (OpenSSH defaults)";

    public static void main(String... args) throws Exception {
        Map<String, String> opt = new HashMap<>(Map.of("--hosts", "100", "--concurrency", "64", "--rounds", "3", "--command", "uptime"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!opt.containsKey(args[i])) { System.err.println("unknown option " + args[i]); System.exit(2); }
            opt.put(args[i], args[i + 1]);
        }
        if (!Files.isExecutable(Path.of("/usr/bin/parallel-ssh"))) {
            System.err.println("needs /usr/bin/parallel-ssh (apt-get install pssh)");
            System.exit(3);
        }
        int n = Integer.parseInt(opt.get("--hosts")), c = Integer.parseInt(opt.get("--concurrency"));
        int rounds = Integer.parseInt(opt.get("--rounds"));
        if (n > 250) { System.err.println("--hosts: at most 250 (one /24)"); System.exit(2); }
        String command = opt.get("--command");
        Path key = Sshd.clientKey();
        TestUser.ensure();
        String user = TestUser.NAME, jump = user + "@" + BASTION;

        List<String> addrs = new ArrayList<>();
        for (int i = 1; i <= n; i++) addrs.add("10.202.1." + i);
        Path dir = Files.createTempDirectory("ops-bench-bastion");
        Path fleet = dir.resolve("fleet.txt"), kh = dir.resolve("known_hosts"), cfg = dir.resolve("ssh_config"), stock = dir.resolve("ssh_config.stock");
        Files.write(fleet, addrs);
        StringBuilder known = new StringBuilder(BASTION + " " + Sshd.hostPublicKey() + "\n");
        for (String a : addrs) known.append(a).append(' ').append(Sshd.hostPublicKey()).append('\n');
        Files.writeString(kh, known);
        String common = "Host *\n  IdentityFile " + key + "\n  IdentitiesOnly yes\n  UserKnownHostsFile " + kh
                + "\n  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n  BatchMode yes\n";
        Files.writeString(cfg, common + "  KexAlgorithms curve25519-sha256\n");
        Files.writeString(stock, common);     // what an operator's ssh negotiates: sntrup761x25519 on OpenSSH 9.x

        Map<String, List<String>> tools = new LinkedHashMap<>();
        tools.put(PSSH, List.of("parallel-ssh", "-p", "" + c, "-t", "0", "-i", "-h", fleet.toString(), "-l", user,
                "-x", "-F " + cfg + " -J " + jump, command));
        tools.put(PSSH_STOCK, List.of("parallel-ssh", "-p", "" + c, "-t", "0", "-i", "-h", fleet.toString(), "-l", user,
                "-x", "-F " + stock + " -J " + jump, command));
        List<String> fanout = List.of("./jbang", "fanout@ops", "-c", "" + c, "-F", "none", "-i", key.toString(),
                "--known-hosts", kh.toString(), "-l", user, "-J", jump, "--format", "json");
        tools.put("fanout -J (default --jump-channels 10)", concat(fanout, fleet.toString(), "--", command));
        tools.put("fanout -J --jump-channels " + c, concat(fanout, "--jump-channels", "" + c, fleet.toString(), "--", command));

        System.out.printf("== %d hosts behind one bastion, command '%s', concurrency %d, %d rounds; load before: %s%n",
                n, command, c, rounds, Files.readString(Path.of("/proc/loadavg")).strip());
        Map<String, List<Long>> times = new LinkedHashMap<>();
        Map<String, List<Long>> inner = new LinkedHashMap<>(), cpu = new LinkedHashMap<>();
        tools.keySet().forEach(t -> { times.put(t, new ArrayList<>()); inner.put(t, new ArrayList<>()); cpu.put(t, new ArrayList<>()); });
        Path cpuFile = dir.resolve("cpu");
        int failures = 0;
        try (Netns client = Netns.create(); Netns middle = Netns.create(); Netns targets = Netns.create()) {
            client.veth(middle, "10.201.0.1/30", BASTION + "/30");
            middle.veth(targets, "10.202.0.1/24", "10.202.0.2/24");
            targets.sh("ip route add local 10.202.1.0/24 dev lo");
            middle.sh("ip route add 10.202.1.0/24 via 10.202.0.2");
            try (Sshd bastion = Sshd.fleet(middle.name, List.of(BASTION + ":22"));
                 Sshd hosts = Sshd.fleet(targets.name, addrs.stream().map(a -> a + ":22").toList())) {
                Proc.run(client.exec(tools.get("fanout -J (default --jump-channels 10)")), Duration.ofMinutes(5));   // warm JBang's cache
                for (int r = 0; r < rounds; r++) {
                    for (var t : tools.entrySet()) {
                        long t0 = System.nanoTime();
                        var res = Proc.run(client.exec(concat(List.of("/usr/bin/time", "-f", "%U %S", "-o", cpuFile.toString()),
                                t.getValue().toArray(String[]::new))), Duration.ofMinutes(10));
                        times.get(t.getKey()).add((System.nanoTime() - t0) / 1_000_000);
                        String[] us = Files.readString(cpuFile).strip().split("\\s+");
                        cpu.get(t.getKey()).add(Math.round((Double.parseDouble(us[us.length - 2]) + Double.parseDouble(us[us.length - 1])) * 1000));
                        if (t.getKey().startsWith("parallel-ssh")) {
                            failures += check(t.getKey(), n, res.exit(), count(res.out(), "[SUCCESS]"), count(res.out(), "load average"));
                        } else {
                            JsonNode doc = new ObjectMapper().readTree(res.out());
                            int withOutput = 0;
                            for (JsonNode row : doc.get("results")) if (row.get("stdout").asText().contains("load average")) withOutput++;
                            failures += check(t.getKey(), n, res.exit(), doc.get("summary").get("ok").asInt(), withOutput);
                            inner.get(t.getKey()).add(doc.get("summary").get("elapsed_ms").asLong());
                        }
                    }
                }
                System.out.printf("bastion logins: %d (parallel-ssh: one per host and round; fanout: one per run)%n", bastion.logins());
            }
        } finally {
            Proc.sh("rm -rf '" + dir + "'");
        }
        System.out.printf("%-45s %6s   %s%n", "tool", "median", "runs (ms)");
        times.forEach((t, xs) -> System.out.printf("%-45s %6d ms   %s%s%n", t, median(xs), xs,
                inner.get(t).isEmpty() ? "" : "   (own time in its summary: " + inner.get(t) + " ms)"));
        cpu.forEach((t, xs) -> System.out.printf("%-45s %6d ms CPU (user+sys, client side)   %s%n", t, median(xs), xs));
        for (String p : List.of(PSSH, PSSH_STOCK)) {
            long pssh = median(times.get(p)), psshCpu = median(cpu.get(p));
            for (String t : tools.keySet()) {
                if (!t.startsWith("parallel-ssh")) System.out.printf("%s: %.2fx the wall time of %s (goal: at most 0.5x), %.2fx its CPU time%n",
                        t, (double) median(times.get(t)) / pssh, p, (double) median(cpu.get(t)) / psshCpu);
            }
        }
        System.out.printf("load after: %s%n", Files.readString(Path.of("/proc/loadavg")).strip());
        System.out.println(failures == 0 ? "every tool ran the command on every host in every round" : failures + " runs did not reach every host (see above)");
        System.exit(failures == 0 ? 0 : 1);
    }

    static List<String> concat(List<String> head, String... tail) {
        List<String> l = new ArrayList<>(head);
        l.addAll(List.of(tail));
        return l;
    }

    static int check(String tool, int n, int exit, int ok, int withOutput) {
        if (exit == 0 && ok == n && withOutput == n) return 0;
        System.out.printf("  %s: exit %d, %d/%d hosts ok, %d/%d with the command's output%n", tool, exit, ok, n, withOutput, n);
        return 1;
    }

    static int count(String text, String needle) {
        int k = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) k++;
        return k;
    }

    static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}
