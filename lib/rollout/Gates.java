package rollout;

//SOURCES ../cli/Durations.java ../check/Check.java ../check/Result.java ../check/Status.java ../check/Task.java ../yaml/Yaml.java Plan.java

import check.Check;
import check.Result;
import check.Task;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import yaml.Yaml;

/**
 * A plan's precheck or verify gate made runnable: an optional command on the host and inspect's
 * check kinds (http, tcp, command) run from this machine, with {@code {host}} in any of their
 * text replaced by the host's address (as the hosts file names it, without user@ and :port).
 * Gates are retried every {@code interval} until they all pass or {@code within} has passed
 * (precheck: one try unless the plan gives {@code within}). A check passes at OK or WARN.
 */
public final class Gates {
    private final String at;
    private final String command;
    private final List<Check> checks;
    public final Duration timeout, within, interval;

    private Gates(String at, String command, List<Check> checks, Duration timeout, Duration within, Duration interval) {
        this.at = at;
        this.command = command;
        this.checks = checks;
        this.timeout = timeout;
        this.within = within;
        this.interval = interval;
    }

    /** What a gate found: passed, and what failed ("http://10.0.0.1:8080/health: HTTP 503 ..."). */
    public record Verdict(boolean passed, String detail) {}

    /** Validates {@code g} (null: a gate that always passes); problems as Yaml.Invalid under {@code at}. */
    static Gates of(Plan.Gate g, String at) {
        if (g == null) return new Gates(at, null, List.of(), Duration.ofSeconds(10), Duration.ZERO, Plan.DEFAULT_INTERVAL);
        if (g.command() != null && g.command().isBlank()) throw new Yaml.Invalid(at + ".command", "empty command");
        if (g.command() == null && (g.checks() == null || g.checks().isEmpty())) {
            throw new Yaml.Invalid(at, "give 'command:' (run on the host), 'checks:' (http, tcp, command, run from here) or both");
        }
        Duration timeout = g.timeout() == null ? Duration.ofSeconds(10) : check.Validate.positive(at + ".timeout", g.timeout());
        Duration within = g.within() != null ? g.within() : at.equals("verify") ? Plan.DEFAULT_WITHIN : Duration.ZERO;
        if (within.isNegative()) throw new Yaml.Invalid(at + ".within", "must not be negative");
        Duration interval = g.interval() == null ? Plan.DEFAULT_INTERVAL : check.Validate.positive(at + ".interval", g.interval());
        List<Check> checks = g.checks() == null ? List.of() : g.checks();
        for (int i = 0; i < checks.size(); i++) {
            String where = at + ".checks[" + i + "]";
            Check c = checks.get(i);
            if (c == null) throw new Yaml.Invalid(where, "empty check (expected a mapping with 'kind:' and its keys)");
            if (!Plan.REMOTE_KINDS.contains(c.getClass())) {
                throw new Yaml.Invalid(where + ".kind", "'" + Check.kind(c) + "' checks this machine, not the host; a gate takes http, tcp or command"
                        + " (or put the test in '" + at + ".command:', which runs on the host)");
            }
            try {
                substitute(c, PLACEHOLDER).probe(where, timeout);         // valid for any host
            } catch (Yaml.Invalid e) {
                throw new Yaml.Invalid(e.path, e.getMessage().replace(PLACEHOLDER, "{host}"));
            }
        }
        return new Gates(at, g.command(), List.copyOf(checks), timeout, within, interval);
    }

    /** What {host} stands for while a plan is validated (a name that is valid wherever a host name is). */
    private static final String PLACEHOLDER = "rollout-host.invalid";

    public boolean empty() { return command == null && checks.isEmpty(); }

    public String command() { return command; }

    /** "systemctl is-active app (on the host); http http://{host}:8080/health; retried for up to 30s" */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (command != null) parts.add(command + " (on the host)");
        for (int i = 0; i < checks.size(); i++) {
            Check c = substitute(checks.get(i), PLACEHOLDER);
            parts.add(Check.kind(c) + " " + (c.name() != null ? c.name() : c.probe(at, timeout).name()).replace(PLACEHOLDER, "{host}"));
        }
        return String.join("; ", parts) + (within.isZero() ? "" : "; retried for up to " + cli.Durations.format(within.toMillis()));
    }

    /** Runs the gate once for {@code host}: the remote command through {@code remote} (null: passed, else why not), then the checks. */
    public Verdict once(String host, Function<String, String> remote) {
        List<String> failed = new ArrayList<>();
        if (command != null) {
            String why = remote.apply(command);
            if (why != null) failed.add(at + ".command: " + why);
        }
        for (int i = 0; i < checks.size(); i++) {
            Check c = substitute(checks.get(i), host);
            var probe = c.probe(at + ".checks[" + i + "]", timeout);
            Task t = new Task(i, c, Check.kind(c), c.name() != null ? c.name() : probe.name(), at, check.Status.CRIT, probe);
            Result r = t.run(null);                                    // http, tcp and command read no local facts
            if (r.status() == check.Status.CRIT || r.status() == check.Status.NOT_RUN) {
                failed.add(r.name() + ": " + (r.detail() != null ? r.detail() : r.value()));
            }
        }
        return new Verdict(failed.isEmpty(), String.join("; ", failed));
    }

    /**
     * Runs the gate until it passes or {@code within} has passed (every {@code interval});
     * the last verdict. {@code stop} ends the waiting early (the run is stopping).
     */
    public Verdict until(String host, Function<String, String> remote, java.util.function.BooleanSupplier stop) {
        long end = System.nanoTime() + within.toNanos();
        while (true) {
            Verdict v = once(host, remote);
            if (v.passed() || System.nanoTime() + interval.toNanos() > end || stop.getAsBoolean()) return v;
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return v;
            }
        }
    }

    // ---- {host} in a check's text ----------------------------------------------------------------

    /** A copy of the record {@code c} with "{host}" replaced in every string, list and map inside it. */
    @SuppressWarnings("unchecked")
    static <T> T substitute(T c, String host) {
        return (T) replace(c, host);
    }

    private static Object replace(Object v, String host) {
        if (v instanceof String s) return s.replace("{host}", host);
        if (v instanceof List<?> l) return l.stream().map(x -> replace(x, host)).toList();
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(k, replace(x, host)));
            return out;
        }
        if (v != null && v.getClass().isRecord()) {
            RecordComponent[] parts = v.getClass().getRecordComponents();
            Object[] values = new Object[parts.length];
            Class<?>[] types = new Class<?>[parts.length];
            try {
                for (int i = 0; i < parts.length; i++) {
                    var acc = parts[i].getAccessor();
                    acc.setAccessible(true);
                    values[i] = replace(acc.invoke(v), host);
                    types[i] = parts[i].getType();
                }
                var ctor = v.getClass().getDeclaredConstructor(types);
                ctor.setAccessible(true);
                return ctor.newInstance(values);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot copy " + v.getClass().getSimpleName() + " for {host}: " + e, e);
            }
        }
        return v;
    }
}
