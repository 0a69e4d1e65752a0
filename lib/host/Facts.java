package host;

//DEPS com.github.oshi:oshi-core:6.10.0
//SOURCES ../cli/Durations.java ../net/Addresses.java Mounts.java Processes.java Percent.java

import cli.Durations;
import net.Addresses;
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
public final class Facts {
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
            read.put("processes_by_rss", Processes.topBy(all, "rss_bytes", top));
            read.put("processes_by_cpu", Processes.topBy(all, "cpu_pct", top));
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
        m.put("uptime", Durations.format(os.getSystemUptime() * 1000));
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
        m.put("load_1m", Percent.round(load[0]));
        m.put("load_5m", Percent.round(load[1]));
        m.put("load_15m", Percent.round(load[2]));
        if (ticks != null) {
            long[] now = p.getSystemCpuLoadTicks();
            long total = 0;
            long[] d = new long[now.length];
            for (int i = 0; i < now.length; i++) { d[i] = now[i] - ticks[i]; total += d[i]; }
            if (total > 0) {
                int idle = CentralProcessor.TickType.IDLE.getIndex(), iowait = CentralProcessor.TickType.IOWAIT.getIndex();
                m.put("usage_pct", Percent.round(100.0 * (total - d[idle] - d[iowait]) / total));
                m.put("iowait_pct", Percent.round(100.0 * d[iowait] / total));
                m.put("sample", Durations.format(sample.toMillis()));
            }
        }
        return m;
    }

    /** Memory and swap: exact byte counts, percentages rounded to 0.1 (0 of nothing is 0). */
    public record Memory(long totalBytes, long availableBytes, double usedPct, long swapTotalBytes, long swapUsedBytes, double swapUsedPct) {}

    public Memory memoryUsage() {
        GlobalMemory mem = si.getHardware().getMemory();
        long total = mem.getTotal(), avail = mem.getAvailable();
        long swapTotal = mem.getVirtualMemory().getSwapTotal(), swapUsed = mem.getVirtualMemory().getSwapUsed();
        return new Memory(total, avail, Percent.of(total - avail, total), swapTotal, swapUsed, Percent.of(swapUsed, swapTotal));
    }

    /** {@link #memoryUsage} under sysinfo's JSON keys. */
    public Map<String, Object> memory() {
        Memory u = memoryUsage();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total_bytes", u.totalBytes());
        m.put("available_bytes", u.availableBytes());
        m.put("used_pct", u.usedPct());
        m.put("swap_total_bytes", u.swapTotalBytes());
        m.put("swap_used_bytes", u.swapUsedBytes());
        m.put("swap_used_pct", u.swapUsedPct());
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
            Mounts.usage(m, total, free, avail, s.getTotalInodes(), s.getFreeInodes());
            rows.add(m);
        }
        rows.sort(Comparator.comparing(r -> (String) r.get("mount")));
        return rows;
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

    /** A process: its owner, RSS and VSZ in bytes, CPU% (null without a window), open files (null if not readable), command line. */
    public record Proc(int pid, String user, String name, long rssBytes, long vszBytes, Double cpuPct, int threads, Long openFiles,
                       String command) {}

    /** Every process, with CPU% over the window since {@code before} was taken (null if it is new). */
    public List<Proc> processList(Map<Integer, OSProcess> before) {
        List<Proc> rows = new ArrayList<>();
        for (OSProcess p : os.getProcesses()) {
            int pid = p.getProcessID();
            String user = userName(p), name = p.getName();
            long rss = p.getResidentSetSize(), vsz = p.getVirtualSize();
            OSProcess prior = before == null ? null : before.get(p.getProcessID());
            Double cpu = prior == null ? null : Percent.round(100.0 * p.getProcessCpuLoadBetweenTicks(prior));
            int threads = p.getThreadCount();
            long files = p.getOpenFiles();                               // -1: not readable (another user's)
            String cmd = p.getCommandLine().replace('\0', ' ').strip();
            rows.add(new Proc(pid, user, name, rss, vsz, cpu, threads, files < 0 ? null : files, cmd.isEmpty() ? "[" + p.getName() + "]" : cmd));
        }
        return rows;
    }

    /** {@link #processList} under sysinfo's JSON keys. */
    public List<Map<String, Object>> processes(Map<Integer, OSProcess> before) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Proc p : processList(before)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pid", p.pid());
            m.put("user", p.user());
            m.put("name", p.name());
            m.put("rss_bytes", p.rssBytes());
            m.put("vsz_bytes", p.vszBytes());
            m.put("cpu_pct", p.cpuPct());
            m.put("threads", p.threads());
            m.put("open_files", p.openFiles());
            m.put("command", p.command());
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
            return a.isAnyLocalAddress() ? (raw.length == 4 ? "0.0.0.0" : "::") : Addresses.format(a);
        } catch (UnknownHostException e) {
            return "?";
        }
    }

    private static String compressV6(String a) {
        InetAddress parsed = Addresses.literal(a);
        return parsed == null ? a : Addresses.format(parsed);
    }

    private static void sleep(Duration d) {
        try {
            TimeUnit.MILLISECONDS.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
