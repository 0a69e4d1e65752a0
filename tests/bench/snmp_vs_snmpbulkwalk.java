///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS org.junit.jupiter:junit-jupiter-api:5.13.4
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES ../support/Prereq.java ../support/Proc.java ../support/ScriptRun.java ../support/Netns.java ../support/Snmpd.java
//SOURCES ../../lib/cli/Jvm.java

/*
 * Benchmark: snmp walk vs `xargs -P N snmpbulkwalk` (net-snmp), same agents, same SNMPv3 user
 * (alice, SHA-256/AES-128, authPriv), same subtree (ifTable), in one run.
 *
 *   ./jbang tests/bench/snmp_vs_snmpbulkwalk.java [--agents 50] [--interfaces 8] [--rounds 3]
 *
 * Inside a fresh network namespace it adds --interfaces veth interfaces (pairs) (so ifTable has rows
 * beyond lo) and starts --agents real snmpd daemons, one per loopback address 127.0.1.1..N, port
 * 161, each with its own config, persistent dir and engine ID. Then, alternating, for --rounds:
 *   printf '%s\n' ADDRS | xargs -P N -I{} snmpbulkwalk -v3 -l authPriv -u alice -a SHA-256 -A .. -x AES -X .. -On -Oq -Ot -Oe {} 1.3.6.1.2.1.2.2
 *   ./jbang snmp@ops walk -c N -u alice --auth-env .. --priv-env .. --format csv fleet.txt ifTable
 * (each walk to its own file, prefixed with its address afterwards: parallel writers to one pipe
 * interleave mid-line). snmp runs the way users run it (through ./jbang), so JBang and JVM start-up are included.
 * Both tools are started fresh for every round. Before timing, each tool gets 3 untimed warm-up runs:
 * for snmp these are what a user's first runs are (JBang build; on JDK 25+ the launcher's AOT
 * recording of a real walk and the background build of the AOT cache, which is waited for).
 * Every run is checked: the same OIDs per agent from both tools, the same values except the
 * octet/packet counters (columns 10-21, which move between the runs); any difference fails the
 * benchmark (exit 1). Prints median wall times and the ratio snmp/snmpbulkwalk. Needs root.
 */

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

