package logs;

//SOURCES ../cli/Errors.java ../cli/Sizes.java Budget.java Checkpoints.java Chunk.java Filter.java Multiline.java Parsed.java
//SOURCES ParsePool.java Parser.java Reader.java Scanner.java Shipper.java Sink.java Stats.java Tailer.java Timestamps.java

import cli.Errors;
import cli.Sizes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The run: one reader thread (this one) scans and reads the files and hands chunks to the parse
 * pool; their futures go, in read order, through a bounded queue (--buffer) to the shipper, which
 * delivers and checkpoints. Reading pauses while the queue is full, so memory stays bounded while
 * the sink is down. {@link #stop} (SIGTERM/SIGINT) ends reading; what was read is then delivered
 * within --shutdown-timeout (with --once: until it is).
 */
public final class Pipeline {

    /** Every option the run needs, checked already. */
    public record Settings(boolean once, long maxLine, Multiline multiline, Filter filter, Budget budget,
                           Parser parser, Timestamps timestamps, Map<String, String> labels,
                           int buffer, int batchLines, long batchBytes, Duration batchWait,
                           Duration rotateWait, Duration statsInterval, Duration shutdownTimeout) {}

    /** Why the shipper stopped before the end of the stream. */
    public record Failure(Reason reason, String detail) {
        public enum Reason {
            /** Interrupted (a stop past --shutdown-timeout) while the sink was not accepting. */
            SINK_NOT_ACCEPTING,
            /** A parse pool thread threw: a bug. */
            WORKER_FAILED
        }

        @Override public String toString() {
            return reason == Reason.SINK_NOT_ACCEPTING ? "stopped while the sink was not accepting" : "a worker failed: " + detail;
        }
    }

    private final Settings s;
    private final Scanner files;
    private final Sink sink;
    private final Checkpoints checkpoints;
    private final Stats stats;
    private final PrintStream err;
    private final Reader reader;
    private volatile boolean stopping;

    public Pipeline(Settings settings, Scanner files, Sink sink, Checkpoints checkpoints, Stats stats, PrintStream err) {
        this.s = settings;
        this.files = files;
        this.sink = sink;
        this.checkpoints = checkpoints;
        this.stats = stats;
        this.err = err;
        this.reader = new Reader(settings, stats, err);
    }

    /** Stop reading (a signal, or a failed worker): what was read is still delivered. */
    public void stop() {
        stopping = true;
    }

    /**
     * Runs until stopped (or, with --once, until what the files hold is delivered), then lets go of
     * the files and of --state's lock. Returns why the shipper gave up, or null when it did not.
     */
    public Failure run() throws Exception {
        stats.started();
        ParsePool pool = new ParsePool(s, sink, stats);
        BlockingQueue<CompletableFuture<Parsed>> queue = new ArrayBlockingQueue<>(s.buffer());
        Shipper shipper = new Shipper(s, queue, sink, checkpoints, stats, err, this::stop);
        Thread shipThread = new Thread(shipper, "logship-ship");
        shipThread.start();
        Thread statsThread = s.statsInterval().isZero() ? null : Thread.ofPlatform().daemon().start(() -> statsLoop(queue));
        WatchService watch = s.once() ? null : watch();
        try {
            readLoop(queue, pool, watch);
        } finally {
            if (watch != null) watch.close();
            long end = s.once() ? Long.MAX_VALUE : System.nanoTime() + s.shutdownTimeout().toNanos();
            boolean queued = queue.offer(CompletableFuture.completedFuture(null),                  // end of stream
                    s.once() ? Long.MAX_VALUE : Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (queued) shipThread.join(s.once() ? 0 : Math.max(1, (end - System.nanoTime()) / 1_000_000));
            if (shipThread.isAlive()) {
                shipper.giveUp = true;
                shipThread.interrupt();
                shipThread.join(2000);
            }
            pool.shutdownNow();
            if (statsThread != null) statsThread.interrupt();
            for (Tailer t : files.followed()) t.channel.close();
            checkpoints.release();
        }
        return shipper.failure;
    }

    /**
     * A watch on each --path's directory (a change there means: scan again now), or null when none can be
     * had (the inotify instance limit, or no descriptor left after the files): then scans run every second.
     */
    private WatchService watch() {
        WatchService watch;
        try {
            watch = FileSystems.getDefault().newWatchService();
        } catch (IOException e) {
            err.println("logship: note: cannot watch the --path directories (" + Errors.message(e, "?") + "); rescanning every second instead");
            return null;
        }
        for (Path root : files.roots()) {
            try {
                root.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
            } catch (IOException e) {
                err.println("logship: note: cannot watch " + root + " (" + Errors.message(e, "?") + "); rescanning every second instead");
            }
        }
        return watch;
    }

    /** Scan, read every file to its current end, hand chunks to the parse pool; sleep until something changes. */
    private void readLoop(BlockingQueue<CompletableFuture<Parsed>> queue, ParsePool pool, WatchService watch) throws Exception {
        long lastScan = System.nanoTime();                          // the first scan was Scanner.sayWhatIsFollowed's
        while (!stopping) {
            if (System.nanoTime() - lastScan > 1_000_000_000L) {
                files.scan();
                lastScan = System.nanoTime();
            }
            boolean progressed = false;
            for (Tailer t : new ArrayList<>(files.followed())) {
                if (stopping) break;
                Chunk c;
                long before = t.readPos;
                try {
                    c = reader.read(t);
                } catch (IOException e) {                              // one unreadable file must not stop the others
                    err.println("logship: reading " + t.path + ": " + Errors.message(e, e.getClass().getSimpleName()));
                    continue;
                }
                if (t.readPos != before) progressed = true;
                if (c != null) hand(queue, pool.submit(c));
            }
            retireFinished(queue, pool);
            if (progressed) continue;
            if (s.once()) {
                for (Tailer t : files.followed()) {                  // at the end: what is left without a newline ships too
                    Chunk c = reader.flush(t);
                    if (c != null) hand(queue, pool.submit(c));
                }
                return;
            }
            flushStaleMultiline(queue, pool);
            var key = watch == null ? null : watch.poll(200, TimeUnit.MILLISECONDS);
            if (watch == null) Thread.sleep(200);
            if (key != null) {
                key.pollEvents();
                key.reset();
                lastScan = 0;                                       // something changed in a watched directory: rescan now
            }
        }
    }

    /**
     * Queues a chunk for the shipper, waiting while the buffer is full, but not past a stop: with the
     * sink down and the buffer full, SIGTERM must still end the run (the chunk is then simply read
     * again on restart: it was never checkpointed).
     */
    private void hand(BlockingQueue<CompletableFuture<Parsed>> queue, CompletableFuture<Parsed> chunk) throws InterruptedException {
        while (!queue.offer(chunk, 200, TimeUnit.MILLISECONDS)) {
            if (stopping) return;
        }
    }

    /**
     * Files renamed away or deleted: read to the end, wait --rotate-wait for late writes, then let go (shipping a
     * last line without newline). A file rotated to a name the glob still matches stays followed, but its last
     * line without newline ships once it has not grown for --rotate-wait: no writer will end that line any more.
     */
    private void retireFinished(BlockingQueue<CompletableFuture<Parsed>> queue, ParsePool pool) throws Exception {
        long now = System.nanoTime();
        for (Tailer t : new ArrayList<>(files.followed())) {
            if (t.goneSince == 0 && t.renamed && t.partial.size() > 0 && now - t.lastGrowth >= s.rotateWait().toNanos()
                    && t.readPos >= t.channel.size()) {
                Chunk c = reader.flush(t);
                if (c != null) hand(queue, pool.submit(c));
                continue;
            }
            if (t.goneSince == 0 || now - t.goneSince < s.rotateWait().toNanos() || t.readPos < t.channel.size()) continue;
            Chunk c = reader.flush(t);
            if (c != null) hand(queue, pool.submit(c));
            files.retire(t);
        }
    }

    /** A multiline event with nothing new for a second is complete. */
    private void flushStaleMultiline(BlockingQueue<CompletableFuture<Parsed>> queue, ParsePool pool) throws InterruptedException {
        if (!reader.joinsLines()) return;
        long now = System.nanoTime();
        for (Tailer t : files.followed()) {
            Chunk c = reader.flushStale(t, now);
            if (c != null) hand(queue, pool.submit(c));
        }
    }

    /** --stats-interval: a one-line report on stderr. */
    private void statsLoop(BlockingQueue<CompletableFuture<Parsed>> queue) {
        long lastLines = 0, lastBytes = 0, lastNs = System.nanoTime();
        try {
            while (true) {
                Thread.sleep(s.statsInterval().toMillis());
                long now = System.nanoTime(), lines = stats.linesShipped.get(), bytes = stats.bytesRead.get();
                double secs = (now - lastNs) / 1e9;
                int n = files.followed().size();
                err.printf(Locale.ROOT, "logship: %d file%s, %.0f lines/s, %.1f MB/s read, %d lines shipped so far, lag %s, retries %d, buffer %d/%d%n",
                        n, n == 1 ? "" : "s", (lines - lastLines) / secs, (bytes - lastBytes) / secs / 1e6, lines, lag(), stats.retries.get(), queue.size(), s.buffer());
                lastLines = lines;
                lastBytes = bytes;
                lastNs = now;
            }
        } catch (InterruptedException ignored) { }
    }

    /** Bytes not yet checkpointed per file (the largest few). */
    private String lag() {
        List<String> parts = new ArrayList<>();
        for (Tailer t : new ArrayList<>(files.followed())) {
            try {
                Checkpoints.Entry cp = checkpoints.get(t.key());
                long behind = t.channel.size() - (cp == null ? t.committed : cp.offset());
                if (behind > 0) parts.add(t.path.getFileName() + "=" + Sizes.format(behind));
            } catch (IOException ignored) { }
        }
        return parts.isEmpty() ? "0" : String.join(" ", parts.subList(0, Math.min(5, parts.size())));
    }
}
