package check;

//SOURCES ../cli/Patterns.java ../net/Urls.java ../yaml/Yaml.java PlanFile.java Check.java Limit.java Probe.java Severity.java Task.java

import cli.Patterns;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;
import net.Urls;
import yaml.Yaml;

/**
 * Everything about a plan is checked before anything runs: {@link #plan} turns a bound plan into
 * tasks or rejects it; the helpers are what the check kinds validate their keys with, each
 * throwing a {@link Yaml.Invalid} at the key's path.
 */
public final class Validate {
    private Validate() {}

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** Every check of the plan as a task, or an InputError listing every problem found (one line each, in file order). */
    public static List<Task> plan(Yaml.Doc<PlanFile> doc) {
        try {
            return tasks(doc);
        } catch (Yaml.Invalid e) {
            throw doc.error(e);
        }
    }

    private static List<Task> tasks(Yaml.Doc<PlanFile> doc) {
        PlanFile plan = doc.value();
        if (plan.checks() == null || plan.checks().isEmpty()) {
            throw new Yaml.Invalid("checks", "the plan has no checks (expected a list under 'checks:')");
        }
        List<Task> tasks = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Duration defaultTimeout = DEFAULT_TIMEOUT;
        if (plan.defaults() != null && plan.defaults().timeout() != null) {
            try {
                defaultTimeout = positive("defaults.timeout", plan.defaults().timeout());
            } catch (Yaml.Invalid e) {                                  // said with the rest; the checks are still read
                problems.add(doc.message(e));
            }
        }
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < plan.checks().size(); i++) {
            if (doc.errors().containsKey(i)) continue;                   // could not be read: its error is already there
            Check c = plan.checks().get(i);
            String at = "checks[" + i + "]";
            try {
                if (c == null) throw new Yaml.Invalid(at, "empty check (expected a mapping with 'kind:' and its keys)");
                Task t = task(c, i, at, defaultTimeout);
                Integer prev = names.putIfAbsent(t.name(), i);
                if (prev != null) {
                    throw new Yaml.Invalid(c.name() != null ? at + ".name" : at, "a second check named '" + t.name() + "' (checks[" + prev
                            + "] has that name); give each check its own 'name:'");
                }
                tasks.add(t);
            } catch (Yaml.Invalid e) {
                problems.add(doc.message(e));
            }
        }
        if (!problems.isEmpty() || !doc.errors().isEmpty()) throw doc.errors(problems);
        return tasks;
    }

    private static Task task(Check c, int i, String at, Duration defaultTimeout) {
        if (c.name() != null && c.name().isBlank()) throw new Yaml.Invalid(at + ".name", "empty name");
        Probe probe = c.probe(at, defaultTimeout);
        return new Task(i, c, Check.kind(c), c.name() != null ? c.name() : probe.name(), c.group() != null ? c.group() : c.defaultGroup(),
                Severity.of(c.severity()), probe);
    }

    // ---- what the kinds check their keys with ----------------------------------------------------------

    /** The value, stripped; "missing" when it is absent or blank. */
    public static String required(String at, String key, String value) {
        if (value == null || value.isBlank()) throw new Yaml.Invalid(at + "." + key, "missing (a " + "'" + key + ":' is required here)");
        return value.strip();
    }

    public static int port(String at, Integer port) {
        if (port == null) throw new Yaml.Invalid(at, "missing (expected a port number 1-65535)");
        if (port < 1 || port > 65535) throw new Yaml.Invalid(at, "port " + port + " is out of range (expected 1-65535)");
        return port;
    }

    /** {@code d} if it is given, else {@code dflt}; a given one must be more than 0. */
    public static Duration timeout(String at, Duration d, Duration dflt) {
        return d == null ? dflt : positive(at, d);
    }

    public static Duration positive(String at, Duration d) {
        if (d.isZero() || d.isNegative()) throw new Yaml.Invalid(at, "must be more than 0");
        return d;
    }

    public static Pattern regex(String at, String text) {
        try {
            return Patterns.compile(text);
        } catch (IllegalArgumentException e) {
            throw new Yaml.Invalid(at, e.getMessage() + " of '" + text + "'");
        }
    }

    public static URI url(String at, String text) {
        try {
            return Urls.http(text);
        } catch (IllegalArgumentException e) {
            throw new Yaml.Invalid(at, e.getMessage());
        }
    }

    /** An absolute path: "'x' is not an absolute path (" + {@code why} + ")". */
    public static String absolute(String at, String path, String why) {
        if (!path.startsWith("/")) throw new Yaml.Invalid(at, "'" + path + "' is not an absolute path (" + why + ")");
        return path;
    }

    /** Higher is worse: warn must not be above crit. */
    public static <T> void above(String at, Limit<T> l, ToDoubleFunction<T> num) {
        if (l == null) return;
        if (l.warn() == null && l.crit() == null) throw new Yaml.Invalid(at, "give warn, crit or both");
        if (l.warn() != null && l.crit() != null && num.applyAsDouble(l.warn()) > num.applyAsDouble(l.crit())) {
            throw new Yaml.Invalid(at, "warn " + Limit.show(l.warn()) + " is above crit " + Limit.show(l.crit())
                    + " (higher is worse here, so warn comes first)");
        }
    }

    /** Lower is worse: warn must not be below crit. */
    public static <T> void below(String at, Limit<T> l, ToDoubleFunction<T> num) {
        if (l == null) return;
        if (l.warn() == null && l.crit() == null) throw new Yaml.Invalid(at, "give warn, crit or both");
        if (l.warn() != null && l.crit() != null && num.applyAsDouble(l.warn()) < num.applyAsDouble(l.crit())) {
            throw new Yaml.Invalid(at, "warn " + Limit.show(l.warn()) + " is below crit " + Limit.show(l.crit())
                    + " (lower is worse here, so warn comes first)");
        }
    }
}
