package check;

import java.util.Locale;

/**
 * How a check ended, from best to worst: a check itself finds OK, WARN or CRIT; NOT_RUN is the
 * runner's (the deadline or a signal came first). {@link #text} is the status in every report.
 */
public enum Status {
    OK, WARN, CRIT, NOT_RUN;

    /** "ok", "warn", "crit", "not-run": the JSON, webhook and summary word. */
    public String text() {
        return this == NOT_RUN ? "not-run" : name().toLowerCase(Locale.ROOT);
    }

    /** The worse of the two. */
    public Status max(Status other) {
        return other.compareTo(this) > 0 ? other : this;
    }
}
