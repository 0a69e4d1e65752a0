///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS org.junit.jupiter:junit-jupiter-api:5.13.4
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES ../support/Prereq.java ../support/Proc.java ../support/ScriptRun.java ../support/Sshd.java ../support/TestUser.java
//SOURCES ../../lib/cli/Jvm.java

/*
 * Benchmark: rollout vs an Ansible playbook doing the same rollout (Debian's ansible package),
 * same hosts, same batches, same health gate, in one run.
 *
 *   ./jbang tests/bench/rollout_vs_ansible.java [--hosts 100] [--batch 25] [--rounds 1]
 *
 * It starts real OpenSSH sshd daemons on --hosts loopback addresses (127.1.0.1, ...; 16 a daemon,
 * one free port) and one HTTP health endpoint per host on its own address (a JDK HttpServer in
 * this JVM) that answers "version=V" from the host's version file. Each host is a directory
 * under a temporary root. The change, for both tools: append a line to the host's deploys file
 * and write 2.0 to its version file (as the test account, shell /bin/sh), then GET the host's
 * /health from this machine until it says version=2.0. Batches of --batch hosts, no failure
 * allowed in a batch:
 *   ./jbang rollout@ops plan.yaml --hosts fleet.txt -c BATCH -F none -i KEY --known-hosts KH -l USER --yes --format json
 *     (phases: {batches: {size: BATCH, max_failures: 0}}; verify: an http check with body_match)
 *   ansible-playbook -i inventory.ini -f BATCH play.yml
 *     (serial: BATCH, max_fail_percentage: 0, gather_facts: false, a shell task, then a uri task
 *      delegated to localhost with until/retries; pipelining on, ssh ControlPersist as shipped)
 * rollout runs the way users run it (through ./jbang), so JBang and JVM start-up are included.
 * Before each run every host is reset to version 1.0 with no deploys; after it every host must be
 * at 2.0 with exactly one deploy, else the run counts as a failure and the benchmark exits 1.
 * Prints both wall times and rollout's as a fraction of Ansible's. Needs root, sshd, ansible
 * (apt-get install -y --no-install-recommends ansible).
 */

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

