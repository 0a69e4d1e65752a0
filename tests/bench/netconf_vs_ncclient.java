///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS org.junit.jupiter:junit-jupiter-api:5.13.4
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES ../support/Prereq.java ../support/Proc.java ../support/ScriptRun.java ../support/Sshd.java ../support/Snmpd.java ../support/Netconfd.java
//SOURCES ../../lib/cli/Jvm.java

/*
 * Benchmark: netconf get-config vs a python3-ncclient script with a thread pool, on the same
 * devices, in one run.
 *
 *   ./jbang tests/bench/netconf_vs_ncclient.java [--devices 20] [--interfaces 200] [--rounds 5]
 *
 * Starts --devices real netconfd (yuma123) instances behind one real OpenSSH sshd (support/
 * Netconfd.java, 127.31.1.1, a port each), and gives each a running config of --interfaces
 * ietf-interfaces entries (one edit-config --commit by netconf itself). Then, alternating, for --rounds:
 *   python3 ncclient_get_config.py   ThreadPoolExecutor(--devices): manager.connect (key, host keys
 *                                    verified against the same known_hosts), get_config(running),
 *                                    close_session; each device's reply printed (after "==> DEVICE")
 *   ./jbang netconf@ops get-config -c N -F none --known-hosts .. -i .. fleet.txt   (pretty XML blocks)
 * netconf runs the way users run it (through ./jbang: JBang and JVM start-up included); ncclient
 * pays Python's and ncclient's imports. Each tool gets 3 untimed warm-up runs first. Every run is
 * checked: every device's block, in both outputs, holds --interfaces interfaces; any
 * difference fails the benchmark (exit 1). Prints median wall times and the ratio netconf/ncclient.
 */

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

public class netconf_vs_ncclient {
    static final String PY = """
            import sys, concurrent.futures
            from ncclient import manager
            key = sys.argv[1]
            devices = [l.strip() for l in open(sys.argv[2]) if l.strip()]
            def one(d):
                host, port = d.rsplit(':', 1)
                with manager.connect(host=host, port=int(port), username='root', key_filename=key, hostkey_verify=True,
                                     allow_agent=False, look_for_keys=False, timeout=30) as m:
                    return d, m.get_config(source='running').xml
            with concurrent.futures.ThreadPoolExecutor(max_workers=len(devices)) as pool:
                for d, xml in pool.map(one, devices):
                    print('==> ' + d)
                    print(xml)
            """;

