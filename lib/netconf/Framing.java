package netconf;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * NETCONF over SSH message framing (RFC 6242): end-of-message ({@code ]]>]]>}, base:1.0, always
 * used for the hellos) and chunked ({@code \n#LEN\n...\n##\n}, base:1.1, once both hellos name it).
 * One reader buffer for both, so bytes of the next message that arrive with this one are kept.
 */
final class Framing {
    private static final byte[] EOM = "]]>]]>".getBytes(StandardCharsets.US_ASCII);

    private final InputStream in;
    private final OutputStream out;
    private final long maxMessage;
    private final byte[] buf = new byte[64 * 1024];
    private int pos, lim;
    private boolean chunked;

    /** @param maxMessage the largest message we accept, in bytes (a runaway device must not fill our heap) */
    Framing(InputStream in, OutputStream out, long maxMessage) {
        this.in = in;
        this.out = out;
        this.maxMessage = maxMessage;
    }

    void chunked() { chunked = true; }

    boolean isChunked() { return chunked; }

    /** A malformed frame: the device (or something in the way) does not speak NETCONF framing. */
    static final class Malformed extends IOException {
        Malformed(String message) { super(message); }
    }

    void write(String message) throws IOException {
        byte[] b = message.getBytes(StandardCharsets.UTF_8);
        if (chunked) {
            out.write(("\n#" + b.length + "\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.write("\n##\n".getBytes(StandardCharsets.US_ASCII));
        } else {
            out.write(b);
            out.write(EOM);
        }
        out.flush();
    }

    /** The next whole message's bytes (without framing). */
    Bytes read() throws IOException {
        return chunked ? readChunked() : readEom();
    }

    /** A message's bytes: {@code data[0, length)}. */
    record Bytes(byte[] data, int length) {
        String text() { return new String(data, 0, length, StandardCharsets.UTF_8); }
    }

    private Bytes readEom() throws IOException {
        byte[] msg = new byte[8192];
        int n = 0;
        while (true) {
            if (pos == lim && !fill()) throw new EOFException(n == 0 ? "the device closed the session" : "the device closed the session in the middle of a message");
            // copy up to the end of the buffer, then look for the delimiter across what we have
            int take = lim - pos;
            if (n + take > msg.length) msg = Arrays.copyOf(msg, Math.max(msg.length * 2, n + take));
            System.arraycopy(buf, pos, msg, n, take);
            int from = Math.max(0, n - EOM.length + 1);
            n += take;
            pos = lim;
            int at = indexOf(msg, from, n, EOM);
            if (at >= 0) {
                int rest = n - (at + EOM.length);      // bytes of the next message: back into the buffer
                pos = lim - rest;
                return new Bytes(msg, at);
            }
            if (n > maxMessage) throw new Malformed("a message over " + maxMessage + " bytes (raise --max-message)");
        }
    }

    private static int indexOf(byte[] a, int from, int to, byte[] pattern) {
        outer:
        for (int i = from; i <= to - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) if (a[i + j] != pattern[j]) continue outer;
            return i;
        }
        return -1;
    }

    private Bytes readChunked() throws IOException {
        byte[] msg = new byte[8192];
        int n = 0;
        while (true) {
            expect('\n');
            expect('#');
            int c = next();
            if (c == '#') {
                expect('\n');
                if (n == 0) throw new Malformed("an empty chunked message");
                return new Bytes(msg, n);
            }
            long len = 0;
            if (c < '1' || c > '9') throw new Malformed("a chunk size that is not a number");
            for (; c != '\n'; c = next()) {
                if (c < '0' || c > '9' || len > 4_294_967_295L) throw new Malformed("a bad chunk size");
                len = len * 10 + (c - '0');
            }
            if (n + len > maxMessage) throw new Malformed("a message over " + maxMessage + " bytes (raise --max-message)");
            if (n + len > msg.length) msg = Arrays.copyOf(msg, (int) Math.max(msg.length * 2L, n + len));
            for (long left = len; left > 0; ) {
                if (pos == lim && !fill()) throw new EOFException("the device closed the session in the middle of a chunk");
                int take = (int) Math.min(left, lim - pos);
                System.arraycopy(buf, pos, msg, n, take);
                pos += take;
                n += take;
                left -= take;
            }
        }
    }

    private int next() throws IOException {
        if (pos == lim && !fill()) throw new EOFException("the device closed the session in the middle of a message");
        return buf[pos++] & 0xff;
    }

    private void expect(char c) throws IOException {
        int got = next();
        if (got != c) throw new Malformed("chunked framing: expected '" + (c == '\n' ? "\\n" : c) + "', got byte " + got);
    }

    private boolean fill() throws IOException {
        int r = in.read(buf, 0, buf.length);
        if (r <= 0) return false;
        pos = 0;
        lim = r;
        return true;
    }
}
