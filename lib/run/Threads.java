package run;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** The one way ops makes its own platform threads: daemons with names that say whose they are. */
public final class Threads {
    private Threads() {}

    /** Daemon threads named {@code name-1}, {@code name-2}, ... (they never keep the JVM alive). */
    public static ThreadFactory daemons(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** One daemon thread {@code name}, started on {@code body}. */
    public static Thread daemon(String name, Runnable body) {
        return Thread.ofPlatform().name(name).daemon().start(body);
    }

    /** A single daemon timer thread for time-outs and guards. */
    public static ScheduledExecutorService timer(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
