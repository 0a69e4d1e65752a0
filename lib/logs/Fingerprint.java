package logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32;

/**
 * The CRC32 of a file's first {@code len} bytes (up to 256): tells a reused inode, or a file
 * truncated and written again, from the content an offset was about. One value, so that the
 * reader and the shipper thread always see a length and its CRC together.
 */
record Fingerprint(int len, long crc) {
    static final int BYTES = 256;
    static final Fingerprint NONE = new Fingerprint(0, 0);

    /** The fingerprint of a file of {@code size} bytes: its first 256 bytes, or all of a shorter file. */
    static Fingerprint of(FileChannel ch, long size) throws IOException {
        int n = (int) Math.min(BYTES, size);
        return new Fingerprint(n, crc(ch, n));
    }

    /** {@code ch} still starts with the bytes this fingerprinted. */
    boolean matches(FileChannel ch) throws IOException {
        return len <= ch.size() && crc(ch, len) == crc;
    }

    static long crc(FileChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) { }
        CRC32 c = new CRC32();
        c.update(b.array(), 0, b.position());
        return c.getValue();
    }
}
