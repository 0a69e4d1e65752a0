import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import host.Processes;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * sysinfo against the machine it runs on: values checked against /proc and df, and real processes
 * started by the test (a memory hog, a CPU burner, a listening socket) must show up as such.
 */
class SysinfoTest {
    static ScriptRun.Result sysinfo(String... args) {
        return ScriptRun.run(sysinfo::main, args);
    }

    static long procMeminfo(String key) throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (l.startsWith(key + ":")) return Long.parseLong(l.replaceAll("\\D+", "")) * 1024;
        }
        throw new AssertionError("no " + key + " in /proc/meminfo");
    }

    @Test void memoryAndRootFilesystemAgreeWithProcAndDf() throws Exception {
        var r = sysinfo("--format", "json", "--section", "mem,fs,os");
        assertEquals(0, r.exit(), r.toString());
        JsonNode doc = r.json();
        assertEquals(procMeminfo("MemTotal"), doc.get("memory").get("total_bytes").asLong());
        long avail = doc.get("memory").get("available_bytes").asLong();
        assertTrue(Math.abs(avail - procMeminfo("MemAvailable")) < 64L << 20, "MemAvailable within 64 MiB: " + avail);
        assertEquals(procMeminfo("SwapTotal"), doc.get("memory").get("swap_total_bytes").asLong());

        JsonNode root = null;
        for (JsonNode fs : doc.get("filesystems")) if (fs.get("mount").asText().equals("/")) root = fs;
        assertTrue(root != null, "/ is listed: " + doc.get("filesystems"));
        String[] df = Proc.sh("df -B1 --output=size,avail,pcent,itotal / | tail -1").trim().split("\\s+");
        assertEquals(Long.parseLong(df[0]), root.get("size_bytes").asLong(), "size as df says");
        assertTrue(Math.abs(Long.parseLong(df[1]) - root.get("free_bytes").asLong()) < 256L << 20, "avail as df says (±256 MiB)");
        assertTrue(Math.abs(Double.parseDouble(df[2].replace("%", "")) - root.get("used_pct").asDouble()) <= 1.0, "Use% as df: " + df[2]);
        assertEquals(Long.parseLong(df[3]), root.get("inodes").asLong());
        for (JsonNode fs : doc.get("filesystems")) {
            assertTrue(!List.of("proc", "sysfs", "cgroup2", "devpts").contains(fs.get("type").asText()), "pseudo filesystem listed: " + fs);
        }
        assertTrue(doc.get("os").get("kernel").asText().equals(Proc.sh("uname -r").trim()), doc.get("os").toString());
        assertTrue(doc.get("summary").get("line").asText().startsWith("sysinfo: 3 sections of "), doc.get("summary").toString());
    }

    @Test void aMemoryHogACpuBurnerAndAListeningSocketShowUp() throws Exception {
        Prereq.requireExecutable("/usr/bin/python3", "python3");
        Process hog = new ProcessBuilder("python3", "-c", "a = bytearray(600 * 2**20); import time; time.sleep(60)").start();
        Process burner = new ProcessBuilder("python3", "-c", "import time\nend = time.time() + 60\nwhile time.time() < end: pass").start();
        try (ServerSocket listen = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            long until = System.nanoTime() + 20_000_000_000L;            // the hog has touched its 600 MiB (slower on a busy box)
            while (rssOf(hog.pid()) < 590L << 20 && System.nanoTime() < until) Thread.sleep(100);
            Thread.sleep(300);                                           // and the burner has run a while
            var r = sysinfo("--format", "json", "--section", "procs,ports,net", "--top", "5", "--sample", "1s");
            assertEquals(0, r.exit(), r.toString());
            JsonNode doc = r.json();

            JsonNode hogRow = find(doc.get("processes_by_rss"), hog.pid());
            assertTrue(hogRow != null, "600 MiB process in the top 5 by RSS: " + doc.get("processes_by_rss"));
            assertTrue(hogRow.get("rss_bytes").asLong() > 550L << 20, hogRow.toString());
            assertTrue(hogRow.get("command").asText().contains("bytearray"), hogRow.toString());
            assertEquals(System.getProperty("user.name"), hogRow.get("user").asText());

            JsonNode burnRow = find(doc.get("processes_by_cpu"), burner.pid());
            assertTrue(burnRow != null, "CPU burner in the top 5 by CPU: " + doc.get("processes_by_cpu"));
            assertTrue(burnRow.get("cpu_pct").asDouble() > 40, "a busy loop uses most of a core: " + burnRow);

            JsonNode port = null;
            for (JsonNode p : doc.get("listening")) if (p.get("port").asInt() == listen.getLocalPort()) port = p;
            assertTrue(port != null, "our listening socket: " + doc.get("listening"));
            assertEquals("127.0.0.1", port.get("address").asText());
            if (Prereq.inCi() || "root".equals(System.getProperty("user.name"))) {
                assertEquals(ProcessHandle.current().pid(), port.get("pid").asLong(), port.toString());
            }

            boolean lo = false;
            for (JsonNode i : doc.get("interfaces")) lo |= i.get("name").asText().equals("lo") && i.get("addresses").toString().contains("127.0.0.1");
            assertTrue(lo, doc.get("interfaces").toString());
        } finally {
            hog.destroyForcibly();
            burner.destroyForcibly();
            hog.waitFor(5, TimeUnit.SECONDS);
            burner.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Golden files of what does not depend on the machine: the JSON document's shape (every key in
     * order; the kind of each value of os, cpu, memory and summary; the keys of a row of each list,
     * every row checked to have the same), and in table and md the section titles, the column
     * headers and the names of the facts. Values, row counts and column widths vary and are left
     * out; the summary line keeps its words, with the host name and the time replaced.
     */
    @Test void goldenShapeOfEveryFormat() throws Exception {
        String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        var busy = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread spin = Thread.ofPlatform().daemon().start(() -> { long x = 0; while (busy.get()) x++; });   // something uses CPU
        try (ServerSocket listen = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {        // something listens
            var json = sysinfo("--format", "json", "--sample", "300ms", "--top", "3");
            assertEquals(0, json.exit(), json.toString());
            Golden.ofText("exit " + json.exit() + "\n--- stdout (its shape)\n" + jsonShape(json.json()) + "--- stderr\n" + json.err())
                    .regex("(?<= sections of )" + java.util.regex.Pattern.quote(host) + " read in \\S+ \\(", "<host> read in <t> (").check("sysinfo.json");

            var table = sysinfo("--sample", "300ms", "--top", "3");
            assertEquals(0, table.exit(), table.toString());
            Golden.ofText("exit " + table.exit() + "\n--- stdout (its shape)\n" + textShape(table.out()) + "--- stderr\n" + table.err())
                    .regex("(?<= sections of )" + java.util.regex.Pattern.quote(host) + " read in \\S+ \\(", "<host> read in <t> (").check("sysinfo.table");

            var md = sysinfo("--format", "md", "--sample", "300ms", "--top", "3");
            assertEquals(0, md.exit(), md.toString());
            Golden.ofText("exit " + md.exit() + "\n--- stdout (its shape)\n" + textShape(md.out()) + "--- stderr\n" + md.err())
                    .regex("(?<= sections of )" + java.util.regex.Pattern.quote(host) + " read in \\S+ \\(", "<host> read in <t> (").check("sysinfo.md");
        } finally {
            busy.set(false);
            spin.join();
        }
    }

    /** "os.hostname: string" for objects; "filesystems[]: mount, device, ..." for lists of rows (all rows alike). */
    static String jsonShape(JsonNode doc) {
        StringBuilder sb = new StringBuilder();
        doc.fieldNames().forEachRemaining(section -> {
            JsonNode v = doc.get(section);
            if (v.isObject()) {
                v.fieldNames().forEachRemaining(k -> sb.append(section).append('.').append(k).append(": ").append(kind(v.get(k)))
                        .append(section.equals("summary") && k.equals("line") ? " " + v.get(k).asText() : "").append('\n'));
            } else {
                assertTrue(v.isArray() && v.size() > 0, section + " is a list with rows: " + v);
                List<String> keys = new java.util.ArrayList<>();
                v.get(0).fieldNames().forEachRemaining(keys::add);
                for (JsonNode row : v) {
                    List<String> these = new java.util.ArrayList<>();
                    row.fieldNames().forEachRemaining(these::add);
                    assertEquals(keys, these, section + ": every row has the same keys");
                }
                sb.append(section).append("[]: ").append(String.join(", ", keys)).append('\n');
            }
        });
        return sb.toString();
    }

    static String kind(JsonNode v) {
        return v.isNumber() ? "number" : v.isTextual() ? "string" : v.isBoolean() ? "boolean" : v.isNull() ? "null" : v.isArray() ? "list" : "object";
    }

    /**
     * Table or md output without its values: section titles, each table's header (and md's
     * separator) with the padding collapsed, the fact names of the fact/value sections, the summary.
     */
    static String textShape(String out) {
        StringBuilder sb = new StringBuilder();
        boolean facts = false, header = false;
        for (String l : out.split("\n", -1)) {
            if (l.startsWith("== ") || l.startsWith("### ")) {
                sb.append(l).append('\n');
                header = true;
            } else if (l.isEmpty()) {
                if (!header) facts = false;                     // md: a blank line follows the title
            } else if (header) {
                String h = l.strip().replaceAll("  +", "  ");       // a right-aligned first column (PID) pads by its widest value
                sb.append(h).append('\n');
                if (!h.startsWith("|---")) facts = h.equalsIgnoreCase("FACT  VALUE") || h.equals("| fact | value |");
                header = h.startsWith("|") && !h.startsWith("|---");   // md: the separator line is next
            } else if (l.startsWith("sysinfo: ")) {
                sb.append(l).append('\n');
            } else if (facts) {
                sb.append(l.startsWith("| ") ? l.substring(0, l.indexOf(" |") + 2) : l.split("  ")[0]).append('\n');
            }
        }
        return sb.toString();
    }

    /** VmRSS of a process from /proc, in bytes (0 if not known yet). */
    static long rssOf(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("\\D+", "")) * 1024;
            }
        } catch (Exception e) {
            // not started yet
        }
        return 0;
    }

    static JsonNode find(JsonNode rows, long pid) {
        for (JsonNode r : rows) if (r.get("pid").asLong() == pid) return r;
        return null;
    }

    @Test void textAndMarkdownHaveEverySectionAndTheSummary() {
        var t = sysinfo("--sample", "100ms");
        assertEquals(0, t.exit(), t.toString());
        for (String h : List.of("== System", "== CPU", "== Memory", "== Filesystems", "== Top processes by RSS",
                "== Top processes by CPU", "== Network interfaces", "== Listening TCP ports")) {
            assertTrue(t.out().contains(h + "\n"), h + " missing:\n" + t.out());
        }
        assertTrue(t.out().strip().lines().reduce((a, b) -> b).orElse("").matches("sysinfo: 7 sections of .* read in .*"), t.out());
        var md = sysinfo("--format", "md", "--section", "mem");
        assertTrue(md.out().startsWith("### Memory\n\n| fact | value |\n|---|---|\n| total_bytes | "), md.out());
        assertEquals("", md.err());
    }

    @Test void badUsageIsOneLineAndExit2() {
        var r = sysinfo("--section", "mem,disks");
        assertEquals(2, r.exit());
        assertEquals("sysinfo: --section: unknown section 'disks' (expected os, cpu, mem, fs, procs, net, ports)\n", r.err());
        assertEquals(2, sysinfo("--top", "0").exit());
        assertEquals(2, sysinfo("--sample", "soon").exit());
    }

    @Test void javaCommandLinesShowTheMainClassNotTheClassPath() {
        assertEquals("java com.example.Main --port 8080", Processes.shortCommand(
                "/usr/lib/jvm/temurin-25/bin/java -Xmx1g -cp /a/b.jar:/c/d.jar -Dx=y --add-opens java.base/java.lang=ALL-UNNAMED com.example.Main --port 8080"));
        assertEquals("java -jar app.jar serve", Processes.shortCommand("java -XX:+UseSerialGC -jar app.jar serve"));
        assertEquals("/usr/sbin/sshd -D", Processes.shortCommand("/usr/sbin/sshd -D"));
    }

    @Test void topByCpuListsOnlyWhatUsedCpu() {
        List<Map<String, Object>> rows = new java.util.ArrayList<>();
        for (double cpu : new double[] {0.0, 12.5, 0.0, 3.0}) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("cpu_pct", cpu);
            m.put("command", "[kworker] " + cpu);
            rows.add(m);
        }
        var top = Processes.topBy(rows, "cpu_pct", 10);
        assertEquals(List.of(12.5, 3.0), top.stream().map(r -> r.get("cpu_pct")).toList());
    }

    @Test void theInterfaceSpeedColumnSaysMbitPerSecond() {
        var r = sysinfo("--section", "net");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("LINK MBIT/S"), r.out());
    }
}

