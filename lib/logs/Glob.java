package logs;

//SOURCES ../cli/Errors.java

import cli.Errors;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.Map;

/**
 * One --path: a glob split into the directory to walk, how deep, and the matcher for full paths.
 * '/var/log/app/*.log' walks /var/log/app one level deep; '**' walks any depth. Compressed files
 * (.gz, .bz2, .xz, .zst, .lz4, .zip, .Z) never match.
 */
public record Glob(String text, Path root, int depth, PathMatcher matcher) {

    public static Glob of(String text) {
        Path abs = Path.of(text).toAbsolutePath().normalize();
        Path root = abs.getRoot();
        int i = 0;
        for (; i < abs.getNameCount() - 1; i++) {
            if (abs.getName(i).toString().matches(".*[*?\\[{].*")) break;
            root = root.resolve(abs.getName(i));
        }
        int depth = text.contains("**") ? Integer.MAX_VALUE : abs.getNameCount() - i;
        String pattern = abs.toString().replace("\\", "\\\\");
        return new Glob(text, root, depth, FileSystems.getDefault().getPathMatcher("glob:" + pattern));
    }

    /** A matching file a scan found, by device and inode. */
    record Found(Path path, long dev, long ino) {
        String key() { return dev + ":" + ino; }
    }

    /** The file's device and inode, or null if it is gone. */
    static Found identity(Path p) throws IOException {
        try {
            return new Found(p, ((Number) Files.getAttribute(p, "unix:dev")).longValue(), ((Number) Files.getAttribute(p, "unix:ino")).longValue());
        } catch (NoSuchFileException gone) {
            return null;
        }
    }

    /**
     * A compressed rotation (app.log.1.gz, app.log-20261202.zst): never followed, even when the glob
     * matches it (--path 'app.log*'). Its lines were read from the file it was made from; read
     * again they would ship twice, and as binary.
     */
    static boolean compressed(Path p) {
        String n = p.getFileName().toString();
        return n.matches(".*\\.(gz|bz2|xz|zst|lz4|zip|Z)$");
    }

    /** Adds the regular files this glob matches now to {@code seen}, by device:inode (the first path found for a file wins). */
    void matches(Map<String, Found> seen, PrintStream err) throws IOException {
        if (!Files.isDirectory(root)) return;
        try (var walk = Files.walk(root, depth, FileVisitOption.FOLLOW_LINKS)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (!matcher.matches(p) || compressed(p) || !Files.isRegularFile(p)) continue;
                Found f = identity(p);                                // null: deleted since the listing; the next scan sees
                if (f != null) seen.putIfAbsent(f.key(), f);
            }
        } catch (java.io.UncheckedIOException e) {
            err.println("logship: note: scanning " + root + ": " + Errors.message(e.getCause(), "error"));
        }
    }
}
