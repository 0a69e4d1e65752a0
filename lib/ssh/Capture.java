package ssh;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One output stream of one remote command: keeps up to {@code max} bytes, counts the rest, and
 * (for live views) hands complete lines to {@code live} as they arrive. {@code budget} is shared by
 * every capture of a run: once it is spent, output is counted but no longer kept.
 */
public final class Capture {
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final long max;
    private final Consumer<String> live;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final AtomicLong budget;
    private long total;
    private boolean cutByTotal;      // kept less than max because the run's budget ran out

    /** @param live gets each complete line as it arrives, or null */
    public Capture(long max, AtomicLong budget, Consumer<String> live) {
        this.max = max;
        this.budget = budget;
        this.live = live;
    }

    /** A capture that never received anything (a host that did not run). */
    public static Capture empty() { return new Capture(1, new AtomicLong(1), null); }

    /** Reads {@code in} to its end; a read cut by timeout or interrupt keeps what arrived. */
    void pump(InputStream in) {
        byte[] buf = new byte[32 * 1024];
        try {
            for (int n; (n = in.read(buf)) > 0; ) write(buf, 0, n);
        } catch (IOException ignored) {
            // closed by timeout or interrupt: what arrived is kept
        } finally {
            finish();
        }
    }

    synchronized void write(byte[] b, int off, int len) {
        total += len;
        long want = Math.min(max - kept.size(), len);
        if (want > 0) {
            long got = want - Math.max(0, -budget.addAndGet(-want));       // what the run's budget still had
            if (got < want) {
                budget.addAndGet(want - Math.max(got, 0));                  // give back what we could not take
                cutByTotal = true;
            }
            if (got > 0) kept.write(b, off, (int) got);
        }
        if (live == null) return;
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
                live.accept(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else if (line.size() < 64 * 1024) {
                line.write(b[i]);
            }
        }
    }

    /** The stream ended: a last line without a newline goes to {@code live} too. */
    synchronized void finish() {
        if (live != null && line.size() > 0) {
            live.accept(line.toString(StandardCharsets.UTF_8));
            line.reset();
        }
    }

    public synchronized String text() { return kept.toString(StandardCharsets.UTF_8); }
    public synchronized long keptBytes() { return kept.size(); }
    /** Every byte that arrived, kept or not. */
    public synchronized long total() { return total; }
    public synchronized boolean truncated() { return total > kept.size(); }
    /** True when less than {@code max} was kept because the run's shared budget ran out. */
    public synchronized boolean cutByTotal() { return cutByTotal; }
}
