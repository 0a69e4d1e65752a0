package check;

//SOURCES ../cli/Errors.java ../net/Tcp.java ../run/NotRun.java Check.java Probe.java Findings.java LocalFacts.java Result.java Status.java

import cli.Errors;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.Tcp;
import run.NotRun;

/**
 * A check ready to run: the plan's entry ({@code index} in {@code checks:}), the name, kind and
 * group it is reported under, its severity, and the probe validation made of it.
 */
public record Task(int index, Check check, String kind, String name, String group, Status severity, Probe probe) {

    /** Runs the check: its result, with "could not check: ..." at its severity if the check itself threw. */
    public Result run(LocalFacts local) {
        long t0 = System.nanoTime();
        Findings found = new Findings(severity);
        try {
            probe.run(local, found);
        } catch (IOException | RuntimeException e) {
            found.fail("could not check: " + Errors.message(e, e.getClass().getSimpleName()));
        }
        return found.result(this, (System.nanoTime() - t0) / 1_000_000);
    }

    /** The result of a check the deadline or a signal kept from running or finishing. */
    public Result notRun(NotRun why) {
        return Result.notRun(this, why.text());
    }

    /**
     * Before any timed check: one loopback connect of our own (for tcp checks), and what each
     * check's probe warms up (one untimed request to the first http and the first https check's
     * URL), so no latency measured is the JVM loading its network and TLS code.
     */
    public static void warmUp(List<Task> tasks) {
        Tcp.warmUp();
        Set<String> warmed = new HashSet<>();
        for (Task t : tasks) t.probe().warmUp(warmed);
    }
}
