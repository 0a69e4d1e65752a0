package check;

//SOURCES Findings.java LocalFacts.java

import java.io.IOException;
import java.util.Set;

/** A check the plan's validation accepted: what it is called by default, and how it runs. */
public interface Probe {
    /** The name a check gets when the plan gives it none ("127.0.0.1:5432", "disk /var"). */
    String name();

    /**
     * Runs the check once and says what it found into {@code found}; an exception is reported as
     * "could not check: ..." at the check's severity.
     */
    void run(LocalFacts local, Findings found) throws IOException;

    /**
     * Before any check is timed: first uses of whatever this check times (TLS, a client), done
     * once per key in {@code warmed} across all checks of a run.
     */
    default void warmUp(Set<String> warmed) {}
}
