package rollout;

//SOURCES ../cli/Durations.java Gates.java Plan.java

import cli.Durations;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The phases of a rollout over {@code n} hosts in input order: the canary (the first hosts), then
 * batches of the rest, each with its failure budget and the soak that follows it. The same plan
 * and hosts always give the same schedule, which is what lets --resume pick up where a run ended.
 */
public record Schedule(List<Phase> phases, Integer totalBudget) {

    /** One phase: its name ("canary", "batch 2/4"), the hosts (indexes into the input), its budget, the soak after it. */
    public record Phase(String name, List<Integer> hosts, int budget, String budgetText, Duration soak) {}

    public static Schedule of(Plan p, int n) {
        List<Phase> phases = new ArrayList<>();
        int next = 0;
        Plan.Phases ph = p.phases();
        if (ph != null && ph.canary() != null) {
            Plan.Canary c = ph.canary();
            int size = Math.min(n, Math.max(1, c.hosts().sizeOf(n)));
            Plan.Amount budget = c.maxFailures() == null ? Plan.Amount.of(0) : c.maxFailures();
            phases.add(new Phase("canary", range(0, size), budget.budgetOf(size), budget.toString(), soak(c.soak())));
            next = size;
        }
        Plan.Batches b = ph == null ? null : ph.batches();
        int rest = n - next;
        int size = b == null ? rest : Math.max(1, b.size().sizeOf(n));
        Plan.Amount budget = b == null || b.maxFailures() == null ? Plan.Amount.of(0) : b.maxFailures();
        int count = rest == 0 ? 0 : (rest + size - 1) / size;
        for (int i = 0; i < count; i++) {
            int from = next + i * size, to = Math.min(n, from + size);
            phases.add(new Phase("batch " + (i + 1) + "/" + count, range(from, to), budget.budgetOf(to - from), budget.toString(),
                    b == null ? Duration.ZERO : soak(b.soak())));
        }
        return new Schedule(List.copyOf(phases), p.maxFailures() == null ? null : p.maxFailures().budgetOf(n));
    }

    private static Duration soak(Duration d) {
        return d == null ? Duration.ZERO : d;
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> l = new ArrayList<>();
        for (int i = from; i < to; i++) l.add(i);
        return l;
    }

    /** --dry-run: the steps, then each phase with its hosts, budget and soak. */
    public void print(PrintStream out, Path planFile, Plan.Ready ready, List<String> labels) {
        Plan plan = ready.plan();
        out.println("rollout: dry run of " + planFile + (plan.title() != null ? " (" + plan.title() + ")" : "") + ": " + n(labels.size(), "host")
                + "; nothing is contacted");
        out.println("precheck: every host" + (ready.precheck().empty() ? ": log in" : ": " + ready.precheck().describe()));
        out.println("deploy:   " + step(plan.deploy()));
        out.println("verify:   " + (ready.verify().empty() ? "nothing (a host is done when its deploy exits 0)" : ready.verify().describe()));
        out.println("rollback: " + (plan.rollback() == null ? "none" : step(plan.rollback())));
        for (Phase p : phases) {
            boolean last = p == phases.get(phases.size() - 1);
            List<String> names = p.hosts().stream().map(labels::get).toList();
            out.println(p.name() + ": " + n(names.size(), "host") + ", up to " + p.budget() + " may fail"
                    + (p.budgetText().endsWith("%") ? " (" + p.budgetText() + ")" : "")
                    + (p.soak().isZero() || last ? "" : ", then soak " + Durations.format(p.soak().toMillis())) + ": " + String.join(", ", names));
        }
        if (totalBudget != null) {
            out.println("run: up to " + totalBudget + " may fail in all" + (plan.maxFailures().percent() != null ? " (" + plan.maxFailures() + ")" : ""));
        }
    }

    private static String step(Plan.Step s) {
        return s.command() != null ? s.command() : "script " + s.script();
    }

    /** "1 host", "3 hosts". */
    public static String n(long count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }
}
