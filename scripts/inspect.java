//usr/bin/true; exec "$(dirname "$(readlink -f "$0")")/../jbang" "$0" "$@"
//JAVA 21+
//JAVA_OPTIONS -XX:+UseSerialGC -XX:-UsePerfData -XX:TieredStopAtLevel=1 -Xss512k --enable-native-access=ALL-UNNAMED
//SOURCES ../lib/cli/Durations.java ../lib/cli/Errors.java ../lib/cli/Exit.java ../lib/cli/InputError.java
//SOURCES ../lib/cli/Patterns.java ../lib/cli/Sizes.java ../lib/cli/Terminal.java ../lib/cli/Tool.java
//SOURCES ../lib/host/Facts.java ../lib/host/Mounts.java ../lib/net/Addresses.java ../lib/net/Http.java
//SOURCES ../lib/net/HttpCheck.java ../lib/net/HttpSpec.java ../lib/net/StatusSet.java ../lib/net/Tcp.java
//SOURCES ../lib/net/Urls.java ../lib/report/Column.java ../lib/report/Format.java ../lib/report/Prom.java
//SOURCES ../lib/report/Report.java ../lib/report/Table.java ../lib/run/NotRun.java ../lib/run/Runner.java
//SOURCES ../lib/yaml/Yaml.java

/*
 * inspect -- run a check plan and write the report (the daily inspection run)
 *
 * What it does: reads a YAML plan of checks, rejects it whole if anything in it is wrong (file:line:col
 * and what was expected), then runs every check and reports OK, WARN or CRIT for each, with the
 * measured value and the threshold, grouped, ending with a summary line. Kinds: tcp (host:port
 * connects), http (status, body, latency, certificate expiry), process (running by name or command-
 * line regex, count, RSS), disk (use %, inode %, free space of a mount point), memory, load, command
 * (a local command's exit code, output and a number it prints) and file (exists, age, size).
 * --alert-webhook POSTs the WARN/CRIT results as JSON after the report is printed.
 *
 * When to use it: the daily or hourly inspection of a box from cron or a runbook (`--format md`
 * to paste into the team chat, `--format prom` for node_exporter's textfile collector), and after
 * a change ("is everything on this box as it should be?"). `--validate` checks a plan in CI.
 *
 * What it costs: one TCP connection or HTTP request per tcp/http check (and one untimed warm-up
 * request to the first http and the first https check's URL); one read of /proc for all
 * process checks together; one statvfs per disk check; a stat per file check; and whatever the
 * plan's commands cost (they run as the invoking user, at most --concurrency checks at a time).
 */

import cli.Durations;
import cli.Errors;
import cli.Exit;
import cli.InputError;
import cli.Patterns;
import cli.Sizes;
import cli.Terminal;
import cli.Tool;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import host.Facts;
import host.Mounts;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.Addresses;
import net.Http;
import net.HttpCheck;
import net.HttpSpec;
import net.StatusSet;
import net.Tcp;
import net.Urls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import report.Column;
import report.Format;
import report.Prom;
import report.Report;
import report.Table;
import run.NotRun;
import run.Runner;
import yaml.Yaml;

@Command(name = "inspect", mixinStandardHelpOptions = true, version = "inspect (ops) 0.1", sortOptions = false,
        description = {
            "Run a YAML check plan on this host; report OK, WARN or CRIT per check, grouped.",
            "Kinds: tcp, http, process, disk, memory, load, command, file. A plan with any",
            "mistake is rejected before anything runs, with file:line:col and what was expected."},
        footer = {
            "%nA plan ('checks' is required; see examples/inspect.yaml):",
            "  title: db-01 daily inspection",
            "  defaults: {timeout: 5s}            # for tcp, http and command checks",
            "  checks:",
            "    - {kind: tcp, host: 127.0.0.1, port: 5432, latency: {warn: 100ms}}",
            "    - kind: http",
            "      url: https://127.0.0.1:8443/health",
            "      expect: 200-299",
            "      body_match: UP",
            "      latency: {warn: 300ms, crit: 2s}",
            "      cert_expiry: {warn: 14d, crit: 3d}",
            "    - {kind: process, process: postgres, count: {min: 1, max: 50}}",
            "    - {kind: process, regex: 'java .*-jar app\\.jar', rss: {warn: 2G}}",
            "    - {kind: disk, mount: /var/lib/pg, used: {warn: 80%%, crit: 90%%}}",
            "    - {kind: memory, used: {warn: 90%%, crit: 95%%}, swap: {warn: 50%%}}",
            "    - {kind: load, load5: {warn: 1.5, crit: 3}, per_cpu: true}",
            "    - {kind: command, run: 'pg_isready -q', exit: 0, timeout: 10s}",
            "    - {kind: command, run: [redis-cli, llen, jobs], value: {warn: 1000}}",
            "    - {kind: file, path: /backup/db.dump, age: {crit: 50h}, min_size: 1M}",
            "%nThresholds: WARN when the value reaches warn, CRIT when it reaches crit",
            "(falls to them for cert_expiry, free and available). Every check also takes",
            "name, group, and severity: warn|crit, what a failure that is not a threshold",
            "(refused, missing, wrong exit code) counts as (default crit).",
            "Defaults for keys not given: disk used and inodes 80%%/90%%; memory used",
            "90%%/95%%; process count min 1; http expect 200-399, cert_expiry 14d/3d;",
            "command exit 0; timeout 10s.",
            "%nExamples:",
            "  inspect plan.yaml",
            "  inspect plan.yaml --format md --only-failed      # for the incident chat",
            "  inspect plan.yaml --alert-webhook-env OPS_HOOK   # POST WARN/CRIT results",
            "  inspect plan.yaml --format prom > /var/lib/node_exporter/textfile/i.prom",
            "  inspect --validate plan.yaml                     # check the plan, in CI",
            "%nExit codes:%n"
                    + "  0  every check OK%n"
                    + "  1  a check is WARN, CRIT or not run (a failed webhook only warns)%n"
                    + "  2  bad usage or a bad plan (nothing was run)%n"
                    + "  3  the tool itself failed (see stderr)%n"
                    + "  130/143  interrupted (results so far are printed, the rest not-run)%n"})
public class inspect implements Callable<Integer> {

    @Parameters(paramLabel = "PLAN", arity = "1", description = "The YAML check plan.")
    Path planFile;

    @Option(names = {"-o", "--format"}, paramLabel = "FORMAT", defaultValue = "table",
            converter = Format.Checks.class, completionCandidates = Format.Checks.class,
            description = "table, md (GitHub/Mattermost), slack (a code block), json or prom (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--wide", description = "Table: show details in full (default: cut to fit 120 columns).")
    boolean wide;

