//DEPS com.github.oshi:oshi-core:6.10.0

import com.sun.jna.Native;
import com.sun.jna.platform.linux.LibC;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;
import oshi.hardware.NetworkIF;
import oshi.software.os.FileSystem;
import oshi.software.os.InternetProtocolStats;
import oshi.software.os.OSFileStore;
import oshi.software.os.OSProcess;
import oshi.software.os.OperatingSystem;

/**
 * Facts about the local host through OSHI, as plain maps and lists (JSON-ready, stable keys):
 * what sysinfo prints and what inspect's disk/memory/load/process checks measure. Byte counts are
 * exact longs under keys ending in "_bytes"; percentages are doubles rounded to 0.1.
 */
public final class HostFacts {
    private final SystemInfo si = new SystemInfo();
    private final OperatingSystem os = si.getOperatingSystem();

    /**
     * The sections asked for ("os", "cpu", "mem", "fs", "procs", "net", "ports"). CPU usage (system
     * and per process) is measured over {@code sample}; the other sections are read during that
     * window rather than after it.
     */
    public Map<String, Object> collect(Set<String> sections, Duration sample, int top) {
        boolean cpu = sections.contains("cpu"), procs = sections.contains("procs");
        CentralProcessor processor = si.getHardware().getProcessor();
        long[] ticks = cpu ? processor.getSystemCpuLoadTicks() : null;
        Map<Integer, OSProcess> before = procs ? byPid(os.getProcesses()) : null;
        long windowEnd = System.nanoTime() + sample.toNanos();
        Map<String, Object> read = new HashMap<>();
        if (sections.contains("os")) read.put("os", os());
        if (sections.contains("mem")) read.put("memory", memory());
        if (sections.contains("fs")) read.put("filesystems", filesystems());
        if (sections.contains("net")) read.put("interfaces", interfaces());
        if (sections.contains("ports")) read.put("listening", listening());
        if (cpu || procs) sleep(Duration.ofNanos(Math.max(0, windowEnd - System.nanoTime())));
        if (cpu) read.put("cpu", cpu(processor, ticks, sample));
        if (procs) {
            List<Map<String, Object>> all = processes(before);
            read.put("processes_by_rss", topBy(all, "rss_bytes", top));
            read.put("processes_by_cpu", topBy(all, "cpu_pct", top));
        }
        Map<String, Object> doc = new LinkedHashMap<>();         // always in the same order
        for (String key : List.of("os", "cpu", "memory", "filesystems", "processes_by_rss", "processes_by_cpu", "interfaces", "listening")) {
            if (read.containsKey(key)) doc.put(key, read.get(key));
        }
        return doc;
    }

