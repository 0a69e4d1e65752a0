///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+

/*
 * Benchmark: how fast do the tools start, warm, next to nmap and a hello-world on the same JDK?
 *
 *   ./jbang tests/bench/startup.java [RUNS=10]
 *
 * Every command below runs RUNS times, interleaved (one of each per round, so a noisy neighbour
 * hurts all of them alike), after warm-up runs that fill the launcher's command-line cache and
 * let its AOT cache be built. Prints the median and the fastest run of each, and its ratio to nmap.
 *   nmap -sT -Pn -n -p9 127.0.0.1              the established tool on the same single target
 *   hello world (java -cp ... H)               the JVM's own floor, same JDK and flags as probe
 *   ./jbang probe@ops -H 127.0.0.1:9 --no-banner     what a user types; port 9 is closed: refused
 *     ... with OPS_NO_AOT=1                    the same without the AOT cache
 *   ./jbang NAME@ops --help                    every script in jbang-catalog.json
 *   bundle/probe -H 127.0.0.1:9 --no-banner    `ops export probe --to DIR`: cold (first run, page
 *                                              cache dropped when root) and warm, and its --help
 * The seed article's Go binary (14 MB, 68 ms start) was not measured here: its figures are quoted.
 */

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class startup {
    static final Path REPO = Path.of("").toAbsolutePath();

    public static void main(String... args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        if (!Files.isExecutable(REPO.resolve("jbang")) || !Files.isDirectory(REPO.resolve("scripts"))) {
            System.err.println("run it from the checkout: ./jbang tests/bench/startup.java");
            System.exit(2);
        }
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path tmp = Files.createTempDirectory("ops-startup");
        try {
            Files.writeString(tmp.resolve("H.java"), "public class H { public static void main(String[] a) { System.out.println(\"hi\"); } }\n");
            sh(List.of(Path.of(java).resolveSibling("javac").toString(), "-d", tmp.toString(), tmp.resolve("H.java").toString()));

            Map<String, List<String>> cmds = new LinkedHashMap<>();
            if (Files.isExecutable(Path.of("/usr/bin/nmap"))) cmds.put("nmap -sT -Pn -n -p9 127.0.0.1", List.of("/usr/bin/nmap", "-sT", "-Pn", "-n", "-p9", "127.0.0.1"));
            cmds.put("hello world, same JDK", List.of(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-cp", tmp.toString(), "H"));
            cmds.put("./jbang probe@ops (1 target)", List.of("./jbang", "probe@ops", "-H", "127.0.0.1:9", "--no-banner"));
            cmds.put("  same, OPS_NO_AOT=1", List.of("env", "OPS_NO_AOT=1", "./jbang", "probe@ops", "-H", "127.0.0.1:9", "--no-banner"));
            for (String name : scripts()) cmds.put("./jbang " + name + "@ops --help", List.of("./jbang", name + "@ops", "--help"));

            // The bundle: exported once; its first run is the cold one.
            Path bundle = tmp.resolve("bundle");
            sh(List.of("./jbang", "ops@ops", "export", "probe", "--to", bundle.toString()));
            String bin = bundle.resolve("probe").toString();
            if ("root".equals(System.getProperty("user.name"))) sh(List.of("sh", "-c", "sync && echo 3 > /proc/sys/vm/drop_caches"));
            double cold = time(List.of(bin, "-H", "127.0.0.1:9", "--no-banner"));
            cmds.put("bundle/probe (1 target)", List.of(bin, "-H", "127.0.0.1:9", "--no-banner"));
            cmds.put("bundle/probe --help", List.of(bin, "--help"));

            // Warm-up: fill the command-line cache, record and build the AOT caches.
            for (int i = 0; i < 3; i++) {
                for (var c : cmds.values()) time(c);
                Thread.sleep(4000);                      // the AOT cache is built in the background
            }
            Map<String, double[]> ms = new LinkedHashMap<>();
            cmds.keySet().forEach(k -> ms.put(k, new double[runs]));
            for (int r = 0; r < runs; r++) for (var e : cmds.entrySet()) ms.get(e.getKey())[r] = time(e.getValue());

            double nmap = ms.containsKey("nmap -sT -Pn -n -p9 127.0.0.1") ? median(ms.get("nmap -sT -Pn -n -p9 127.0.0.1")) : Double.NaN;
            System.out.printf("warm start, %d interleaved runs each, on %d cores (%s)%n%n", runs, Runtime.getRuntime().availableProcessors(),
                    Runtime.version());
            System.out.printf("%-38s %9s %9s %9s%n", "command", "median", "fastest", "vs nmap");
            for (var e : ms.entrySet()) {
                double[] v = e.getValue();
                System.out.printf("%-38s %7.1fms %7.1fms %8.1fx%n", e.getKey(), median(v), Arrays.stream(v).min().orElse(0), median(v) / nmap);
            }
            System.out.printf("%-38s %7.1fms %9s %8.1fx%n", "bundle/probe, cold (first run)", cold, "", cold / nmap);
            System.out.printf("%nbundle size: %s (runtime %s, app and AOT cache %s); seed article's Go binary: 14 MB, 68 ms start (quoted)%n",
                    sh(List.of("du", "-sh", bundle.toString())).split("\\s")[0], sh(List.of("du", "-sh", bundle.resolve("runtime").toString())).split("\\s")[0],
                    sh(List.of("du", "-sh", bundle.resolve("app").toString())).split("\\s")[0]);
            double hello = median(ms.get("hello world, same JDK")), probe = median(ms.get("./jbang probe@ops (1 target)"));
            System.out.printf("breakdown of ./jbang probe@ops: JVM floor %.0f ms, the rest (launcher, picocli's annotation model, probe's work) %.0f ms;"
                    + " the AOT cache saves %.0f ms%n", hello, probe - hello, median(ms.get("  same, OPS_NO_AOT=1")) - probe);
        } finally {
            sh(List.of("rm", "-rf", tmp.toString()));
        }
    }

    static List<String> scripts() throws Exception {
        List<String> names = new ArrayList<>();
        var m = java.util.regex.Pattern.compile("\"script-ref\"\\s*:\\s*\"scripts/([a-z0-9_-]+)\\.java\"").matcher(Files.readString(REPO.resolve("jbang-catalog.json")));
        while (m.find()) names.add(m.group(1));
        return names;
    }

    /** Wall time of one run in ms; output discarded. */
    static double time(List<String> cmd) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).directory(REPO.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor();
        return (System.nanoTime() - t0) / 1e6;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static String sh(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(REPO.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        return out;
    }
}