    @Option(names = "--only-failed", description = "Show only WARN, CRIT and not-run checks (the summary still counts all).")
    boolean onlyFailed;

    @Option(names = "--validate", description = "Check the plan and list its checks; run nothing.")
    boolean validateOnly;

    @Option(names = "--alert-webhook", paramLabel = "URL",
            description = "After the report, POST the WARN/CRIT results as JSON to URL (only when there are any).")
    String webhook;

    @Option(names = "--alert-webhook-env", paramLabel = "VAR",
            description = "Like --alert-webhook, with the URL read from environment variable VAR (keeps a secret URL out of argv).")
    String webhookEnv;

    @Option(names = "--webhook-timeout", paramLabel = "DURATION", defaultValue = "5s", converter = Durations.Converter.class,
            description = "Per webhook attempt; a failed attempt is retried once after 1s (default: ${DEFAULT-VALUE}).")
    Duration webhookTimeout;

    @Option(names = {"-c", "--concurrency"}, paramLabel = "N", defaultValue = "8",
            description = "Checks running at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--deadline", paramLabel = "DURATION", defaultValue = "5m", converter = Durations.Converter.class,
            description = "Global deadline; checks not finished by then are reported not-run (default: ${DEFAULT-VALUE}).")
    Duration deadline;

    public static void main(String... args) {
        Tool.main(new inspect(), args);
    }

    // ---- the plan, as written in YAML ---------------------------------------------------------------

    record Plan(String title, Defaults defaults, List<Check> checks) {}

    record Defaults(Duration timeout) {}

    /** Thresholds: WARN when the value reaches warn, CRIT when it reaches crit (or falls to them, for "lower is worse"). */
    @Yaml.Expect("thresholds like {warn: 80, crit: 90} (either or both)")
    record Limit<T>(T warn, T crit) {}

    @Yaml.Expect("a range like {min: 1, max: 4}")
    record Count(Integer min, Integer max) {}

    enum Severity { warn, crit }

    /** A command: text runs with /bin/sh -c; a list runs as it is, without a shell. */
    record Argv(List<String> argv, String text) {
        @JsonCreator static Argv of(Object v) {
            if (v instanceof Boolean || v instanceof Number) v = String.valueOf(v);      // run: true (YAML reads it as a boolean)
            if (v instanceof String s && !s.isBlank()) return new Argv(List.of("/bin/sh", "-c", s), s);
            if (v instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(x -> x instanceof String || x instanceof Number)) {
                List<String> argv = l.stream().map(String::valueOf).toList();
                return new Argv(argv, String.join(" ", argv));
            }
            throw new IllegalArgumentException("expected a command: text for /bin/sh -c, or a list like [systemctl, is-active, nginx]");
        }
    }

    /** Expected exit codes: one number or a list of them. */
    record ExitCodes(List<Integer> codes) {
        @JsonCreator static ExitCodes of(Object v) {
            List<?> l = v instanceof List<?> list ? list : List.of(v);
            List<Integer> codes = new ArrayList<>();
            for (Object o : l) {
                if (!(o instanceof Integer i) || i < 0 || i > 255) {
                    throw new IllegalArgumentException("expected an exit code 0-255 or a list of them, got " + (o instanceof String ? "'" + o + "'" : o));
                }
                codes.add(i);
            }
            if (codes.isEmpty()) throw new IllegalArgumentException("expected an exit code 0-255 or a list of them, got an empty list");
            return new ExitCodes(codes);
        }
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({
        @JsonSubTypes.Type(value = Check.Tcp.class, name = "tcp"),
        @JsonSubTypes.Type(value = Check.Http.class, name = "http"),
        @JsonSubTypes.Type(value = Check.Proc.class, name = "process"),
        @JsonSubTypes.Type(value = Check.Disk.class, name = "disk"),
        @JsonSubTypes.Type(value = Check.Memory.class, name = "memory"),
        @JsonSubTypes.Type(value = Check.Load.class, name = "load"),
        @JsonSubTypes.Type(value = Check.Cmd.class, name = "command"),
        @JsonSubTypes.Type(value = Check.FileCheck.class, name = "file")})
    sealed interface Check {
        String name();
        String group();
        Severity severity();

        record Tcp(String name, String group, Severity severity, String host, Integer port, Duration timeout,
                   Limit<Duration> latency) implements Check {}

        record Http(String name, String group, Severity severity, String url, String method, String expect, String bodyMatch,
                    Map<String, String> headers, Boolean follow, Boolean insecure, Path cacert, Duration timeout,
                    Yaml.Size maxBody, Limit<Duration> latency, Limit<Duration> certExpiry) implements Check {}

        record Proc(String name, String group, Severity severity, String process, String regex, String user, Count count,
                    Limit<Yaml.Size> rss) implements Check {}

        record Disk(String name, String group, Severity severity, String mount, Limit<Yaml.Percent> used,
                    Limit<Yaml.Percent> inodes, Limit<Yaml.Size> free) implements Check {}

        record Memory(String name, String group, Severity severity, Limit<Yaml.Percent> used, Limit<Yaml.Percent> swap,
                      Limit<Yaml.Size> available) implements Check {}

        record Load(String name, String group, Severity severity, Limit<Double> load1, Limit<Double> load5,
                    Limit<Double> load15, Boolean perCpu) implements Check {}

        record Cmd(String name, String group, Severity severity, Argv run, ExitCodes exit, String outputMatch,
                   Limit<Double> value, Duration timeout) implements Check {}

        record FileCheck(String name, String group, Severity severity, String path, Boolean exists, Limit<Duration> age,
                         Limit<Yaml.Size> size, Yaml.Size minSize) implements Check {}
    }

    static String kind(Check c) {
        return switch (c) {
            case Check.Tcp t -> "tcp";
            case Check.Http h -> "http";
            case Check.Proc p -> "process";
            case Check.Disk d -> "disk";
            case Check.Memory m -> "memory";
            case Check.Load l -> "load";
            case Check.Cmd x -> "command";
            case Check.FileCheck f -> "file";
        };
    }

    // ---- validation: everything about the plan is checked before anything runs ------------------------

