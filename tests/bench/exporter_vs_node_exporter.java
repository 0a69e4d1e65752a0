///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+

/*
 * exporter vs node_exporter: scrape latency and resident memory, side by side on the same machine.
 *
 *   ./jbang tests/bench/exporter_vs_node_exporter.java [SCRAPES] [ROUNDS] [WARMUP]   (1000, 5, 5000)
 *
 * Starts `./jbang exporter@ops` (the catalog's command, so the script's own JVM flags apply) and
 * Debian's prometheus-node-exporter with the same collectors (all 26 of exporter's, COLLECTORS
 * below, plus textfile), the same textfile directory and the same exclusion rules (node_exporter's
 * upstream defaults, which Debian's package changes), each on a loopback port. First it prints the
 * coverage: the node_* families node_exporter serves here with ALL its default collectors (one
 * more node_exporter, scraped once), how many of them exporter serves, and which it does not.
 * The exporter is a daemon scraped every 15 s, so the JVM is measured compiled: first its cold
 * start is shown (the first scrape, and the p50 of the first 200), then both get WARMUP scrapes
 * (5000 is 21 hours at 15 s), then SCRAPES scrapes each in ROUNDS interleaved blocks (so
 * machine noise hits both alike), sequentially over one keep-alive connection with the headers
 * Prometheus 2.x sends (OpenMetrics preferred, gzip). Every answer is checked: 200, node_load1
 * present, and the node_* families of the two are compared. Prints p50/p90/p99, CPU time per
 * scrape (utime+stime), resident memory (VmRSS) after the scrapes and its peak (VmHWM), and the
 * p50 ratio. Goal (issue 23): p50 no worse than node_exporter's; RSS under 64 MB after 10,000
 * scrapes (the defaults make WARMUP + SCRAPES x ROUNDS = 10,000). Needs
 * prometheus-node-exporter (apt-get install it).
 */

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

public class exporter_vs_node_exporter {
    static final String NODE_EXPORTER = "/usr/bin/prometheus-node-exporter";
    static final String ACCEPT = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
            + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    static final String MOUNTS_EXCLUDE = "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
    /** exporter's collectors, under node_exporter's names (scripts/exporter.java's footer lists them). */
    static final List<String> COLLECTORS = List.of("arp", "conntrack", "cpu", "diskstats", "entropy", "filefd", "filesystem", "hwmon",
            "loadavg", "meminfo", "netclass", "netdev", "netstat", "os", "pressure", "schedstat", "selinux", "sockstat", "softnet", "stat",
            "thermal_zone", "time", "timex", "udp_queues", "uname", "vmstat", "textfile");

    record Server(String name, Process process, URI url, Conn conn) {}

