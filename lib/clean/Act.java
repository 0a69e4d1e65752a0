package clean;

//SOURCES Scan.java

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/**
 * The three actions on one file, each done relative to an open directory (unlinkat, openat,
 * renameat through {@link SecureDirectoryStream}) that is first checked to be the directory the
 * scan saw: a directory swapped for a symlink since then cannot lead us out of the root. Right
 * before acting, the file is looked at again (without following links): if it is no longer the
 * same regular file with the same size and mtime, it is left alone and counted as changed.
 */
public final class Act {
    private Act() {}

    public enum Outcome { DONE, VANISHED, CHANGED, EXISTS, ERROR }

    /** What happened; {@code bytesLeft} is what the file takes afterwards (the .gz for gzip). */
    public record Result(Outcome outcome, long bytesLeft, String error) {
        static Result of(Outcome o) { return new Result(o, 0, null); }
        static Result error(Exception e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (e instanceof NoSuchFileException || e instanceof FileAlreadyExistsException || e instanceof java.nio.file.AccessDeniedException) {
                m = e.getClass().getSimpleName().replace("Exception", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase() + ": " + m;
            }
            return new Result(Outcome.ERROR, 0, m);
        }
    }

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    /**
     * The directory {@code dir} opened, if it is still the one with {@code key}; null if it is gone
     * or another one is there now. The caller closes it.
     */
    @SuppressWarnings("unchecked")
    public static SecureDirectoryStream<Path> openDir(Path dir, Object key) throws IOException {
        var ds = Files.newDirectoryStream(dir);
        if (!(ds instanceof SecureDirectoryStream<?> sds)) {
            ds.close();
            throw new IOException("this platform has no openat-style directory access (SecureDirectoryStream)");
        }
        Object now = sds.getFileAttributeView(BasicFileAttributeView.class).readAttributes().fileKey();
        if (!key.equals(now)) {
            ds.close();
            return null;
        }
        return (SecureDirectoryStream<Path>) sds;
    }

    /** Null when {@code f} is still as the scan saw it, else why not. */
    static Outcome changed(SecureDirectoryStream<Path> d, Path name, Scan.Found f) throws IOException {
        PosixFileAttributes a;
        try {
            a = d.getFileAttributeView(name, PosixFileAttributeView.class, NOFOLLOW).readAttributes();
        } catch (NoSuchFileException e) {
            return Outcome.VANISHED;
        }
        boolean same = a.isRegularFile() && f.key().equals(a.fileKey()) && a.size() == f.size() && a.lastModifiedTime().toMillis() == f.mtimeMs();
        return same ? null : Outcome.CHANGED;
    }

    public static Result delete(SecureDirectoryStream<Path> d, Scan.Found f) {
        Path name = f.path().getFileName();
        try {
            Outcome c = changed(d, name, f);
            if (c != null) return Result.of(c);
            d.deleteFile(name);
            return Result.of(Outcome.DONE);
        } catch (NoSuchFileException e) {
            return Result.of(Outcome.VANISHED);
        } catch (IOException | RuntimeException e) {
            return Result.error(e);
        }
    }

    /** Shrinks the file to 0 bytes in place; a writer that appends (O_APPEND) goes on at the new end. */
    public static Result truncate(SecureDirectoryStream<Path> d, Scan.Found f) {
        Path name = f.path().getFileName();
        try {
            // Its size may grow between the look and the truncate (a daemon writing): only the identity must hold.
            PosixFileAttributes a = d.getFileAttributeView(name, PosixFileAttributeView.class, NOFOLLOW).readAttributes();
            if (!a.isRegularFile() || !f.key().equals(a.fileKey())) return Result.of(Outcome.CHANGED);
            try (SeekableByteChannel ch = d.newByteChannel(name, Set.of(StandardOpenOption.WRITE, NOFOLLOW))) {
                ch.truncate(0);
            }
            return Result.of(Outcome.DONE);
        } catch (NoSuchFileException e) {
            return Result.of(Outcome.VANISHED);
        } catch (IOException | RuntimeException e) {
            return Result.error(e);
        }
    }