    /** A check ready to run: the plan's entry plus what validation worked out (name, group, parsed parts). */
    record Task(int index, Check check, String name, String group, Level severity, Duration timeout,
                Pattern regex, HttpSpec http, URI url) {}

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** Every check of the plan, or an InputError listing every problem found (one line each, in file order). */
    static List<Task> validate(Yaml.Doc<Plan> doc) {
        Plan plan = doc.value();
        if (plan.checks() == null || plan.checks().isEmpty()) {
            throw new Yaml.Invalid("checks", "the plan has no checks (expected a list under 'checks:')");
        }
        Duration defaultTimeout = DEFAULT_TIMEOUT;
        if (plan.defaults() != null && plan.defaults().timeout() != null) {
            defaultTimeout = positive("defaults.timeout", plan.defaults().timeout());
        }
        List<Task> tasks = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < plan.checks().size(); i++) {
            if (doc.errors().containsKey(i)) continue;                   // could not be read: its error is already there
            Check c = plan.checks().get(i);
            String at = "checks[" + i + "]";
            try {
                if (c == null) throw new Yaml.Invalid(at, "empty check (expected a mapping with 'kind:' and its keys)");
                Task t = validate(c, i, at, defaultTimeout);
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

    private static Task validate(Check c, int i, String at, Duration defaultTimeout) {
        if (c.name() != null && c.name().isBlank()) throw new Yaml.Invalid(at + ".name", "empty name");
        Level severity = c.severity() == Severity.warn ? Level.WARN : Level.CRIT;
        Pattern regex = null;
        HttpSpec spec = null;
        URI url = null;
        Duration timeout = defaultTimeout;
        String name;
        switch (c) {
            case Check.Tcp t -> {
                String host = required(at, "host", t.host());
                int port = port(at + ".port", t.port());
                timeout = t.timeout() == null ? timeout : positive(at + ".timeout", t.timeout());
                above(at + ".latency", t.latency(), Duration::toMillis);
                name = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
            }
            case Check.Http h -> {
                url = url(at + ".url", required(at, "url", h.url()));
                String method = h.method() == null ? "GET" : h.method().toUpperCase(Locale.ROOT);
                if (!method.matches("[A-Z]+")) throw new Yaml.Invalid(at + ".method", "'" + h.method() + "' is not an HTTP method");
                if (List.of("CONNECT", "TRACE").contains(method)) {
                    throw new Yaml.Invalid(at + ".method", method + " is not a health check (use GET, HEAD, or the method your endpoint serves)");
                }
                if (h.headers() != null) {
                    for (var e : h.headers().entrySet()) {
                        String where = at + ".headers." + e.getKey();
                        if (!e.getKey().matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) throw new Yaml.Invalid(where, "'" + e.getKey() + "' is not a header name");
                        if (e.getValue() == null || e.getValue().chars().anyMatch(ch -> ch == '\r' || ch == '\n' || ch == 0)) {
                            throw new Yaml.Invalid(where, "a header value is one line (no CR, LF or NUL)");
                        }
                        if (List.of("content-length", "connection", "transfer-encoding").contains(e.getKey().toLowerCase(Locale.ROOT))) {
                            throw new Yaml.Invalid(where, e.getKey() + " is set by inspect itself (a Host header is fine: it names a virtual host)");
                        }
                    }
                }
                StatusSet expect;
                try {
                    expect = StatusSet.parse(h.expect() == null ? "200-399" : h.expect());
                } catch (IllegalArgumentException e) {
                    throw new Yaml.Invalid(at + ".expect", e.getMessage());
                }
                Pattern body = h.bodyMatch() == null ? null : regex(at + ".body_match", h.bodyMatch());
                if (body != null && method.equals("HEAD")) throw new Yaml.Invalid(at + ".body_match", "needs a body, and HEAD has none");
                if (Boolean.TRUE.equals(h.insecure()) && h.cacert() != null) {
                    throw new Yaml.Invalid(at + ".insecure", "insecure: true and cacert contradict each other; pick one");
                }
                if (h.cacert() != null && !Files.isRegularFile(h.cacert())) throw new Yaml.Invalid(at + ".cacert", h.cacert() + ": no such file");
                timeout = h.timeout() == null ? timeout : positive(at + ".timeout", h.timeout());
                above(at + ".latency", h.latency(), Duration::toMillis);
                below(at + ".cert_expiry", h.certExpiry(), Duration::toMillis);
                long maxBody = h.maxBody() == null ? 1 << 20 : h.maxBody().bytes();
                spec = new HttpSpec(method, expect, body, h.headers() == null ? Map.of() : h.headers(), null, null, timeout, maxBody);
                name = url.toString();
            }
            case Check.Proc p -> {
                if ((p.process() == null) == (p.regex() == null)) {
                    throw new Yaml.Invalid(at, "give either 'process:' (the exact process name) or 'regex:' (matched against the command line), not "
                            + (p.process() == null ? "neither" : "both"));
                }
                if (p.regex() != null) regex = regex(at + ".regex", p.regex());
                if (p.count() != null) {
                    Count n = p.count();
                    if (n.min() == null && n.max() == null) throw new Yaml.Invalid(at + ".count", "give min, max or both");
                    if (n.min() != null && n.min() < 0) throw new Yaml.Invalid(at + ".count.min", "must be 0 or more");
                    if (n.max() != null && n.max() < 0) throw new Yaml.Invalid(at + ".count.max", "must be 0 or more");
                    if (n.min() != null && n.max() != null && n.min() > n.max()) {
                        throw new Yaml.Invalid(at + ".count", "min " + n.min() + " is above max " + n.max());
                    }
                }
                above(at + ".rss", p.rss(), Yaml.Size::bytes);
                name = "process " + (p.process() != null ? p.process() : "/" + p.regex() + "/") + (p.user() == null ? "" : " (" + p.user() + ")");
            }
            case Check.Disk d -> {
                String mount = required(at, "mount", d.mount());
                if (!mount.startsWith("/")) throw new Yaml.Invalid(at + ".mount", "'" + mount + "' is not an absolute path (expected a mount point like /var)");
                above(at + ".used", d.used(), Yaml.Percent::value);
                above(at + ".inodes", d.inodes(), Yaml.Percent::value);
                below(at + ".free", d.free(), Yaml.Size::bytes);
                name = "disk " + mount;
            }
            case Check.Memory m -> {
                above(at + ".used", m.used(), Yaml.Percent::value);
                above(at + ".swap", m.swap(), Yaml.Percent::value);
                below(at + ".available", m.available(), Yaml.Size::bytes);
                name = "memory";
            }
            case Check.Load l -> {
                if (l.load1() == null && l.load5() == null && l.load15() == null) {
                    throw new Yaml.Invalid(at, "a load check needs thresholds for load1, load5 or load15, e.g. load5: {warn: 4, crit: 8}");
                }
                above(at + ".load1", l.load1(), Double::doubleValue);
                above(at + ".load5", l.load5(), Double::doubleValue);
                above(at + ".load15", l.load15(), Double::doubleValue);
                name = "load";
            }
            case Check.Cmd x -> {
                if (x.run() == null) throw new Yaml.Invalid(at + ".run", "missing (expected the command to run)");
                if (x.outputMatch() != null) regex = regex(at + ".output_match", x.outputMatch());
                above(at + ".value", x.value(), Double::doubleValue);
                timeout = x.timeout() == null ? timeout : positive(at + ".timeout", x.timeout());
                name = "command " + (x.run().text().length() > 40 ? x.run().text().substring(0, 37) + "..." : x.run().text());
            }
            case Check.FileCheck f -> {
                String path = required(at, "path", f.path());
                if (path.indexOf('\0') >= 0) throw new Yaml.Invalid(at + ".path", "a path cannot hold a NUL character");
                if (!path.startsWith("/")) {
                    throw new Yaml.Invalid(at + ".path", "'" + path + "' is not an absolute path (a relative one would depend on where inspect runs)");
                }
                if (Boolean.FALSE.equals(f.exists()) && (f.age() != null || f.size() != null || f.minSize() != null)) {
                    throw new Yaml.Invalid(at + ".exists", "exists: false contradicts age/size thresholds (they need the file)");
                }
                above(at + ".age", f.age(), Duration::toMillis);
                above(at + ".size", f.size(), Yaml.Size::bytes);
                name = (Boolean.FALSE.equals(f.exists()) ? "no file " : "file ") + path;
            }
        }
        String group = c.group() != null ? c.group() : switch (c) {
            case Check.Tcp t -> "services";
            case Check.Http h -> "services";
            case Check.Proc p -> "processes";
            case Check.Cmd x -> "commands";
            case Check.FileCheck f -> "files";
            default -> "system";
        };
        return new Task(i, c, c.name() != null ? c.name() : name, group, severity, timeout, regex, spec, url);
    }

    private static String required(String at, String key, String value) {
        if (value == null || value.isBlank()) throw new Yaml.Invalid(at + "." + key, "missing (a " + "'" + key + ":' is required here)");
        return value.strip();
    }

    private static int port(String at, Integer port) {
        if (port == null) throw new Yaml.Invalid(at, "missing (expected a port number 1-65535)");
        if (port < 1 || port > 65535) throw new Yaml.Invalid(at, "port " + port + " is out of range (expected 1-65535)");
        return port;
    }

    private static Duration positive(String at, Duration d) {
        if (d.isZero() || d.isNegative()) throw new Yaml.Invalid(at, "must be more than 0");
        return d;
    }

    private static Pattern regex(String at, String text) {
        try {
            return Patterns.compile(text);
        } catch (IllegalArgumentException e) {
            throw new Yaml.Invalid(at, e.getMessage() + " of '" + text + "'");
        }
    }

    private static URI url(String at, String text) {
        try {
            return Urls.http(text);
        } catch (IllegalArgumentException e) {
            throw new Yaml.Invalid(at, e.getMessage());
        }
    }

    /** Higher is worse: warn must not be above crit. */
    private static <T> void above(String at, Limit<T> l, ToDoubleFunction<T> num) {
        if (l == null) return;
        if (l.warn() == null && l.crit() == null) throw new Yaml.Invalid(at, "give warn, crit or both");
        if (l.warn() != null && l.crit() != null && num.applyAsDouble(l.warn()) > num.applyAsDouble(l.crit())) {
            throw new Yaml.Invalid(at, "warn " + show(l.warn()) + " is above crit " + show(l.crit()) + " (higher is worse here, so warn comes first)");
        }
    }

    /** Lower is worse: warn must not be below crit. */
    private static <T> void below(String at, Limit<T> l, ToDoubleFunction<T> num) {
        if (l == null) return;
        if (l.warn() == null && l.crit() == null) throw new Yaml.Invalid(at, "give warn, crit or both");
        if (l.warn() != null && l.crit() != null && num.applyAsDouble(l.warn()) < num.applyAsDouble(l.crit())) {
            throw new Yaml.Invalid(at, "warn " + show(l.warn()) + " is below crit " + show(l.crit()) + " (lower is worse here, so warn comes first)");
        }
    }

    // ---- running checks -------------------------------------------------------------------------------

    enum Level { OK, WARN, CRIT }

    /** What one check found: its level, what was measured against which threshold, and why it is not OK. */
    static final class Outcome {
        Level level = Level.OK;
        final List<String> values = new ArrayList<>(), limits = new ArrayList<>(), problems = new ArrayList<>();
        final List<Map<String, Object>> measures = new ArrayList<>();
        String note;

        void fail(Level l, String problem) {
            if (l.compareTo(level) > 0) level = l;
            problems.add(problem);
        }

        void value(String text) { values.add(text); }

        void expect(String text) { limits.add(text); }

        /** A measured value against thresholds, higher (or, with {@code lowerIsWorse}, lower) being worse. */
        <T> void measure(String label, double value, String unit, String shown, Limit<T> l, ToDoubleFunction<T> num, boolean lowerIsWorse) {
            Level at = Level.OK;
            String op = lowerIsWorse ? "<=" : ">=";
            if (l != null) {
                if (l.crit() != null && reached(value, num.applyAsDouble(l.crit()), lowerIsWorse)) at = Level.CRIT;
                else if (l.warn() != null && reached(value, num.applyAsDouble(l.warn()), lowerIsWorse)) at = Level.WARN;
                List<String> parts = new ArrayList<>();
                if (l.warn() != null) parts.add("warn " + op + show(l.warn()));
                if (l.crit() != null) parts.add("crit " + op + show(l.crit()));
                limits.add(label + " " + String.join(" ", parts));
                if (at != Level.OK) {
                    fail(at, label + " " + shown + " reached " + at.name().toLowerCase(Locale.ROOT) + " " + op + show(at == Level.CRIT ? l.crit() : l.warn()));
                }
            }
            values.add(label + " " + shown);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", label);
            m.put("value", value);
            m.put("unit", unit);
            m.put("warn", l == null || l.warn() == null ? null : num.applyAsDouble(l.warn()));
            m.put("crit", l == null || l.crit() == null ? null : num.applyAsDouble(l.crit()));
            m.put("lower_is_worse", lowerIsWorse);
            m.put("status", at.name().toLowerCase(Locale.ROOT));
            measures.add(m);
        }

        private static boolean reached(double value, double limit, boolean lowerIsWorse) {
            return lowerIsWorse ? value <= limit : value >= limit;
        }
    }

    static String show(Object v) {
        if (v instanceof Duration d) return Durations.format(d.toMillis());
        if (v instanceof Double d) return d == Math.rint(d) ? String.valueOf(d.longValue()) : String.valueOf(d);
        return String.valueOf(v);
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", v);
    }

    /** What the local checks read, once per run however many checks ask (each under its own lock). */
    static final class Local {
        private final Facts facts = new Facts();
        private final Object processLock = new Object(), memoryLock = new Object();
        private List<Map<String, Object>> processes;
        private Map<String, Object> memory;

        List<Map<String, Object>> processes() {
            synchronized (processLock) {
                if (processes == null) processes = facts.processes(null);
                return processes;
            }
        }

        Map<String, Object> memory() {
            synchronized (memoryLock) {
                if (memory == null) memory = facts.memory();
                return memory;
            }
        }
    }

    static Map<String, Object> run(Task t, Local local) {
        long t0 = System.nanoTime();
        Outcome o = new Outcome();
        try {
            switch (t.check()) {
                case Check.Tcp c -> tcp(t, c, o);
                case Check.Http c -> http(t, c, o);
                case Check.Proc c -> process(t, c, o, local);
                case Check.Disk c -> disk(t, c, o);
                case Check.Memory c -> memory(c, o, local);
                case Check.Load c -> load(c, o, local);
                case Check.Cmd c -> command(t, c, o);
                case Check.FileCheck c -> file(t, c, o);
            }
        } catch (IOException | RuntimeException e) {
            o.fail(t.severity(), "could not check: " + Errors.message(e, e.getClass().getSimpleName()));
        }
        Map<String, Object> row = row(t, o.level.name().toLowerCase(Locale.ROOT));
        row.put("value", o.values.isEmpty() ? null : String.join(", ", o.values));
        row.put("threshold", o.limits.isEmpty() ? null : String.join("; ", o.limits));
        row.put("detail", !o.problems.isEmpty() ? String.join("; ", o.problems) : o.note);
        row.put("measures", o.measures);
        row.put("elapsed_ms", (System.nanoTime() - t0) / 1_000_000);
        return row;
    }

    static Map<String, Object> row(Task t, String status) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", t.name());
        row.put("kind", kind(t.check()));
        row.put("group", t.group());
        row.put("status", status);
        return row;
    }

    static Map<String, Object> notRun(Task t, NotRun why) {
        Map<String, Object> row = row(t, "not-run");
        row.put("detail", why.text());
        return row;
    }

    private static void tcp(Task t, Check.Tcp c, Outcome o) {
        long timeoutMs = t.timeout().toMillis();
        InetAddress addr;
        try {
            addr = InetAddress.getByName(c.host().strip());
        } catch (UnknownHostException e) {
            o.value("unresolved");
            o.fail(t.severity(), "cannot resolve " + c.host());
            return;
        }
        o.expect("connect within " + Durations.format(timeoutMs));
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(addr, c.port()), (int) Math.min(Integer.MAX_VALUE, timeoutMs));
        } catch (IOException e) {
            Tcp.Failure f = Tcp.connectFailure(e, timeoutMs);
            o.value(f.status());
            o.fail(t.severity(), f.detail() + " (" + Addresses.format(addr) + ":" + c.port() + ")");
            return;
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        o.measure("connect", ms, "ms", String.format(Locale.ROOT, "%.1fms", ms), c.latency(), Duration::toMillis, false);
        o.note = "connected to " + Addresses.format(addr) + ":" + c.port();
    }

