package run;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How much a run may do at once: concurrency is never above what the open-file limit allows, so a
 * host is never reported down because we ran out of file descriptors.
 */
public final class Limits {
    private Limits() {}

    /** File descriptors kept free for the JVM, stdout, DNS and the like. */
    public static final int FD_RESERVE = 32;

    /** The open-file limit and the descriptors already open, or {-1,-1} when the OS won't say. */
    public static long[] fileDescriptors() {
        // /proc first: the management beans cost ~10 ms of start-up on every run.
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return new long[] {soft.equals("unlimited") ? Long.MAX_VALUE / 2 : Long.parseLong(soft), fds.count()};
                }
            }
        } catch (IOException | RuntimeException e) {
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
