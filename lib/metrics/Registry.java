package metrics;

//SOURCES CollectorRunner.java Source.java
//SOURCES Cpu.java LoadAvg.java Meminfo.java Filesystem.java Netdev.java Stat.java Time.java Uname.java Textfile.java
//SOURCES Arp.java Conntrack.java Diskstats.java Entropy.java Filefd.java Hwmon.java Netclass.java Netstat.java Os.java
//SOURCES Pressure.java Schedstat.java Selinux.java Sockstat.java Softnet.java ThermalZone.java Timex.java UdpQueues.java Vmstat.java

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every collector, in scrape order, under node_exporter's names (so --no-collector.NAME flags carry
 * over). A new collector is one file (a {@link Source}) and one line in {@link #ALL}.
 */
public final class Registry {
    private Registry() {}

    /** What the command line says about the collectors. {@code textfileDir} null: no textfile collector. */
    public record Settings(Pattern mountsOut, Pattern typesOut, Pattern netdevOut, Path textfileDir,
                           Path rootfs, java.time.Duration mountTimeout) {}

    /**
     * Where the kernel's files are: node_exporter's --path.procfs, --path.sysfs and --path.udev.data
     * (the host's, mounted into a container; or a test's fixture tree).
     */
    public record Paths(Path procfs, Path sysfs, Path udevData) {
        public static final Paths HOST = new Paths(Path.of("/proc"), Path.of("/sys"), Path.of("/run/udev/data"));
    }

    /** What a collector is built from. */
    record Context(Settings settings, Paths paths) {
        Path proc() { return paths.procfs(); }
        Path sys() { return paths.sysfs(); }
    }

    interface Factory {
        /** The collector, or null when its settings leave it off (textfile without a directory). */
        Source create(Context c) throws IOException;
    }

    record Entry(String name, Factory factory) {}

    static final List<Entry> ALL = List.of(
            new Entry("arp", c -> new Arp(c.proc())),
            new Entry("conntrack", c -> new Conntrack(c.proc())),
            new Entry("cpu", c -> new Cpu(c.proc())),
            new Entry("diskstats", c -> new Diskstats(c.proc(), c.paths.udevData())),
            new Entry("entropy", c -> new Entropy(c.proc())),
            new Entry("filefd", c -> new Filefd(c.proc())),
            new Entry("filesystem", c -> new Filesystem(c.settings.mountsOut(), c.settings.typesOut(), c.settings.rootfs(), c.settings.mountTimeout())),
            new Entry("hwmon", c -> new Hwmon(c.sys())),
            new Entry("loadavg", c -> new LoadAvg(c.proc())),
            new Entry("meminfo", c -> new Meminfo(c.proc())),
            new Entry("netclass", c -> new Netclass(c.sys(), Pattern.compile("^$"))),
            new Entry("netdev", c -> new Netdev(c.settings.netdevOut(), c.proc(), c.sys())),
            new Entry("netstat", c -> new Netstat(c.proc())),
            new Entry("os", c -> new Os(c.settings.rootfs())),            // under --path.rootfs
            new Entry("pressure", c -> new Pressure(c.proc())),
            new Entry("schedstat", c -> new Schedstat(c.proc())),
            new Entry("selinux", c -> new Selinux(c.sys(), c.settings.rootfs())),
            new Entry("sockstat", c -> new Sockstat(c.proc())),
            new Entry("softnet", c -> new Softnet(c.proc())),
            new Entry("stat", c -> new Stat(c.proc())),
            new Entry("thermal_zone", c -> new ThermalZone(c.sys())),
            new Entry("time", c -> new Time(c.sys())),
            new Entry("timex", c -> new Timex()),
            new Entry("udp_queues", c -> new UdpQueues(c.proc())),
            new Entry("uname", c -> new Uname()),
            new Entry("vmstat", c -> new Vmstat(c.proc())),
            new Entry("textfile", c -> c.settings.textfileDir() == null ? null : new Textfile(c.settings.textfileDir())));

    /** The collectors' names, in scrape order. */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        for (Entry e : ALL) names.add(e.name());
        return names;
    }

    /** The collectors that are on: all but those named in {@code off} and those their settings leave off. */
    public static List<CollectorRunner> enabled(Settings settings, Set<String> off) throws IOException {
        return enabled(settings, Paths.HOST, off);
    }

    /** As {@link #enabled(Settings, Set)}, reading the kernel's files under {@code paths}. */
    public static List<CollectorRunner> enabled(Settings settings, Paths paths, Set<String> off) throws IOException {
        Context context = new Context(settings, paths);
        List<CollectorRunner> runners = new ArrayList<>();
        for (Entry e : ALL) {
            if (off.contains(e.name())) continue;
            Source source = e.factory().create(context);
            if (source != null) runners.add(new CollectorRunner(e.name(), source));
        }
        return runners;
    }
}