    /**
     * Before any timed check: one loopback connect of our own (for tcp checks), and one untimed
     * request to the first http and the first https check's URL (it costs that endpoint one extra
     * request), so no latency measured is the JVM loading its network and TLS code.
     */
    static void warmUp(List<Task> tasks) {
        Tcp.warmUp();
        java.util.Set<String> schemes = new java.util.HashSet<>();
        for (Task t : tasks) {
            if (t.check() instanceof Check.Http c && schemes.add(t.url().getScheme().toLowerCase(Locale.ROOT))) {
                HttpCheck.warmUp(Http.client(Boolean.TRUE.equals(c.follow()), Boolean.TRUE.equals(c.insecure()), c.cacert(), t.timeout()),
                        t.url(), t.http());
            }
        }
    }

    private static void http(Task t, Check.Http c, Outcome o) {
        Http.Client client = Http.client(Boolean.TRUE.equals(c.follow()), Boolean.TRUE.equals(c.insecure()), c.cacert(), t.timeout());
        Map<String, Object> r = HttpCheck.check(client, t.url(), t.http());
        o.expect("status " + t.http().expected().text());
        if (r.get("code") != null) o.value("HTTP " + r.get("code"));
        else o.value((String) r.get("status"));
        if (!Report.isOk(r)) o.fail(t.severity(), (String) r.get("error"));
        if (r.get("latency_ms") instanceof Double ms) {
            o.measure("latency", ms, "ms", String.format(Locale.ROOT, "%.1fms", ms), c.latency(), Duration::toMillis, false);
        }
        if (r.get("tls_days_left") instanceof Double days && days >= 0) {
            Limit<Duration> certLimit = c.certExpiry() != null ? c.certExpiry() : new Limit<>(Duration.ofDays(14), Duration.ofDays(3));
            o.measure("cert", days * 86_400_000, "ms", String.format(Locale.ROOT, "%.1fd left", days), certLimit, Duration::toMillis, true);
        }
        o.note = r.get("final_url") != null ? "redirected to " + r.get("final_url") : (r.get("body_bytes") + " bytes of body read");
    }

