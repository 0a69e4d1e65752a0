package relay;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** alertrelay's log: one line on stderr, "TIME alertrelay: MESSAGE". Never a robot's URL path or secret. */
public final class Log {
    private Log() {}

    public static void log(String message) {
        System.err.println(Instant.now().truncatedTo(ChronoUnit.SECONDS) + " alertrelay: " + message);
    }
}
