package run;

//SOURCES ../cli/Jvm.java

import cli.Jvm;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The one shutdown policy: on SIGINT or SIGTERM the script is told to stop (it finishes or cuts
 * what is in flight and starts nothing new), the JVM waits up to {@code grace} for the script to
 * say it has reported ({@link #done}), then exits: with the code the script gave, or with the
 * signal's usual 130/143 when it gave none. Without a signal, {@link #close} removes the hook.
 *
 * <pre>
 *   try (Shutdown s = Shutdown.onSignal("probe", coordinator::interrupt, Duration.ofSeconds(10))) {
 *       ... run, print the report ...
 *       s.done();                   // or s.done(code) to exit with our own code after a signal
 *   }
 * </pre>
 * Under the test harness ({@link Jvm#inProcess()}) no hook is installed.
 */
public final class Shutdown implements AutoCloseable {
    private final CountDownLatch reported = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean signalled;
    private volatile Integer code;

    private Shutdown(String name, Runnable stop, Duration grace) {
        hook = new Thread(() -> {
            signalled = true;
            stop.run();
            try {
                reported.await(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException ignored) { }
            System.out.flush();
            System.err.flush();
            Integer c = code;
            if (c != null) Jvm.current().halt(c);
        }, name + "-shutdown");
        Jvm.current().onShutdown(hook);
    }

    /** Installs the hook: on a signal, {@code stop} runs, then up to {@code grace} passes for {@link #done}. */
    public static Shutdown onSignal(String name, Runnable stop, Duration grace) {
        return new Shutdown(name, stop, grace);
    }

    /** True once SIGINT or SIGTERM arrived. */
    public boolean signalled() { return signalled; }

    /** The report is out; after a signal the JVM exits with the signal's code (130/143). */
    public void done() { reported.countDown(); }

    /** The report is out; after a signal the JVM exits with {@code exitCode} instead of 130/143. */
    public void done(int exitCode) {
        code = exitCode;
        reported.countDown();
    }

    @Override public void close() {
        reported.countDown();
        if (!signalled) Jvm.current().noShutdownHook(hook);
    }
}