    private static void process(Task t, Check.Proc c, Outcome o, Local local) {
        long self = ProcessHandle.current().pid();
        List<Map<String, Object>> found = new ArrayList<>();
        for (var p : local.processes()) {
            if (((Number) p.get("pid")).longValue() == self) continue;          // our own command line may mention it
            if (c.user() != null && !c.user().equals(p.get("user"))) continue;
            String command = (String) p.get("command");
            boolean match = c.process() != null
                    ? c.process().equals(p.get("name")) || c.process().equals(argv0(command))
                    : t.regex().matcher(command).find();
            if (match) found.add(p);
        }
        int min = c.count() == null || c.count().min() == null ? (c.count() == null || c.count().max() == null ? 1 : 0) : c.count().min();
        Integer max = c.count() == null ? null : c.count().max();
        o.value(found.size() + " running");
        o.expect("count " + (max == null ? ">=" + min : min + "-" + max));
        if (found.size() < min) o.fail(t.severity(), found.size() + " running, expected at least " + min);
        if (max != null && found.size() > max) o.fail(t.severity(), found.size() + " running, expected at most " + max);
        if (!found.isEmpty()) {
            Map<String, Object> biggest = found.get(0);
            for (var p : found) if ((Long) p.get("rss_bytes") > (Long) biggest.get("rss_bytes")) biggest = p;
            long rss = (Long) biggest.get("rss_bytes");
            o.measure("rss", rss, "bytes", Sizes.format(rss) + " (pid " + biggest.get("pid") + ")", c.rss(), Yaml.Size::bytes, false);
            List<String> pids = found.stream().limit(5).map(p -> String.valueOf(p.get("pid"))).toList();
            o.note = "pid " + String.join(", ", pids) + (found.size() > 5 ? ", ..." : "");
        }
    }