public class snmp_vs_snmpbulkwalk {
    public static void main(String... args) throws Exception {
        Map<String, String> opt = new HashMap<>(Map.of("--agents", "50", "--interfaces", "8", "--rounds", "3"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!opt.containsKey(args[i])) { System.err.println("unknown option " + args[i]); System.exit(2); }
            opt.put(args[i], args[i + 1]);
        }
        int n = Integer.parseInt(opt.get("--agents")), ifs = Integer.parseInt(opt.get("--interfaces"));
        int rounds = Integer.parseInt(opt.get("--rounds"));
        Path dir = Files.createTempDirectory("ops-bench-snmp");
        List<String> addrs = new ArrayList<>();
        for (int i = 1; i <= n; i++) addrs.add("127.0.1." + i);
        Path fleet = dir.resolve("fleet.txt");
        Files.write(fleet, addrs);
        Snmpd.Users users = Snmpd.Users.random();
        System.out.printf("fleet: %d snmpd agents (127.0.1.1-%d:161), ifTable with %d interfaces, SNMPv3 authPriv SHA-256/AES, %d rounds%n",
                n, n, ifs + 1, rounds);
        int exit = 0;
        List<Snmpd> agents = new ArrayList<>();
        try (Netns ns = Netns.create()) {
            try {
                for (int i = 0; i + 1 < ifs; i += 2) {       // veth pairs: this kernel may have no dummy module
                    ns.sh("ip link add ops-v" + i + " type veth peer name ops-w" + i + " && ip link set ops-v" + i + " up && ip link set ops-w" + i + " up");
                }
                for (int i = 0; i < n; i++) agents.add(Snmpd.start(dir.resolve("a" + i), ns.name, List.of(addrs.get(i) + ":161"), users));
                String walkCmd = "printf '%s\\n' " + String.join(" ", addrs) + " | xargs -P " + n + " -I{} sh -c "
                        + "'/usr/bin/snmpbulkwalk -v3 -l authPriv -u alice -a SHA-256 -A \"$A\" -x AES -X \"$X\" -On -Oq -Ot -Oe -m \"\" {} 1.3.6.1.2.1.2.2 > "
                        + dir + "/walk.{}' && cd " + dir + " && for f in walk.*; do sed \"s/^/${f#walk.} /\" $f; done";
                Map<String, String> env = Map.of("A", users.aliceAuth(), "X", users.alicePriv(), "SNMP_AUTH", users.aliceAuth(),
                        "SNMP_PRIV", users.alicePriv(), "MIBS", "");
                List<String> netsnmp = List.of("bash", "-c", walkCmd);
                List<String> ours = List.of("./jbang", "snmp@ops", "walk", "-c", String.valueOf(n), "-u", "alice", "--auth-env", "SNMP_AUTH",
                        "--priv-env", "SNMP_PRIV", "--format", "csv", fleet.toString(), "ifTable");
                // Warm-up, the same for both tools and not timed: the runs a user's first runs are. For
                // snmp they are the JBang build, then (JDK 25+) the launcher's AOT recording of a real
                // walk and the AOT cache it builds from it in the background; we wait for that build
                // so it does not compete with the timed rounds for CPU. snmpbulkwalk gets as many runs.
                int warm = 3;
                for (int w = 0; w < warm; w++) {
                    Proc.run(ns.exec(netsnmp), Duration.ofMinutes(5), env, null);
                    Proc.run(ns.exec(ours), Duration.ofMinutes(5), env, null);
                }
                System.out.println("warm-up: " + warm + " untimed runs of each tool; snmp's AOT cache: " + waitForAot());
                List<Long> tNet = new ArrayList<>(), tOurs = new ArrayList<>();
                int disagree = 0;
                for (int r = 0; r < rounds; r++) {
                    long t0 = System.nanoTime();
                    var a = Proc.run(ns.exec(netsnmp), Duration.ofMinutes(5), env, null);
                    tNet.add((System.nanoTime() - t0) / 1_000_000);
                    t0 = System.nanoTime();
                    var b = Proc.run(ns.exec(ours), Duration.ofMinutes(5), env, null);
                    tOurs.add((System.nanoTime() - t0) / 1_000_000);
                    System.out.println("round " + r + ": " + b.err().strip().lines().reduce((x, y) -> y).orElse(""));
                    if (a.exit() != 0 || b.exit() != 0) {
                        System.out.println("round " + r + ": snmpbulkwalk exit " + a.exit() + ", snmp exit " + b.exit() + "\n" + b.err());
                        disagree++;
                    }
                    disagree += compare(netSnmp(a.out()), ours(b.out()), addrs);
                }
                long mNet = median(tNet), mOurs = median(tOurs);
                int values = netSnmp(Proc.run(ns.exec(netsnmp), Duration.ofMinutes(5), env, null).out()).values().stream().mapToInt(Map::size).sum();
                System.out.printf("xargs -P %d snmpbulkwalk: median %d ms %s%n", n, mNet, tNet);
                System.out.printf("snmp walk (./jbang, -c %d): median %d ms %s%n", n, mOurs, tOurs);
                System.out.printf("values per run: %d; disagreements: %d%n", values, disagree);
                System.out.printf("ratio snmp/snmpbulkwalk: %.2fx (goal <= 1.0x)%n", (double) mOurs / mNet);
                if (disagree > 0) exit = 1;
            } finally {
                for (Snmpd s : agents) s.close();
            }
        }
        System.exit(exit);
    }

