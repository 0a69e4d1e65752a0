package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Procfs.java
//SOURCES Collected.java

import static metrics.Snapshots.gauge;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** node_filefd_allocated and node_filefd_maximum: the first and third numbers of /proc/sys/fs/file-nr. */
final class Filefd implements Source {
    final Path file;

    Filefd(Path procfs) {
        this.file = procfs.resolve("sys/fs/file-nr");
    }

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        step.accept("read " + file);
        String[] f = Procfs.fields(Procfs.text(file));                     // "1472\t0\t9223372036854775807"
        if (f.length != 3) throw new IOException(file + ": expected 3 numbers, got " + f.length);
        return Collected.of(List.of(gauge("node_filefd_allocated", "File descriptor statistics: allocated.", Double.parseDouble(f[0])),
                gauge("node_filefd_maximum", "File descriptor statistics: maximum.", Double.parseDouble(f[2]))));
    }
}
