package logs;

//SOURCES Fingerprint.java Multiline.java

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One followed file: its identity (device, inode, fingerprint), the open channel, and where we
 * are in it. Three offsets, in order: {@code handed} <= {@code committed} <= {@code readPos}.
 * Only the shipper moves the checkpoint, to an offset a delivered chunk carried.
 */
final class Tailer {
    final long dev, ino;
    Path path;
    final FileChannel channel;
    long readPos;            // the next byte to read
    long committed;          // every byte before this is in a chunk (or filtered out)
    long handed;             // the committed offset the last chunk carried
    volatile Fingerprint fp = Fingerprint.NONE;
    final ByteArrayOutputStream partial = new ByteArrayOutputStream();  // bytes after the last newline
    boolean skippingLongLine;
    Multiline.Pending pending;   // a multiline event still open
    long goneSince;          // when the path stopped leading to this file (0: still there)
    boolean renamed;         // found under another name than it was first followed by (a rotation the glob still matches)
    long lastGrowth = System.nanoTime();

    Tailer(Path path, long dev, long ino, long start) throws IOException {
        this.path = path;
        this.dev = dev;
        this.ino = ino;
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        startAt(start);
        fingerprint();
    }

    /** Read, and count as done, from {@code offset} on. */
    void startAt(long offset) {
        readPos = offset;
        committed = offset;
        handed = offset;
    }

    /** After a copytruncate: everything from the top again, as a new content. */
    void restart() {
        readPos = 0;
        committed = 0;
        partial.reset();
        skippingLongLine = false;
        pending = null;
        handed = 0;
        fp = Fingerprint.NONE;
    }

    String key() { return dev + ":" + ino; }

    /** CRC32 of the first 256 bytes (or all of a shorter file), to tell a reused inode from the old file. */
    void fingerprint() throws IOException {
        if (fp.len() == Fingerprint.BYTES) return;
        long size = channel.size();
        if (size <= fp.len()) return;
        fp = Fingerprint.of(channel, size);
    }
}
