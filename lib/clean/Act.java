package clean;

//SOURCES Scan.java

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import java.util.zip.CRC32;
import java.util.zip.Deflater;

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
        try (Gz g = Gz.compress(dir, dirKey, f)) {
            return g.finish();
        }
    }

    /**
     * gzip in two steps, so that the CPU-bound one need not wait on the disk: {@link #compress}
     * writes NAME.gz.tmp (3 descriptors, 2 kept: the directory and the .tmp), {@link #finish}
     * does the rest (fsync, attributes, re-check, rename, directory fsync, unlink), and
     * {@link #close} always follows: it removes a .tmp that did not become NAME.gz.
     */
    public static final class Gz implements AutoCloseable {
        private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};   // deflate, no name, no mtime, Unix
        private final Path dir, name, tmp, gz;
        private final Object dirKey;
        private final Scan.Found f;
        private SecureDirectoryStream<Path> d;
        private FileChannel out;
        private PosixFileAttributes orig;
        private boolean tmpMade;
        private Result early;                             // set when compress already knows the outcome

        private Gz(Path dir, Object dirKey, Scan.Found f) {
            this.dir = dir;
            this.dirKey = dirKey;
            this.f = f;
            name = f.path().getFileName();
            tmp = Path.of(name + ".gz.tmp");
            gz = Path.of(name + ".gz");
        }

        /** Writes NAME.gz.tmp; a vanished, changed or already compressed file ends here (finish says so). */
        public static Gz compress(Path dir, Object dirKey, Scan.Found f) {
            Gz g = new Gz(dir, dirKey, f);
            g.early = g.write();
            return g;
        }

        /** True when {@link #finish} has disk work to do (else it only returns what compress found). */
        public boolean pending() {
            return early == null;
        }

        private Result write() {
            try {
                d = openDir(dir, dirKey);
            } catch (NoSuchFileException e) {
                return Result.of(Outcome.VANISHED);
            } catch (IOException e) {
                return Result.error(e);
            }
            if (d == null) return Result.of(Outcome.CHANGED);
            try {
                Outcome c = changed(d, name, f);
                if (c != null) return Result.of(c);
                if (exists(d, gz)) return Result.of(Outcome.EXISTS);
                orig = d.getFileAttributeView(name, PosixFileAttributeView.class, NOFOLLOW).readAttributes();
                try (SeekableByteChannel in = d.newByteChannel(name, Set.of(StandardOpenOption.READ, NOFOLLOW))) {
                    out = (FileChannel) d.newByteChannel(tmp, Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW, NOFOLLOW),
                            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE,
                                    java.nio.file.attribute.PosixFilePermission.OWNER_READ)));
                    tmpMade = true;
                    deflate(in, out);
                }
                return null;
            } catch (NoSuchFileException e) {
                return Result.of(Outcome.VANISHED);
            } catch (IOException | RuntimeException e) {
                return Result.error(e);
            }
        }

        /**
         * The gzip format (RFC 1952) around zlib's deflate at gzip's default level 6, as gzip -n writes
         * it. Direct buffers of 64 KiB: the read, the CRC (an intrinsic), deflate and the write touch
         * the same memory, with no copy to and from the Java heap.
         */
        static void deflate(SeekableByteChannel in, FileChannel out) throws IOException {
            ByteBuffer src = ByteBuffer.allocateDirect(1 << 16), dst = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            Deflater z = new Deflater(6, true);
            CRC32 crc = new CRC32();
            long n = 0;
            try {
                dst.put(HEADER);
                while (in.read(src.clear()) > 0) {
                    src.flip();
                    n += src.remaining();
                    z.setInput(src.slice());                  // its own position and limit: src is cleared for the next read,
                    crc.update(src);                          // and the Deflater keeps its input until the next setInput
                    while (!z.needsInput()) {
                        z.deflate(dst);
                        if (!dst.hasRemaining()) drain(dst, out);
                    }
                }
                z.finish();
                while (!z.finished()) {
                    z.deflate(dst);
                    if (!dst.hasRemaining()) drain(dst, out);
                }
                if (dst.remaining() < 8) drain(dst, out);
                dst.putInt((int) crc.getValue()).putInt((int) n);
                drain(dst, out);
            } finally {
                z.end();
            }
        }

        private static void drain(ByteBuffer b, FileChannel out) throws IOException {
            b.flip();
            while (b.hasRemaining()) out.write(b);
            b.clear();
        }

        public Result finish() {
            if (early != null) return early;
            try {
                out.force(true);
                long size = out.size();
                out.close();
                out = null;
                var view = d.getFileAttributeView(tmp, PosixFileAttributeView.class, NOFOLLOW);
                view.setPermissions(orig.permissions());
                try {
                    view.setOwner(orig.owner());
                    view.setGroup(orig.group());
                } catch (IOException notRoot) {
                    // as another user we can only keep our own ownership, as gzip does
                }
                view.setTimes(orig.lastModifiedTime(), null, null);
                Outcome c = changed(d, name, f);              // written to while we compressed: the .gz would lose the end
                if (c != null) return Result.of(c);
                if (exists(d, gz)) return Result.of(Outcome.EXISTS);
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
            }
        }

        @Override
        public void close() {
            try {
                if (out != null) out.close();
            } catch (IOException ignored) {
                // the .tmp goes below either way
            }
            if (d == null) return;
            try (SecureDirectoryStream<Path> dirStream = d) {
                if (tmpMade) d.deleteFile(tmp);
            } catch (IOException ignored) {
                // reported through the error already; a .gz.tmp left is named by the next run
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