    public Map<String, Object> os() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hostname", hostname());
        m.put("os", os.getFamily() + " " + os.getVersionInfo().getVersion()
                + (os.getVersionInfo().getCodeName() == null || os.getVersionInfo().getCodeName().isEmpty() ? "" : " (" + os.getVersionInfo().getCodeName() + ")"));
        m.put("kernel", os.getVersionInfo().getBuildNumber());
        m.put("arch", System.getProperty("os.arch"));
        m.put("uptime", Cli.formatDuration(os.getSystemUptime() * 1000));
        m.put("uptime_seconds", os.getSystemUptime());
        m.put("boot_time_epoch", os.getSystemBootTime());
        m.put("processes", os.getProcessCount());
        m.put("threads", os.getThreadCount());
        return m;
    }

    /** The kernel's host name, without a DNS lookup (OSHI's may resolve it). */
    public String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return os.getNetworkParams().getHostName();
        }
    }

    public Map<String, Object> cpu(CentralProcessor p, long[] ticks, Duration sample) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", p.getProcessorIdentifier().getName().strip());
        m.put("physical_cores", p.getPhysicalProcessorCount());
        m.put("logical_cores", p.getLogicalProcessorCount());
        double[] load = p.getSystemLoadAverage(3);
        m.put("load_1m", round(load[0]));
        m.put("load_5m", round(load[1]));
        m.put("load_15m", round(load[2]));
        if (ticks != null) {
            long[] now = p.getSystemCpuLoadTicks();
            long total = 0;
            long[] d = new long[now.length];
            for (int i = 0; i < now.length; i++) { d[i] = now[i] - ticks[i]; total += d[i]; }
            if (total > 0) {
                int idle = CentralProcessor.TickType.IDLE.getIndex(), iowait = CentralProcessor.TickType.IOWAIT.getIndex();
                m.put("usage_pct", round(100.0 * (total - d[idle] - d[iowait]) / total));
                m.put("iowait_pct", round(100.0 * d[iowait] / total));
                m.put("sample", Cli.formatDuration(sample.toMillis()));
            }
        }
        return m;
    }

    public Map<String, Object> memory() {
        GlobalMemory mem = si.getHardware().getMemory();
        Map<String, Object> m = new LinkedHashMap<>();
        long total = mem.getTotal(), avail = mem.getAvailable();
        m.put("total_bytes", total);
        m.put("available_bytes", avail);
        m.put("used_pct", pct(total - avail, total));
        long swapTotal = mem.getVirtualMemory().getSwapTotal(), swapUsed = mem.getVirtualMemory().getSwapUsed();
        m.put("swap_total_bytes", swapTotal);
        m.put("swap_used_bytes", swapUsed);
        m.put("swap_used_pct", pct(swapUsed, swapTotal));
        return m;
    }

    /** Local, real filesystems (OSHI leaves out proc, sysfs, cgroup, overlay internals and the like). */
    public List<Map<String, Object>> filesystems() {
        FileSystem fs = os.getFileSystem();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (OSFileStore s : fs.getFileStores(true)) {
            if (s.getTotalSpace() == 0) continue;                        // autofs placeholders and the like
            Map<String, Object> m = new LinkedHashMap<>();
            long total = s.getTotalSpace(), free = s.getFreeSpace(), avail = s.getUsableSpace();
            m.put("mount", s.getMount());
            m.put("device", s.getVolume());
            m.put("type", s.getType());
            usage(m, total, free, avail, s.getTotalInodes(), s.getFreeInodes());
            rows.add(m);
        }
        rows.sort(Comparator.comparing(r -> (String) r.get("mount")));
        return rows;
    }

    /** Sizes, df's Use% and inode use, under the keys filesystems() rows have. */
    private static void usage(Map<String, Object> m, long total, long free, long avail, long inodes, long ifree) {
        m.put("size_bytes", total);
        m.put("used_bytes", total - free);
        m.put("free_bytes", avail);
        // df's Use%: used / (used + available to non-root), rounded up like df does
        m.put("used_pct", total - free + avail == 0 ? 0.0 : round(Math.ceil(1000.0 * (total - free) / (total - free + avail)) / 10.0));
        m.put("inodes", inodes);
        m.put("inodes_free", ifree);
        m.put("inodes_used_pct", inodes <= 0 ? null : pct(inodes - ifree, inodes));
    }

    /** Mount point -> {device, type} from /proc/self/mountinfo (later mounts over earlier ones). */
    public static Map<String, String[]> mounts() throws IOException {
        Map<String, String[]> m = new LinkedHashMap<>();
        String text = new String(Files.readAllBytes(Path.of("/proc/self/mountinfo")), java.nio.charset.StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
            String[] f = line.split(" ");
            int dash = 6;
            while (dash < f.length && !f[dash].equals("-")) dash++;
            if (f.length < 5 || dash + 2 >= f.length) continue;
            String mount = unescape(f[4]);
            m.remove(mount);
            m.put(mount, new String[] {unescape(f[dash + 2]), f[dash + 1]});
        }
        return m;
    }

    private static final Pattern OCTAL_ESCAPE = Pattern.compile("\\\\([0-7]{3})");

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        Matcher m = OCTAL_ESCAPE.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) m.appendReplacement(sb, Matcher.quoteReplacement(String.valueOf((char) Integer.parseInt(m.group(1), 8))));
        return m.appendTail(sb).toString();
    }

    /**
     * One mount point's usage through statvfs (any filesystem type, local or not), as a filesystems()
     * row; null if {@code mount} is not a mount point.
     */
    public static Map<String, Object> mount(String mount) throws IOException {
        String[] dev = mounts().get(mount);
        if (dev == null) return null;
        Usage u = statvfs(mount);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mount", mount);
        m.put("device", dev[0]);
        m.put("type", dev[1]);
        usage(m, u.size(), u.free(), u.avail(), u.files(), u.filesFree());
        return m;
    }

    /** A filesystem's statvfs(3): bytes (in f_frsize units, as df counts them), inodes, read-only flag. */
    public record Usage(long size, long free, long avail, long files, long filesFree, boolean readOnly) {}

    public static Usage statvfs(String path) throws IOException {
        return Statvfs.call(path);
    }

    /**
     * statvfs(3) through a JNA direct-mapped call into a reused buffer, read at the offsets JNA computes
     * for this platform's struct: about 2 us a call, where LibC.INSTANCE.statvfs with a Structure
     * costs about 50 us (the exporter calls it for every filesystem on every scrape).
     */
    private static final class Statvfs {
        static {
            Native.register(Statvfs.class, com.sun.jna.Platform.C_LIBRARY_NAME);
        }

        private static native int statvfs(String path, com.sun.jna.Pointer buf);

        /** JNA's own layout of struct statvfs, for the field offsets. */
        private static final class Layout extends LibC.Statvfs {
            long offset(String field) { return fieldOffset(field); }
        }

        private static final Layout LAYOUT = new Layout();
        private static final long FRSIZE = LAYOUT.offset("f_frsize"), BLOCKS = LAYOUT.offset("f_blocks"), BFREE = LAYOUT.offset("f_bfree"),
                BAVAIL = LAYOUT.offset("f_bavail"), FILES = LAYOUT.offset("f_files"), FFREE = LAYOUT.offset("f_ffree"), FLAG = LAYOUT.offset("f_flag");
        private static final int SIZE = LAYOUT.size();
        private static final ThreadLocal<com.sun.jna.Memory> BUFFER = ThreadLocal.withInitial(() -> new com.sun.jna.Memory(SIZE));
        private static final long ST_RDONLY = 1;

        static Usage call(String path) throws IOException {
            com.sun.jna.Memory m = BUFFER.get();
            if (statvfs(path, m) != 0) throw new IOException("statvfs " + path + " failed (errno " + Native.getLastError() + ")");
            long frsize = m.getNativeLong(FRSIZE).longValue();
            return new Usage(m.getNativeLong(BLOCKS).longValue() * frsize, m.getNativeLong(BFREE).longValue() * frsize,
                    m.getNativeLong(BAVAIL).longValue() * frsize, m.getNativeLong(FILES).longValue(), m.getNativeLong(FFREE).longValue(),
                    (m.getNativeLong(FLAG).longValue() & ST_RDONLY) != 0);
        }
    }

    /** The mount point whose filesystem holds {@code path} (the longest mount point that contains it). */
    public static String mountOf(String path) throws IOException {
        Path p = Path.of(path).toAbsolutePath().normalize();
        String best = "/";
        for (String mp : mounts().keySet()) {
            if (p.startsWith(Path.of(mp)) && mp.length() > best.length()) best = mp;
        }
        return best;
    }

    /** Load averages over 1, 5 and 15 minutes, and the number of logical CPUs. */
    public double[] loadAverage() {
        return si.getHardware().getProcessor().getSystemLoadAverage(3);
    }

    public int logicalCpus() {
        return si.getHardware().getProcessor().getLogicalProcessorCount();
    }

    private static Map<Integer, OSProcess> byPid(List<OSProcess> ps) {
        Map<Integer, OSProcess> m = new HashMap<>();
        for (OSProcess p : ps) m.put(p.getProcessID(), p);
        return m;
    }

    /** Every process, with CPU% over the window since {@code before} was taken (null if it is new). */
    public List<Map<String, Object>> processes(Map<Integer, OSProcess> before) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (OSProcess p : os.getProcesses()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pid", p.getProcessID());
            m.put("user", userName(p));
            m.put("name", p.getName());
            m.put("rss_bytes", p.getResidentSetSize());
            m.put("vsz_bytes", p.getVirtualSize());
            OSProcess prior = before == null ? null : before.get(p.getProcessID());
            m.put("cpu_pct", prior == null ? null : round(100.0 * p.getProcessCpuLoadBetweenTicks(prior)));
            m.put("threads", p.getThreadCount());
            long files = p.getOpenFiles();
            m.put("open_files", files < 0 ? null : files);                // -1: not readable (another user's)
            String cmd = p.getCommandLine().replace('\0', ' ').strip();
            m.put("command", cmd.isEmpty() ? "[" + p.getName() + "]" : cmd);
            rows.add(m);
        }
        return rows;
    }

    private final Map<String, String> users = new HashMap<>();

    /**
     * The process owner's name. OSHI's getUser() spends ~2 ms a process (150 ms for 65) on this box;
     * the owner of /proc/PID is the same answer through the JDK's cached getpwuid.
     */
    private String userName(OSProcess p) {
        return users.computeIfAbsent(p.getUserID(), uid -> {
            try {
                return Files.getOwner(Path.of("/proc/" + p.getProcessID())).getName();
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return p.getUser();
            }
        });
    }

    static List<Map<String, Object>> topBy(List<Map<String, Object>> rows, String key, int n) {
        List<Map<String, Object>> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparing((Map<String, Object> r) -> r.get(key) == null ? Double.NEGATIVE_INFINITY : ((Number) r.get(key)).doubleValue())
                .reversed());
        List<Map<String, Object>> out = new ArrayList<>();
        for (var r : sorted) {
            if (out.size() == n) break;
            // Top by CPU lists what used CPU: idle kernel threads at 0.0% are not "top".
            if (key.equals("cpu_pct") && !(r.get(key) instanceof Number v && v.doubleValue() > 0)) break;
            Map<String, Object> m = new LinkedHashMap<>(r);
            String cmd = shortCommand((String) m.get("command"));
            m.put("command", cmd.length() > 80 ? cmd.substring(0, 77) + "..." : cmd);
            out.add(m);
        }
        return out;
    }

    /** JVM options with a value after them, which shortCommand drops together. */
    private static final java.util.Set<String> JAVA_OPTS_WITH_VALUE = java.util.Set.of("-cp", "-classpath", "--class-path",
            "-p", "--module-path", "--add-opens", "--add-exports", "--add-modules", "--add-reads", "--patch-module",
            "--limit-modules", "--upgrade-module-path", "--enable-native-access");

    /**
     * A java command line with its JVM options and class path left out, so what runs shows within
     * the width: "java probe -H db1", "java -jar app.jar --port 8080"; other commands as they are.
     */
    static String shortCommand(String cmd) {
        String[] w = cmd.split(" ");
        if (w.length < 2 || !(w[0].equals("java") || w[0].endsWith("/java"))) return cmd;
        int i = 1;
        while (i < w.length && w[i].startsWith("-") && !w[i].equals("-jar") && !w[i].equals("-m") && !w[i].equals("--module")) {
            i += JAVA_OPTS_WITH_VALUE.contains(w[i]) ? 2 : 1;
        }
        if (i >= w.length) return cmd;
        return "java " + String.join(" ", java.util.Arrays.copyOfRange(w, i, w.length));
    }

    public List<Map<String, Object>> interfaces() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (NetworkIF n : si.getHardware().getNetworkIFs(true)) {
            Map<String, Object> m = new LinkedHashMap<>();
            List<String> addrs = new ArrayList<>();
            for (String a : n.getIPv4addr()) addrs.add(a);
            for (String a : n.getIPv6addr()) addrs.add(compressV6(a));
            m.put("name", n.getName());
            m.put("addresses", addrs);
            m.put("mac", n.getMacaddr());
            m.put("up", n.isConnectorPresent());
            m.put("rx_bytes", n.getBytesRecv());
            m.put("tx_bytes", n.getBytesSent());
            m.put("rx_packets", n.getPacketsRecv());
            m.put("tx_packets", n.getPacketsSent());
            m.put("rx_errors", n.getInErrors());
            m.put("tx_errors", n.getOutErrors());
            m.put("rx_dropped", n.getInDrops());
            m.put("speed_mbps", n.getSpeed() <= 0 ? null : n.getSpeed() / 1_000_000);
            rows.add(m);
        }
        return rows;
    }

    /** Listening TCP sockets (v4 and v6) with the owning process where the OS tells (root sees all). */
    public List<Map<String, Object>> listening() {
        InternetProtocolStats ip = os.getInternetProtocolStats();
        Map<Integer, String> names = new HashMap<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (var c : ip.getConnections()) {
            if (!c.getType().startsWith("tcp") || c.getState() != InternetProtocolStats.TcpState.LISTEN) continue;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", address(c.getLocalAddress()));
            m.put("port", c.getLocalPort());
            int pid = c.getowningProcessId();
            m.put("pid", pid < 0 ? null : pid);
            m.put("process", pid < 0 ? null : names.computeIfAbsent(pid, x -> {
                OSProcess p = os.getProcess(x);
                return p == null ? null : p.getName();
            }));
            rows.add(m);
        }
        rows.sort(Comparator.comparing((Map<String, Object> r) -> (Integer) r.get("port")).thenComparing(r -> (String) r.get("address")));
        return rows;
    }

    private static String address(byte[] raw) {
        if (raw == null || raw.length == 0) return "*";
        try {
            InetAddress a = InetAddress.getByAddress(raw);
            return a.isAnyLocalAddress() ? (raw.length == 4 ? "0.0.0.0" : "::") : Targets.formatAddress(a);
        } catch (UnknownHostException e) {
            return "?";
        }
    }

    private static String compressV6(String a) {
        InetAddress parsed = Targets.literal(a);
        return parsed == null ? a : Targets.formatAddress(parsed);
    }

    static Double pct(long part, long whole) {
        return whole <= 0 ? 0.0 : round(100.0 * part / whole);
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static void sleep(Duration d) {
        try {
            TimeUnit.MILLISECONDS.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