    public static void main(String... args) throws Exception {
        int scrapes = args.length > 0 ? Integer.parseInt(args[0]) : 1000, rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 5000;
        if (!new File(NODE_EXPORTER).canExecute()) {
            System.err.println("needs node_exporter: apt-get install prometheus-node-exporter");
            System.exit(2);
        }
        Path repo = Path.of("").toAbsolutePath();
        Path textfiles = Files.createTempDirectory("exporter-bench");
        Files.writeString(textfiles.resolve("jobs.prom"), """
                # HELP backup_last_success_timestamp_seconds When the last backup finished.
                # TYPE backup_last_success_timestamp_seconds gauge
                backup_last_success_timestamp_seconds{job="db"} 1.7e+09
                backup_last_success_timestamp_seconds{job="files"} 1.7e+09
                # HELP apt_upgrades_pending Apt packages pending updates.
                # TYPE apt_upgrades_pending gauge
                apt_upgrades_pending{arch="amd64",origin="Debian"} 3
                """);
        textfiles.toFile().deleteOnExit();                                   // also when a server fails to start
        textfiles.resolve("jobs.prom").toFile().deleteOnExit();
        int ourPort = freePort(), theirPort = freePort(), defaultsPort = freePort();
        List<String> common = List.of("--collector.textfile.directory=" + textfiles, "--collector.filesystem.mount-points-exclude=" + MOUNTS_EXCLUDE,
                "--collector.netdev.device-exclude=^$");
        Server ours = start("exporter", List.of(repo + "/jbang", "exporter@ops", "--listen", "127.0.0.1:" + ourPort,
                "--textfile-dir", textfiles.toString()), ourPort);
        List<String> sameSet = new java.util.ArrayList<>(List.of(NODE_EXPORTER, "--web.listen-address=127.0.0.1:" + theirPort, "--collector.disable-defaults"));
        for (String c : COLLECTORS) sameSet.add("--collector." + c);
        sameSet.addAll(common);
        Server theirs;
        try {
            theirs = start("node_exporter", sameSet, theirPort);
        } catch (Exception e) {                                              // never leave the exporter running
            ours.process.descendants().forEach(ProcessHandle::destroy);
            ours.process.destroy();
            throw e;
        }
        try {
            List<String> defaults = new java.util.ArrayList<>(List.of(NODE_EXPORTER, "--web.listen-address=127.0.0.1:" + defaultsPort));
            defaults.addAll(common);
            Server all = start("node_exporter (defaults)", defaults, defaultsPort);
            Set<String> everything;
            try {
                everything = scrape(all).families();
            } finally {
                all.process.destroy();
                all.process.waitFor();
            }
            everything.removeIf(n -> !n.startsWith("node_") || n.startsWith("node_scrape_") || n.equals("node_exporter_build_info"));
            Set<String> served = scrape(ours).families(), missing = new TreeSet<>(everything);
            missing.removeAll(served);
            int both = everything.size() - missing.size();
            System.out.printf(Locale.ROOT, "coverage: node_exporter %s serves %d node_* families here with its default collectors (its own "
                    + "node_scrape_* and node_exporter_build_info apart); exporter serves %d of them (%.1f%%)%s%n", version(), everything.size(), both,
                    100.0 * both / everything.size(), missing.isEmpty() ? "" : "; not: " + missing);
            double ourCold = scrape(ours).ms(), theirCold = scrape(theirs).ms();
            Set<String> ourFamilies = scrape(ours).families(), theirFamilies = scrape(theirs).families();
            if (!ourFamilies.containsAll(List.of("node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "node_filesystem_avail_bytes",
                    "node_network_receive_bytes_total", "node_textfile_scrape_error", "apt_upgrades_pending"))) {
                throw new AssertionError("exporter is missing families: " + ourFamilies);
            }
            Set<String> onlyTheirs = new TreeSet<>(theirFamilies);
            onlyTheirs.removeAll(ourFamilies);
            onlyTheirs.removeIf(n -> !n.startsWith("node_") || n.startsWith("node_scrape_") || n.startsWith("node_exporter_"));
            System.out.println("with the same collectors: " + ourFamilies.stream().filter(n -> n.startsWith("node_")).count() + " node_* families vs "
                    + theirFamilies.stream().filter(n -> n.startsWith("node_")).count() + "; only node_exporter has: " + (onlyTheirs.isEmpty() ? "none" : onlyTheirs));
            double[] ourColdMs = new double[200], theirColdMs = new double[200];
            for (int i = 0; i < 200; i++) {
                ourColdMs[i] = scrape(ours).ms();
                theirColdMs[i] = scrape(theirs).ms();
            }
            Arrays.sort(ourColdMs);
            Arrays.sort(theirColdMs);
            System.out.printf(Locale.ROOT, "cold: first scrape %.1f ms vs %.1f ms; p50 of the first 200: %.2f ms vs %.2f ms (exporter vs node_exporter)%n",
                    ourCold, theirCold, pct(ourColdMs, 50), pct(theirColdMs, 50));
            for (int i = 200; i < warmup; i++) {
                scrape(ours);
                scrape(theirs);
            }
            double[] ourMs = new double[scrapes], theirMs = new double[scrapes];
            long ourCpu0 = cpuTicks(ours.process), theirCpu0 = cpuTicks(theirs.process);
            int block = scrapes / rounds;
            for (int r = 0; r < rounds; r++) {
                int from = r * block, to = r == rounds - 1 ? scrapes : from + block;
                for (int i = from; i < to; i++) ourMs[i] = scrape(ours).ms();
                for (int i = from; i < to; i++) theirMs[i] = scrape(theirs).ms();
            }
            double ourCpu = (cpuTicks(ours.process) - ourCpu0) * 10.0 / scrapes, theirCpu = (cpuTicks(theirs.process) - theirCpu0) * 10.0 / scrapes;
            long ourRss = statusKb(ours.process, "VmRSS:"), theirRss = statusKb(theirs.process, "VmRSS:");
            long ourPeak = statusKb(ours.process, "VmHWM:"), theirPeak = statusKb(theirs.process, "VmHWM:");
            Arrays.sort(ourMs);
            Arrays.sort(theirMs);
            System.out.printf(Locale.ROOT, "%n%d scrapes each in %d interleaved blocks, after %d warm-up scrapes; one keep-alive connection%n"
                    + "(a lean HTTP/1.1 client), Prometheus' Accept and Accept-Encoding headers.%n%n", scrapes, rounds, warmup);
            System.out.println("| | p50 | p90 | p99 | CPU per scrape | RSS after | peak RSS |");
            System.out.println("|---|---:|---:|---:|---:|---:|---:|");
            row("exporter (ops)", ourMs, ourCpu, ourRss, ourPeak);
            row("node_exporter " + version(), theirMs, theirCpu, theirRss, theirPeak);
            double ratio = pct(ourMs, 50) / pct(theirMs, 50);
            System.out.printf(Locale.ROOT, "%np50 exporter / node_exporter = %.2f (goal <= 1.00: %s)%n", ratio, ratio <= 1.0 ? "met" : "NOT met");
            System.out.printf(Locale.ROOT, "exporter RSS %.1f MB after %d scrapes (goal < 64 MB after 10,000: %s)%n", ourRss / 1024.0, warmup + scrapes * rounds,
                    ourRss < 64 * 1024 ? "met" : "NOT met");
        } finally {
            for (Server s : List.of(ours, theirs)) {
                s.process.descendants().forEach(ProcessHandle::destroy);
                s.process.destroy();
            }
            try (var files = Files.list(textfiles)) {
                for (Path p : files.toList()) Files.delete(p);
            }
            Files.delete(textfiles);
        }
    }

