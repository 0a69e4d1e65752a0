//SOURCES support/StuckFuse.java

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import metrics.PromText;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * exporter as a real process on a loopback port, with the JVM flags of its own //JAVA_OPTIONS:
 * values against /proc and statvfs, `promtool check metrics`, textfiles good and bad, a FIFO as a
 * collector that hangs, the token on the debug endpoints, a 10,000-scrape soak (10 at a time)
 * with threads, fds and heap after GC compared, and SIGTERM.
 */
class ExporterTest {
    @TempDir Path tmp;
    final List<Process> started = new ArrayList<>();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    record Running(Process process, String base, Path err) {
        String stderr() throws Exception { return Files.readString(err); }
    }

    /** The flags of the script's own //JAVA_OPTIONS line, so the test runs the JVM users get. */
    static List<String> scriptFlags() throws Exception {
        for (String line : Files.readAllLines(Proc.REPO.resolve("scripts/exporter.java"))) {
            if (line.startsWith("//JAVA_OPTIONS ")) return List.of(line.substring(15).trim().split("\\s+"));
        }
        throw new AssertionError("scripts/exporter.java has no //JAVA_OPTIONS");
    }

    /** A command prefix for the exporters started next (nsenter into a test's mount namespace). */
    List<String> wrap = List.of();

    Running start(Map<String, String> env, String... args) throws Exception {
        int port = Proc.freePort();
        List<String> cmd = new ArrayList<>(wrap);
        cmd.addAll(Proc.javaCommand("exporter", scriptFlags().toArray(String[]::new)));
        String listenFlag = List.of(args).contains("--web.listen-address") ? "--web.listen-address" : "--listen";
        boolean listen = List.of(args).contains(listenFlag);
        if (!listen) cmd.addAll(List.of("--listen", "127.0.0.1:" + port));
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile(tmp, "exporter", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        started.add(p);
        if (listen) port = Integer.parseInt(args[List.of(args).indexOf(listenFlag) + 1].replaceAll(".*:", ""));
        Running r = new Running(p, "http://127.0.0.1:" + port, err);
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.readString(err).contains("exporter: serving")) {
            if (!p.isAlive()) throw new AssertionError("exporter exited " + p.exitValue() + ":\n" + Files.readString(err));
            if (System.nanoTime() > end) throw new AssertionError("exporter did not start:\n" + Files.readString(err));
            Thread.sleep(50);
        }
        return r;
    }

    Running start(String... args) throws Exception {
        return start(Map.of(), args);
    }

