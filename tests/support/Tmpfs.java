import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small tmpfs a test mounts for itself under /tmp/ops-tmpfs-*, so that "the disk is full" and
 * "free space" are real and exact. Closing unmounts it (lazily if something still holds it) and
 * removes the mount point; the harness's leftover check lists any ops-tmpfs mount still there.
 *
 *   try (Tmpfs fs = Tmpfs.mount("4m")) { ... fs.dir ... }
 */
public final class Tmpfs implements AutoCloseable {
    public static final String PREFIX = "/tmp/ops-tmpfs-";
    public final Path dir;

    private Tmpfs(Path dir) { this.dir = dir; }

    /** Mounts a tmpfs of {@code size} (mount's size=, e.g. "4m"); needs root. */
    public static Tmpfs mount(String size) throws IOException {
        Prereq.requireRoot();
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ops-tmpfs-");
        try {
            Proc.sh("mount -t tmpfs -o size=" + size + ",mode=755 ops-test " + dir);
        } catch (AssertionError e) {
            Files.deleteIfExists(dir);
            throw e;
        }
        return new Tmpfs(dir);
    }

    /** Another tmpfs mounted on {@code at} (a directory inside this one), unmounted with this one. */
    public Path mountInside(String name, String size) throws IOException {
        Path at = Files.createDirectories(dir.resolve(name));
        Proc.sh("mount -t tmpfs -o size=" + size + " ops-test " + at);
        return at;
    }

    /** The mounts under this one first, then this one. */
    @Override public void close() {
        String sh = "for m in $(findmnt -rn -o TARGET | grep '^" + dir + "' | sort -r); do umount \"$m\" 2>/dev/null || umount -l \"$m\"; done; rmdir " + dir;
        Proc.sh(sh);
    }
}