    /** The program name of a command line: "/usr/sbin/nginx -g ..." -> "nginx". */
    private static String argv0(String command) {
        String first = command.split(" ", 2)[0];
        return first.substring(first.lastIndexOf('/') + 1);
    }

    private static void disk(Task t, Check.Disk c, Outcome o) throws IOException {
        Map<String, Object> fs = Mounts.mount(c.mount());
        if (fs == null) {
            o.value("not mounted");
            o.fail(t.severity(), c.mount() + " is not a mount point (its files are on " + Mounts.mountOf(c.mount()) + ")");
            return;
        }
        Limit<Yaml.Percent> dflt = new Limit<>(new Yaml.Percent(80), new Yaml.Percent(90));
        double used = (Double) fs.get("used_pct");
        o.measure("used", used, "%", pct(used), c.used() != null ? c.used() : dflt, Yaml.Percent::value, false);
        if (fs.get("inodes_used_pct") instanceof Double iused) {
            o.measure("inodes", iused, "%", pct(iused), c.inodes() != null ? c.inodes() : dflt, Yaml.Percent::value, false);
        } else {
            o.note = fs.get("type") + " reports no inode counts";
        }
        long free = (Long) fs.get("free_bytes");
        if (c.free() != null) o.measure("free", free, "bytes", Sizes.format(free), c.free(), Yaml.Size::bytes, true);
        if (o.note == null) o.note = fs.get("device") + " (" + fs.get("type") + "), " + Sizes.format(free) + " free of " + Sizes.format((Long) fs.get("size_bytes"));
    }

    private static void memory(Check.Memory c, Outcome o, Local local) {
        Map<String, Object> m = local.memory();
        double used = (Double) m.get("used_pct");
        Limit<Yaml.Percent> usedLimit = c.used() != null ? c.used() : new Limit<>(new Yaml.Percent(90), new Yaml.Percent(95));
        o.measure("used", used, "%", pct(used), usedLimit, Yaml.Percent::value, false);
        if (c.swap() != null) {
            if ((Long) m.get("swap_total_bytes") > 0) {
                double swap = (Double) m.get("swap_used_pct");
                o.measure("swap", swap, "%", pct(swap), c.swap(), Yaml.Percent::value, false);
            } else {
                o.value("swap none");
            }
        }
        long avail = (Long) m.get("available_bytes");
        if (c.available() != null) o.measure("available", avail, "bytes", Sizes.format(avail), c.available(), Yaml.Size::bytes, true);
        o.note = Sizes.format(avail) + " available of " + Sizes.format((Long) m.get("total_bytes"));
    }

    private static void load(Check.Load c, Outcome o, Local local) {
        double[] load = local.facts.loadAverage();
        int cpus = local.facts.logicalCpus();
        boolean perCpu = Boolean.TRUE.equals(c.perCpu());
        String[] labels = {"load1", "load5", "load15"};
        List<Limit<Double>> limits = java.util.Arrays.asList(c.load1(), c.load5(), c.load15());
        for (int i = 0; i < 3; i++) {
            if (limits.get(i) == null) continue;
            double v = perCpu ? load[i] / cpus : load[i];
            String shown = String.format(Locale.ROOT, perCpu ? "%.2f/cpu" : "%.2f", v);
            o.measure(labels[i], Math.round(v * 100) / 100.0, perCpu ? "per cpu" : "", shown, limits.get(i), Double::doubleValue, false);
        }
        o.note = String.format(Locale.ROOT, "load %.2f %.2f %.2f on %d cpus", load[0], load[1], load[2], cpus);
    }

    /** Output kept for output_match and value (the rest is read and dropped, so the command never blocks on a full pipe). */
    static final int COMMAND_OUTPUT_KEPT = 1 << 20;

