package dns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The "hosts:" line of nsswitch.conf: which sources getaddrinfo asks, in order. Without the file
 * (or the line) glibc uses "dns [!UNAVAIL=return] files". Action brackets are skipped: they decide
 * what happens when a source fails, not the order.
 */
public record NsSwitch(String source, List<String> hosts) {

    public static NsSwitch read(Path file) {
        try {
            for (String line : Files.readAllLines(file)) {
                String l = line.strip();
                if (l.startsWith("hosts:")) {
                    List<String> sources = new ArrayList<>();
                    for (String w : l.substring(6).replaceAll("\\[[^\\]]*\\]", " ").trim().split("\\s+")) {
                        if (!w.isEmpty()) sources.add(w);
                    }
                    return new NsSwitch(file + " hosts: " + String.join(" ", sources), List.copyOf(sources));
                }
            }
        } catch (IOException ignored) {
            // glibc's default below
        }
        return new NsSwitch("glibc default (no hosts: line in " + file + "): dns files", List.of("dns", "files"));
    }

    /** True when /etc/hosts is read before DNS, so an entry there decides the answer. */
    public boolean filesFirst() {
        int f = hosts.indexOf("files"), d = hosts.indexOf("dns");
        return f >= 0 && (d < 0 || f < d);
    }

    public boolean usesFiles() { return hosts.contains("files"); }
}
