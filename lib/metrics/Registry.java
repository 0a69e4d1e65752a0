package metrics;

//DEPS com.github.oshi:oshi-core:6.10.0
//SOURCES CollectorRunner.java Source.java
//SOURCES Cpu.java LoadAvg.java Meminfo.java Filesystem.java Netdev.java Stat.java Time.java Uname.java Textfile.java

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;

/**
 * Every collector, in scrape order, under node_exporter's names (so --no-collector.NAME flags carry
 * over). A new collector is one file (a {@link Source}) and one line in {@link #ALL}.
 */
public final class Registry {
    private Registry() {}

    /** What the command line says about the collectors. {@code textfileDir} null: no textfile collector. */
    public record Settings(Pattern mountsOut, Pattern typesOut, Pattern netdevOut, Path textfileDir,
                           Path rootfs, java.time.Duration mountTimeout) {}

    /** What a collector is built from: the settings, and what collectors share. */
    static final class Context {
        final Settings settings;
        private CentralProcessor processor;

        Context(Settings settings) {
            this.settings = settings;
        }

        /** OSHI's processor, shared by cpu and loadavg; made when the first of them is. */
        CentralProcessor processor() {
            if (processor == null) processor = new SystemInfo().getHardware().getProcessor();
            return processor;
        }
    }

    interface Factory {
        /** The collector, or null when its settings leave it off (textfile without a directory). */
        Source create(Context c) throws IOException;
    }

    record Entry(String name, Factory factory) {}

    static final List<Entry> ALL = List.of(
            new Entry("cpu", c -> new Cpu(c.processor())),
            new Entry("loadavg", c -> new LoadAvg(c.processor())),
            new Entry("meminfo", c -> new Meminfo()),
            new Entry("filesystem", c -> new Filesystem(c.settings.mountsOut(), c.settings.typesOut(), c.settings.rootfs(), c.settings.mountTimeout())),
            new Entry("netdev", c -> new Netdev(c.settings.netdevOut())),
            new Entry("stat", c -> new Stat()),
            new Entry("time", c -> new Time()),
            new Entry("uname", c -> new Uname()),
            new Entry("textfile", c -> c.settings.textfileDir() == null ? null : new Textfile(c.settings.textfileDir())));

    /** The collectors' names, in scrape order. */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        for (Entry e : ALL) names.add(e.name());
        return names;
    }

    /** The collectors that are on: all but those named in {@code off} and those their settings leave off. */
    public static List<CollectorRunner> enabled(Settings settings, Set<String> off) throws IOException {
        Context context = new Context(settings);
        List<CollectorRunner> runners = new ArrayList<>();
        for (Entry e : ALL) {
            if (off.contains(e.name())) continue;
            Source source = e.factory().create(context);
            if (source != null) runners.add(new CollectorRunner(e.name(), source));
        }
        return runners;
    }
}
