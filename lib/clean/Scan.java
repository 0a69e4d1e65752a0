package clean;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * One walk of a rule's root, the way `find -P -xdev` walks: symbolic links are never followed
 * (not even to a directory), directories on another device or that are mount points (bind mounts
 * share the device) are not entered, and names come from directory listings, so no '..' ever.
 * Directories are read one at a time and closed before their entries are looked at: the walk
 * holds one descriptor, however deep or wide the tree (`find` and Files.walk hold one per level).
 * Entries that vanish between the listing and the lstat are counted, never an error.
 */
public final class Scan {
    /** A regular file that matched, as it was when seen: its identity (device, inode), its directory's, size, mtime, links. */
    public record Found(Path path, Object key, Object dirKey, long size, long mtimeMs, int links) {}

    public final List<Found> found = new ArrayList<>();
    /** Directories we could not list, as paths (the row says how many; JSON lists them). */
    public final List<String> unreadable = new ArrayList<>();
    public long dirs, vanished, symlinks, mounts;

    private static final String ATTRS = "unix:fileKey,isDirectory,isRegularFile,isSymbolicLink,size,lastModifiedTime,dev,nlink";

    /**
     * Walks {@code root} (a real, absolute path) for regular files matching {@code glob} (on the file
     * name, or on the path under root when the glob has a '/'). {@code stop} is asked between
     * directories (a signal or the deadline). Throws only when root itself cannot be read.
     */
    public static Scan walk(Path root, String glob, boolean oneFileSystem, Set<Path> mountPoints, BooleanSupplier stop) throws IOException {
        Scan s = new Scan();
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        boolean onPath = glob.contains("/");
        Map<String, Object> ra = Files.readAttributes(root, ATTRS, LinkOption.NOFOLLOW_LINKS);
        if (!(Boolean) ra.get("isDirectory")) throw new NotDirectoryException(root.toString());
        long dev = (Long) ra.get("dev");
        Deque<Object[]> todo = new ArrayDeque<>();             // {path, fileKey}: depth first, names in listing order
        todo.push(new Object[] {root, ra.get("fileKey")});
        List<Path> names = new ArrayList<>();
        while (!todo.isEmpty() && !stop.getAsBoolean()) {
            Object[] d = todo.pop();
            Path dir = (Path) d[0];
            names.clear();
            try (DirectoryStream<Path> ls = Files.newDirectoryStream(dir)) {
                for (Path p : ls) names.add(p);
            } catch (AccessDeniedException e) {
                s.unreadable.add(dir.toString());
                continue;
            } catch (NoSuchFileException | NotDirectoryException e) {
                s.vanished++;                                   // removed or replaced since its parent was listed
                continue;
            } catch (DirectoryIteratorException e) {
                if (e.getCause() instanceof AccessDeniedException) s.unreadable.add(dir.toString());
                else s.vanished++;
                continue;
            }
            s.dirs++;
            for (Path p : names) {
                Map<String, Object> a;
                try {
                    a = Files.readAttributes(p, ATTRS, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    s.vanished++;
                    continue;
                } catch (AccessDeniedException e) {             // a directory we may list but not search (r without x)
                    s.unreadable.add(p.toString());
                    continue;
                }
                if ((Boolean) a.get("isSymbolicLink")) {
                    s.symlinks++;
                } else if ((Boolean) a.get("isDirectory")) {
                    if (oneFileSystem && ((Long) a.get("dev") != dev || mountPoints.contains(p))) s.mounts++;
                    else todo.push(new Object[] {p, a.get("fileKey")});
                } else if ((Boolean) a.get("isRegularFile") && m.matches(onPath ? root.relativize(p) : p.getFileName())) {
                    s.found.add(new Found(p, a.get("fileKey"), d[1], (Long) a.get("size"),
                            ((FileTime) a.get("lastModifiedTime")).toMillis(), (Integer) a.get("nlink")));
                }
            }
        }
        return s;
    }
}
