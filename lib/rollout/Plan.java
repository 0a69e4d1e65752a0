package rollout;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES ../check/Check.java ../check/CommandCheck.java ../check/HttpCheck.java ../check/Probe.java ../check/TcpCheck.java
//SOURCES ../check/Task.java ../check/Validate.java ../yaml/Yaml.java Gates.java

import check.Check;
import check.CommandCheck;
import check.HttpCheck;
import check.TcpCheck;
import check.Validate;
import com.fasterxml.jackson.annotation.JsonCreator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import yaml.Yaml;

/**
 * A rollout plan as written in YAML, and its validation: every mistake (an unknown key, a budget
 * over 100%, an empty phase, a missing command) is one {@code plan.yaml:line:col} line, found
 * before any host is contacted. The YAML machinery is lib/yaml's, as for inspect's plans.
 *
 * <pre>
 *   precheck: {command: 'test -x /srv/app/bin/app', checks: [{kind: tcp, host: '{host}', port: 22}]}
 *   deploy:   {command: '/srv/app/deploy 2.4.1', timeout: 5m}      # or script: ./deploy.sh
 *   verify:   {checks: [{kind: http, url: 'http://{host}:8080/health', body_match: '2\.4\.1'}], within: 30s}
 *   rollback: {command: '/srv/app/deploy 2.4.0'}
 *   phases:
 *     canary:  {hosts: 1, soak: 1m}                                 # count or percent; max_failures 0
 *     batches: {size: 25%, soak: 10s, max_failures: 1}
 *   max_failures: 2                                                 # for the whole run (default: no limit)
 * </pre>
 */
public record Plan(String title, Gate precheck, Step deploy, Gate verify, Step rollback, Phases phases, Amount maxFailures) {

    /** A command on the host (over the run's SSH connection) and/or checks run from here; all must pass. */
    public record Gate(String command, List<Check> checks, Duration timeout, Duration within, Duration interval) {}

    /** A change on the host: a command line, or a local script uploaded and run; with a timeout. */
    public record Step(String command, Path script, Duration timeout) {}

    public record Phases(Canary canary, Batches batches) {}

    public record Canary(Amount hosts, Duration soak, Amount maxFailures) {}

    public record Batches(Amount size, Duration soak, Amount maxFailures) {}

    /** A number of hosts, or a percentage of them ("25%"). */
    @Yaml.Expect("a number of hosts like 3, or a percentage like '25%'")
    public record Amount(Integer count, Double percent) {
        @JsonCreator static Amount of(Object v) {
            if (v instanceof Integer i) {
                if (i < 0) throw new IllegalArgumentException("expected 0 or more hosts, got " + i);
                return new Amount(i, null);
            }
            if (v instanceof String s && s.strip().matches("\\d+(\\.\\d+)?\\s*%")) {
                double p = Double.parseDouble(s.strip().replace("%", "").strip());
                if (p > 100) throw new IllegalArgumentException(s.strip() + " is over 100%");
                return new Amount(null, p);
            }
            throw new IllegalArgumentException("expected a number of hosts like 3, or a percentage like '25%', got "
                    + (v instanceof String ? "'" + v + "'" : String.valueOf(v)));
        }

        /** As a size out of {@code n} hosts: a percentage rounds up. */
        public int sizeOf(int n) { return count != null ? count : (int) Math.ceil(percent * n / 100.0 - 1e-9); }

        /** As a budget out of {@code n} hosts: a percentage rounds down (10% of 5 hosts allows none). */
        public int budgetOf(int n) { return count != null ? count : (int) Math.floor(percent * n / 100.0 + 1e-9); }

        @Override public String toString() {
            return count != null ? String.valueOf(count) : (percent == Math.rint(percent) ? String.valueOf(percent.longValue()) : String.valueOf(percent)) + "%";
        }
    }

    public static final Duration DEFAULT_STEP_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration DEFAULT_WITHIN = Duration.ofSeconds(30);
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