    private static void command(Task t, Check.Cmd c, Outcome o) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(c.run().argv()).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            o.value("did not start");
            o.fail(t.severity(), "cannot run " + c.run().argv().get(0) + ": " + Errors.message(e, "start failed").replaceFirst("^Cannot run program \"[^\"]*\": ", ""));
            return;
        }
        long t0 = System.nanoTime();
        byte[][] out = new byte[1][];
        Thread reader = Thread.ofVirtual().start(() -> out[0] = drain(p.getInputStream()));
        boolean finished;
        try {
            finished = p.waitFor(t.timeout().toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) stop(p);
            reader.join(2000);
        } catch (InterruptedException e) {
            stop(p);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        String output = out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8);
        List<Integer> expected = c.exit() == null ? List.of(0) : c.exit().codes();
        String expectedText = String.join("|", expected.stream().map(String::valueOf).toList());
        o.expect("exit " + expectedText);
        if (!finished) {
            o.value("timeout");
            o.fail(t.severity(), "still running after " + Durations.format(t.timeout().toMillis()) + "; stopped it");
            return;
        }
        int code = p.exitValue();
        o.value("exit " + code);
        if (!expected.contains(code)) o.fail(t.severity(), "exit " + code + ", expected " + expectedText + firstLine(output));
        if (t.regex() != null) {
            o.expect("output ~ /" + t.regex().pattern() + "/");
            if (!t.regex().matcher(output).find()) o.fail(t.severity(), "output does not match /" + t.regex().pattern() + "/" + firstLine(output));
        }
        if (c.value() != null) {
            Matcher number = Pattern.compile("-?\\d+(?:\\.\\d+)?").matcher(output);
            if (number.find()) {
                double v = Double.parseDouble(number.group());
                o.measure("value", v, "", show(v), c.value(), Double::doubleValue, false);
            } else {
                o.fail(t.severity(), "no number in the output to compare with value thresholds" + firstLine(output));
            }
        }
        o.note = String.format(Locale.ROOT, "ran in %.0fms", ms) + firstLine(output);
    }

    private static String firstLine(String output) {
        String line = output.strip().lines().findFirst().orElse("");
        if (line.isEmpty()) return "";
        return ": " + (line.length() > 100 ? line.substring(0, 97) + "..." : line);
    }

    private static byte[] drain(InputStream in) {
        try (in) {
            var kept = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                if (kept.size() < COMMAND_OUTPUT_KEPT) kept.write(buf, 0, Math.min(n, COMMAND_OUTPUT_KEPT - kept.size()));
            }
            return kept.toByteArray();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** SIGTERM to the command and everything it started, then SIGKILL to whatever is left after 2s. */
    private static void stop(Process p) {
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        tree.add(p.toHandle());
        tree.forEach(ProcessHandle::destroy);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (ProcessHandle h : tree) {
            while (h.isAlive() && System.nanoTime() < end) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    break;
                }
            }
            if (h.isAlive()) h.destroyForcibly();
        }
    }

    private static void file(Task t, Check.FileCheck c, Outcome o) throws IOException {
        Path path = Path.of(c.path());
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            if (Boolean.FALSE.equals(c.exists())) {
                o.value("absent");
                o.expect("absent");
                o.note = "no such file, as expected";
            } else {
                o.value("missing");
                o.expect("exists");
                o.fail(t.severity(), "no such file");
            }
            return;
        }
        if (Boolean.FALSE.equals(c.exists())) {
            o.value("present");
            o.expect("absent");
            o.fail(t.severity(), "exists (modified " + a.lastModifiedTime().toInstant().truncatedTo(ChronoUnit.SECONDS) + "), expected no such file");
            return;
        }
        Instant mtime = a.lastModifiedTime().toInstant();
        long ageMs = Math.max(0, Duration.between(mtime, Instant.now()).toMillis());
        o.measure("age", ageMs, "ms", Durations.format(ageMs), c.age(), Duration::toMillis, false);
        if (c.size() != null || c.minSize() != null) {
            if (!a.isRegularFile()) {
                o.fail(t.severity(), c.path() + " is not a regular file, so it has no size to check");
            } else {
                o.measure("size", a.size(), "bytes", Sizes.format(a.size()), c.size(), Yaml.Size::bytes, false);
                if (c.minSize() != null) {
                    o.expect("size >=" + c.minSize());
                    if (a.size() < c.minSize().bytes()) o.fail(t.severity(), "size " + Sizes.format(a.size()) + ", under min_size " + c.minSize());
                }
            }
        }
        o.note = (a.isDirectory() ? "directory" : a.isRegularFile() ? Sizes.format(a.size()) : "special file") + ", modified "
                + mtime.truncatedTo(ChronoUnit.SECONDS);
    }

    // ---- the command ----------------------------------------------------------------------------------

    @Override
    public Integer call() throws IOException {
        PrintStream out = System.out, err = System.err;
        if (concurrency < 1) throw new InputError("--concurrency must be at least 1");
        if (webhookTimeout.isZero()) throw new InputError("--webhook-timeout must be more than 0");
        URI alertUrl = webhookUrl();
        Yaml.Doc<Plan> doc = Yaml.load(planFile, Plan.class);
        List<Task> tasks;
        try {
            tasks = validate(doc);
        } catch (Yaml.Invalid e) {
            throw doc.error(e);
        }
        String title = doc.value().title() == null ? "inspection" : doc.value().title();
        if (validateOnly) {
            for (Task t : tasks) out.println(t.group() + ": " + t.name() + " (" + kind(t.check()) + ")");
            out.println("inspect: " + planFile + ": plan OK, " + tasks.size() + " checks; nothing was run");
            return Exit.OK;
        }

        Local local = new Local();
        String host = local.facts.hostname();
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        long t0 = System.nanoTime();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("title", title);
        header.put("host", host);
        header.put("plan", planFile.toString());
        header.put("started", started.toString());
        List<Map<String, Object>> rows;
        boolean interrupted;
        String summary;
        long elapsed;
        warmUp(tasks);
        try (Runner fan = new Runner(Math.min(concurrency, tasks.size()), deadline, "inspect")) {
            rows = fan.run(tasks, t -> run(t, local), inspect::notRun);
            interrupted = fan.interrupted();
            elapsed = (System.nanoTime() - t0) / 1_000_000;
            summary = summaryLine(rows, host, elapsed);
            List<Map<String, Object>> shown = rows.stream().filter(r -> !onlyFailed || !Report.isOk(r)).toList();
            switch (format) {
                case table, md, slack -> grouped(header, shown, summary, out);
                case json -> Report.printJson(document(header, shown, rows, summary, elapsed), out);
                case prom -> { prom(shown, out); err.println(summary); }
            }
            out.flush();
        }
        List<Map<String, Object>> alerts = rows.stream().filter(r -> !Report.isOk(r)).toList();
        if (alertUrl != null && !alerts.isEmpty()) {
            if (interrupted) err.println("inspect: interrupted, so the alert webhook was not called");
            else alert(alertUrl, payload(header, alerts, rows, summary, elapsed), webhookTimeout, err);
        }
        return alerts.isEmpty() ? Exit.OK : Exit.FAILED;
    }

    /** The webhook URL from --alert-webhook or --alert-webhook-env, checked before anything runs. */
    private URI webhookUrl() {
        if (webhook != null && webhookEnv != null) throw new InputError("--alert-webhook and --alert-webhook-env: give one");
        String text = webhook;
        String from = "--alert-webhook";
        if (webhookEnv != null) {
            text = System.getenv(webhookEnv);
            from = "--alert-webhook-env " + webhookEnv;
            if (text == null || text.isBlank()) throw new InputError(from + ": the variable is not set");
        }
        if (text == null) return null;
        try {
            return Urls.http(text.strip());
        } catch (IllegalArgumentException e) {                   // the URL is not repeated when it came from the environment (a secret)
            throw new InputError(from + ": not an http:// or https:// URL" + (webhookEnv == null ? ": '" + text + "'" : ""));
        }
    }

    static String summaryLine(List<Map<String, Object>> rows, String host, long elapsedMs) {
        Map<String, Long> n = counts(rows);
        String line = "inspect: " + rows.size() + (rows.size() == 1 ? " check on " : " checks on ") + host + ": " + n.get("ok") + " OK, " + n.get("warn") + " WARN, " + n.get("crit") + " CRIT";
        if (n.get("not-run") > 0) line += ", " + n.get("not-run") + " not run";
        return line + " in " + Durations.format(elapsedMs);
    }

    static Map<String, Long> counts(List<Map<String, Object>> rows) {
        Map<String, Long> n = new LinkedHashMap<>();
        for (String s : List.of("ok", "warn", "crit", "not-run")) n.put(s, 0L);
        for (var r : rows) n.merge((String) r.get("status"), 1L, Long::sum);
        return n;
    }

    static final List<Column> COLUMNS = List.of(
            Column.computed("status", "status", r -> ((String) r.get("status")).toUpperCase(Locale.ROOT)),
            Column.left("name", "check"),
            Column.left("value", "value"),
            Column.left("threshold", "threshold"),
            Column.left("detail", "detail"));

    /** table and md: a heading, then one table per group (in plan order), then the summary line. */
    private void grouped(Map<String, Object> header, List<Map<String, Object>> shown, String summary, PrintStream out) {
        boolean md = format == Format.md, slack = format == Format.slack;
        String head = header.get("title") + ": " + header.get("host") + ", " + header.get("started").toString().replace('T', ' ').replace("Z", " UTC");
        if (slack) {                          // Slack renders neither headings nor tables: bold text and a code block
            out.println("*" + head + "*");
            out.println(summary);
            out.println("```");
        }
        if (!slack) out.println(md ? "### " + head : head);
        Map<String, List<Map<String, Object>>> groups = new LinkedHashMap<>();
        for (var r : shown) groups.computeIfAbsent((String) r.get("group"), g -> new ArrayList<>()).add(r);
        boolean first = true;
        for (var g : groups.entrySet()) {
            if (!slack || !first) out.println();
            first = false;
            out.println(md ? "#### " + g.getKey() + "\n" : "[" + g.getKey() + "]");
            if (md) Table.markdown(COLUMNS, g.getValue(), out);
            else Table.table(COLUMNS, g.getValue(), out, !slack && Terminal.colorAllowed(out), wide ? Integer.MAX_VALUE : Table.WIDTH);
        }
        if (slack) {
            out.println("```");
            return;
        }
        out.println();
        out.println(summary);
    }

    private static Map<String, Object> document(Map<String, Object> header, List<Map<String, Object>> shown, List<Map<String, Object>> rows,
                                                String summary, long elapsedMs) {
        Map<String, Object> doc = new LinkedHashMap<>(header);
        doc.put("results", shown);
        doc.put("summary", summaryOf(rows, summary, elapsedMs));
        return doc;
    }

    /** The "summary" object of the JSON report and of the webhook payload. */
    static Map<String, Object> summaryOf(List<Map<String, Object>> rows, String line, long elapsedMs) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("total", rows.size());
        s.putAll(counts(rows));
        s.put("elapsed_ms", elapsedMs);
        s.put("line", line);
        return s;
    }

    /** ops_inspect_status per check (0 OK, 1 WARN, 2 CRIT, 3 not run) and ops_inspect_value per measured value. */
    private static void prom(List<Map<String, Object>> rows, PrintStream out) {
        var status = Prom.gauge("ops_inspect_status", "Check result: 0 OK, 1 WARN, 2 CRIT, 3 not run");
        var value = Prom.gauge("ops_inspect_value", "A value a check measured, in the unit its label names");
        for (var r : rows) {
            Labels l = Labels.of("check", (String) r.get("name"), "kind", (String) r.get("kind"), "group", (String) r.get("group"));
            status.dataPoint(Prom.point(l, switch ((String) r.get("status")) { case "ok" -> 0; case "warn" -> 1; case "crit" -> 2; default -> 3; }));
            if (r.get("measures") instanceof List<?> ms) {
                for (Object o : ms) {
                    @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) o;
                    boolean millis = "ms".equals(m.get("unit"));                // Prometheus counts time in seconds
                    String unit = millis ? "seconds" : "%".equals(m.get("unit")) ? "percent" : (String) m.get("unit");
                    double v = millis ? Prom.seconds((Double) m.get("value")) : (Double) m.get("value");
                    value.dataPoint(Prom.point(l.add("measure", (String) m.get("name")).add("unit", unit), v));
                }
            }
        }
        Prom.write(out, status.build(), value.build());
    }

    // ---- the alert webhook ----------------------------------------------------------------------------

    /** The JSON an alert receiver gets; "text" makes it readable by Slack/Mattermost incoming webhooks as is. */
    /**
     * Monitored text (a command's output, a server's answer) made inert for the chat that shows the
     * webhook's "text": Slack's control sequences (<!channel>, <https://x|click>) are escaped as Slack
     * asks (&amp; &lt; &gt;), @channel/@here/@all mentions are broken with a zero-width space, and a
     * Markdown link's "](" is split so no link text can hide where it points.
     */
    static String chatSafe(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replaceAll("(?i)@(channel|here|all|everyone)\\b", "@\u200B$1").replace("](", "] (");
    }

    static Map<String, Object> payload(Map<String, Object> header, List<Map<String, Object>> alerts, List<Map<String, Object>> rows,
                                       String summary, long elapsedMs) {
        StringBuilder text = new StringBuilder(summary);
        for (var a : alerts) {
            text.append('\n').append(((String) a.get("status")).toUpperCase(Locale.ROOT)).append(' ').append(chatSafe(String.valueOf(a.get("name"))))
                    .append(": ").append(chatSafe(String.valueOf(a.get("detail") == null ? a.get("value") : a.get("detail"))));
        }
        List<Map<String, Object>> slim = new ArrayList<>();
        for (var a : alerts) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (String k : List.of("name", "kind", "group", "status", "value", "threshold", "detail")) m.put(k, a.get(k));
            slim.add(m);
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("tool", "inspect");
        p.putAll(header);
        p.put("summary", summaryOf(rows, summary, elapsedMs));
        p.put("alerts", slim);
        p.put("text", text.toString());
        return p;
    }

    /**
     * POSTs {@code payload}; a network error, a timeout, a 5xx, 408 or 429 is retried once after 1s.
     * Says on stderr what happened; never throws (the report is already out).
     */
    static boolean alert(URI url, Map<String, Object> payload, Duration timeout, PrintStream err) {
        String where = url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()) + "/...";  // the path may hold a token
        byte[] body;
        try {
            body = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(payload);
        } catch (IOException e) {
            err.println("inspect: warning: alert not sent: " + e.getMessage());
            return false;
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
                .header("User-Agent", "ops-inspect/0.1").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        String why = null;
        int attempts = 0;
        for (int attempt = 1; attempt <= 2; attempt++) {
            attempts = attempt;
            try {
                HttpResponse<Void> r = client.send(request, HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() / 100 == 2) {
                    err.println("inspect: alert sent to " + where + " (HTTP " + r.statusCode() + ", "
                            + ((List<?>) payload.get("alerts")).size() + " checks)");
                    return true;
                }
                why = "HTTP " + r.statusCode();
                if (r.statusCode() / 100 == 4 && r.statusCode() != 408 && r.statusCode() != 429) break;   // retrying the same request won't help
            } catch (HttpTimeoutException e) {
                why = "no answer within " + Durations.format(timeout.toMillis());
            } catch (ConnectException e) {
                why = Errors.message(e, "connection refused");
            } catch (IOException e) {
                why = Errors.message(e, e.getClass().getSimpleName());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                why = "interrupted";
                break;
            }
            if (attempt == 1) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        err.println("inspect: warning: alert webhook " + where + " failed after " + attempts + (attempts == 1 ? " attempt: " : " attempts: ")
                + why + " (the report above is complete)");
        return false;
    }
}
