package check;

//SOURCES ../cli/Sizes.java ../host/Facts.java ../yaml/Yaml.java Check.java Findings.java Limit.java LocalFacts.java Probe.java Severity.java Validate.java

import cli.Sizes;
import host.Facts;
import java.time.Duration;
import yaml.Yaml;

/** {@code kind: memory}: memory used % (90%/95% by default), swap used % and memory available, from one read per run. */
public record MemoryCheck(String name, String group, Severity severity, Limit<Yaml.Percent> used, Limit<Yaml.Percent> swap,
                          Limit<Yaml.Size> available) implements Check {

    static final Limit<Yaml.Percent> USED = new Limit<>(new Yaml.Percent(90), new Yaml.Percent(95));

    @Override public String defaultGroup() { return "system"; }

    @Override public Probe probe(String at, Duration defaultTimeout) {
        Validate.above(at + ".used", used, Yaml.Percent::value);
        Validate.above(at + ".swap", swap, Yaml.Percent::value);
        Validate.below(at + ".available", available, Yaml.Size::bytes);
        return new Read(this);
    }

    private record Read(MemoryCheck c) implements Probe {
        @Override public String name() { return "memory"; }

        @Override public void run(LocalFacts local, Findings o) {
            Facts.Memory m = local.memory();
            o.measure("used", m.usedPct(), "%", Findings.pct(m.usedPct()), c.used() != null ? c.used() : USED, Yaml.Percent::value, false);
            if (c.swap() != null) {
                if (m.swapTotalBytes() > 0) {
                    o.measure("swap", m.swapUsedPct(), "%", Findings.pct(m.swapUsedPct()), c.swap(), Yaml.Percent::value, false);
                } else {
                    o.value("swap none");
                }
            }
            long avail = m.availableBytes();
            if (c.available() != null) o.measure("available", avail, "bytes", Sizes.format(avail), c.available(), Yaml.Size::bytes, true);
            o.note(Sizes.format(avail) + " available of " + Sizes.format(m.totalBytes()));
        }
    }
}
