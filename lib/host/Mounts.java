package host;

//DEPS com.github.oshi:oshi-core:6.10.0
//SOURCES Percent.java

import com.sun.jna.Native;
import com.sun.jna.platform.linux.LibC;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mount points and their usage, as df sees them: /proc/self/mountinfo for what is mounted where,
 * statvfs(3) for sizes and inodes (any filesystem type, local or not).
 */
public final class Mounts {
    private Mounts() {}

    /** Mount point -> {device, type} from /proc/self/mountinfo (later mounts over earlier ones). */
    public static Map<String, String[]> all() throws IOException {
        Map<String, String[]> m = new LinkedHashMap<>();
        String text = new String(Files.readAllBytes(Path.of("/proc/self/mountinfo")), java.nio.charset.StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
            String[] f = line.split(" ");
            int dash = 6;
            while (dash < f.length && !f[dash].equals("-")) dash++;
            if (f.length < 5 || dash + 2 >= f.length) continue;
            String mount = unescape(f[4]);
            m.remove(mount);
            m.put(mount, new String[] {unescape(f[dash + 2]), f[dash + 1]});
        }
        return m;
    }

    private static final Pattern OCTAL_ESCAPE = Pattern.compile("\\\\([0-7]{3})");

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        Matcher m = OCTAL_ESCAPE.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) m.appendReplacement(sb, Matcher.quoteReplacement(String.valueOf((char) Integer.parseInt(m.group(1), 8))));
        return m.appendTail(sb).toString();
    }

    /**
     * One mount point as df shows it: its device and type, its size, what is free to non-root users
     * (df's Avail), df's Use% and the inode use (null when the filesystem counts no inodes).
     */
    public record Disk(String mount, String device, String type, long sizeBytes, long freeBytes, double usedPct, Double inodesUsedPct) {}

    /** One mount point's usage through statvfs (any filesystem type, local or not); null if {@code mount} is not a mount point. */
    public static Disk mount(String mount) throws IOException {
        String[] dev = all().get(mount);
        if (dev == null) return null;
        Usage u = statvfs(mount);
        return new Disk(mount, dev[0], dev[1], u.size(), u.avail(), usedPct(u.size(), u.free(), u.avail()), inodesUsedPct(u.files(), u.filesFree()));
    }

    /** A filesystem's statvfs(3): bytes (in f_frsize units, as df counts them), inodes, read-only flag. */
    public record Usage(long size, long free, long avail, long files, long filesFree, boolean readOnly) {}

    public static Usage statvfs(String path) throws IOException {
        return Statvfs.call(path);
    }

    /**
     * statvfs(3) through a JNA direct-mapped call into a reused buffer, read at the offsets JNA computes
     * for this platform's struct: about 2 us a call, where LibC.INSTANCE.statvfs with a Structure
     * costs about 50 us (the exporter calls it for every filesystem on every scrape).
     */
    private static final class Statvfs {
        static {
            Native.register(Statvfs.class, com.sun.jna.Platform.C_LIBRARY_NAME);
        }

        private static native int statvfs(String path, com.sun.jna.Pointer buf);

        /** JNA's own layout of struct statvfs, for the field offsets. */
        private static final class Layout extends LibC.Statvfs {
            long offset(String field) { return fieldOffset(field); }
        }

        private static final Layout LAYOUT = new Layout();
        private static final long FRSIZE = LAYOUT.offset("f_frsize"), BLOCKS = LAYOUT.offset("f_blocks"), BFREE = LAYOUT.offset("f_bfree"),
                BAVAIL = LAYOUT.offset("f_bavail"), FILES = LAYOUT.offset("f_files"), FFREE = LAYOUT.offset("f_ffree"), FLAG = LAYOUT.offset("f_flag");
        private static final int SIZE = LAYOUT.size();
        private static final ThreadLocal<com.sun.jna.Memory> BUFFER = ThreadLocal.withInitial(() -> new com.sun.jna.Memory(SIZE));
        private static final long ST_RDONLY = 1;

        static Usage call(String path) throws IOException {
            com.sun.jna.Memory m = BUFFER.get();
            if (statvfs(path, m) != 0) throw new IOException("statvfs " + path + " failed (errno " + Native.getLastError() + ")");
            long frsize = m.getNativeLong(FRSIZE).longValue();
            return new Usage(m.getNativeLong(BLOCKS).longValue() * frsize, m.getNativeLong(BFREE).longValue() * frsize,
                    m.getNativeLong(BAVAIL).longValue() * frsize, m.getNativeLong(FILES).longValue(), m.getNativeLong(FFREE).longValue(),
                    (m.getNativeLong(FLAG).longValue() & ST_RDONLY) != 0);
        }
    }

    /** The mount point whose filesystem holds {@code path} (the longest mount point that contains it). */
    public static String mountOf(String path) throws IOException {
        Path p = Path.of(path).toAbsolutePath().normalize();
        String best = "/";
        for (String mp : all().keySet()) {
            if (p.startsWith(Path.of(mp)) && mp.length() > best.length()) best = mp;
        }
        return best;
    }

    /** Sizes, df's Use% and inode use, under the keys filesystems() rows have. */
    static void usage(Map<String, Object> m, long total, long free, long avail, long inodes, long ifree) {
        m.put("size_bytes", total);
        m.put("used_bytes", total - free);
        m.put("free_bytes", avail);
        m.put("used_pct", usedPct(total, free, avail));
        m.put("inodes", inodes);
        m.put("inodes_free", ifree);
        m.put("inodes_used_pct", inodesUsedPct(inodes, ifree));
    }

    /** df's Use%: used / (used + available to non-root), rounded up like df does. */
    static double usedPct(long total, long free, long avail) {
        return total - free + avail == 0 ? 0.0 : Percent.round(Math.ceil(1000.0 * (total - free) / (total - free + avail)) / 10.0);
    }

    static Double inodesUsedPct(long inodes, long ifree) {
        return inodes <= 0 ? null : Percent.of(inodes - ifree, inodes);
    }
}
