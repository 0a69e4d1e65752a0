import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Bounded fan-out on virtual threads: at most {@code concurrency} tasks at once, results in input
 * order, a global deadline, and Ctrl-C/SIGTERM handling. Every item gets exactly one result:
 * its own, or {@code notRun(item, why)} when the deadline or a signal cut it off.
 *
 * <pre>
 *   try (FanOut fan = new FanOut(concurrency, deadline, "probe")) {
 *       List&lt;Row&gt; rows = fan.run(targets, t -&gt; check(t), (t, why) -&gt; Row.notRun(t, why));
 *       print(rows);          // on SIGINT, the JVM waits for this before exiting (130)
 *   }
 * </pre>
 * Each task must bound its own time (socket timeouts); the deadline is the backstop.
 */
public final class FanOut implements AutoCloseable {
    private final int concurrency;
    private final Duration deadline;
    private final String label;
    private PrintStream progressOut;
    private final CountDownLatch reported = new CountDownLatch(1);
    private volatile Thread coordinator;
    private volatile boolean signalled;
    private Thread hook;

    /** @param deadline global deadline for the whole run, or null for none */
    public FanOut(int concurrency, Duration deadline, String label) {
        if (concurrency < 1) throw new Cli.InputError("concurrency must be at least 1");
        this.concurrency = concurrency;
        this.deadline = deadline;
        this.label = label;
        this.progressOut = !Cli.inTestHarness() && Cli.isTerminal(2) ? System.err : null;
    }

    /** No progress line, for callers that stream their own output to the terminal while running. */
    public FanOut withoutProgress() {
        progressOut = null;
        return this;
    }

    public <T, R> List<R> run(List<T> items, Function<T, R> work, BiFunction<T, String, R> notRun) {
        coordinator = Thread.currentThread();
        if (!Cli.inTestHarness()) {
            hook = new Thread(() -> {
                signalled = true;
                coordinator.interrupt();
                try {
                    reported.await(10, TimeUnit.SECONDS);   // let the caller print what it has
                } catch (InterruptedException ignored) { }
            }, label + "-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
        }
        int n = items.size();
        AtomicReferenceArray<R> results = new AtomicReferenceArray<>(n);
        AtomicInteger done = new AtomicInteger();
        Semaphore slots = new Semaphore(concurrency);
        long end = deadline == null ? Long.MAX_VALUE : System.nanoTime() + deadline.toNanos();
        String cut = null;
        var cancelled = new java.util.concurrent.atomic.AtomicBoolean();
        Thread progress = startProgress(done, n, slots);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        List<java.util.concurrent.Future<?>> futures = new ArrayList<>(n);
        try {
            for (int i = 0; i < n && cut == null; i++) {
                if (!slots.tryAcquire(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    cut = "global deadline";
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
                } catch (java.util.concurrent.TimeoutException e) {
                    cut = "global deadline";
                } catch (java.util.concurrent.ExecutionException e) {
                    // A bug in the task: it has no result and is reported as such below.
                    System.err.println(label + ": internal error in a task: " + e.getCause());
                    e.getCause().printStackTrace(System.err);
                }
            }
        } catch (InterruptedException e) {
            cut = "interrupted";
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
        if (signalled) cut = "interrupted";
        List<R> out = new ArrayList<>(n);
        String deadlineText = deadline == null ? "" : " (--deadline " + Cli.formatDuration(deadline.toMillis()) + ")";
        for (int i = 0; i < n; i++) {
            R r = results.get(i);
            if (r != null) { out.add(r); continue; }
            boolean started = i < futures.size();            // tasks are submitted in input order
            String why;
            if (cut == null) why = "task failed without a result (bug; see stderr)";
            else if (cut.equals("interrupted")) why = started ? "interrupted while running" : "not started: interrupted";
            else why = started ? "cut by the global deadline" + deadlineText : "not started: global deadline reached" + deadlineText;
            out.add(notRun.apply(items.get(i), why));
        }
        return out;
    }

    /** True when SIGINT/SIGTERM cut the run short (the JVM exits 130/143 once the results are printed). */
    public boolean interrupted() { return signalled; }

    /** Call once the results are printed (try-with-resources does it). */
    @Override public void close() {
        reported.countDown();
        if (hook != null && !signalled) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) { }   // already shutting down
        }
    }

    private Thread startProgress(AtomicInteger done, int total, Semaphore slots) {
        if (progressOut == null || total < 50) return null;
        long t0 = System.nanoTime();
        Thread t = Thread.ofPlatform().daemon().start(() -> {
            try {
                while (true) {
                    Thread.sleep(250);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    progressOut.print("\r" + label + ": " + done.get() + "/" + total + " done, "
                            + (concurrency - slots.availablePermits()) + " running, " + Cli.formatDuration(ms) + "\033[K");
                    progressOut.flush();
                }
            } catch (InterruptedException e) {
                progressOut.print("\r\033[K");
                progressOut.flush();
            }
        });
        return t;
    }

    // ---- how many at once -----------------------------------------------------------------------

    /** File descriptors kept free for the JVM, stdout, DNS and the like. */
    public static final int FD_RESERVE = 32;

    /** The open-file limit and the descriptors already open, or {-1,-1} when the OS won't say. */
    public static long[] fileDescriptors() {
        // /proc first: the management beans cost ~10 ms of start-up on every run.
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return new long[] {soft.equals("unlimited") ? Long.MAX_VALUE / 2 : Long.parseLong(soft), fds.count()};
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux, or /proc not mounted: ask the JVM
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            return new long[] {os.getMaxFileDescriptorCount(), os.getOpenFileDescriptorCount()};
        }
        return new long[] {-1, -1};
    }

    /**
     * The concurrency to use: what was asked, lowered so that {@code fdsPerTask} descriptors per
     * task fit under the open-file limit. Says so on {@code warn} when it lowers it.
     */
    public static int capConcurrency(int requested, int fdsPerTask, PrintStream warn) {
        long[] fd = fileDescriptors();
        if (fd[0] < 0) return requested;
        long fit = (fd[0] - fd[1] - FD_RESERVE) / fdsPerTask;
        if (fit < 1) {
            throw new IllegalStateException("open-file limit " + fd[0] + " leaves no room to work (" + fd[1] + " already open); raise it with ulimit -n");
        }
        if (fit < requested) {
            warn.println("note: concurrency lowered from " + requested + " to " + fit + " to stay under the open-file limit of "
                    + fd[0] + " (raise it with ulimit -n for more)");
            return (int) fit;
        }
        return requested;
    }
}
