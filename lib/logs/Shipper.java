package logs;

//SOURCES ../cli/Durations.java ../cli/Errors.java Checkpoints.java Pipeline.java Fingerprint.java Parsed.java Sink.java Stats.java Tailer.java

import cli.Durations;
import cli.Errors;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The shipper thread: takes parsed chunks in the order they were read, batches them, delivers each
 * batch until the sink accepts it, and only then moves the checkpoint of every file in it (and
 * writes it). A null chunk is the end of the stream.
 */
final class Shipper implements Runnable {

    /** Where a delivered file stands: the offset and the fingerprint of the content it belongs to. */
    private record Mark(long offset, Fingerprint fp) {}

    private final BlockingQueue<CompletableFuture<Parsed>> queue;
    private final Sink sink;
    private final Map<String, String> labels;
    private final int batchLines;                    // a batch closes at this many events,
    private final long batchBytes;                   // or this many bytes of them,
    private final long batchWaitNs;                  // or this long after its first
    private final Checkpoints checkpoints;
    private final Stats stats;
    private final PrintStream err;
    private final Runnable stopReading;
    volatile boolean giveUp;
    volatile Pipeline.Failure failure;
    private final List<Parsed.Slice> batch = new ArrayList<>();
    private int batchEvents;
    private final Map<Tailer, Mark> offsets = new LinkedHashMap<>();
    private long batchBytesSoFar, batchStart;

    Shipper(Pipeline.Settings s, BlockingQueue<CompletableFuture<Parsed>> queue, Sink sink, Checkpoints checkpoints, Stats stats, PrintStream err,
            Runnable stopReading) {
        labels = s.labels();
        batchLines = s.batchLines();
        batchBytes = s.batchBytes();
        batchWaitNs = s.batchWait().toNanos();
        this.queue = queue;
        this.sink = sink;
        this.checkpoints = checkpoints;
        this.stats = stats;
        this.err = err;
        this.stopReading = stopReading;
    }

    @Override public void run() {
        try {
            while (true) {
                long waitNs = batch.isEmpty() && offsets.isEmpty() ? Long.MAX_VALUE : batchStart + batchWaitNs - System.nanoTime();
                CompletableFuture<Parsed> f = waitNs == Long.MAX_VALUE ? queue.take() : queue.poll(Math.max(0, waitNs), TimeUnit.NANOSECONDS);
                if (f == null) { send(); continue; }                // the batch is old enough
                Parsed p = f.get();
                if (p == null) { send(); return; }                  // end of stream
                if (batch.isEmpty() && offsets.isEmpty()) batchStart = System.nanoTime();
                int from = 0;
                while (from < p.size()) {                          // a chunk may fill several batches
                    int room = batchLines - batchEvents, to = Math.min(p.size(), from + room);
                    while (to - from > 1 && batchBytesSoFar + p.starts()[to] - p.starts()[from] > batchBytes) to = (from + to + 1) / 2;
                    Parsed.Slice sl = new Parsed.Slice(p, from, to);
                    batch.add(sl);
                    batchEvents += to - from;
                    batchBytesSoFar += sl.bytes();
                    offsets.put(p.file(), new Mark(p.ends()[to - 1], p.fp()));
                    from = to;
                    if (batchEvents >= batchLines || batchBytesSoFar >= batchBytes) {
                        send();
                        batchStart = System.nanoTime();
                    }
                }
                offsets.put(p.file(), new Mark(p.end(), p.fp()));  // lines filtered out after the last event count as done
            }
        } catch (InterruptedException e) {
            failure = new Pipeline.Failure(Pipeline.Failure.Reason.SINK_NOT_ACCEPTING, null);
        } catch (ExecutionException e) {
            // A worker failed (a bug): deliver what is whole, stop the reader, and keep taking what it
            // hands over, so it never blocks on a full queue; those lines are read again on restart.
            failure = new Pipeline.Failure(Pipeline.Failure.Reason.WORKER_FAILED, String.valueOf(e.getCause()));
            e.getCause().printStackTrace(err);
            stopReading.run();
            try {
                send();
                while (true) {                                     // until the reader's end-of-stream marker
                    CompletableFuture<Parsed> f = queue.take();
                    if (f.isDone() && !f.isCompletedExceptionally() && f.join() == null) return;
                }
            } catch (InterruptedException | RuntimeException ignored) {
                // shutting down
            }
        }
    }

    /**
     * Delivers the batch (retrying with backoff and jitter until accepted, or at once if the sink
     * rejects it for good), then moves and writes the checkpoint.
     */
    private void send() throws InterruptedException {
        if (batch.isEmpty() && offsets.isEmpty()) return;
        long backoff = 250;
        Map<Tailer, Long> rejected = new HashMap<>();
        while (!batch.isEmpty()) {
            try {
                long bytes = sink.deliver(batch, labels);
                stats.bytesShipped.addAndGet(bytes);
                stats.linesShipped.addAndGet(batchEvents);
                stats.batches.incrementAndGet();
                break;
            } catch (Sink.Rejected e) {
                // Sent again it gets the same answer: count it, say so, and move on (the checkpoint counts it per file).
                stats.rejected.addAndGet(batchEvents);
                for (Parsed.Slice sl : batch) rejected.merge(sl.p().file(), (long) (sl.to() - sl.from()), Long::sum);
                err.println("logship: sink " + sink.name() + " rejected " + batchEvents + " lines: " + Errors.message(e, "rejected")
                        + "; not retried (counted as rejected, " + stats.rejected.get() + " so far)");
                break;
            } catch (IOException e) {
                if (giveUp) throw new InterruptedException();
                stats.retries.incrementAndGet();
                long sleep = ThreadLocalRandom.current().nextLong(backoff / 2, backoff + 1);
                if (e instanceof Sink.Retry r && r.afterMs > sleep) sleep = r.afterMs;   // the sink's Retry-After
                err.println("logship: sink " + sink.name() + " did not accept " + batchEvents + " lines: " + Errors.message(e, e.getClass().getSimpleName())
                        + "; retrying in " + Durations.format(sleep));
                Thread.sleep(sleep);
                backoff = Math.min(backoff * 2, 30_000);
            }
        }
        batch.clear();
        batchEvents = 0;
        batchBytesSoFar = 0;
        List<Checkpoints.Entry> done = new ArrayList<>(offsets.size());
        for (var e : offsets.entrySet()) {
            Tailer t = e.getKey();
            Checkpoints.Entry before = checkpoints.get(t.key());
            long r = rejected.getOrDefault(t, 0L) + (before == null || !before.fp().equals(e.getValue().fp()) ? 0 : before.rejected());
            done.add(new Checkpoints.Entry(t.path.toString(), t.dev, t.ino, e.getValue().fp(), e.getValue().offset(), r));
        }
        checkpoints.putAll(done);
        offsets.clear();
        checkpoints.save();
    }
}