    /** The plan checked whole; an InputError with every problem (file:line:col each) otherwise. */
    public static Ready load(Path file) {
        Yaml.Doc<Plan> doc = Yaml.load(file, Plan.class);
        List<String> problems = new ArrayList<>();
        Plan p = doc.value();
        Gates pre = null, ver = null;
        try { pre = Gates.of(p.precheck(), "precheck"); } catch (Yaml.Invalid e) { problems.add(doc.message(e)); }
        try { ver = Gates.of(p.verify(), "verify"); } catch (Yaml.Invalid e) { problems.add(doc.message(e)); }
        for (var check : List.of(new Object[] {p.deploy(), "deploy", true}, new Object[] {p.rollback(), "rollback", false})) {
            try { step((Step) check[0], (String) check[1], (Boolean) check[2], file); } catch (Yaml.Invalid e) { problems.add(doc.message(e)); }
        }
        try { phases(p); } catch (Yaml.Invalid e) { problems.add(doc.message(e)); }
        if (!problems.isEmpty()) throw doc.errors(problems);
        return new Ready(p, pre, ver);
    }

    /** A plan that passed validation, with its gates made runnable. */
    public record Ready(Plan plan, Gates precheck, Gates verify) {}

    private static void step(Step s, String at, boolean required, Path planFile) {
        if (s == null) {
            if (required) throw new Yaml.Invalid(at, "missing (expected '" + at + ":' with 'command:' or 'script:')");
            return;
        }
        if (s.command() == null && s.script() == null) throw new Yaml.Invalid(at, "give 'command:' (run on the host) or 'script:' (a local file uploaded and run)");
        if (s.command() != null && s.script() != null) throw new Yaml.Invalid(at + ".script", "give 'command:' or 'script:', not both");
        if (s.command() != null && s.command().isBlank()) throw new Yaml.Invalid(at + ".command", "empty command");
        if (s.script() != null && !Files.isRegularFile(script(s, planFile))) throw new Yaml.Invalid(at + ".script", script(s, planFile) + ": no such file");
        if (s.timeout() != null) Validate.positive(at + ".timeout", s.timeout());
    }

    /** A step's script: relative paths are relative to the plan file. */
    public static Path script(Step s, Path planFile) {
        Path dir = planFile.toAbsolutePath().getParent();
        return dir == null ? s.script() : dir.resolve(s.script());
    }

    private static void phases(Plan p) {
        Phases ph = p.phases();
        if (ph == null) return;                                        // one batch of every host
        if (ph.canary() != null) {
            if (ph.canary().hosts() == null) throw new Yaml.Invalid("phases.canary.hosts", "missing (how many hosts, or what percentage, go first)");
            if (ph.canary().hosts().sizeOf(100) == 0 || ph.canary().hosts().count() != null && ph.canary().hosts().count() == 0) {
                throw new Yaml.Invalid("phases.canary.hosts", "an empty phase (leave out 'canary:' for no canary)");
            }
            if (ph.canary().soak() != null && ph.canary().soak().isNegative()) throw new Yaml.Invalid("phases.canary.soak", "must not be negative");
        }
        if (ph.batches() != null) {
            Amount size = ph.batches().size();
            if (size == null) throw new Yaml.Invalid("phases.batches.size", "missing (hosts per batch, or a percentage of all hosts)");
            if (size.count() != null ? size.count() == 0 : size.percent() == 0) throw new Yaml.Invalid("phases.batches.size", "an empty batch (expected at least 1 host)");
            if (ph.batches().soak() != null && ph.batches().soak().isNegative()) throw new Yaml.Invalid("phases.batches.soak", "must not be negative");
        }
    }

    /** The kinds a gate may use: they look at the host from here. The others describe this machine. */
    static final List<Class<?>> REMOTE_KINDS = List.of(HttpCheck.class, TcpCheck.class, CommandCheck.class);
}