    static Server start(String name, List<String> cmd, int port) throws Exception {
        File log = File.createTempFile("bench-" + name.replaceAll("\\W+", "-"), ".log");
        log.deleteOnExit();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
        URI url = URI.create("http://127.0.0.1:" + port + "/metrics");
        HttpClient c = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            try {
                c.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.discarding());
                return new Server(name, p, url, new Conn(url));
            } catch (IOException e) {
                if (!p.isAlive()) throw new IllegalStateException(name + " exited with " + p.exitValue() + ": " + Files.readString(log.toPath()));
                if (System.nanoTime() > deadline) throw new IllegalStateException(name + " did not answer within 120 s");
                Thread.sleep(100);
            }
        }
    }

    record Scrape(double ms, String body) {
        /** Metric family names in the body (histogram/summary series folded into their family). */
        Set<String> families() {
            Set<String> names = new TreeSet<>();
            for (String line : body.split("\n")) {
                if (line.isEmpty() || line.startsWith("#")) continue;
                names.add(line.split("[{ ]", 2)[0].replaceAll("_(bucket|sum|count)$", ""));
            }
            return names;
        }
    }

    /**
     * A minimal HTTP/1.1 keep-alive client, as lean as Prometheus' own Go client, so that the
     * timing is the server's work and not a heavyweight client's: GET, read the status line and
     * headers, then the body by Content-Length or chunks. The body is gunzipped after the clock stops.
     */
    static final class Conn {
        final java.net.Socket socket;
        final java.io.BufferedInputStream in;
        final java.io.OutputStream out;
        final byte[] request;

        Conn(URI url) throws IOException {
            socket = new java.net.Socket(url.getHost(), url.getPort());
            socket.setTcpNoDelay(true);
            in = new java.io.BufferedInputStream(socket.getInputStream(), 65536);
            out = socket.getOutputStream();
            request = ("GET " + url.getPath() + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort() + "\r\nUser-Agent: Prometheus/2.42.0\r\n"
                    + "Accept: " + ACCEPT + "\r\nAccept-Encoding: gzip\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        }

        String line() throws IOException {
            StringBuilder b = new StringBuilder();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) throw new IOException("connection closed");
                if (c != '\r') b.append((char) c);
            }
            return b.toString();
        }

        record Response(int status, boolean gzip, byte[] body) {}

        Response get() throws IOException {
            out.write(request);
            out.flush();
            int status = Integer.parseInt(line().split(" ")[1]);
            long length = -1;
            boolean chunked = false, gzip = false;
            for (String h = line(); !h.isEmpty(); h = line()) {
                String lower = h.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) length = Long.parseLong(h.substring(15).trim());
                if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
                if (lower.startsWith("content-encoding:") && lower.contains("gzip")) gzip = true;
            }
            var body = new java.io.ByteArrayOutputStream();
            if (chunked) {
                for (int n = Integer.parseInt(line().trim(), 16); n > 0; n = Integer.parseInt(line().trim(), 16)) {
                    body.write(in.readNBytes(n));
                    line();
                }
                line();
            } else if (length >= 0) {
                body.write(in.readNBytes((int) length));
            }
            return new Response(status, gzip, body.toByteArray());
        }
    }

    /** One scrape as Prometheus makes it; the answer must be 200 and hold node_load1. */
    static Scrape scrape(Server s) throws Exception {
        long t0 = System.nanoTime();
        Conn.Response r = s.conn.get();
        double ms = (System.nanoTime() - t0) / 1e6;
        if (r.status() != 200) throw new AssertionError(s.name + " answered " + r.status());
        byte[] body = r.body();
        if (r.gzip()) body = new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes();
        String text = new String(body, StandardCharsets.UTF_8);
        if (!text.contains("node_load1 ")) throw new AssertionError(s.name + " answered without node_load1");
        return new Scrape(ms, text);
    }

    static double pct(double[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    static void row(String name, double[] ms, double cpuMs, long rssKb, long peakKb) {
        System.out.printf(Locale.ROOT, "| %s | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.1f MB | %.1f MB |%n", name, pct(ms, 50), pct(ms, 90),
                pct(ms, 99), cpuMs, rssKb / 1024.0, peakKb / 1024.0);
    }

    /** utime + stime of the process and its descendants, in clock ticks (1/100 s). */
    static long cpuTicks(Process p) throws IOException {
        long ticks = 0;
        for (ProcessHandle h : java.util.stream.Stream.concat(java.util.stream.Stream.of(p.toHandle()), p.descendants()).toList()) {
            String stat = Files.readString(Path.of("/proc/" + h.pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }
        return ticks;
    }

    /** A /proc/PID/status field (VmRSS:, VmHWM:) summed over the process and its descendants (./jbang execs java). */
    static long statusKb(Process p, String field) throws IOException {
        long kb = 0;
        for (ProcessHandle h : java.util.stream.Stream.concat(java.util.stream.Stream.of(p.toHandle()), p.descendants()).toList()) {
            for (String line : Files.readAllLines(Path.of("/proc/" + h.pid() + "/status"))) {
                if (line.startsWith(field)) kb += Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return kb;
    }

    static String version() throws Exception {
        Process p = new ProcessBuilder(NODE_EXPORTER, "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        var m = java.util.regex.Pattern.compile("version (\\S+)").matcher(out);
        return m.find() ? m.group(1) : "";
    }

    static int freePort() throws IOException {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
