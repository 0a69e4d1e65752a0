package run;

//SOURCES ../cli/InputError.java ../cli/Terminal.java ../cli/Durations.java
//SOURCES NotRun.java Shutdown.java Threads.java

import cli.Durations;
import cli.InputError;
import cli.Terminal;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The one bounded runner: at most {@code concurrency} tasks at once on virtual threads, results in
 * input order, a global deadline, and Ctrl-C/SIGTERM handling. Every item gets exactly one result:
 * its own, or {@code notRun(item, why)} when the deadline or a signal cut it off.
 *
 * <pre>
 *   try (Runner runner = new Runner(concurrency, deadline, "probe")) {
 *       List&lt;Row&gt; rows = runner.run(targets, t -&gt; check(t), (t, why) -&gt; Row.notRun(t, why.text()));
 *       print(rows);          // on SIGINT, the JVM waits for this before exiting (130)
 *   }
 * </pre>
 * Each task must bound its own time (socket timeouts); the deadline is the backstop. On a terminal,
 * runs of 50 items or more show a progress line on stderr.
 */
public final class Runner implements AutoCloseable {
    private final int concurrency;
    private final Duration deadline;
    private final String label;
    private PrintStream progressOut;
    private Shutdown shutdown;

    /** @param deadline global deadline for the whole run, or null for none */
    public Runner(int concurrency, Duration deadline, String label) {
        if (concurrency < 1) throw new InputError("concurrency must be at least 1");
        this.concurrency = concurrency;
        this.deadline = deadline;
        this.label = label;
        this.progressOut = Terminal.progressAllowed() ? System.err : null;
    }

    /** No progress line, for callers that stream their own output to the terminal while running. */
    public Runner withoutProgress() {
        progressOut = null;
        return this;
    }

    public <T, R> List<R> run(List<T> items, Function<T, R> work, BiFunction<T, NotRun, R> notRun) {
        Thread coordinator = Thread.currentThread();
        if (shutdown == null) shutdown = Shutdown.onSignal(label, coordinator::interrupt, Duration.ofSeconds(10));
        int n = items.size();
        AtomicReferenceArray<R> results = new AtomicReferenceArray<>(n);
        AtomicInteger done = new AtomicInteger();
        Semaphore slots = new Semaphore(concurrency);
        long end = deadline == null ? Long.MAX_VALUE : System.nanoTime() + deadline.toNanos();
        Cut cut = null;
        AtomicBoolean cancelled = new AtomicBoolean();
        Thread progress = startProgress(done, n, slots);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        List<Future<?>> futures = new ArrayList<>(n);
        try {
            for (int i = 0; i < n && cut == null; i++) {
                if (!slots.tryAcquire(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    cut = Cut.DEADLINE;
                    break;
                }
                final int idx = i;
                final T item = items.get(i);
                futures.add(pool.submit(() -> {
                    try {
                        R r = work.apply(item);
                        if (!cancelled.get()) results.set(idx, r);
                    } finally {
                        done.incrementAndGet();
                        slots.release();
                    }
                }));
            }
            for (var f : futures) {
                if (cut != null) break;
                long left = end - System.nanoTime();
                try {
                    f.get(Math.max(0, left), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    cut = Cut.DEADLINE;
                } catch (ExecutionException e) {
                    // A bug in the task: it has no result and is reported as such below.
                    System.err.println(label + ": internal error in a task: " + e.getCause());
                    e.getCause().printStackTrace(System.err);
                }
            }
        } catch (InterruptedException e) {
            cut = Cut.SIGNAL;
        } finally {
            if (cut != null) cancelled.set(true);
            pool.shutdownNow();
            try {
                pool.awaitTermination(2, TimeUnit.SECONDS);      // sockets closed before we report
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            if (progress != null) progress.interrupt();
            Thread.interrupted();                                // the caller must still be able to print
        }
        if (shutdown.signalled()) cut = Cut.SIGNAL;
        List<R> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            R r = results.get(i);
            out.add(r != null ? r : notRun.apply(items.get(i), why(cut, i < futures.size())));   // tasks are submitted in input order
        }
        return out;
    }

    private enum Cut { DEADLINE, SIGNAL }

    private NotRun why(Cut cut, boolean started) {
        String deadlineText = deadline == null ? "" : " (--deadline " + Durations.format(deadline.toMillis()) + ")";
        if (cut == null) return new NotRun(NotRun.Why.NO_RESULT, "task failed without a result (bug; see stderr)");
        if (cut == Cut.SIGNAL) {
            return started ? new NotRun(NotRun.Why.INTERRUPTED_WHILE_RUNNING, "interrupted while running")
                    : new NotRun(NotRun.Why.INTERRUPTED_BEFORE_START, "not started: interrupted");
        }
        return started ? new NotRun(NotRun.Why.DEADLINE_WHILE_RUNNING, "cut by the global deadline" + deadlineText)
                : new NotRun(NotRun.Why.DEADLINE_BEFORE_START, "not started: global deadline reached" + deadlineText);
    }

    /** True when SIGINT/SIGTERM cut the run short (the JVM exits 130/143 once the results are printed). */
    public boolean interrupted() { return shutdown != null && shutdown.signalled(); }

    /** Call once the results are printed (try-with-resources does it). */
    @Override public void close() {
        if (shutdown != null) shutdown.close();
    }

    private Thread startProgress(AtomicInteger done, int total, Semaphore slots) {
        if (progressOut == null || total < 50) return null;
        long t0 = System.nanoTime();
        return Threads.daemon(label + "-progress", () -> {
            try {
                while (true) {
                    Thread.sleep(250);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    progressOut.print("\r" + label + ": " + done.get() + "/" + total + " done, "
                            + (concurrency - slots.availablePermits()) + " running, " + Durations.format(ms) + "\033[K");
                    progressOut.flush();
                }
            } catch (InterruptedException e) {
                progressOut.print("\r\033[K");
                progressOut.flush();
            }
        });
    }
}