    public static void main(String... args) throws Exception {
        Map<String, String> opt = new HashMap<>(Map.of("--devices", "20", "--interfaces", "200", "--rounds", "5"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!opt.containsKey(args[i])) { System.err.println("unknown option " + args[i]); System.exit(2); }
            opt.put(args[i], args[i + 1]);
        }
        int n = Integer.parseInt(opt.get("--devices")), ifs = Integer.parseInt(opt.get("--interfaces"));
        int rounds = Integer.parseInt(opt.get("--rounds"));
        Path dir = Files.createTempDirectory("ops-bench-netconf");
        int exit = 0;
        try (Netconfd devices = Netconfd.start(dir.resolve("devices"), "127.31.1.1", n, List.of())) {
            Path fleet = Files.write(dir.resolve("fleet.txt"), devices.devices);
            List<String> names = new ArrayList<>();
            for (String d : devices.devices) names.add("[" + d.replace(":", "]:"));
            Path home = Files.createDirectories(dir.resolve("home/.ssh")).getParent();
            Path knownHosts = Sshd.knownHosts(home.resolve(".ssh/known_hosts"), names);   // paramiko reads ~/.ssh/known_hosts
            Path key = Sshd.clientKey();
            Path script = Files.writeString(dir.resolve("ncclient_get_config.py"), PY);
            System.out.printf("fleet: %d netconfd devices (127.31.1.1, a port each) behind one sshd, %d interfaces each, %d rounds%n", n, ifs, rounds);

            StringBuilder cfg = new StringBuilder("<config xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><interfaces xmlns=\"urn:ietf:params:xml:ns:yang:ietf-interfaces\">");
            for (int i = 0; i < ifs; i++) {
                cfg.append("<interface><name>eth").append(i).append("</name><description>bench interface ").append(i)
                   .append("</description><type xmlns:ianaift=\"urn:ietf:params:xml:ns:yang:iana-if-type\">ianaift:ethernetCsmacd</type></interface>");
            }
            Path change = Files.writeString(dir.resolve("interfaces.xml"), cfg.append("</interfaces></config>\n"));
            List<String> login = List.of("-F", "none", "--known-hosts", knownHosts.toString(), "-i", key.toString(), "-l", "root");
            List<String> setup = new ArrayList<>(List.of("./jbang", "netconf@ops", "edit-config", "--config", change.toString(), "--commit", "-c", "" + n));
            setup.addAll(login);
            setup.add(fleet.toString());
            var s = Proc.run(setup, Duration.ofMinutes(5));
            if (s.exit() != 0) throw new AssertionError("setting up the devices' config failed: " + s);

            Map<String, String> pyEnv = Map.of("HOME", home.toString());
            List<String> theirs = List.of("/usr/bin/python3", script.toString(), key.toString(), fleet.toString());
            List<String> ours = new ArrayList<>(List.of("./jbang", "netconf@ops", "get-config", "-c", "" + n));
            ours.addAll(login);
            ours.add(fleet.toString());
            int warm = 3;
            for (int w = 0; w < warm; w++) {
                Proc.run(theirs, Duration.ofMinutes(5), pyEnv, null);
                Proc.run(ours, Duration.ofMinutes(5));
            }
            System.out.println("warm-up: " + warm + " untimed runs of each tool");
            List<Long> tTheirs = new ArrayList<>(), tOurs = new ArrayList<>();
            int disagree = 0;
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                var a = Proc.run(theirs, Duration.ofMinutes(5), pyEnv, null);
                tTheirs.add((System.nanoTime() - t0) / 1_000_000);
                t0 = System.nanoTime();
                var b = Proc.run(ours, Duration.ofMinutes(5));
                tOurs.add((System.nanoTime() - t0) / 1_000_000);
                if (a.exit() != 0 || b.exit() != 0) {
                    System.out.println("round " + r + ": ncclient exit " + a.exit() + ", netconf exit " + b.exit() + "\n" + a.err() + b.err() + failedBlocks(b.out()));
                    disagree++;
                    continue;
                }
                System.out.println("round " + r + ": " + b.out().strip().lines().reduce((x, y) -> y).orElse(""));
                Map<String, Integer> mine = blocks(b.out()), python = blocks(a.out());
                for (String d : devices.devices) {
                    if (mine.getOrDefault(d, -1) != ifs || python.getOrDefault(d, -1) != ifs) {
                        System.out.println("round " + r + ": " + d + ": netconf showed " + mine.get(d) + " interfaces, ncclient " + python.get(d));
                        disagree++;
                    }
                }
            }
            long mTheirs = median(tTheirs), mOurs = median(tOurs);
            System.out.printf("ncclient ThreadPoolExecutor(%d): median %d ms %s%n", n, mTheirs, tTheirs);
            System.out.printf("netconf get-config (./jbang, -c %d): median %d ms %s%n", n, mOurs, tOurs);
            System.out.printf("disagreements: %d%n", disagree);
            System.out.printf("ratio netconf/ncclient: %.2fx (goal <= 1.0x)%n", (double) mOurs / mTheirs);
            if (disagree > 0) exit = 1;
        } finally {
            Proc.sh("rm -rf '" + dir + "'");
        }
        System.exit(exit);
    }

    /** "==> DEVICE ..." blocks (both tools print one per device) to the number of interfaces in each. */
    static Map<String, Integer> blocks(String out) {
        Map<String, Integer> m = new HashMap<>();
        String device = null;
        for (String line : out.split("\n")) {
            if (line.startsWith("==> ")) {
                device = line.substring(4).split(" ")[0];
                m.put(device, 0);
            } else if (device != null) {
                m.merge(device, countOf(line, "<interface>"), Integer::sum);
            }
        }
        return m;
    }

    /** netconf's "==> DEVICE <== STATUS" lines that are not ok, each with its error line, and the summary. */
    static String failedBlocks(String out) {
        StringBuilder sb = new StringBuilder();
        String[] lines = out.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("==> ") && !lines[i].contains(" <== ok")) sb.append(lines[i]).append('\n').append(i + 1 < lines.length ? lines[i + 1] : "").append('\n');
            if (lines[i].startsWith("netconf: ")) sb.append(lines[i]).append('\n');
        }
        return sb.toString();
    }

    static int countOf(String s, String what) {
        int c = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) c++;
        return c;
    }

    static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
