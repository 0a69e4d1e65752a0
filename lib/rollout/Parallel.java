package rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * The hosts of one phase at once, at most {@code slots} in flight, on virtual threads. Unlike
 * run.Runner, a stop (Ctrl-C, a spent budget) never interrupts a host in flight: it finishes its
 * steps, and only hosts not yet started are skipped (the caller reports them not-run).
 */
public final class Parallel {
    private Parallel() {}

    /** Runs {@code work} for each item; returns when every started one has ended. */
    public static void run(List<Integer> items, int slots, BooleanSupplier stopping, IntConsumer work) {
        Semaphore free = new Semaphore(slots);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> started = new ArrayList<>();
            for (int i : items) {
                free.acquireUninterruptibly();
                if (stopping.getAsBoolean()) {                      // start nothing new
                    free.release();
                    break;
                }
                started.add(pool.submit(() -> {
                    try {
                        work.accept(i);
                    } finally {
                        free.release();
                    }
                }));
            }
            for (Future<?> f : started) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a host's task failed: " + e.getCause(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