public class rollout_vs_ansible {
    public static void main(String... args) throws Exception {
        Map<String, String> opt = new HashMap<>(Map.of("--hosts", "100", "--batch", "25", "--rounds", "1"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!opt.containsKey(args[i])) { System.err.println("unknown option " + args[i]); System.exit(2); }
            opt.put(args[i], args[i + 1]);
        }
        if (!Files.isExecutable(Path.of("/usr/bin/ansible-playbook"))) {
            System.err.println("needs /usr/bin/ansible-playbook (apt-get install -y --no-install-recommends ansible)");
            System.exit(3);
        }
        int n = Integer.parseInt(opt.get("--hosts")), batch = Integer.parseInt(opt.get("--batch")), rounds = Integer.parseInt(opt.get("--rounds"));
        TestUser.ensure();
        String user = TestUser.NAME;
        Path key = Sshd.clientKey();
        Path dir = Files.createTempDirectory("ops-bench-rollout");
        Path root = dir.resolve("hosts");
        Proc.sh("chmod 755 " + dir);
        int sshPort = Proc.freePort(), httpPort = Proc.freePort();
        List<String> addrs = new ArrayList<>();
        for (int i = 0; i < n; i++) addrs.add("127.1." + (i / 250) + "." + (1 + i % 250));
        Files.write(dir.resolve("fleet.txt"), addrs.stream().map(a -> a + ":" + sshPort).toList());
        StringBuilder known = new StringBuilder(), inventory = new StringBuilder("[fleet]\n");
        for (String a : addrs) {
            known.append('[').append(a).append("]:").append(sshPort).append(' ').append(Sshd.hostPublicKey()).append('\n');
            inventory.append(a).append(" ansible_port=").append(sshPort).append('\n');
        }
        Path kh = dir.resolve("known_hosts");
        Files.writeString(kh, known);
        inventory.append("[fleet:vars]\nansible_user=").append(user).append("\nansible_ssh_private_key_file=").append(key)
                .append("\nansible_ssh_common_args='-F /dev/null -o UserKnownHostsFile=").append(kh)
                .append(" -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes'\n")
                .append("ansible_python_interpreter=/usr/bin/python3\n");
        Files.writeString(dir.resolve("inventory.ini"), inventory);
        String change = "echo deploy >> " + root + "/{host}/deploys && echo 2.0 > " + root + "/{host}/version";
        Files.writeString(dir.resolve("plan.yaml"), "title: bench 2.0\n"
                + "deploy: {command: '" + change + "', timeout: 60s}\n"
                + "verify:\n  checks:\n    - {kind: http, url: 'http://{host}:" + httpPort + "/health', body_match: 'version=2\\.0'}\n"
                + "  within: 30s\n"
                + "phases:\n  batches: {size: " + batch + ", max_failures: 0}\n");
        Files.writeString(dir.resolve("play.yml"), "- hosts: fleet\n"
                + "  gather_facts: false\n"
                + "  serial: " + batch + "\n"
                + "  max_fail_percentage: 0\n"
                + "  tasks:\n"
                + "    - name: deploy\n"
                + "      shell: \"" + change.replace("{host}", "{{ inventory_hostname }}") + "\"\n"
                + "    - name: verify\n"
                + "      uri:\n"
                + "        url: \"http://{{ inventory_hostname }}:" + httpPort + "/health\"\n"
                + "        return_content: true\n"
                + "      register: health\n"
                + "      until: \"'version=2.0' in health.content\"\n"
                + "      retries: 30\n"
                + "      delay: 1\n"
                + "      delegate_to: localhost\n");
        Path ansibleHome = dir.resolve("ansible-home");
        Files.createDirectories(ansibleHome);
        Map<String, String> ansibleEnv = Map.of("HOME", ansibleHome.toString(), "ANSIBLE_PIPELINING", "True",
                "ANSIBLE_HOST_KEY_CHECKING", "True", "ANSIBLE_NOCOLOR", "1", "ANSIBLE_SSH_CONTROL_PATH_DIR", ansibleHome.resolve("cp").toString());

        Map<String, List<String>> tools = new java.util.LinkedHashMap<>();
        tools.put("rollout (./jbang rollout@ops)", List.of("./jbang", "rollout@ops", dir.resolve("plan.yaml").toString(),
                "--hosts", dir.resolve("fleet.txt").toString(), "-c", "" + batch, "-F", "none", "-i", key.toString(),
                "--known-hosts", kh.toString(), "-l", user, "--yes", "--format", "json", "--state", dir.resolve("state.json").toString()));
        tools.put("ansible-playbook (serial " + batch + ")", List.of("ansible-playbook", "-i", dir.resolve("inventory.ini").toString(),
                "-f", "" + batch, dir.resolve("play.yml").toString()));

        List<HttpServer> servers = new ArrayList<>();
        int failures = 0;
        Map<String, List<Long>> times = new java.util.LinkedHashMap<>();
        tools.keySet().forEach(t -> times.put(t, new ArrayList<>()));
        List<Long> inner = new ArrayList<>();
        System.out.printf("%n== %d hosts (sshd on loopback), batches of %d, HTTP gate, %d rounds%n", n, batch, rounds);
        try (Sshd sshd = Sshd.fleet(null, addrs.stream().map(a -> a + ":" + sshPort).toList())) {
            for (String a : addrs) servers.add(health(a, httpPort, root));
            for (int i = 0; i < 3; i++) {                                 // warm: compiled, and the launcher's AOT cache built; not timed
                Proc.run(List.of("./jbang", "rollout@ops", dir.resolve("plan.yaml").toString(), "--hosts", dir.resolve("fleet.txt").toString(),
                        "--dry-run"), Duration.ofMinutes(5));
            }
            for (int r = 0; r < rounds; r++) {
                for (var t : tools.entrySet()) {
                    reset(root, addrs, user);
                    Files.deleteIfExists(dir.resolve("state.json"));
                    long t0 = System.nanoTime();
                    var res = Proc.run(t.getValue(), Duration.ofMinutes(20), t.getKey().startsWith("ansible") ? ansibleEnv : Map.of(), null);
                    times.get(t.getKey()).add((System.nanoTime() - t0) / 1_000_000);
                    String bad = check(root, addrs);
                    if (res.exit() != 0 || bad != null) {
                        failures++;
                        System.out.printf("  %s: exit %d; %s%n%s%n", t.getKey(), res.exit(), bad == null ? "final state ok" : bad,
                                tail(res.out() + res.err()));
                    }
                    if (t.getKey().startsWith("rollout") && res.exit() == 0) {
                        JsonNode doc = new ObjectMapper().readTree(res.out());
                        inner.add(doc.get("summary").get("elapsed_ms").asLong());
                    }
                }
            }
        } finally {
            servers.forEach(s -> s.stop(0));
            Proc.run(List.of("rm", "-rf", dir.toString()), Duration.ofSeconds(60));
            TestUser.remove();
        }
        System.out.printf("%-36s %7s   %s%n", "tool", "median", "runs (ms)");
        times.forEach((t, xs) -> System.out.printf("%-36s %7d ms   %s%n", t, median(xs), xs));
        System.out.printf("rollout's own time from its summary (no JBang/JVM start-up): %s ms%n", inner);
        List<String> names = new ArrayList<>(times.keySet());
        System.out.printf("%d hosts, batches of %d: rollout's wall time is %.2fx Ansible's%n", n, batch,
                (double) median(times.get(names.get(0))) / median(times.get(names.get(1))));
        System.out.println(failures == 0 ? "both tools left every host at 2.0, deployed once, in every round"
                : failures + " runs did not leave every host at 2.0 deployed once (see above)");
        System.exit(failures == 0 ? 0 : 1);
    }

    static HttpServer health(String ip, int port, Path root) throws java.io.IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getByName(ip), port), 100);
        s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        s.createContext("/health", ex -> {
            Path v = root.resolve(ip).resolve("version");
            byte[] body = ("version=" + (Files.exists(v) ? Files.readString(v).strip() : "none") + "\n").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        s.start();
        return s;
    }

    /** Every host back at 1.0 with no deploys, its directory writable by the test account. */
    static void reset(Path root, List<String> addrs, String user) throws java.io.IOException {
        for (String a : addrs) {
            Path d = root.resolve(a);
            Files.createDirectories(d);
            Files.writeString(d.resolve("version"), "1.0\n");
            Files.deleteIfExists(d.resolve("deploys"));
        }
        Proc.sh("chown -R " + user + " " + root + " && chmod 755 " + root.getParent());
    }

    /** Null when every host is at 2.0 with one deploy, else what is wrong. */
    static String check(Path root, List<String> addrs) throws java.io.IOException {
        int wrong = 0;
        String first = null;
        for (String a : addrs) {
            Path d = root.resolve(a);
            String v = Files.readString(d.resolve("version")).strip();
            long deploys = Files.exists(d.resolve("deploys")) ? Files.readAllLines(d.resolve("deploys")).size() : 0;
            if (!v.equals("2.0") || deploys != 1) {
                wrong++;
                if (first == null) first = a + " at " + v + " with " + deploys + " deploys";
            }
        }
        return wrong == 0 ? null : wrong + " hosts wrong, e.g. " + first;
    }

    static String tail(String text) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }

    static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}
