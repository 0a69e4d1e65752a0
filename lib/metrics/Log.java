package metrics;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The exporter's log: one line on stderr, "TIME exporter: MESSAGE" (journald adds its own time; files need ours). */
public final class Log {
    private Log() {}

    public static void log(String message) {
        System.err.println(Instant.now().truncatedTo(ChronoUnit.SECONDS) + " exporter: " + message);
    }
}
