package relay;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES Notification.java

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The on-disk queue that makes "accepted" mean "will be delivered": one file per group and
 * receiver, {@code DIR/RECEIVER/0000000000000042.json}, written to a temporary name, fsynced,
 * renamed into place and its directory fsynced before Alertmanager hears 200. A courier deletes
 * the file once the chat took the post; a file the chat rejected for good moves to
 * {@code DIR/RECEIVER/rejected/} for a human. After kill -9 or a power cut the files left are
 * exactly the groups not yet delivered (a group can be delivered twice if the process died between
 * the chat's answer and the delete: at least once, never zero).
 */
public final class Queue {
    /** A queued group for one receiver. */
    public record Entry(String receiver, long seq, Path file, Notification group) {}

    private final Path dir;
    private final AtomicLong seq = new AtomicLong();

    public Queue(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        if (!Files.isWritable(dir)) throw new IOException(dir + ": not writable");
        long max = 0;
        try (Stream<Path> all = Files.walk(dir, 2)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Long n = seqOf(p);
                if (n != null) max = Math.max(max, n);
                if (p.getFileName().toString().endsWith(".tmp")) Files.deleteIfExists(p);     // a write that never finished: its 200 was never sent
            }
        }
        seq.set(max);
    }

    /** The groups already queued for {@code receiver} (from before a restart), oldest first. */
    public List<Entry> pending(String receiver) throws IOException {
        Path d = dir.resolve(receiver);
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(d)) return out;
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(d)) { s.filter(p -> seqOf(p) != null).forEach(files::add); }
        files.sort(java.util.Comparator.comparingLong(Queue::seqOf));
        for (Path f : files) {
            Notification n;
            try {
                n = Notification.JSON.readValue(f.toFile(), Notification.class);
            } catch (IOException e) {       // cannot happen for our own fsynced files; keep it for a human rather than drop it
                reject(new Entry(receiver, seqOf(f), f, null), "unreadable: " + e.getMessage());
                continue;
            }
            out.add(new Entry(receiver, seqOf(f), f, n));
        }
        return out;
    }

    /**
     * Writes each receiver's group durably (file fsync, rename, directory fsync) and returns the
     * entries. An IOException means nothing may be acknowledged: Alertmanager must retry.
     */
    public List<Entry> append(List<String> receivers, List<Notification> groups) throws IOException {
        List<Entry> out = new ArrayList<>();
        java.util.Set<Path> dirs = new java.util.LinkedHashSet<>();
        for (int i = 0; i < receivers.size(); i++) {
            long n = seq.incrementAndGet();
            Path d = dir.resolve(receivers.get(i));
            Files.createDirectories(d);
            Path file = d.resolve(String.format("%016d.json", n));
            Path tmp = d.resolve(String.format("%016d.json.tmp", n));
            byte[] bytes = Notification.JSON.writeValueAsBytes(groups.get(i));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) ch.write(b);
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file);
            }
            dirs.add(d);
            out.add(new Entry(receivers.get(i), n, file, groups.get(i)));
        }
        for (Path d : dirs) syncDir(d);
        return out;
    }

    /** The chat took it: forget it. */
    public void done(Entry e) throws IOException {
        Files.deleteIfExists(e.file());
    }

    /** The chat refused it for good (bad signature, bad payload): kept under rejected/ with the reason. */
    public void reject(Entry e, String why) throws IOException {
        Path d = e.file().getParent().resolve("rejected");
        Files.createDirectories(d);
        Files.move(e.file(), d.resolve(e.file().getFileName()), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(d.resolve(e.file().getFileName() + ".why"), why + "\n");
    }

    /** Groups waiting under every receiver's directory (not counting rejected ones). */
    public long depth(String receiver) {
        try (Stream<Path> s = Files.list(dir.resolve(receiver))) {
            return s.filter(p -> seqOf(p) != null).count();
        } catch (IOException e) {
            return 0;
        }
    }

    static void syncDir(Path d) throws IOException {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    static Long seqOf(Path p) {
        String n = p.getFileName().toString();
        if (!n.matches("\\d{16}\\.json")) return null;
        return Long.parseLong(n.substring(0, 16));
    }
}
