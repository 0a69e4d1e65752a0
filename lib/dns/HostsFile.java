package dns;

//SOURCES ../net/Addresses.java ResolvConf.java

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.Addresses;

/**
 * /etc/hosts read the way glibc's "files" source reads it for getaddrinfo: an address, then the
 * canonical name and aliases; names match case-insensitively and literally (no search list, a
 * trailing dot is part of the name); every line that names the host adds its address. Lines that do
 * not parse are skipped, as glibc skips them.
 */
public final class HostsFile {
    /** One address for a name, and the line that gave it ("/etc/hosts:3"). */
    public record Entry(String address, String where) {}

    private final String source;
    private final Map<String, List<Entry>> byName = new LinkedHashMap<>();

    private HostsFile(String source) { this.source = source; }

    public String source() { return source; }

    public static HostsFile read(Path file) {
        HostsFile h = new HostsFile(file.toString());
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return h;                                        // glibc: no file, no entries
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            if (hash >= 0) line = line.substring(0, hash);
            String[] w = line.trim().split("\\s+");
            if (w.length < 2) continue;
            InetAddress a = ResolvConf.ipLiteral(w[0]);
            if (a == null) continue;
            for (int k = 1; k < w.length; k++) {
                h.byName.computeIfAbsent(w[k].toLowerCase(Locale.ROOT), x -> new ArrayList<>())
                        .add(new Entry(Addresses.format(a), file + ":" + (i + 1)));
            }
        }
        return h;
    }

    /** The entries for {@code name}, in file order; empty when the file does not name it. */
    public List<Entry> lookup(String name) {
        return byName.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }
}
