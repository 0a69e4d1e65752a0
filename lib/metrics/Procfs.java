package metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reading procfs and sysfs on every scrape: whole files, fields without a regex. Every path is
 * under a root (--path.procfs, --path.sysfs), as node_exporter's are, so a fixture tree or the
 * host's /proc mounted in a container reads the same way.
 */
final class Procfs {
    private Procfs() {}

    /** Reads a procfs file whole, as node_exporter does (one read, a consistent snapshot). */
    static List<String> lines(Path path) throws IOException {
        return text(path).lines().toList();
    }

    /**
     * The file's bytes from one large read. Not Files.readAllBytes: for a file whose size is 0 (all of
     * procfs) it reads one byte first, and a /proc/sys file answers a read past offset 0 with EOF
     * ("3" for "3025 0 2466126").
     */
    static String text(Path path) throws IOException {
        try (var in = new java.io.FileInputStream(path.toFile())) {
            // readAllBytes would take a new 8 KB buffer for each 2-byte sysfs file (hundreds a scrape); this
            // thread's buffer is reused, and grows (kept up to 1 MB) for a larger file.
            byte[] buf = BUFFER.get();
            int n = 0;
            for (int r; (r = in.read(buf, n, buf.length - n)) > 0; ) {
                n += r;
                if (n == buf.length) {
                    buf = java.util.Arrays.copyOf(buf, buf.length * 2);
                    if (buf.length <= 1 << 20) BUFFER.set(buf);
                }
            }
            return new String(buf, 0, n, StandardCharsets.ISO_8859_1);
        }
    }

    /** Each collector thread's read buffer (collectors run on a few platform threads). */
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[16 << 10]);

    /** A file holding one number ("65536\n"), as sysfs and /proc/sys have them; "0x1003" is read as hex. */
    static double number(Path path) throws IOException {
        return parse(text(path).strip(), path);
    }

    /** A sysfs attribute as a number, or null when it cannot be read (EINVAL from a down link's carrier) or is not a number. */
    static Double optional(Path path) {
        try {
            return number(path);
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** A sysfs attribute as text without its newline, or null when it cannot be read. */
    static String optionalText(Path path) {
        try {
            return text(path).strip();
        } catch (IOException e) {
            return null;
        }
    }

    static double parse(String s, Path where) {
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) return Long.parseUnsignedLong(s.substring(2), 16);
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new NumberFormatException(where + ": '" + s + "' is not a number");
        }
    }

    /** Whitespace-separated fields, without a regex (procfs lines are parsed on every scrape). */
    static String[] fields(String line) {
        var t = new java.util.StringTokenizer(line, " \t\n");
        String[] f = new String[t.countTokens()];
        for (int i = 0; i < f.length; i++) f[i] = t.nextToken();
        return f;
    }

    /** The entries of a directory whose names start with {@code prefix}, sorted; none when it does not exist. */
    static List<Path> entries(Path dir, String prefix) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
        }
    }
}
