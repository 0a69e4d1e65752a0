package check;

//SOURCES ../cli/Sizes.java ../host/Mounts.java ../yaml/Yaml.java Check.java Findings.java Limit.java LocalFacts.java Probe.java Severity.java Validate.java

import cli.Sizes;
import host.Mounts;
import java.io.IOException;
import java.time.Duration;
import yaml.Yaml;

/** {@code kind: disk}: a mount point's use %, inode use % and free space, as df counts them (one statvfs). */
public record DiskCheck(String name, String group, Severity severity, String mount, Limit<Yaml.Percent> used,
                        Limit<Yaml.Percent> inodes, Limit<Yaml.Size> free) implements Check {

    /** For used and inodes unless the plan says otherwise. */
    static final Limit<Yaml.Percent> USED = new Limit<>(new Yaml.Percent(80), new Yaml.Percent(90));

    @Override public String defaultGroup() { return "system"; }

    @Override public Probe probe(String at, Duration defaultTimeout) {
        String m = Validate.absolute(at + ".mount", Validate.required(at, "mount", mount), "expected a mount point like /var");
        Validate.above(at + ".used", used, Yaml.Percent::value);
        Validate.above(at + ".inodes", inodes, Yaml.Percent::value);
        Validate.below(at + ".free", free, Yaml.Size::bytes);
        return new Statvfs(this, "disk " + m);
    }

    private record Statvfs(DiskCheck c, String name) implements Probe {
        @Override public void run(LocalFacts local, Findings o) throws IOException {
            Mounts.Disk fs = Mounts.mount(c.mount());
            if (fs == null) {
                o.value("not mounted");
                o.fail(c.mount() + " is not a mount point (its files are on " + Mounts.mountOf(c.mount()) + ")");
                return;
            }
            o.measure("used", fs.usedPct(), "%", Findings.pct(fs.usedPct()), c.used() != null ? c.used() : USED, Yaml.Percent::value, false);
            String note = null;
            if (fs.inodesUsedPct() != null) {
                double iused = fs.inodesUsedPct();
                o.measure("inodes", iused, "%", Findings.pct(iused), c.inodes() != null ? c.inodes() : USED, Yaml.Percent::value, false);
            } else {
                note = fs.type() + " reports no inode counts";
            }
            long freeBytes = fs.freeBytes();
            if (c.free() != null) o.measure("free", freeBytes, "bytes", Sizes.format(freeBytes), c.free(), Yaml.Size::bytes, true);
            o.note(note != null ? note : fs.device() + " (" + fs.type() + "), " + Sizes.format(freeBytes) + " free of " + Sizes.format(fs.sizeBytes()));
        }
    }
}
