package metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reading procfs on every scrape: whole files, fields without a regex. */
final class Procfs {
    private Procfs() {}

    /** Reads a procfs file whole, as node_exporter does (one read, a consistent snapshot). */
    static List<String> lines(String path) throws IOException {
        return new String(Files.readAllBytes(Path.of(path)), StandardCharsets.ISO_8859_1).lines().toList();
    }

    /** Whitespace-separated fields, without a regex (procfs lines are parsed on every scrape). */
    static String[] fields(String line) {
        var t = new java.util.StringTokenizer(line, " \t\n");
        String[] f = new String[t.countTokens()];
        for (int i = 0; i < f.length; i++) f[i] = t.nextToken();
        return f;
    }
}
