package run;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * One computation shared by every caller: {@link #get} returns the last result while it is younger
 * than {@code maxAge} (counted from when it was made), and otherwise runs {@code work} once however
 * many callers ask at the same time: callers arriving while a run is in flight wait for that run
 * and share its result. A run that throws is not kept: its waiters get the exception, the next
 * caller starts again. With a {@code maxAge} of zero every caller runs the work, except that
 * callers arriving during a run still share it.
 *
 * <pre>
 *   SingleFlight&lt;Report&gt; cached = new SingleFlight&lt;&gt;(Duration.ofSeconds(5), this::runPlan);
 *   SingleFlight.Got&lt;Report&gt; got = cached.get();      // got.value(), got.ageNanos(), got.fresh()
 * </pre>
 */
public final class SingleFlight<T> {
    /** A result, how long ago it was made, and whether this caller waited for the run that made it. */
    public record Got<T>(T value, long ageNanos, boolean fresh) {}

    private record Made<T>(T value, long atNanos) {}

    private final long maxAgeNanos;
    private final Supplier<T> work;
    private Made<T> last;                                   // guarded by this
    private CompletableFuture<Made<T>> inFlight;            // guarded by this
    private long runs;                                      // guarded by this

    public SingleFlight(Duration maxAge, Supplier<T> work) {
        this.maxAgeNanos = maxAge.toNanos();
        this.work = work;
    }

    /** The cached result, or the result of the run in flight, or of a run this caller starts. */
    public Got<T> get() throws ExecutionException, InterruptedException {
        CompletableFuture<Made<T>> flight;
        boolean mine = false;
        synchronized (this) {
            long now = System.nanoTime();
            if (last != null && now - last.atNanos() < maxAgeNanos) return new Got<>(last.value(), now - last.atNanos(), false);
            if (inFlight == null) {
                inFlight = new CompletableFuture<>();
                runs++;
                mine = true;
            }
            flight = inFlight;
        }
        if (mine) run(flight);
        Made<T> made = flight.get();
        return new Got<>(made.value(), System.nanoTime() - made.atNanos(), true);
    }

    /** How many times the work was started. */
    public synchronized long runs() {
        return runs;
    }

    private void run(CompletableFuture<Made<T>> flight) {
        Made<T> made = null;
        Throwable failed = null;
        try {
            made = new Made<>(work.get(), System.nanoTime());
        } catch (RuntimeException | Error e) {
            failed = e;
        }
        synchronized (this) {
            if (made != null) last = made;
            inFlight = null;
        }
        if (made != null) flight.complete(made);
        else flight.completeExceptionally(failed);
    }
}