    /**
     * Waits (up to 2 min) for the launcher's AOT cache of a real snmp run (.ops-cache/uUID/snmp.run.aot)
     * when the launcher uses one (JDK 25+: snmp.aot-ok), so its background build is done before timing.
     */
    static String waitForAot() throws Exception {
        Path base = Proc.REPO.resolve(".ops-cache").resolve("u" + Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        if (!Files.exists(base.resolve("snmp.aot-ok"))) return "none (JDK < 25, or the launcher keeps its cache outside this checkout)";
        long until = System.nanoTime() + 120_000_000_000L;
        while (!Files.exists(base.resolve("snmp.run.aot"))) {
            if (System.nanoTime() > until) return "not built within 2 min (timed runs include its build)";
            Thread.sleep(200);
        }
        return "built (" + Files.size(base.resolve("snmp.run.aot")) / (1 << 20) + " MB), timed runs start from it";
    }

    /** "ADDR .1.3.6...  VALUE" lines to addr -> oid -> value (values normalised as SnmpTest does). */
    static Map<String, Map<String, String>> netSnmp(String out) {
        Map<String, Map<String, String>> m = new TreeMap<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) continue;
            String[] p = line.split(" ", 3);
            m.computeIfAbsent(p[0], k -> new TreeMap<>()).put(p[1].substring(1), norm(p.length > 2 ? p[2] : ""));
        }
        return m;
    }

    static String norm(String v) {
        if (v.startsWith("\"") && v.endsWith("\"") && v.length() >= 2) {
            String in = v.substring(1, v.length() - 1);
            if (in.matches("([0-9A-F]{2} )+")) return String.join(":", in.trim().toLowerCase().split(" "));
            return in;
        }
        return v.startsWith(".") ? v.substring(1) : v;
    }

    /** snmp's CSV (target,status,name,value,error) needs the OIDs: re-derived from --format csv's name column is lossy, so csv has name; we map names back through the ifTable column numbers. */
    static Map<String, Map<String, String>> ours(String out) {
        Map<String, Map<String, String>> m = new TreeMap<>();
        List<String> cols = List.of("ifIndex", "ifDescr", "ifType", "ifMtu", "ifSpeed", "ifPhysAddress", "ifAdminStatus", "ifOperStatus",
                "ifLastChange", "ifInOctets", "ifInUcastPkts", "ifInNUcastPkts", "ifInDiscards", "ifInErrors", "ifInUnknownProtos",
                "ifOutOctets", "ifOutUcastPkts", "ifOutNUcastPkts", "ifOutDiscards", "ifOutErrors", "ifOutQLen", "ifSpecific");
        for (String line : out.split("\n")) {
            if (line.isBlank() || line.startsWith("target,")) continue;
            String[] p = line.split(",", 4);
            String name = p[2];
            String col = name.substring(0, name.indexOf('.'));
            String oid = "1.3.6.1.2.1.2.2.1." + (cols.indexOf(col) + 1) + name.substring(name.indexOf('.'));
            String value = p[3].substring(0, p[3].lastIndexOf(','));
            if (value.startsWith("\"") && value.endsWith("\"")) value = value.substring(1, value.length() - 1).replace("\"\"", "\"");
            m.computeIfAbsent(p[0], k -> new TreeMap<>()).put(oid, value);
        }
        return m;
    }

    static int compare(Map<String, Map<String, String>> a, Map<String, Map<String, String>> b, List<String> addrs) {
        int bad = 0;
        for (String addr : addrs) {
            Map<String, String> x = a.getOrDefault(addr, Map.of()), y = b.getOrDefault(addr, Map.of());
            if (x.isEmpty() || !x.keySet().equals(y.keySet())) {
                var onlyX = new java.util.TreeSet<>(x.keySet()); onlyX.removeAll(y.keySet());
                var onlyY = new java.util.TreeSet<>(y.keySet()); onlyY.removeAll(x.keySet());
                System.out.println(addr + ": different OIDs: snmpbulkwalk " + x.size() + ", snmp " + y.size()
                        + "; only snmpbulkwalk: " + onlyX.stream().limit(3).toList() + ", only snmp: " + onlyY.stream().limit(3).toList());
                bad++;
                continue;
            }
            for (var e : x.entrySet()) {
                int column = Integer.parseInt(e.getKey().split("\\.")[9]);
                if (column >= 10 && column <= 21) continue;
                if (!e.getValue().equals(y.get(e.getKey()))) {
                    System.out.println(addr + " " + e.getKey() + ": snmpbulkwalk '" + e.getValue() + "', snmp '" + y.get(e.getKey()) + "'");
                    bad++;
                }
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