    /** Slow-loris: clients that send half a request neither stall scrapes nor keep their socket past 5 s. */
    @org.junit.jupiter.api.Test
    void halfRequestsDoNotStallScrapes() throws Exception {
        Running r = start();
        int port = Integer.parseInt(r.base().replaceAll(".*:", ""));
        List<java.net.Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                var s = new java.net.Socket("127.0.0.1", port);
                s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            var req = HttpRequest.newBuilder(URI.create(r.base() + "/metrics")).timeout(Duration.ofSeconds(3)).build();
            assertEquals(200, HTTP.send(req, HttpResponse.BodyHandlers.ofString()).statusCode(), "a scrape is served while 8 clients dawdle");
            var first = slow.get(0);
            first.setSoTimeout(15_000);
            long t0 = System.nanoTime();
            assertEquals(-1, first.getInputStream().read(), "the server closes a request that never ends");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 12_000, "closed after " + ms + " ms");
        } finally {
            for (var s : slow) s.close();
        }
    }

    /** A textfile that never ends (a symlink to /dev/zero) or holds too many series is left out; the exporter stays up. */
    @org.junit.jupiter.api.Test
    void endlessAndHugeTextfilesAreLeftOutNotFatal() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("textfiles-hostile"));
        Files.createSymbolicLink(dir.resolve("z.prom"), Path.of("/dev/zero"));
        StringBuilder many = new StringBuilder("# TYPE many gauge\n");
        for (int i = 0; i < 25_000; i++) many.append("many{i=\"").append(i).append("\"} 1\n");
        Files.writeString(dir.resolve("many.prom"), many);
        Files.writeString(dir.resolve("fine.prom"), "ops_fine 1\n");
        Running r = start("--textfile-dir", dir.toString());
        for (int i = 0; i < 3; i++) {
            String body = metrics(r);
            assertTrue(body.contains("ops_fine 1") && body.contains("node_textfile_scrape_error 1") && !body.contains("many{"), body.length() + "");
        }
        assertTrue(r.process().isAlive(), "still serving:\n" + r.stderr());
        assertTrue(r.stderr().contains(dir.resolve("z.prom") + ": over the limit of 2048 KiB a file; file left out"), r.stderr());
        assertTrue(r.stderr().contains("more than 20000 series in one file"), r.stderr());
    }

    /** A systemd unit written for node_exporter works unchanged: its flag names, and ':PORT' meaning every interface. */
    @org.junit.jupiter.api.Test
    void nodeExportersFlagNamesWork() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("textfiles-ne"));
        Files.writeString(dir.resolve("a.prom"), "ops_from_a_unit 1\n");
        int port = Proc.freePort();
        Running r = start("--web.listen-address", ":" + port, "--collector.textfile.directory", dir.toString(),
                "--web.telemetry-path", "/metrics", "--no-collector.netdev");
        String body = HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(r.base() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(body.contains("ops_from_a_unit 1") && body.contains("node_load1 ") && !body.contains("node_network_receive_bytes_total"), body);
        assertTrue(r.stderr().contains("serving http://[::]:" + port + "/metrics"), r.stderr());
    }

    @AfterEach
    void stop() {
        for (Process p : started) p.destroyForcibly();
    }

    static HttpResponse<byte[]> get(String url, String... headers) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(HttpResponse<byte[]> r) { return new String(r.body(), StandardCharsets.UTF_8); }

    static String metrics(Running r) throws Exception {
        var resp = get(r.base + "/metrics");
        assertEquals(200, resp.statusCode(), text(resp));
        return text(resp);
    }

    /** The value of one series, given as it appears in the text format ("node_load1", "x{a=\"b\"}"). */
    static double value(String metrics, String series) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1).trim());
        }
        throw new AssertionError("no series " + series + " in:\n" + metrics);
    }

    static Map<String, Long> meminfo() throws Exception {
        Map<String, Long> m = new HashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            String[] f = line.split("\\s+");
            m.put(f[0].replace(":", ""), Long.parseLong(f[1]) * (f.length > 2 ? 1024 : 1));
        }
        return m;
    }

    /**
     * The process's threads, less the carriers of virtual threads ("ForkJoinPool-..."): requests are
     * handled on virtual threads, whose scheduler adds and retires carriers as it sees fit (bounded).
     */
    static int threads(Process p) throws Exception {
        int n = 0;
        try (var tasks = Files.list(Path.of("/proc/" + p.pid() + "/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    if (!Files.readString(t.resolve("comm")).startsWith("ForkJoinPool")) n++;
                } catch (java.nio.file.NoSuchFileException gone) { }
            }
        }
        return n;
    }

    static int fds(Process p) throws Exception {
        try (var s = Files.list(Path.of("/proc/" + p.pid() + "/fd"))) {
            return (int) s.count();
        }
    }

    Path textfiles() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("textfiles"));
        // probe's own --format prom output, the way an operator's cron job would write it
        var probed = ScriptRun.run(probe::main, "--format", "prom", "--timeout", "1s", "--no-banner", "-H", "127.0.0.1:" + Proc.freePort());
        assertTrue(probed.out().contains("# TYPE"), probed.toString());
        Files.writeString(dir.resolve("probe.prom"), probed.out());
        Files.writeString(dir.resolve("jobs.prom"), """
                # HELP backup_age_seconds Seconds since the last backup.
                # TYPE backup_age_seconds gauge
                backup_age_seconds{job="db",path="/var/backups/\\"db\\""} 3600
                # TYPE backup_duration_seconds histogram
                backup_duration_seconds_bucket{le="60"} 2
                backup_duration_seconds_bucket{le="+Inf"} 3
                backup_duration_seconds_sum 250
                backup_duration_seconds_count 3
                # TYPE backup_runs_total counter
                backup_runs_total 7
                """);
        Files.writeString(dir.resolve("broken.prom"), "# TYPE ok gauge\nok 1\nbroken{job=\"x\" 1\n");
        Files.writeString(dir.resolve("notes.txt"), "not a .prom file, ignored\n");
        Files.writeString(dir.resolve("clash.prom"), "node_load1 99\n");    // a name the loadavg collector serves
        return dir;
    }

    @Test
    void scrapeAgreesWithProcAndStatvfsAndPassesPromtool() throws Exception {
        Prereq.requireExecutable("/usr/bin/promtool", "prometheus");
        Path dir = textfiles();
        Running r = start("--textfile-dir", dir.toString());
        String[] loadBefore = Files.readString(Path.of("/proc/loadavg")).split(" ");
        String m = metrics(r);
        String[] loadAfter = Files.readString(Path.of("/proc/loadavg")).split(" ");
        Map<String, Long> mem = meminfo();

        // promtool: no parse errors; the only lints are those of node_exporter's own names (camelCase fields, entropy in bits)
        Path file = tmp.resolve("scrape.txt");
        Files.writeString(file, m);
        var lint = Proc.run(List.of("sh", "-c", "promtool check metrics < " + file), Duration.ofSeconds(30));
        assertTrue(lint.exit() == 0 || lint.exit() == 3, lint.toString());
        for (String line : (lint.out() + lint.err()).split("\n")) {
            if (line.isBlank()) continue;
            assertTrue(line.matches("node_(memory|netstat|sockstat)_\\w+ metric names should be written in 'snake_case' not 'camelCase'")
                    || line.matches("node_entropy_\\w+_bits use base unit \"bytes\" instead of \"bits\""), "promtool: " + line);
        }

        // memory: exact for the constants, a tolerance for what moves
        assertEquals((double) mem.get("MemTotal"), value(m, "node_memory_MemTotal_bytes"));
        assertEquals((double) mem.get("SwapTotal"), value(m, "node_memory_SwapTotal_bytes"));
        for (String k : List.of("MemAvailable", "MemFree", "Buffers", "Cached", "SwapFree")) {
            double ours = value(m, "node_memory_" + k + "_bytes"), proc = mem.get(k);
            assertTrue(Math.abs(ours - proc) <= Math.max(64 << 20, proc * 0.05), k + ": " + ours + " vs /proc/meminfo " + proc);
        }
        assertTrue(m.contains("node_memory_HugePages_Total "), "unitless meminfo fields keep node_exporter's names");

        // load, time, boot, uname
        // the kernel updates the averages every 5 s: each served value is /proc/loadavg's as read just before or just after
        // the scrape (or between them), never a tolerance that a busy machine can exceed
        for (int i = 0; i < 3; i++) {
            String name = List.of("node_load1", "node_load5", "node_load15").get(i);
            double before = Double.parseDouble(loadBefore[i]), after = Double.parseDouble(loadAfter[i]), v = value(m, name);
            assertTrue(Math.min(before, after) - 0.005 <= v && v <= Math.max(before, after) + 0.005,
                    name + " " + v + " is not within /proc/loadavg's " + before + " (before the scrape) .. " + after + " (after)");
        }
        assertEquals(System.currentTimeMillis() / 1e3, value(m, "node_time_seconds"), 5);
        String btime = Files.readAllLines(Path.of("/proc/stat")).stream().filter(l -> l.startsWith("btime ")).findFirst().orElseThrow();
        assertEquals(Double.parseDouble(btime.substring(6)), value(m, "node_boot_time_seconds"));
        assertTrue(value(m, "node_procs_running") >= 1);
        String release = Proc.sh("uname -r").trim(), host = Proc.sh("uname -n").trim();
        assertTrue(m.contains("node_uname_info{") && m.contains("release=\"" + release + "\"") && m.contains("nodename=\"" + host + "\""), m);

        // cpu: seconds, per CPU and mode, against /proc/stat (USER_HZ 100)
        String cpu0 = Files.readAllLines(Path.of("/proc/stat")).stream().filter(l -> l.startsWith("cpu0 ")).findFirst().orElseThrow();
        double idle = Long.parseLong(cpu0.split("\\s+")[4]) / 100.0;
        assertEquals(idle, value(m, "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}"), 5.0);
        for (String mode : List.of("user", "nice", "system", "iowait", "irq", "softirq", "steal")) {
            assertTrue(m.contains("node_cpu_seconds_total{cpu=\"0\",mode=\"" + mode + "\"}"), mode);
        }

        // filesystem: / against statvfs (stat -f: %S fragment size, %b blocks, %a avail, %c inodes)
        String[] st = Proc.sh("stat -f -c '%S %b %a %c' /").trim().split(" ");
        long frsize = Long.parseLong(st[0]);
        String root = Pattern.compile("node_filesystem_size_bytes\\{device=\"([^\"]*)\",fstype=\"([^\"]*)\",mountpoint=\"/\"}").matcher(m).results()
                .map(x -> "{device=\"" + x.group(1) + "\",fstype=\"" + x.group(2) + "\",mountpoint=\"/\"}").findFirst().orElseThrow(() -> new AssertionError(m));
        assertEquals((double) Long.parseLong(st[1]) * frsize, value(m, "node_filesystem_size_bytes" + root));
        assertEquals((double) Long.parseLong(st[2]) * frsize, value(m, "node_filesystem_avail_bytes" + root), 256e6);
        assertEquals((double) Long.parseLong(st[3]), value(m, "node_filesystem_files" + root));
        assertEquals(0.0, value(m, "node_filesystem_device_error" + root));
        // node_exporter's default exclusions: no /proc, /sys, /dev mounts, no pseudo filesystem types
        assertFalse(Pattern.compile("mountpoint=\"/(proc|sys|dev)[/\"]").matcher(m).find(), "excluded mount points are out");
        assertFalse(Pattern.compile("fstype=\"(proc|sysfs|cgroup2?|devpts|mqueue|overlay)\"").matcher(m).find(), "pseudo filesystems are out");

        // network: lo's counters only grow, and the scrape's own traffic counts
        assertTrue(value(m, "node_network_receive_bytes_total{device=\"lo\"}") > 0);
        assertTrue(m.contains("node_network_transmit_drop_total{device=\"lo\"}"), m);

        // own health and the JVM's
        for (String c : List.of("cpu", "loadavg", "meminfo", "filesystem", "netdev", "stat", "time", "uname", "textfile")) {
            assertEquals(1.0, value(m, "ops_exporter_collector_success{collector=\"" + c + "\"}"), c);
            assertTrue(m.contains("ops_exporter_scrape_duration_seconds{collector=\"" + c + "\"}"), c);
            assertEquals(0.0, value(m, "ops_exporter_collector_errors_total{collector=\"" + c + "\",reason=\"timeout\"}"), c);
        }
        for (String jvm : List.of("jvm_memory_used_bytes{area=\"heap\"}", "jvm_threads_current", "jvm_gc_collection_seconds_count",
                "process_resident_memory_bytes", "process_open_fds")) {
            assertTrue(m.contains(jvm), jvm);
        }
        assertFalse(m.contains("jvm_threads_deadlocked"), "the deadlock search (a safepoint per scrape) is left out");

        // textfiles: probe's and the job's metrics are in, the broken file is reported but not fatal
        assertTrue(m.contains("ops_probe_"), "probe's --format prom lands in the scrape");
        assertEquals(3600.0, value(m, "backup_age_seconds{job=\"db\",path=\"/var/backups/\\\"db\\\"\"}"));
        assertEquals(2.0, value(m, "backup_duration_seconds_bucket{le=\"60.0\"}"));
        assertEquals(3.0, value(m, "backup_duration_seconds_count"));
        assertEquals(7.0, value(m, "backup_runs_total"));
        assertFalse(m.contains("\nok "), "a file with an error is left out whole");
        assertEquals(1.0, value(m, "node_textfile_scrape_error"));
        assertTrue(m.contains("node_textfile_mtime_seconds{file=\"" + dir.resolve("jobs.prom") + "\"}"), m);
        assertFalse(m.contains("broken.prom\"}"), "no mtime for a file that was left out");

        // the bad file is logged once, with its line, however many scrapes see it
        metrics(r);
        metrics(r);
        String err = r.stderr();
        assertEquals(1, err.split("broken.prom: line 3:", -1).length - 1, err);
        assertTrue(err.contains("expected ',' or '}' after label job in broken"), err);
        assertEquals(1, err.split("textfile: metric node_load1 is already served by another collector; left out", -1).length - 1, err);

        // gzip (level 1) and OpenMetrics, as Prometheus asks
        var gz = get(r.base + "/metrics", "Accept-Encoding", "gzip", "Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
        assertEquals("gzip", gz.headers().firstValue("Content-Encoding").orElse(""));
        String om = new String(new GZIPInputStream(new ByteArrayInputStream(gz.body())).readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(om.endsWith("# EOF\n") && om.contains("node_load1 "), om.substring(Math.max(0, om.length() - 200)));
        assertTrue(gz.body().length * 3 < om.length(), "compressed");

        // /healthz: all collectors fine; the broken textfile is a problem, not a failure
        var health = get(r.base + "/healthz");
        assertEquals(200, health.statusCode(), text(health));
        assertTrue(text(health).contains("textfile   ok") && text(health).contains("broken.prom"), text(health));
        assertEquals(404, get(r.base + "/metricsx").statusCode());
        assertEquals(404, get(r.base + "/debug/heap").statusCode(), "debug endpoints are off by default");
    }

    @Test
    void collectorsCanBeSwitchedOffOneByOne() throws Exception {
        Running r = start("--no-collector.filesystem", "--no-collector.cpu");
        String m = metrics(r);
        assertFalse(m.contains("node_filesystem_") || m.contains("node_cpu_seconds"), m);
        assertFalse(m.contains("collector=\"filesystem\""), m);
        assertTrue(m.contains("node_load1 ") && m.contains("node_memory_MemTotal_bytes"), m);
        assertTrue(r.stderr().contains("(off: filesystem, cpu)"), r.stderr());
    }

    /** A FIFO named *.prom blocks the reader until a writer opens it: a real hung collector. */
    @Test
    void aHungCollectorCannotHangAScrapeNorPileUpThreads() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("textfiles"));
        Files.writeString(dir.resolve("ok.prom"), "fine 1\n");
        Path fifo = dir.resolve("stuck.prom");
        Proc.sh("mkfifo " + fifo);
        Running r = start("--textfile-dir", dir.toString(), "--collector-timeout", "500ms");

        long t0 = System.nanoTime();
        String m = metrics(r);
        assertTrue((System.nanoTime() - t0) / 1e6 < 3000, "the scrape waited for the budget, not for the FIFO");
        assertEquals(0.0, value(m, "ops_exporter_collector_success{collector=\"textfile\"}"));
        assertEquals(1.0, value(m, "ops_exporter_collector_success{collector=\"meminfo\"}"));
        assertTrue(m.contains("node_load1 ") && !m.contains("\nfine "), "the other collectors are served");
        var health = get(r.base + "/healthz");
        assertEquals(503, health.statusCode());
        assertTrue(text(health).contains("textfile   FAILED: over its 500ms budget") && text(health).contains("stuck in read " + fifo), text(health));

        int before = threads(r.process);
        for (int i = 0; i < 30; i++) {
            long s = System.nanoTime();
            metrics(r);
            assertTrue((System.nanoTime() - s) / 1e6 < 1000, "a stuck collection is joined, not waited for again");
        }
        assertTrue(threads(r.process) <= before + 2, "threads " + before + " -> " + threads(r.process));
        m = metrics(r);
        assertTrue(value(m, "ops_exporter_collector_errors_total{collector=\"textfile\",reason=\"timeout\"}") >= 30, m);

        // unblock the reader, remove the FIFO: the collector works again
        Files.writeString(fifo, "from_fifo 1\n");
        Files.delete(fifo);
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (get(r.base + "/healthz").statusCode() != 200) {
            assertTrue(System.nanoTime() < end, "textfile did not recover");
            Thread.sleep(100);
        }
        m = metrics(r);
        assertEquals(1.0, value(m, "ops_exporter_collector_success{collector=\"textfile\"}"));
        assertEquals(1.0, value(m, "fine"));
        String err = r.stderr();
        assertEquals(1, err.split("textfile collector failed: over its 500ms budget", -1).length - 1, err);
        assertTrue(err.contains("textfile collector works again"), err);
    }

    @Test
    void debugEndpointsNeedTheBearerToken() throws Exception {
        String token = "s3cret-token-0123456789";
        Path tokenFile = tmp.resolve("token");
        Files.writeString(tokenFile, token + "\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        Running r = start("--debug-endpoints", "--debug-token-file", tokenFile.toString());
        String auth = "Bearer " + token;
        for (String path : List.of("/debug/threads", "/debug/heap", "/debug/jfr?seconds=1")) {
            var none = get(r.base + path);
            assertEquals(401, none.statusCode(), path);
            assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), path);
            assertEquals(401, get(r.base + path, "Authorization", "Bearer " + token + "x").statusCode(), path);
            assertEquals(401, get(r.base + path, "Authorization", "Basic " + token).statusCode(), path);
        }
        var threads = get(r.base + "/debug/threads", "Authorization", auth);
        assertEquals(200, threads.statusCode());
        assertTrue(text(threads).contains("Full thread dump") && text(threads).contains("at exporter.call("), text(threads));
        var heap = get(r.base + "/debug/heap", "Authorization", auth);
        assertEquals(200, heap.statusCode());
        assertTrue(text(heap).contains("#instances") && text(heap).contains("java.lang.String"), text(heap));
        var jfr = get(r.base + "/debug/jfr?seconds=1", "Authorization", auth);
        assertEquals(200, jfr.statusCode(), text(jfr));
        assertTrue(jfr.body().length > 10_000 && new String(jfr.body(), 0, 3, StandardCharsets.US_ASCII).equals("FLR"), "a JFR file");
        assertTrue(jfr.headers().firstValue("Content-Disposition").orElse("").contains(".jfr"));
        assertEquals(400, get(r.base + "/debug/jfr?seconds=0", "Authorization", auth).statusCode());
        assertEquals(400, get(r.base + "/debug/jfr?seconds=abc", "Authorization", auth).statusCode());
        assertEquals(400, get(r.base + "/debug/jfr?seconds=301", "Authorization", auth).statusCode());
        assertEquals(405, HTTP.send(HttpRequest.newBuilder(URI.create(r.base + "/debug/heap")).header("Authorization", auth)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        String err = r.stderr();
        assertTrue(err.contains("refused /debug/heap from 127.0.0.1: missing or wrong bearer token"), err);
        assertFalse(err.contains(token), "the token is never logged");

        // the token from the environment instead of a file
        Running env = start(Map.of("OPS_EXPORTER_TOKEN", token), "--debug-endpoints");
        assertEquals(200, get(env.base + "/debug/threads", "Authorization", auth).statusCode());
        assertEquals(401, get(env.base + "/debug/threads").statusCode());
    }

    @Test
    void tenThousandScrapesTenAtATimeLeaveThreadsFdsAndHeapFlat() throws Exception {
        Path dir = textfiles();
        Running r = start("--textfile-dir", dir.toString());
        ExecutorService clients = Executors.newFixedThreadPool(10);
        try {
            scrapes(r, clients, 1_000);
            long heap0 = heapAfterGc(r);
            int threads0 = threads(r.process), fds0 = fds(r.process);
            scrapes(r, clients, 9_000);
            long heap1 = heapAfterGc(r);
            int threads1 = threads(r.process), fds1 = fds(r.process);
            String summary = String.format("threads %d -> %d, fds %d -> %d, old gen after full GC %d KB -> %d KB, RSS %d MB (peak %d MB)"
                    + " on the harness's classpath", threads0, threads1, fds0, fds1, heap0 >> 10, heap1 >> 10,
                    statusKb(r.process, "VmRSS:") >> 10, statusKb(r.process, "VmHWM:") >> 10);
            System.out.println("exporter soak: " + summary);
            assertTrue(threads1 <= threads0 + 2, summary);
            assertTrue(fds1 <= fds0 + 4, summary);
            assertTrue(heap1 <= heap0 + (2 << 20), summary);
            assertTrue(r.process.isAlive());
            assertEquals(0.0, value(metrics(r), "ops_exporter_collector_errors_total{collector=\"meminfo\",reason=\"error\"}"));
        } finally {
            clients.shutdownNow();
        }
    }

    /** {@code n} scrapes of /metrics (one in ten of /healthz) from 10 clients at once, each on its own connection pool. */
    static void scrapes(Running r, ExecutorService clients, int n) throws Exception {
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            futures.add(clients.submit(() -> {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                for (int i = 0; i < n / 10; i++) {
                    String path = i % 10 == 9 ? "/healthz" : "/metrics";
                    var resp = client.send(HttpRequest.newBuilder(URI.create(r.base + path)).build(), HttpResponse.BodyHandlers.ofByteArray());
                    if (resp.statusCode() != 200) throw new AssertionError(path + " answered " + resp.statusCode());
                }
                client.close();
                return null;
            }));
        }
        for (Future<?> f : futures) f.get(5, TimeUnit.MINUTES);
    }

    /** A field of /proc/PID/status in kB ("VmRSS:", "VmHWM:"). */
    static long statusKb(Process p, String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
            if (line.startsWith(field)) return Long.parseLong(line.replaceAll("\\D+", ""));
        }
        throw new AssertionError("no " + field + " in /proc/" + p.pid() + "/status");
    }

    /** Old generation in use right after a full GC (jcmd GC.run), as the exporter's own metric reports it. */
    static long heapAfterGc(Running r) throws Exception {
        Path jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
        var gc = Proc.run(List.of(jcmd.toString(), String.valueOf(r.process.pid()), "GC.run"), Duration.ofSeconds(30));
        assertEquals(0, gc.exit(), gc.toString());
        Matcher m = Pattern.compile("jvm_memory_pool_used_bytes\\{pool=\"Tenured Gen\"} (\\S+)").matcher(metrics(r));
        assertTrue(m.find(), "no Tenured Gen pool (SerialGC) in the scrape");
        return (long) Double.parseDouble(m.group(1));
    }

    @Test
    void sigtermFinishesAndFreesTheDefaultLoopbackPort() throws Exception {
        Running r = start("--listen", "127.0.0.1:9101");
        assertEquals(200, get("http://127.0.0.1:9101/healthz").statusCode());
        String listening = Proc.sh("ss -Htln 'sport = :9101'");
        assertTrue(listening.matches("(?s).*[ \\[:]127\\.0\\.0\\.1\\]?:9101 .*") && !listening.matches("(?s).*(0\\.0\\.0\\.0|\\*|\\[::\\]):9101 .*"),
                listening);                                                  // 127.0.0.1:9101 or [::ffff:127.0.0.1]:9101
        r.process.destroy();                                                 // SIGTERM
        assertTrue(r.process.waitFor(10, TimeUnit.SECONDS), "exporter did not stop");
        assertEquals(0, r.process.exitValue());
        assertTrue(r.stderr().contains("exporter: stopped"), r.stderr());
        try (var s = new java.net.ServerSocket(9101, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            assertNotNull(s, "the port is free again");
        }
    }

    @Test
    void theDefaultListenAddressIsLoopback() {
        var help = ScriptRun.run(exporter::main, "--help");
        assertTrue(help.out().contains("(default: 127.0.0.1:9101)"), help.out());
    }

    @Test
    void badUsageIsOneLineAndExitTwo() throws Exception {
        Path tooShort = tmp.resolve("short");
        Files.writeString(tooShort, "abc\n");
        Path empty = tmp.resolve("empty");
        Files.writeString(empty, "\n");
        try (var busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            String inUse = "127.0.0.1:" + busy.getLocalPort();
            Object[][] cases = {
                {new String[] {"--listen", ":9101"}, "--listen :9101: give the address too: 127.0.0.1:9101 for this host only, 0.0.0.0:9101 for every interface"},
                {new String[] {"--listen", "9101"}, "--listen 9101: expected HOST:PORT, like 127.0.0.1:9101 or [::1]:9101"},
                {new String[] {"--listen", "127.0.0.1:99999"}, "--listen 127.0.0.1:99999: port 99999 is out of range (0-65535)"},
                {new String[] {"--listen", "no-such-host.invalid:9101"}, "--listen no-such-host.invalid:9101: cannot resolve 'no-such-host.invalid'"},
                {new String[] {"--listen", inUse}, "--listen " + inUse + ": address already in use"},
                {new String[] {"--textfile-dir", tmp.resolve("nope").toString()}, "--textfile-dir " + tmp.resolve("nope") + ": no such directory"},
                {new String[] {"--textfile-dir", tooShort.toString()}, "--textfile-dir " + tooShort + ": not a directory"},
                {new String[] {"--debug-token-file", tooShort.toString()}, "--debug-token-file needs --debug-endpoints"},
                {new String[] {"--debug-endpoints", "--debug-token-file", tmp.resolve("nope").toString()},
                    "--debug-token-file " + tmp.resolve("nope") + ": no such file"},
                {new String[] {"--debug-endpoints", "--debug-token-file", empty.toString()}, "--debug-token-file " + empty + ": the token is empty"},
                {new String[] {"--debug-endpoints", "--debug-token-file", tooShort.toString()},
                    "--debug-token-file " + tooShort + ": the token is 3 characters; use at least 16 (openssl rand -hex 16)"},
                {new String[] {"--collector-timeout", "0s"}, "--collector-timeout must be more than 0"},
                {new String[] {"--collector.filesystem.mount-points-exclude", "^/(dev"}, "--collector.filesystem.mount-points-exclude '^/(dev': bad regex: Unclosed group near index 6"},
                {new String[] {"--no-collector.disk"}, "Unknown option: '--no-collector.disk'"},
                {new String[] {"--web.telemetry-path", "/m"}, "--web.telemetry-path /m: only /metrics is served"},
                {new String[] {"--listen", "127.0.0.1:9", "--web.listen-address", ":9"}, "--listen and --web.listen-address: give one of them"},
            };
            for (Object[] c : cases) {
                var r = ScriptRun.run(exporter::main, (String[]) c[0]);
                assertEquals(2, r.exit(), String.join(" ", (String[]) c[0]) + "\n" + r);
                assertTrue(r.err().contains((String) c[1]), "expected '" + c[1] + "' in:\n" + r.err());
                assertTrue(r.err().lines().filter(l -> !l.startsWith("Try ")).count() == 1, "one line:\n" + r.err());
            }
        }
        if (System.getenv("OPS_EXPORTER_TOKEN") == null) {
            var r = ScriptRun.run(exporter::main, "--debug-endpoints");
            assertEquals(2, r.exit(), r.toString());
            assertTrue(r.err().contains("--debug-endpoints needs a token: set OPS_EXPORTER_TOKEN or give --debug-token-file FILE"), r.err());
        }
    }

    /** The textfile reader on its own: what it accepts, and the line and reason for what it refuses. */
    @Test
    void textfileFormatIsReadStrictly() throws Exception {
        var ok = PromText.parse("a.prom", """
                # a plain comment
                # HELP h A histogram\\nwith a second line.
                # TYPE h histogram
                h_bucket{le="0.5"} 1
                h_bucket{le="+Inf"} 4
                h_sum 2.5
                h_count 4
                # TYPE s summary
                s{quantile="0.9"} 0.2
                s_sum 1
                s_count 5
                plain{a="x",b="y\\\\z\\n",} NaN
                neg -Inf
                sci 1.5e3\r
                """);
        assertEquals(List.of("h", "s", "plain", "neg", "sci"), ok.stream().map(f -> f.name).toList());
        assertEquals("A histogram\nwith a second line.", ok.get(0).help);
        assertEquals("y\\z\n", ok.get(2).samples.get(0).labels().get("b"));
        for (var f : ok) assertNotNull(f.snapshot(), f.name);

        String[][] bad = {
            {"x 1 1700000000000\n", "line 1: x has a timestamp; textfiles must not carry timestamps"},
            {"x{a=\"1\"} one\n", "line 1: value of x 'one' is not a number"},
            {"x{a=1} 1\n", "line 1: expected a quoted value for label a in x"},
            {"x{a=\"1} 1\n", "line 1: unterminated value of label a in x"},
            {"x{a=\"\\t\"} 1\n", "line 1: invalid escape \\t in label a of x"},
            {"x{a=\"1\",a=\"2\"} 1\n", "line 1: label a given twice in x"},
            {"x{__a=\"1\"} 1\n", "line 1: label names starting with __ are reserved ('__a' in x)"},
            {"9x 1\n", "line 1: invalid metric name '9x'"},
            {"x 1\nx 2\n", "line 2: duplicate series x{}"},
            {"# TYPE x gauge\n# TYPE x counter\n", "line 2: second TYPE line for x"},
            {"x 1\n# TYPE x gauge\n", "line 2: TYPE line for x after its samples"},
            {"# TYPE x countr\n", "line 1: unknown type 'countr' for x (expected counter, gauge, histogram, summary or untyped)"},
            {"# TYPE x_total counter\nx_total -1\n", "line 2: counter x_total is -1.0; counters cannot be negative"},
            {"# TYPE h histogram\nh_bucket 1\n", "line 2: h_bucket needs an le label"},
        };
        for (String[] c : bad) {
            try {
                PromText.parse("b.prom", c[0]);
                throw new AssertionError("accepted: " + c[0]);
            } catch (PromText.Malformed e) {
                assertEquals("b.prom: " + c[1], e.getMessage(), c[0]);
            }
        }
    }

    // ---- promises locked before the lib/ refactoring -------------------------------------------------

    /** /proc/net/dev: device -> its 16 counters. */
    static Map<String, long[]> procNetDev() throws Exception {
        Map<String, long[]> m = new HashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/net/dev"))) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String[] f = line.substring(colon + 1).trim().split("\\s+");
            long[] v = new long[16];
            for (int i = 0; i < 16; i++) v[i] = Long.parseLong(f[i]);
            m.put(line.substring(0, colon).trim(), v);
        }
        return m;
    }

    /**
     * netdev: every /proc/net/dev counter of every device, named like node_exporter's. Counters only
     * grow, so each served value lies between /proc/net/dev read just before the scrape and just after
     * it (traffic flows meanwhile: the scrape's own bytes on lo). --collector.netdev.device-exclude
     * leaves devices out.
     */
    @Test
    void netdevCountersAgreeWithProcNetDev() throws Exception {
        Running r = start();
        metrics(r);                                                          // warm: the first scrape is not the one compared
        Map<String, long[]> before = procNetDev();
        String m = metrics(r);
        Map<String, long[]> after = procNetDev();
        String[] columns = {"receive_bytes", "receive_packets", "receive_errs", "receive_drop", "receive_fifo", "receive_frame",
            "receive_compressed", "receive_multicast", "transmit_bytes", "transmit_packets", "transmit_errs", "transmit_drop",
            "transmit_fifo", "transmit_colls", "transmit_carrier", "transmit_compressed"};
        int compared = 0;
        for (String dev : before.keySet()) {
            if (!after.containsKey(dev)) continue;                              // someone's veth came and went
            for (int i = 0; i < 16; i++) {
                double v = value(m, "node_network_" + columns[i] + "_total{device=\"" + dev + "\"}");
                assertTrue(before.get(dev)[i] <= v && v <= after.get(dev)[i],
                        dev + " " + columns[i] + ": " + (long) v + " not within /proc/net/dev's " + before.get(dev)[i] + ".." + after.get(dev)[i]);
                compared++;
            }
        }
        assertTrue(before.containsKey("lo") && compared >= 16, "lo was compared: " + before.keySet());
        assertTrue(before.get("lo")[0] > 0 && value(m, "node_network_receive_bytes_total{device=\"lo\"}") > 0, "loopback traffic is counted");
        for (String c : columns) {
            assertTrue(m.contains("# TYPE node_network_" + c + "_total counter\n"), c + " is a counter");
        }

        Running noLo = start("--collector.netdev.device-exclude", "^lo$");
        String m2 = metrics(noLo);
        assertFalse(m2.contains("node_network_receive_bytes_total{device=\"lo\"}"), "lo left out");
        for (String dev : before.keySet()) {
            if (!dev.equals("lo") && after.containsKey(dev)) assertTrue(m2.contains("node_network_receive_bytes_total{device=\"" + dev + "\"}"), dev);
        }
    }

    /**
     * filesystem: node_filesystem_readonly is 1 for a read-only mount and 0 for a writable one;
     * files and files_free are statvfs's inode counts (stat -f %c and %d), sizes its blocks. Two small
     * tmpfs mounts made for the test (nothing else writes there, so the numbers are exact), unmounted
     * in finally.
     */
    @Test
    void filesystemReadonlyAndFreeInodesOfRealMounts() throws Exception {
        Prereq.requireRoot();
        Path ro = Files.createDirectories(tmp.resolve("ro-mount")), rw = Files.createDirectories(tmp.resolve("rw-mount"));
        List<Path> mounted = new ArrayList<>();
        try {
            Proc.sh("mount -t tmpfs -o size=1m,nr_inodes=64 ops-test-rw '" + rw + "'");
            mounted.add(rw);
            for (int i = 0; i < 5; i++) Files.writeString(rw.resolve("f" + i), "x".repeat(5000));
            Proc.sh("mount -t tmpfs -o ro,size=2m,nr_inodes=32 ops-test-ro '" + ro + "'");
            mounted.add(ro);
            Running r = start("--no-collector.textfile");
            String m = metrics(r);
            for (Path mnt : List.of(ro, rw)) {
                String labels = "{device=\"" + (mnt.equals(ro) ? "ops-test-ro" : "ops-test-rw") + "\",fstype=\"tmpfs\",mountpoint=\"" + mnt + "\"}";
                String[] st = Proc.sh("stat -f -c '%S %b %f %a %c %d' '" + mnt + "'").trim().split(" ");
                long frsize = Long.parseLong(st[0]);
                assertEquals(mnt.equals(ro) ? 1.0 : 0.0, value(m, "node_filesystem_readonly" + labels), mnt + " readonly");
                assertEquals((double) Long.parseLong(st[4]), value(m, "node_filesystem_files" + labels), mnt + " files");
                assertEquals((double) Long.parseLong(st[5]), value(m, "node_filesystem_files_free" + labels), mnt + " files_free");
                assertEquals((double) Long.parseLong(st[1]) * frsize, value(m, "node_filesystem_size_bytes" + labels), mnt + " size");
                assertEquals((double) Long.parseLong(st[2]) * frsize, value(m, "node_filesystem_free_bytes" + labels), mnt + " free");
                assertEquals((double) Long.parseLong(st[3]) * frsize, value(m, "node_filesystem_avail_bytes" + labels), mnt + " avail");
                assertEquals(0.0, value(m, "node_filesystem_device_error" + labels), mnt + " device_error");
            }
            assertEquals(32.0, value(m, "node_filesystem_files{device=\"ops-test-ro\",fstype=\"tmpfs\",mountpoint=\"" + ro + "\"}"), "nr_inodes=32");
            assertEquals(64.0 - 6, value(m, "node_filesystem_files_free{device=\"ops-test-rw\",fstype=\"tmpfs\",mountpoint=\"" + rw + "\"}"),
                    "64 inodes less the root directory and 5 files");
            // the root filesystem too: writable, and its free inodes as stat -f says (others write files meanwhile)
            String root = Pattern.compile("node_filesystem_readonly(\\{device=\"[^\"]*\",fstype=\"[^\"]*\",mountpoint=\"/\"}) ").matcher(m).results()
                    .map(x -> x.group(1)).findFirst().orElseThrow(() -> new AssertionError(m));
            assertEquals(Proc.sh("findmnt -no OPTIONS /").startsWith("ro") ? 1.0 : 0.0, value(m, "node_filesystem_readonly" + root));
            assertEquals((double) Long.parseLong(Proc.sh("stat -f -c %d /").trim()), value(m, "node_filesystem_files_free" + root), 20_000);
        } finally {
            for (Path mnt : mounted) Proc.sh("umount '" + mnt + "'");
        }
    }

    /**
     * --listen 0.0.0.0:PORT listens on every interface: the JVM binds one dual-stack socket to the
     * wildcard, which ss shows as *:PORT (IPv4 and IPv6; node_exporter's Go listener does the same for
     * 0.0.0.0), and the log names it [::]:PORT. Scrapes on 127.0.0.1, ::1 and this host's other
     * addresses are served.
     */
    @Test
    void listenOnEveryInterface() throws Exception {
        int port = Proc.freePort();
        Running r = start("--listen", "0.0.0.0:" + port);
        String listening = Proc.sh("ss -Htln 'sport = :" + port + "'");
        assertTrue(Pattern.compile("(?m)^LISTEN\\s+\\d+\\s+\\d+\\s+\\*:" + port + "\\s").matcher(listening).find(), "a wildcard listener:\n" + listening);
        assertEquals(1, listening.lines().count(), listening);
        assertTrue(r.stderr().contains("exporter: serving http://[::]:" + port + "/metrics; collectors: "), r.stderr());
        var m = get("http://127.0.0.1:" + port + "/metrics");
        assertEquals(200, m.statusCode());
        assertTrue(text(m).contains("node_load1 "), "a scrape on 127.0.0.1");
        assertEquals(200, get("http://[::1]:" + port + "/healthz").statusCode(), "and on ::1");
        List<String> others = Proc.sh("ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1").lines().filter(l -> !l.isBlank()).toList();
        for (String a : others) assertEquals(200, get("http://" + a + ":" + port + "/healthz").statusCode(), "and on " + a);
        System.out.println("exporter --listen 0.0.0.0: served on 127.0.0.1, ::1" + (others.isEmpty() ? "" : ", " + String.join(", ", others)));
    }

    /**
     * A FUSE mount that never answers (support/StuckFuse: statfs waits in the kernel, like a hard NFS
     * mount whose server is gone), seen by an exporter started in the mount's namespace: the scrape is
     * served within the collector budget, that mount's sizes are left out and it is reported
     * (node_filesystem_device_error 1, ops_exporter_filesystem_stuck_mounts 1, the log, /healthz), the
     * other filesystems are served; later scrapes do not call it again (fast, no new threads). When the
     * FUSE daemon dies the stuck call returns and the mount is no longer stuck. The mount, the daemon
     * and the exporter are gone in finally whatever happens.
     */
    @Test
    void aStuckFuseMountIsReportedAndTheRestServedWithinTheBudget() throws Exception {
        StuckFuse fuse = StuckFuse.mount(tmp);
        String stuck = fuse.mountPoint.toString();
        String labels = "{device=\"ops-stuck\",fstype=\"fuse.opsstuck\",mountpoint=\"" + stuck + "\"}";
        Running r = null;
        try {
            wrap = fuse.enter();
            r = start("--no-collector.textfile", "--collector-timeout", "3s", "--collector.filesystem.mount-timeout", "1s");
            long t0 = System.nanoTime();
            String first = metrics(r);
            String m = first;
            long firstMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(firstMs < 3000, "the first scrape took " + firstMs + " ms (budget 3s, mount timeout 1s)");
            assertEquals(1.0, value(m, "ops_exporter_collector_success{collector=\"filesystem\"}"), "filesystem finished within its budget");
            assertEquals(1.0, value(m, "node_filesystem_device_error" + labels), m);
            assertFalse(m.contains("node_filesystem_size_bytes" + labels) || m.contains("node_filesystem_avail_bytes" + labels), "no sizes of the stuck mount");
            assertEquals(1.0, value(m, "ops_exporter_filesystem_stuck_mounts"));
            String root = Pattern.compile("node_filesystem_size_bytes(\\{device=\"[^\"]*\",fstype=\"[^\"]*\",mountpoint=\"/\"}) ").matcher(m).results()
                    .map(x -> x.group(1)).findFirst().orElseThrow(() -> new AssertionError("/ is served too:\n" + first));
            assertEquals(0.0, value(m, "node_filesystem_device_error" + root));
            assertTrue(m.contains("node_load1 ") && m.contains("node_memory_MemTotal_bytes "), "the other collectors are served");
            var health = get(r.base() + "/healthz");
            assertEquals(200, health.statusCode(), text(health));
            assertTrue(text(health).contains("statvfs " + stuck + " has not answered (over the 1.0s mount timeout)"), text(health));

            int before = threads(r.process());
            for (int i = 0; i < 20; i++) {
                long s = System.nanoTime();
                String again = metrics(r);
                long ms = (System.nanoTime() - s) / 1_000_000;
                assertTrue(ms < 1000, "scrape " + (i + 2) + " took " + ms + " ms: the stuck mount is not waited for again");
                assertEquals(1.0, value(again, "node_filesystem_device_error" + labels));
                assertEquals(1.0, value(again, "ops_exporter_filesystem_stuck_mounts"));
            }
            int after = threads(r.process());
            assertTrue(after <= before + 1, "threads " + before + " -> " + after + " over 20 scrapes with a stuck mount");

            // the FUSE daemon dies: the kernel aborts the connection, the stuck statfs returns (ENOTCONN)
            fuse.close();
            long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (!r.stderr().contains("filesystem: statvfs " + stuck + " returned after")) {
                assertTrue(System.nanoTime() < end, "the stuck call did not return:\n" + r.stderr());
                Thread.sleep(100);
            }
            m = metrics(r);
            assertEquals(0.0, value(m, "ops_exporter_filesystem_stuck_mounts"), m);
            assertEquals(1.0, value(m, "node_filesystem_device_error" + labels), "a dead FUSE mount is still a device error");
        } finally {
            wrap = List.of();
            fuse.close();
            if (r != null) {
                // lazily unmount in the namespace while a process still holds it, then let the namespace go with the exporter
                Proc.run(List.of("nsenter", "--mount=/proc/" + r.process().pid() + "/ns/mnt", "--", "umount", "-l", stuck), Duration.ofSeconds(10));
                Proc.kill(r.process());
            }
        }
        assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(stuck), "never visible outside its namespace");
    }

    /**
     * textfile, beside Debian's node_exporter on the same directory: good files next to a file whose
     * second line is broken and a file that is not UTF-8. The good files' metrics are served, the bad
     * files are left out whole (the broken file's good first line too), node_textfile_scrape_error is
     * 1, node_textfile_mtime_seconds has one series per file read, with its mtime, and none for the
     * bad ones; the families, types and values are node_exporter's. The log names file and line.
     * Mending the broken file brings it in (with its mtime) and the error back to 0 when the other
     * bad file goes.
     */
    @Test
    void aBrokenTextfileDropsOnlyItselfAsInNodeExporter() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("textfiles-mixed"));
        Files.writeString(dir.resolve("a.prom"), "# HELP a_ok From a.\n# TYPE a_ok gauge\na_ok 1\na_ok_other{x=\"y\"} 2.5\n");
        Files.writeString(dir.resolve("b.prom"), "b_ok{x=\"1\"} 2\n# TYPE b_runs_total counter\nb_runs_total 7\n");
        Files.writeString(dir.resolve("m-broken.prom"), "m_first 1\nm_second{x=\"1\" 2\nm_third 3\n");
        Files.write(dir.resolve("n-latin1.prom"), "n_caf\u00e9 1\n".getBytes(StandardCharsets.ISO_8859_1));
        Files.setLastModifiedTime(dir.resolve("a.prom"), java.nio.file.attribute.FileTime.fromMillis(1_700_000_000_000L));
        Files.setLastModifiedTime(dir.resolve("b.prom"), java.nio.file.attribute.FileTime.fromMillis(1_700_000_060_000L));
        Running r = start("--textfile-dir", dir.toString(), "--no-collector.filesystem", "--no-collector.netclass", "--no-collector.netdev");
        java.util.function.Predicate<String> fromFiles = n -> n.matches("(a|b|m|n)_.*|node_textfile_.*");
        try (NodeExporter ne = NodeExporter.start("127.0.0.1:" + Proc.freePort(), tmp, "--collector.disable-defaults", "--collector.textfile",
                "--collector.textfile.directory=" + dir)) {
            var ours = Families.parse(metrics(r));
            var theirs = Families.parse(ne.scrape());
            ours.keySet().removeIf(fromFiles.negate());
            theirs.keySet().removeIf(fromFiles.negate());
            assertEquals(theirs, ours, "the textfile families, as node_exporter serves them from the same files");
            assertEquals(Map.of("a_ok{}", 1.0), ours.get("a_ok").series());
            assertEquals("gauge", ours.get("a_ok").type());
            assertEquals(2.0, ours.get("b_ok").series().get("b_ok{x=\"1\"}"));
            assertEquals(7.0, ours.get("b_runs_total").series().get("b_runs_total{}"));
            assertFalse(ours.containsKey("m_first") || ours.containsKey("m_third"), "a broken line drops its whole file: " + ours.keySet());
            assertEquals(Map.of("node_textfile_scrape_error{}", 1.0), ours.get("node_textfile_scrape_error").series());
            assertEquals(Map.of("node_textfile_mtime_seconds{file=\"" + dir.resolve("a.prom") + "\"}", 1.7e9,
                    "node_textfile_mtime_seconds{file=\"" + dir.resolve("b.prom") + "\"}", 1.70000006e9), ours.get("node_textfile_mtime_seconds").series());
            String err = r.stderr();
            assertTrue(err.contains(dir.resolve("m-broken.prom") + ": line 2: "), "the log names file and line:\n" + err);
            assertTrue(err.contains(dir.resolve("n-latin1.prom") + ": not UTF-8 text; file left out"), err);
            assertTrue(ne.log().contains("text format parsing error in line 2"), "node_exporter agrees it is line 2:\n" + ne.log());

            Files.writeString(dir.resolve("m-broken.prom"), "m_first 1\nm_second{x=\"1\"} 2\nm_third 3\n");
            Files.setLastModifiedTime(dir.resolve("m-broken.prom"), java.nio.file.attribute.FileTime.fromMillis(1_700_000_120_000L));
            var mended = Families.parse(metrics(r));
            assertEquals(3.0, mended.get("m_third").series().get("m_third{}"), "the mended file is read");
            assertEquals(1.70000012e9, mended.get("node_textfile_mtime_seconds").series().get("node_textfile_mtime_seconds{file=\"" + dir.resolve("m-broken.prom") + "\"}"));
            assertEquals(1.0, mended.get("node_textfile_scrape_error").series().get("node_textfile_scrape_error{}"), "n-latin1.prom is still bad");
            Files.delete(dir.resolve("n-latin1.prom"));
            assertEquals(0.0, Families.parse(metrics(r)).get("node_textfile_scrape_error").series().get("node_textfile_scrape_error{}"));
        }
    }

    // ---- --web.config.file: node_exporter's web-config.yml -----------------------------------------------

    /** A bcrypt hash of {@code password} made by libxcrypt (crypt_gensalt + crypt), not by the Java library exporter checks with. */
    static String libcryptBcrypt(Path tmp, String prefix, String password) throws Exception {
        Prereq.requireExecutable("/usr/bin/gcc", "gcc");
        Path src = tmp.resolve("bcrypt.c"), bin = tmp.resolve("bcrypt");
        Files.writeString(src, """
                #include <crypt.h>
                #include <stdio.h>
                #include <string.h>
                int main(int argc, char **argv) {
                    char pw[256];
                    if (argc != 2 || !fgets(pw, sizeof pw, stdin)) return 2;
                    pw[strcspn(pw, "\\n")] = 0;
                    const char *salt = crypt_gensalt(argv[1], 10, NULL, 0);
                    const char *h = salt ? crypt(pw, salt) : NULL;
                    if (!h || h[0] == '*') { perror("crypt"); return 1; }
                    puts(h);
                    return 0;
                }
                """);
        var cc = Proc.run(List.of("gcc", "-o", bin.toString(), src.toString(), "-lcrypt"), Duration.ofSeconds(60));
        assertEquals(0, cc.exit(), "gcc: " + cc);
        var h = Proc.run(List.of(bin.toString(), prefix), Duration.ofSeconds(30), Map.of(), password + "\n");
        assertEquals(0, h.exit(), h.toString());
        return h.out().trim();
    }

    /** A test CA and a server certificate for 127.0.0.1 it signed (openssl), in {@code dir}: ca.crt, node.crt, node.key. */
    static void testCa(Path dir) throws Exception {
        var r = Proc.run(List.of("sh", "-ec", """
                cd "$1"
                openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=ops-test-ca 2>/dev/null
                openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout node.key -out node.csr -subj /CN=ops-test-node 2>/dev/null
                printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > ext.cnf
                openssl x509 -req -in node.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile ext.cnf -out node.crt 2>/dev/null
                """, "sh", dir.toString()), Duration.ofSeconds(60));
        assertEquals(0, r.exit(), "openssl: " + r);
    }

    /** An HTTP client that trusts only {@code caPem}. */
    static HttpClient trusting(Path caPem) throws Exception {
        var ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (var in = Files.newInputStream(caPem)) {
            ks.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        var ssl = javax.net.ssl.SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
    }

    static int status(HttpClient client, String url, String user, String password) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
        if (user != null) {
            b.header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /**
     * node_exporter's web-config.yml, the same file for exporter and for Debian's node_exporter:
     * TLS with a certificate of a test CA (openssl), and basic auth with two bcrypt hashes, one made
     * by libxcrypt for a password made per run ($2y$, as htpasswd -B writes them) and the one the
     * Prometheus basic-auth guide shows (admin, "test", $2b$ cost 12). Both servers: https with the
     * CA works, a client without it fails the handshake, plain http gets no metrics, 401 without
     * credentials, with a wrong password and for an unknown user, 200 with the right ones.
     */
    @Test
    void webConfigFileTlsAndBcryptBasicAuthAsNodeExporter() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("web"));
        testCa(dir);
        String password = java.util.HexFormat.of().formatHex(java.security.SecureRandom.getInstanceStrong().generateSeed(12));
        String hash = libcryptBcrypt(tmp, "$2y$", password);
        assertTrue(hash.startsWith("$2y$10$") && hash.length() == 60, hash);
        String guideHash = "$2b$12$hNf2lSsxfm0.i4a.1kVpSOVyBCfIB51VRjgBUyv6kdnyTlgWj81Ay";    // prometheus.io basic-auth guide: admin / test
        Path config = dir.resolve("web-config.yml");
        Files.writeString(config, """
                # as in node_exporter's docs; paths are relative to this file
                tls_server_config:
                  cert_file: node.crt
                  key_file: node.key
                basic_auth_users:
                  prometheus: %s
                  admin: %s
                """.formatted(hash, guideHash));
        HttpClient client = trusting(dir.resolve("ca.crt"));

        Running r = start("--web.config.file", config.toString());
        int port = Integer.parseInt(r.base().replaceAll(".*:", ""));
        assertTrue(r.stderr().contains("serving https://127.0.0.1:" + port + "/metrics") && r.stderr().contains("basic auth for 2 user(s)"), r.stderr());
        int nePort = Proc.freePort();
        Path neLog = tmp.resolve("node_exporter-web.log");
        Prereq.requireExecutable(NodeExporter.BINARY, "prometheus-node-exporter");
        Process ne = new ProcessBuilder(NodeExporter.BINARY, "--web.listen-address=127.0.0.1:" + nePort, "--web.config.file=" + config,
                "--collector.disable-defaults", "--collector.loadavg").redirectErrorStream(true).redirectOutput(neLog.toFile()).start();
        started.add(ne);
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!Files.readString(neLog).contains("TLS is enabled")) {
            assertTrue(ne.isAlive() && System.nanoTime() < end, "node_exporter did not start with the file:\n" + Files.readString(neLog));
            Thread.sleep(50);
        }
        Map<String, Integer> tlsPorts = new java.util.LinkedHashMap<>();
        tlsPorts.put("exporter", port);
        tlsPorts.put("node_exporter", nePort);
        for (var e : tlsPorts.entrySet()) {
            String who = e.getKey(), https = "https://127.0.0.1:" + e.getValue() + "/metrics";
            assertEquals(401, status(client, https, null, null), who + ": no credentials");
            var challenge = client.send(HttpRequest.newBuilder(URI.create(https)).build(), HttpResponse.BodyHandlers.discarding());
            assertTrue(challenge.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"), who + ": " + challenge.headers());
            assertEquals(401, status(client, https, "prometheus", password + "x"), who + ": wrong password");
            assertEquals(401, status(client, https, "nobody", password), who + ": unknown user");
            assertEquals(401, status(client, https, "admin", password), who + ": another user's password");
            assertEquals(200, status(client, https, "prometheus", password), who + ": right password");
            assertEquals(200, status(client, https, "admin", "test"), who + ": the guide's hash");
            var body = client.send(HttpRequest.newBuilder(URI.create(https)).header("Authorization", "Basic "
                    + java.util.Base64.getEncoder().encodeToString(("prometheus:" + password).getBytes(StandardCharsets.UTF_8))).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(body.contains("node_load1 "), who + ": " + body);
            // curl, as an operator would check it
            var curl = Proc.run(List.of("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", dir.resolve("ca.crt").toString(),
                    "-K", "-", https), Duration.ofSeconds(30), Map.of(), "user = \"prometheus:" + password + "\"\n");
            assertEquals("200", curl.out().trim(), who + ": curl " + curl);
            // a client that does not trust the test CA fails the handshake
            try {
                HTTP.send(HttpRequest.newBuilder(URI.create(https)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
                throw new AssertionError(who + ": a client without the test CA was served");
            } catch (javax.net.ssl.SSLHandshakeException expected) { }
            // plain http on the TLS port: no metrics (node_exporter answers 400, the JDK server drops the connection)
            try {
                var plain = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + e.getValue() + "/metrics")).timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(("prometheus:" + password).getBytes(StandardCharsets.UTF_8)))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(400, plain.statusCode(), who + ": plain http answered " + plain.statusCode());
                assertFalse(plain.body().contains("node_load1"), who);
            } catch (java.io.IOException refused) { }
        }
        assertEquals(401, status(client, "https://127.0.0.1:" + port + "/healthz", null, null), "/healthz is guarded too");
        assertEquals(200, status(client, "https://127.0.0.1:" + port + "/healthz", "prometheus", password));
        assertFalse(r.stderr().contains(password), "the password is never logged");
    }

    /** A bad web-config.yml is one line naming file:line(:col) and exit 2, before anything listens. */
    @Test
    void badWebConfigIsOneLineAndExitTwo() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("badweb"));
        testCa(dir);
        String good = "tls_server_config:\n  cert_file: node.crt\n  key_file: node.key\n";
        Object[][] cases = {
            {"tls_server_config:\n  cert_file: node.crt\n  key_file: node.key\n  cert_fle: x.crt\n", ":4:3: tls_server_config: unknown key 'cert_fle'"},
            {"tls_server_confg:\n  cert_file: node.crt\n", ":1:1: unknown key 'tls_server_confg'"},
            {"tls_server_config:\n  cert_file: nope.crt\n  key_file: node.key\n", ":2:3: tls_server_config.cert_file: " + dir.resolve("nope.crt") + ": no such file"},
            {"tls_server_config:\n  cert_file: node.crt\n  key_file: nope.key\n", ":3:3: tls_server_config.key_file: " + dir.resolve("nope.key") + ": no such file"},
            {"tls_server_config:\n  cert_file: node.crt\n  key_file: ca.key\n", ":3:3: tls_server_config.key_file: the key does not belong to the certificate in node.crt"},
            {"tls_server_config:\n  key_file: node.key\n", ":1:1: tls_server_config.cert_file: missing cert_file"},
            {good + "basic_auth_users:\n  prometheus: secret\n", ":5:3: basic_auth_users.prometheus: not a bcrypt hash"},
            {good + "  min_version: TLS14\n", ":4:3: tls_server_config.min_version: unknown 'TLS14'"},
            {"tls_server_config:\n  cert_file: node.key\n  key_file: node.key\n", ":2:3: tls_server_config.cert_file: " + dir.resolve("node.key") + ": no PEM certificate in it (-----BEGIN CERTIFICATE-----)"},
        };
        for (Object[] c : cases) {
            Path f = dir.resolve("web-config.yml");
            Files.writeString(f, (String) c[0]);
            int port = Proc.freePort();
            var r = ScriptRun.run(exporter::main, "--listen", "127.0.0.1:" + port, "--web.config.file", f.toString());
            assertEquals(2, r.exit(), c[0] + "\n" + r);
            assertTrue(r.err().contains(f + (String) c[1]), "expected '" + f + c[1] + "' in:\n" + r.err());
            assertEquals(1, r.err().lines().filter(l -> !l.startsWith("Try ")).count(), "one line:\n" + r.err());
            try (var s = new java.net.ServerSocket(port, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
                assertNotNull(s, "nothing listened");
            }
        }
        var missing = ScriptRun.run(exporter::main, "--web.config.file", dir.resolve("nope.yml").toString());
        assertEquals(2, missing.exit(), missing.toString());
        assertTrue(missing.err().contains(dir.resolve("nope.yml") + ": no such file"), missing.err());
    }

    // ---- golden outputs ---------------------------------------------------------------------------------

    /** Fixed textfiles with fixed mtimes: what the textfile collector serves and reports is the same every run. */
    Path goldenTextfiles() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("golden-textfiles"));
        Files.writeString(dir.resolve("a.prom"), """
                # HELP backup_age_seconds Seconds since the last backup,\\nper "job".
                # TYPE backup_age_seconds gauge
                backup_age_seconds{job="db",path="/var/backups/\\"db\\""} 3600
                backup_age_seconds{job="web",path="C:\\\\backups\\n"} 7200
                # TYPE backup_duration_seconds histogram
                backup_duration_seconds_bucket{le="0.5"} 0
                backup_duration_seconds_bucket{le="60"} 2
                backup_duration_seconds_bucket{le="+Inf"} 3
                backup_duration_seconds_sum 250.5
                backup_duration_seconds_count 3
                # HELP backup_runs_total Backups run.
                # TYPE backup_runs_total counter
                backup_runs_total{result="ok"} 7
                backup_runs_total{result="failed"} 1
                # TYPE backup_bytes counter
                backup_bytes 1.5e9
                # TYPE rpc_latency_seconds summary
                rpc_latency_seconds{quantile="0.5"} 0.012
                rpc_latency_seconds{quantile="0.99"} NaN
                rpc_latency_seconds_sum 1.25
                rpc_latency_seconds_count 100
                queue_depth{queue="mail"} -Inf
                queue_depth{queue="jobs"} 42
                """);
        Files.writeString(dir.resolve("b.prom"), """
                # TYPE backup_age_seconds gauge
                backup_age_seconds{job="mail"} 60
                cron_last_success_timestamp_seconds 1700000000
                """);
        Files.writeString(dir.resolve("broken.prom"), "# TYPE ok gauge\nok 1\nbroken{job=\"x\" 1\n");
        Files.writeString(dir.resolve("c-clash.prom"), "# TYPE backup_age_seconds counter\nbackup_age_seconds{job=\"ftp\"} 1\n");
        Files.writeString(dir.resolve("d-node.prom"), "node_load1 99\nd_fine 1\n");
        Files.writeString(dir.resolve("notes.txt"), "not a .prom file, ignored\n");
        long t = 1_000_000_000_000L;
        try (var files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(t += 60_000));
        }
        return dir;
    }

    /** The lines of the families {@code keep} names, in the scrape's order (a family runs from its HELP/TYPE line to the next). */
    static String families(String scrape, java.util.function.Predicate<String> keep) {
        StringBuilder b = new StringBuilder();
        String family = null;
        for (String line : scrape.split("\n")) {
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) family = line.split(" ")[2];
            if (family != null && keep.test(family)) b.append(line).append('\n');
        }
        return b.toString();
    }

    static String exchange(String method, String url) throws Exception {
        var req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).method(method, HttpRequest.BodyPublishers.noBody()).build();
        var resp = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        return method + " " + URI.create(url).getRawPath() + " -> " + resp.statusCode() + " " + resp.headers().firstValue("Content-Type").orElse("-")
                + resp.headers().firstValue("Allow").map(a -> ", Allow: " + a).orElse("") + "\n" + resp.body() + (resp.body().endsWith("\n") || resp.body().isEmpty() ? "" : "\n");
    }

    /**
     * Golden outputs of what is stable in a running exporter (see tests/golden/exporter.*.txt):
     * the textfile collector's families for fixed .prom files, with its log lines; /healthz; the
     * index, 404 and 405 answers; the sorted names of every metric family served (node_memory_*
     * names, one per /proc/meminfo field of this kernel, are checked against /proc/meminfo and kept
     * as one line).
     */
    @Test
    void goldenTextfilesHealthzEndpointsAndFamilyNames() throws Exception {
        Path dir = goldenTextfiles();
        // the first nine collectors only: the families of the others depend on the machine (PSI, conntrack, hwmon, IPv6)
        // and are checked against node_exporter itself by ExporterCoverageTest
        List<String> args = new ArrayList<>(List.of("--textfile-dir", dir.toString()));
        for (String c : List.of("arp", "conntrack", "diskstats", "entropy", "filefd", "hwmon", "netclass", "netstat", "os", "pressure",
                "schedstat", "selinux", "sockstat", "softnet", "thermal_zone", "timex", "udp_queues", "vmstat")) {
            args.add("--no-collector." + c);
        }
        Running r = start(args.toArray(String[]::new));
        String port = r.base().replaceAll(".*:", "");
        String m = metrics(r);
        metrics(r);                                                          // the problems are logged once, however many scrapes
        java.util.function.Predicate<String> fromTextfiles = n -> n.startsWith("node_textfile_") || !n.matches("(node|jvm|process|ops_exporter)_.*");
        String health = exchange("GET", r.base() + "/healthz");
        String stderr = r.stderr();
        Golden.ofText("--- scrape: the textfile families\n" + families(m, fromTextfiles) + "--- stderr\n" + stderr)
                .literal(tmp.toString(), "<tmp>").literal(":" + port + "/", ":<port>/")
                .regex("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ ", "<time> ").check("exporter.textfile");
        Golden.ofText(health).literal(tmp.toString(), "<tmp>").times().check("exporter.healthz");

        StringBuilder endpoints = new StringBuilder();
        for (String path : List.of("/", "/nope", "/metricsx", "/metrics/", "/healthz/x", "/debug/heap", "/debug/threads")) {
            endpoints.append(exchange("GET", r.base() + path)).append('\n');
        }
        endpoints.append(exchange("POST", r.base() + "/metrics")).append('\n');
        endpoints.append(exchange("DELETE", r.base() + "/healthz"));
        Golden.ofText(endpoints.toString()).check("exporter.endpoints");

        java.util.TreeSet<String> names = new java.util.TreeSet<>(), memory = new java.util.TreeSet<>();
        for (String line : m.split("\n")) {
            if (!line.startsWith("# TYPE ")) continue;
            String name = line.split(" ")[2];
            if (name.startsWith("node_memory_")) memory.add(name);
            else if (!fromTextfiles.test(name) || name.startsWith("node_textfile_")) names.add(name);
        }
        java.util.TreeSet<String> fromProc = new java.util.TreeSet<>();
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            String[] f = line.trim().split("\\s+");
            fromProc.add("node_memory_" + f[0].replace(":", "").replace("(", "_").replace(")", "") + (f.length > 2 && f[2].equals("kB") ? "_bytes" : ""));
        }
        assertEquals(fromProc, memory, "one node_memory_ family per /proc/meminfo field");
        names.add("node_memory_* (one per /proc/meminfo field, checked against it)");
        Golden.ofText(String.join("\n", names) + "\n").check("exporter.families");
    }
}
