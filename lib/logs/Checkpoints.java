package logs;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES ../cli/Errors.java ../cli/InputError.java Fingerprint.java Json.java Tailer.java

import cli.Errors;
import cli.InputError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * --state DIR: how far each file is delivered, in DIR/checkpoints.json, and DIR/lock so that one
 * logship at a time uses it. An entry names the file (path, device, inode, fingerprint of its
 * first bytes) and the offset before which every line was accepted by the sink. Without --state
 * (--once) the entries live in memory only. Map access is safe from the reader and the shipper.
 */
public final class Checkpoints {

    /**
     * One file and how far it is done: {"path", "dev", "ino", "fp_len", "fp_crc", "offset"} in checkpoints.json,
     * plus "rejected": lines of it the sink refused for good (HTTP 400) that the offset moved past.
     */
    record Entry(String path, long dev, long ino, Fingerprint fp, long offset, long rejected) {
        String key() { return dev + ":" + ino; }

        static Entry of(Tailer t, Fingerprint fp, long offset) {
            return new Entry(t.path.toString(), t.dev, t.ino, fp, offset, 0);
        }

        static Entry read(JsonNode n) {
            return new Entry(n.get("path").asText(), n.get("dev").asLong(), n.get("ino").asLong(),
                    new Fingerprint(n.get("fp_len").asInt(), n.get("fp_crc").asLong()), n.get("offset").asLong(),
                    n.has("rejected") ? n.get("rejected").asLong() : 0);
        }

        void write(ObjectNode n) {
            n.put("path", path);
            n.put("dev", dev);
            n.put("ino", ino);
            n.put("fp_len", fp.len());
            n.put("fp_crc", fp.crc());
            n.put("offset", offset);
            if (rejected > 0) n.put("rejected", rejected);
        }

        /** The open file still starts with the bytes this entry fingerprinted (so the offset is about this content). */
        boolean sameContent(FileChannel ch) throws IOException {
            return fp.matches(ch);
        }
    }

    private final Path dir;                          // null: in memory only
    private final FileLock lock;
    private final PrintStream err;
    private final Map<String, Entry> entries = new HashMap<>();
    private boolean resumed;
    private long savedAtMs;                          // when the checkpoints we loaded were written (the last run's last save)
    private volatile boolean failing;

    private Checkpoints(Path dir, FileLock lock, PrintStream err) {
        this.dir = dir;
        this.lock = lock;
        this.err = err;
    }

    /** No --state: offsets are kept for this run only. */
    public static Checkpoints inMemory(PrintStream err) {
        return new Checkpoints(null, null, err);
    }

    /** Creates {@code dir}, takes its lock and loads its checkpoints; an InputError when it cannot. */
    public static Checkpoints open(Path dir, PrintStream err) throws IOException {
        FileChannel lockFile;
        try {
            Files.createDirectories(dir);
            lockFile = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new InputError("--state " + dir + ": cannot write there (" + Errors.message(e, e.getClass().getSimpleName()) + ")");
        }
        FileLock lock = lockFile.tryLock();
        if (lock == null) throw new InputError("--state " + dir + " is in use by another logship (its lock is held)");
        Checkpoints c = new Checkpoints(dir, lock, err);
        c.load();
        return c;
    }

    /** Written to disk (there is a --state). */
    boolean persistent() { return dir != null; }

    /** A checkpoint from an earlier run exists: files we do not know appeared since, and are read whole. */
    boolean resumed() { return resumed; }

    /** When the loaded checkpoints were written (0: none were loaded): a file changed after it changed while logship was down. */
    long savedAtMs() { return savedAtMs; }

    /** The entries now (a copy). */
    List<Entry> all() {
        synchronized (entries) { return new ArrayList<>(entries.values()); }
    }

    /** The last write failed: what was shipped since is not on disk. */
    public boolean failing() { return failing; }

    Entry get(String key) {
        synchronized (entries) { return entries.get(key); }
    }

    boolean contains(String key) {
        synchronized (entries) { return entries.containsKey(key); }
    }

    /** One update (a delivered batch's files): a save never holds half of it. */
    void putAll(List<Entry> l) {
        synchronized (entries) {
            for (Entry e : l) entries.put(e.key(), e);
        }
    }

    void putIfAbsent(Entry e) {
        synchronized (entries) { entries.putIfAbsent(e.key(), e); }
    }

    void remove(String key) {
        synchronized (entries) { entries.remove(key); }
    }

    /** The entries whose file is not among {@code keys}. */
    List<Entry> missing(Set<String> keys) {
        List<Entry> l = new ArrayList<>();
        synchronized (entries) {
            for (var e : entries.entrySet()) if (!keys.contains(e.getKey())) l.add(e.getValue());
        }
        return l;
    }

    private void load() {
        Path f = dir.resolve("checkpoints.json");
        if (!Files.exists(f)) return;
        resumed = true;
        try {
            savedAtMs = Files.getLastModifiedTime(f).toMillis();
            JsonNode root = Json.MAPPER.readTree(f.toFile());
            for (JsonNode n : root.get("files")) {
                Entry e = Entry.read(n);
                entries.put(e.key(), e);
            }
        } catch (IOException | RuntimeException e) {
            throw new InputError(f + ": unreadable checkpoint file (" + Errors.message(e instanceof Exception x ? x : new Exception(), "error")
                    + "); move it away to start over (files are then read from their end, or whole with --from-beginning)");
        }
    }

    /** Write, fsync, rename: a crash leaves the old checkpoint or the new one, never half of one. In memory: nothing to do. */
    synchronized void save() {
        if (dir == null) return;
        Path tmp = dir.resolve("checkpoints.json.tmp"), f = dir.resolve("checkpoints.json");
        try {
            ObjectNode root = Json.MAPPER.createObjectNode();
            root.put("version", 1);
            var arr = root.putArray("files");
            synchronized (entries) {
                for (Entry e : entries.values()) e.write(arr.addObject());
            }
            // 0600: the checkpoints name every file followed and how far it was read; nobody else's business.
            try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                ch.write(ByteBuffer.wrap(Json.MAPPER.writeValueAsBytes(root)));
                ch.force(true);
            }
            try {
                Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
            }
            if (failing) err.println("logship: checkpoints are written again");
            failing = false;
        } catch (IOException e) {
            if (!failing) {                                  // said once, not once a batch
                err.println("logship: warning: cannot write checkpoint " + f + ": " + Errors.message(e, "error")
                        + "; lines shipped since would be shipped again after a restart");
            }
            failing = true;
        }
    }

    /** Lets go of --state's lock (the process ending would too). */
    void release() throws IOException {
        if (lock != null) lock.release();
    }
}
