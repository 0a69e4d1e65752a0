package metrics;

//SOURCES Source.java Outcome.java Log.java ../cli/Durations.java
//SOURCES Collected.java

import cli.Durations;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * One collector at run time: at most one collection at a time; scrapes arriving meanwhile share
 * it. A collection that overruns its budget is reported as failed and left running (a read of a
 * hung NFS mount cannot be interrupted); later scrapes join it instead of starting another, so a
 * stuck collector costs one thread, not one per scrape. Logs when it starts failing and when it
 * works again, and each input problem once while it lasts.
 */
public final class CollectorRunner {
    /** One collection by one collector: run by exactly one worker (the one that claims it), awaited by any number of scrapes. */
    static final class Collection {
        final CompletableFuture<Collected> result = new CompletableFuture<>();
        final AtomicBoolean claimed = new AtomicBoolean();
        volatile long startedNs, finishedNs;
    }

    final String name;
    final Source source;
    final LongAdder errors = new LongAdder(), timeouts = new LongAdder();
    private Collection current;
    private volatile String step = "";
    private boolean failing;
    private final Set<String> reportedProblems = new HashSet<>();
    private final Set<String> reportedClashes = java.util.concurrent.ConcurrentHashMap.newKeySet();

    CollectorRunner(String name, Source source) {
        this.name = name;
        this.source = source;
    }

    /** The collector's name, as node_exporter spells it. */
    public String name() { return name; }

    /** The collection in flight (possibly stuck), or a new one. */
    synchronized Collection current() {
        if (current == null || current.result.isDone()) current = new Collection();
        return current;
    }

    /** Runs {@code c} on this thread, unless another worker has claimed it. */
    void run(Collection c) {
        if (!c.claimed.compareAndSet(false, true)) return;
        step = "";
        c.startedNs = System.nanoTime();
        try {
            Collected out = source.collect(s -> step = s);
            c.finishedNs = System.nanoTime();
            c.result.complete(out);
        } catch (Throwable e) {
            c.finishedNs = System.nanoTime();
            c.result.completeExceptionally(e);
        }
    }

    /** Waits for {@code c} until budget after its start (or after {@code readyNs}, if it has not started yet). */
    Outcome await(Collection c, long readyNs, Duration budget) {
        long started = c.startedNs != 0 ? c.startedNs : readyNs;
        try {
            Collected data = c.result.get(Math.max(0, started + budget.toNanos() - System.nanoTime()), TimeUnit.NANOSECONDS);
            return new Outcome(this, data, null, false, (c.finishedNs - c.startedNs) / 1e9);
        } catch (TimeoutException e) {
            timeouts.increment();
            long ran = System.nanoTime() - started;
            String where = step.isEmpty() ? "" : ", stuck in " + step;
            return new Outcome(this, null, "over its " + Durations.format(budget.toMillis()) + " budget (running for "
                    + String.format(java.util.Locale.ROOT, "%.1fs", ran / 1e9) + where + ")", true, ran / 1e9);
        } catch (ExecutionException e) {
            errors.increment();
            return new Outcome(this, null, describe(e.getCause()), false, (c.finishedNs - c.startedNs) / 1e9);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(this, null, "interrupted", false, 0);
        }
    }

    /** A metric this collector produced that an earlier collector (or the JVM's) already serves: left out, said once. */
    void clash(String metric) {
        if (reportedClashes.add(metric)) Log.log(name + ": metric " + metric + " is already served by another collector; left out");
    }

    /** Logs a change between failing and working, and each input problem once while it lasts. */
    synchronized void report(Outcome o) {
        boolean nowFailing = o.error() != null;
        if (nowFailing && !failing) Log.log(name + " collector failed: " + o.error());
        if (!nowFailing && failing) Log.log(name + " collector works again");
        failing = nowFailing;
        if (o.data() == null) return;
        Set<String> now = new HashSet<>(o.data().problems());
        for (String p : o.data().problems()) if (!reportedProblems.contains(p)) Log.log(name + ": " + p);
        reportedProblems.retainAll(now);
        reportedProblems.addAll(now);
    }

    /** An exception as a collector failure or textfile problem says it. */
    static String describe(Throwable t) {
        if (t instanceof NoSuchFileException e) return e.getFile() + ": no such file";
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