    /**
     * NAME -> NAME.gz: compresses into NAME.gz.tmp (created new, never over anything), fsyncs it,
     * gives it the original's mode, owner and mtime, checks that the original did not change
     * meanwhile, renames it to NAME.gz, fsyncs the directory and only then removes NAME. Any error
     * (a full disk) removes the .tmp and leaves the original as it was. Holds 3 descriptors.
     */
    public static Result gzip(Path dir, Object dirKey, Scan.Found f) {
        Path name = f.path().getFileName();
        Path tmp = Path.of(name + ".gz.tmp"), gz = Path.of(name + ".gz");
        SecureDirectoryStream<Path> d;
        try {
            d = openDir(dir, dirKey);
        } catch (NoSuchFileException e) {
            return Result.of(Outcome.VANISHED);
        } catch (IOException e) {
            return Result.error(e);
        }
        if (d == null) return Result.of(Outcome.CHANGED);
        boolean tmpMade = false;
        try (d) {
            Outcome c = changed(d, name, f);
            if (c != null) return Result.of(c);
            if (exists(d, gz)) return Result.of(Outcome.EXISTS);
            PosixFileAttributes orig = d.getFileAttributeView(name, PosixFileAttributeView.class, NOFOLLOW).readAttributes();
            long size;
            try (SeekableByteChannel in = d.newByteChannel(name, Set.of(StandardOpenOption.READ, NOFOLLOW));
                 SeekableByteChannel out = d.newByteChannel(tmp, Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW, NOFOLLOW),
                         java.nio.file.attribute.PosixFilePermissions.asFileAttribute(Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE,
                                 java.nio.file.attribute.PosixFilePermission.OWNER_READ)))) {
                tmpMade = true;
                OutputStream raw = Channels.newOutputStream(out);
                GZIPOutputStream z = new GZIPOutputStream(raw, 1 << 16);
                ByteBuffer buf = ByteBuffer.allocate(1 << 16);
                while (in.read(buf.clear()) > 0) z.write(buf.array(), 0, buf.position());
                z.finish();
                z.flush();
                ((FileChannel) out).force(true);
                size = out.size();
            }
            var view = d.getFileAttributeView(tmp, PosixFileAttributeView.class, NOFOLLOW);
            view.setPermissions(orig.permissions());
            try {
                view.setOwner(orig.owner());
                view.setGroup(orig.group());
            } catch (IOException notRoot) {
                // as another user we can only keep our own ownership, as gzip does
            }
            view.setTimes(orig.lastModifiedTime(), null, null);
            c = changed(d, name, f);                      // written to while we compressed: the .gz would lose the end
            if (c != null) {
                d.deleteFile(tmp);
                tmpMade = false;
                return Result.of(c);
            }
            if (exists(d, gz)) {
                d.deleteFile(tmp);
                tmpMade = false;
                return Result.of(Outcome.EXISTS);
            }
            d.move(tmp, d, gz);
            tmpMade = false;
            try (FileChannel dc = FileChannel.open(dir, StandardOpenOption.READ)) {
                dc.force(true);                           // the rename is on disk before the original goes
            }
            d.deleteFile(name);
            return new Result(Outcome.DONE, size, null);
        } catch (NoSuchFileException e) {
            return Result.of(Outcome.VANISHED);
        } catch (IOException | RuntimeException e) {
            return Result.error(e);
        } finally {
            if (tmpMade) {
                try (var again = openDir(dir, dirKey)) {
                    if (again != null) again.deleteFile(tmp);
                } catch (IOException ignored) {
                    // reported through the error above; a .gz.tmp left is named by the next run
                }
            }
        }
    }

    private static boolean exists(SecureDirectoryStream<Path> d, Path name) throws IOException {
        try {
            d.getFileAttributeView(name, BasicFileAttributeView.class, NOFOLLOW).readAttributes();
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }
}
