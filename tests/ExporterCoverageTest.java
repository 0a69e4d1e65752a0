import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * exporter against Debian's node_exporter 1.5 itself, family by family: on this live host (all of
 * node_exporter's default collectors; values at the same instant within the tolerances below), and
 * on procfs/sysfs fixture trees fed to both with --path.procfs and --path.sysfs (128 CPUs, a disk
 * that never did I/O, a disk of an old kernel without discard columns, an interface name with a
 * space, hwmon chips and thermal zones this VM lacks), where every value must be equal.
 */
class ExporterCoverageTest {
    @TempDir Path tmp;
    final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : started) c.close();
    }

    /** exporter as a real process (the script's own JVM flags) on 127.23.0.0/16, up when it says "serving". */
    String startExporter(String... args) throws Exception {
        String address = "127.23.0." + (10 + started.size()) + ":" + Proc.freePort();
        List<String> cmd = new ArrayList<>(Proc.javaCommand("exporter", ExporterTest.scriptFlags().toArray(String[]::new)));
        cmd.addAll(List.of("--listen", address));
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile(tmp, "exporter", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
        started.add(() -> Proc.kill(p));
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.readString(err).contains("exporter: serving")) {
            if (!p.isAlive() || System.nanoTime() > end) throw new AssertionError("exporter did not start:\n" + Files.readString(err));
            Thread.sleep(50);
        }
        return "http://" + address + "/metrics";
    }

    NodeExporter startNodeExporter(String... flags) throws Exception {
        NodeExporter ne = NodeExporter.start("127.23.0." + (10 + started.size()) + ":" + Proc.freePort(), tmp, flags);
        started.add(ne);
        return ne;
    }

    /**
     * The stated tolerances on the live host, beyond exporter's before/after range: counters none (they
     * only grow, so node_exporter's reading lies between exporter's two); gauges that the two
     * exporters' own work moves (memory, sockets, fds, running processes) a stated amount; clocks
     * and averages what moves between two reads; every other gauge 1%.
     */
    static double liveTolerance(Families.Family f, double value) {
        String n = f.name();
        if (f.type().equals("counter") || n.startsWith("node_netstat_") || n.startsWith("node_vmstat_")) return 1e-9 * Math.abs(value);
        if (n.startsWith("node_memory_")) return 64 * 1024 * 1024;          // page cache and the two processes' heaps move
        if (n.startsWith("node_sockstat_")) return n.endsWith("_bytes") ? 64 * 4096 : 64;
        if (n.equals("node_filefd_allocated") || n.equals("node_nf_conntrack_entries")) return 64;
        if (n.startsWith("node_procs_") || n.equals("node_disk_io_now") || n.equals("node_arp_entries")) return 8;
        if (n.startsWith("node_load")) return 0.5;
        if (n.equals("node_time_seconds")) return 0.5;
        if (n.equals("node_udp_queues")) return 1 << 20;
        if (n.startsWith("node_timex_")) return 0.01 * Math.abs(value) + 1e-3;   // the clock discipline moves between reads
        if (n.equals("node_entropy_available_bits")) return 256;
        return 0.01 * Math.abs(value);
    }

    /** Why a family only node_exporter serves is missing from exporter: collectors exporter does not have (hardware or filesystems absent here). */
    static String whyOnlyTheirs(String family) {
        Map<String, String> notImplemented = Map.ofEntries(
                Map.entry("node_bcache_", "bcache"), Map.entry("node_bonding_", "bonding"), Map.entry("node_btrfs_", "btrfs"),
                Map.entry("node_cpu_frequency_", "cpufreq"), Map.entry("node_cpu_scaling_", "cpufreq"), Map.entry("node_edac_", "edac"),
                Map.entry("node_fibrechannel_", "fibrechannel"), Map.entry("node_infiniband_", "infiniband"), Map.entry("node_ipvs_", "ipvs"),
                Map.entry("node_md_", "mdadm"), Map.entry("node_nfs_", "nfs"), Map.entry("node_nfsd_", "nfsd"), Map.entry("node_nvme_", "nvme"),
                Map.entry("node_power_supply_", "powersupplyclass"), Map.entry("node_rapl_", "rapl"), Map.entry("node_tape_", "tapestats"),
                Map.entry("node_xfs_", "xfs"), Map.entry("node_zfs_", "zfs"), Map.entry("node_dmi_", "dmi"), Map.entry("node_systemd_", "systemd"),
                Map.entry("node_cpu_core_throttles", "cpu's thermal_throttle"), Map.entry("node_cpu_package_throttles", "cpu's thermal_throttle"),
                Map.entry("node_disk_ata_", "diskstats' udev ATA properties"), Map.entry("node_disk_device_mapper_", "diskstats' udev device-mapper properties"));
        for (var e : notImplemented.entrySet()) {
            if (family.startsWith(e.getKey())) return "node_exporter's " + e.getValue() + " collector is not in exporter";
        }
        if (family.equals("node_textfile_mtime_seconds")) return "textfile mtimes: issue 23's other half (branch expweb)";
        return null;
    }

    @Test
    void liveHostFamilyByFamilyAgainstNodeExporter() throws Exception {
        Path textfiles = Files.createDirectory(tmp.resolve("textfiles"));
        String ours = startExporter("--textfile-dir", textfiles.toString());
        // upstream's defaults where Debian's package changes them (it leaves out lo, /run, /mnt and /media), as exporter has them;
        // every other flag node_exporter's default
        NodeExporter theirs = startNodeExporter("--collector.netdev.device-exclude=^$", "--collector.textfile.directory=" + textfiles,
                "--collector.filesystem.mount-points-exclude=" + exporter.MOUNTS_EXCLUDE, "--collector.filesystem.fs-types-exclude=" + exporter.FSTYPES_EXCLUDE);
        NodeExporter.get(ours);
        theirs.scrape();
        String before = NodeExporter.get(ours), node = theirs.scrape(), after = NodeExporter.get(ours);
        Coverage c = Coverage.compare(Families.parse(before), Families.parse(node), Families.parse(after),
                ExporterCoverageTest::liveTolerance, ExporterCoverageTest::whyOnlyTheirs);
        System.out.println(c.report("live host: exporter vs node_exporter " + version()));
        assertTrue(c.unexplained().isEmpty(), "unexplained differences:\n" + c.unexplained());
        assertTrue(c.percent() >= 90, String.format("exporter serves %.1f%% of node_exporter's families here, goal 90%%", c.percent()));
    }

    @Test
    void fixtureTreesGiveBothExportersTheSameFamiliesAndValues() throws Exception {
        Path proc = Fixtures.procfs(tmp.resolve("proc")), sys = Fixtures.sysfs(tmp.resolve("sys")), udev = Fixtures.udev(tmp.resolve("udev"));
        String ours = startExporter("--path.procfs", proc.toString(), "--path.sysfs", sys.toString(), "--path.udev.data", udev.toString(),
                "--no-collector.filesystem", "--no-collector.time", "--no-collector.timex", "--no-collector.uname", "--no-collector.os",
                "--no-collector.selinux");
        List<String> flags = new ArrayList<>(List.of("--path.procfs=" + proc, "--path.sysfs=" + sys, "--path.udev.data=" + udev,
                "--collector.disable-defaults", "--no-collector.netdev.netlink", "--collector.netdev.device-exclude=^$"));
        for (String c : List.of("arp", "conntrack", "cpu", "diskstats", "entropy", "filefd", "hwmon", "loadavg", "meminfo", "netclass", "netdev",
                "netstat", "pressure", "schedstat", "sockstat", "softnet", "stat", "thermal_zone", "udp_queues", "vmstat")) {
            flags.add("--collector." + c);
        }
        NodeExporter theirs = startNodeExporter(flags.toArray(String[]::new));
        String before = NodeExporter.get(ours), node = theirs.scrape();
        Coverage c = Coverage.compare(Families.parse(before), Families.parse(node), Families.parse(before), (f, v) -> 0, n -> null);
        System.out.println(c.report("fixture trees: exporter vs node_exporter " + version()));
        assertTrue(c.unexplained().isEmpty(), "differences on the fixture trees:\n" + c.unexplained() + "\nnode_exporter's log:\n" + theirs.log());
        assertEquals(c.theirs, c.both);
        Map<String, Families.Family> f = Families.parse(before);
        assertEquals(128 * 8, f.get("node_cpu_seconds_total").series().size(), "128 CPUs, 8 modes each");
        assertTrue(f.get("node_network_receive_bytes_total").series().containsKey("node_network_receive_bytes_total{device=\"my if\"}"), "the interface with a space");
        assertEquals(0.0, f.get("node_disk_reads_completed_total").series().get("node_disk_reads_completed_total{device=\"vdb\"}"), "the disk without I/O");
        assertTrue(f.get("node_hwmon_temp_celsius").series().keySet().stream().anyMatch(k -> k.contains("chip=\"platform_coretemp_0\"")),
                "a chip named by its device path: " + f.get("node_hwmon_temp_celsius").series().keySet());
        assertTrue(c.both.containsAll(List.of("node_hwmon_temp_celsius", "node_thermal_zone_temp", "node_schedstat_running_seconds_total",
                "node_nf_conntrack_stat_found", "node_pressure_io_stalled_seconds_total", "node_disk_flush_requests_total")), c.both.toString());
    }

    @Test
    void aPathThatIsNoDirectoryIsBadUsage() throws Exception {
        for (String flag : List.of("--path.procfs", "--path.sysfs")) {
            var r = ScriptRun.run(exporter::main, "--listen", "127.23.0.1:" + Proc.freePort(), flag, tmp.resolve("nope").toString());
            assertEquals(2, r.exit(), r.toString());
            assertTrue(r.err().contains(flag + " " + tmp.resolve("nope") + ": no such directory"), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
        }
    }

    static String version() throws Exception {
        var r = Proc.run(List.of(NodeExporter.BINARY, "--version"), Duration.ofSeconds(10));
        String out = r.out() + r.err();
        var m = java.util.regex.Pattern.compile("version (\\S+)").matcher(out);
        return m.find() ? m.group(1) : "?";
    }
}
