package cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process a script runs in: how it exits, whether its standard streams are terminals, and
 * whether it may install signal handlers (JVM shutdown hooks). Scripts ask here instead of
 * calling System.exit or Runtime hooks themselves, so that the test harness, which runs every
 * script's main in one JVM, installs {@link #inProcess()} and production code has no test branch.
 */
public abstract class Jvm {
    private static volatile Jvm current = new Real();

    /** The policy in force (the real process unless a harness installed another). */
    public static Jvm current() { return current; }

    /** Installs {@code jvm} for every later run in this process (the test harness does this once). */
    public static void install(Jvm jvm) { current = jvm; }

    /** Ends the run with {@code code}. Never returns normally. */
    public abstract void exit(int code);

    /** True when file descriptor {@code fd} (1 or 2) is a terminal the user looks at. */
    public abstract boolean isTerminal(int fd);

    /** Runs {@code hook} when the JVM is asked to stop (SIGINT, SIGTERM), or does nothing where no signal can come. */
    public abstract void onShutdown(Thread hook);

    /** Undoes {@link #onShutdown} once the run is over. */
    public abstract void noShutdownHook(Thread hook);

    /** Stops the JVM at once with {@code code} (from a shutdown hook, where exit would deadlock). */
    public abstract void halt(int code);

    /** Thrown instead of exiting by {@link #inProcess()}: the harness reads the code from it. */
    public static final class ExitCalled extends RuntimeException {
        public final int code;
        public ExitCalled(int code) { super("exit " + code, null, false, false); this.code = code; }
    }

    /** Runs inside another program's JVM (the tests): exit throws, no terminal, no signal handlers. */
    public static Jvm inProcess() {
        return new Jvm() {
            @Override public void exit(int code) { throw new ExitCalled(code); }
            @Override public boolean isTerminal(int fd) { return false; }
            @Override public void onShutdown(Thread hook) { }
            @Override public void noShutdownHook(Thread hook) { }
            @Override public void halt(int code) { throw new ExitCalled(code); }
        };
    }

    /** The real process. */
    private static final class Real extends Jvm {
        @Override public void exit(int code) {
            System.out.flush();
            System.exit(code);
        }

        /** Linux: /proc/self/fd/N points at a pts or tty; elsewhere only System.console() can tell. */
        @Override public boolean isTerminal(int fd) {
            try {
                String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (Exception e) {
                return System.console() != null;
            }
        }

        @Override public void onShutdown(Thread hook) { Runtime.getRuntime().addShutdownHook(hook); }

        @Override public void noShutdownHook(Thread hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyStopping) { }
        }

        @Override public void halt(int code) { Runtime.getRuntime().halt(code); }
    }
}
