package logs;

//SOURCES Budget.java Chunk.java Filter.java Fingerprint.java Multiline.java Pipeline.java Stats.java Tailer.java

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The reader thread's work on one file: up to 256 KiB more of it as complete lines (a line cut at
 * --max-line, a CRLF's CR dropped, invalid UTF-8 as U+FFFD), joined into multiline events and
 * filtered, as a {@link Chunk} that says how far the file is then done.
 */
final class Reader {
    static final int CHUNK = 256 * 1024;
    private final ByteBuffer readBuf = ByteBuffer.allocate(CHUNK);
    private final long maxLine;
    private final Multiline multiline;               // null: every line is an event
    private final Filter filter;
    private final Budget budget;
    private final Stats stats;
    private final PrintStream err;

    Reader(Pipeline.Settings s, Stats stats, PrintStream err) {
        maxLine = s.maxLine();
        multiline = s.multiline();
        filter = s.filter();
        budget = s.budget();
        this.stats = stats;
        this.err = err;
    }

    /** Up to 256 KiB more of the file as complete lines, or null when there is nothing new. */
    Chunk read(Tailer t) throws IOException {
        long size = t.channel.size();
        if (size < t.readPos) {                                     // copytruncate: start again at the top
            err.println("logship: " + t.path + " was truncated (" + size + " < " + t.readPos + " bytes); reading it from the start");
            t.restart();
        }
        if (size == t.readPos) return null;
        if (t.fp.len() < Fingerprint.BYTES) t.fingerprint();
        readBuf.clear();
        int n = t.channel.read(readBuf, t.readPos);
        if (n <= 0) return null;
        t.lastGrowth = System.nanoTime();
        stats.bytesRead.addAndGet(n);
        byte[] buf = readBuf.array();
        Chunk.Lines lines = new Chunk.Lines();
        long lineStartOffset = t.readPos - t.partial.size();
        int from = 0;
        for (int i = 0; i < n; i++) {
            if (buf[i] != '\n') continue;
            long end = t.readPos + i + 1;
            if (t.skippingLongLine) {
                t.skippingLongLine = false;
            } else {
                byte[] line = buf;                                    // the line is line[start, start + len)
                int start = from, len = i - from;
                if (t.partial.size() > 0) {
                    t.partial.write(buf, from, i - from);
                    line = t.partial.toByteArray();
                    t.partial.reset();
                    start = 0;
                    len = line.length;
                }
                boolean tooLong = len > maxLine;
                if (tooLong) {
                    len = (int) maxLine;
                    stats.truncatedLines.incrementAndGet();
                }
                emit(t, lines, decode(line, start, len), tooLong, end);
            }
            t.committed = t.pending == null ? end : t.committed;
            lineStartOffset = end;
            from = i + 1;
        }
        if (from < n && !t.skippingLongLine) {
            t.partial.write(buf, from, n - from);
            if (t.partial.size() >= maxLine) {                     // a line longer than --max-line: ship its start, skip the rest
                byte[] head = t.partial.toByteArray();
                t.partial.reset();
                t.skippingLongLine = true;
                stats.truncatedLines.incrementAndGet();
                emit(t, lines, decode(head, 0, (int) maxLine), true, lineStartOffset);
            }
        }
        t.readPos += n;
        return chunk(t, lines);
    }

    /** What is left in a file at its end: the open multiline event and a last line without a newline. */
    Chunk flush(Tailer t) {
        Chunk.Lines lines = new Chunk.Lines();
        if (t.partial.size() > 0) {
            byte[] rest = t.partial.toByteArray();
            emit(t, lines, decode(rest, 0, rest.length), false, t.readPos);
            t.partial.reset();
            if (t.pending == null) t.committed = t.readPos;
        }
        if (t.pending != null) {
            complete(t, lines);
            t.pending = null;
        }
        return chunk(t, lines);
    }

    /** Whether lines are joined into multiline events (which {@link #flushStale} closes). */
    boolean joinsLines() {
        return multiline != null;
    }

    /** The open multiline event when nothing came for a second (it is complete), else null. */
    Chunk flushStale(Tailer t, long now) {
        if (t.pending == null || now - t.lastGrowth < 1_000_000_000L) return null;
        Chunk.Lines lines = new Chunk.Lines();
        complete(t, lines);
        t.pending = null;
        return chunk(t, lines);
    }

    /** A chunk when there are lines or the committed offset moved (filtered lines must still advance the checkpoint). */
    private Chunk chunk(Tailer t, Chunk.Lines lines) {
        if (lines.text.isEmpty() && t.committed == t.handed) return null;
        t.handed = t.committed;
        return new Chunk(t, t.path.toString(), t.fp, lines, t.committed, System.currentTimeMillis() * 1_000_000L);
    }

    private static String decode(byte[] b, int start, int len) {
        if (len > 0 && b[start + len - 1] == '\r') len--;          // CRLF files
        return new String(b, start, len, StandardCharsets.UTF_8);  // invalid UTF-8 becomes U+FFFD, the line is kept
    }

    /** One physical line: filtered, joined into a multiline event, or added to the chunk. */
    private void emit(Tailer t, Chunk.Lines lines, String line, boolean truncated, long end) {
        stats.linesRead.incrementAndGet();
        if (multiline != null) {
            if (multiline.joined(t, line, end)) return;
            if (t.pending != null) complete(t, lines);
            t.pending = new Multiline.Pending(line, truncated, end);
            return;
        }
        add(lines, line, truncated, end);
    }

    /** The open multiline event goes into the chunk, and the file is done up to its end. */
    private void complete(Tailer t, Chunk.Lines lines) {
        add(lines, t.pending.text.toString(), t.pending.truncated, t.pending.end);
        if (t.pending.truncated) stats.truncatedLines.incrementAndGet();
        t.committed = t.pending.end;
    }

    private void add(Chunk.Lines lines, String line, boolean truncated, long end) {
        if (filter.drops(line, budget)) {
            stats.filtered.incrementAndGet();
            return;
        }
        lines.text.add(line);
        lines.cut.add(truncated);
        lines.ends.add(end);
        stats.events.incrementAndGet();
    }
}
