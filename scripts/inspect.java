//usr/bin/true; exec "$(dirname "$(readlink -f "$0")")/../jbang" "$0" "$@"
//JAVA 21+
//JAVA_OPTIONS -XX:+UseSerialGC -XX:-UsePerfData -XX:TieredStopAtLevel=1 -Xss512k --enable-native-access=ALL-UNNAMED
//SOURCES ../lib/check/CheckReport.java ../lib/check/LocalFacts.java ../lib/check/PlanFile.java ../lib/check/ReportEndpoint.java
//SOURCES ../lib/check/Result.java ../lib/check/Task.java ../lib/check/Validate.java ../lib/check/Webhook.java
//SOURCES ../lib/cli/Durations.java ../lib/cli/Exit.java ../lib/cli/InputError.java ../lib/cli/Tool.java
//SOURCES ../lib/net/Urls.java ../lib/report/Format.java ../lib/run/Runner.java ../lib/run/Shutdown.java ../lib/run/SingleFlight.java
//SOURCES ../lib/web/Listen.java ../lib/web/Server.java ../lib/yaml/Yaml.java

/*
 * inspect -- run a check plan and write the report (the daily inspection run)
 *
 * What it does: reads a YAML plan of checks, rejects it whole if anything in it is wrong (file:line:col
 * and what was expected), then runs every check and reports OK, WARN or CRIT for each, with the
 * measured value and the threshold, grouped, ending with a summary line. Kinds: tcp (host:port
 * connects), http (status, body, latency, certificate expiry), process (running by name or command-
 * line regex, count, RSS), disk (use %, inode %, free space of a mount point), memory, load, command
 * (a local command's exit code, output and a number it prints) and file (exists, age, size).
 * --alert-webhook POSTs the WARN/CRIT results as JSON after the report is printed. --serve ADDR
 * (like goss serve) answers HTTP instead: 200 when every check is OK, 503 otherwise, the report as
 * the body (JSON, Markdown, Prometheus text or the table, by ?format= or Accept).
 *
 * When to use it: the daily or hourly inspection of a box from cron or a runbook (`--format md`
 * to paste into the team chat, `--format prom` for node_exporter's textfile collector), and after
 * a change ("is everything on this box as it should be?"). `--validate` checks a plan in CI.
 * `--serve` for a load balancer's or an uptime checker's health check of the box.
 *
 * What it costs: one TCP connection or HTTP request per tcp/http check (and one untimed warm-up
 * request to the first http and the first https check's URL); one read of /proc for all
 * process checks together; one statvfs per disk check; a stat per file check; and whatever the
 * plan's commands cost (they run as the invoking user, at most --concurrency checks at a time).
 * Served, that is the cost of one plan run per --cache period at most, however many probes come
 * (probes arriving during a run wait for it); plus one JVM, 4 requests rendered at a time, at most
 * 256 sockets, and 5 s for a client to send its request. Loopback unless HOST:PORT says otherwise.
 *
 * The plan's records and validation, the check kinds (one file each), the report's formats and
 * the webhook and the served endpoint are lib/check/, the bounded HTTP server lib/web/; this page is
 * the command and the order of its steps.
 */

import static web.Endpoints.oneOf;

import check.CheckReport;
import check.LocalFacts;
import check.PlanFile;
import check.ReportEndpoint;
import check.Result;
import check.Task;
import check.Validate;
import check.Webhook;
import cli.Durations;
import cli.Exit;
import cli.InputError;
import cli.Tool;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import net.Urls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import report.Format;
import run.Runner;
import run.Shutdown;
import run.SingleFlight;
import web.Listen;
import web.Server;
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
            "  inspect plan.yaml --serve 9110                   # on 127.0.0.1:9110",
            "  inspect plan.yaml --serve 0.0.0.0:9110 --cache 10s --warn-status 200",
            "  curl -sH 'Accept: application/json' localhost:9110/healthz",
            "%nServed (--serve): GET / or /healthz answers 200 when every check is OK,",
            "503 otherwise (WARN: --warn-status), the report in ?format= or by Accept",
            "(application/json, text/markdown, text/plain;version=0.0.4 for prom,",
            "text/plain for the table), else --format; /metrics is the prom format.",
            "Probes within --cache of a run share it; probes during a run wait for it.",
            "%nExit codes:%n"
                    + "  0  every check OK (--serve: stopped by SIGTERM or SIGINT)%n"
                    + "  1  a check is WARN, CRIT or not run (a failed webhook only warns)%n"
                    + "  2  bad usage or a bad plan (nothing was run)%n"
                    + "  3  the tool itself failed (see stderr)%n"
                    + "  130/143  interrupted (results so far are printed, the rest not-run)%n"})
public class inspect implements Callable<Integer> {

    @Parameters(paramLabel = "PLAN", arity = "1", description = "The YAML check plan.")
    Path planFile;

    @Option(names = {"-o", "--format"}, paramLabel = "FORMAT", defaultValue = "table",
            converter = Format.Checks.class, completionCandidates = Format.Checks.class,
            description = "table, md (GitHub/Mattermost), slack, dingtalk or wecom (each chat's own markup, escaped), json or prom "
                    + "(default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--wide", description = "Table: show details in full (default: cut to fit 120 columns).")
    boolean wide;

    @Option(names = "--only-failed", description = "Show only WARN, CRIT and not-run checks (the summary still counts all).")
    boolean onlyFailed;

    @Option(names = "--validate", description = "Check the plan and list its checks; run nothing.")
    boolean validateOnly;

    @Option(names = "--serve", paramLabel = "[HOST:]PORT",
            description = "Serve the report over HTTP instead of printing it: on 127.0.0.1:PORT, or HOST:PORT (0.0.0.0:PORT for every interface).")
    String serve;

    @Option(names = "--cache", paramLabel = "DURATION", defaultValue = "5s", converter = Durations.Converter.class,
            description = "--serve: answer from a run younger than this instead of running the plan again; 0s runs it for every probe (default: ${DEFAULT-VALUE}).")
    Duration cache;

    @Option(names = "--warn-status", paramLabel = "CODE", defaultValue = "503",
            description = "--serve: the HTTP status when the worst check is WARN; 200 keeps a warning box in the pool (default: ${DEFAULT-VALUE}).")
    int warnStatus;

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

    /** --serve: requests rendered at once, and sockets open at once (probes are small; 200 at once are answered). */
    static final int SERVE_WORKERS = 4, SERVE_MAX_CONNECTIONS = 256;

    public static void main(String... args) {
        Tool.main(new inspect(), args);
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out, err = System.err;
        if (concurrency < 1) throw new InputError("--concurrency must be at least 1");
        if (webhookTimeout.isZero()) throw new InputError("--webhook-timeout must be more than 0");
        URI alertUrl = webhookUrl();
        if (serve != null) {
            if (validateOnly) throw new InputError("--serve and --validate: give one");
            if (alertUrl != null) throw new InputError("--serve and --alert-webhook: the served status is the alert; give one");
            if (warnStatus < 200 || warnStatus > 599) throw new InputError("--warn-status " + warnStatus + ": expected an HTTP status, 200-599");
        }
        Yaml.Doc<PlanFile> doc = Yaml.load(planFile, PlanFile.class);
        List<Task> tasks = Validate.plan(doc);                     // every problem of the plan at once, or nothing runs
        String title = doc.value().title() == null ? "inspection" : doc.value().title();
        if (validateOnly) {
            for (Task t : tasks) out.println(t.group() + ": " + t.name() + " (" + t.kind() + ")");
            out.println("inspect: " + planFile + ": plan OK, " + tasks.size() + " checks; nothing was run");
            return Exit.OK;
        }

        if (serve != null) return serve(tasks, title);

        Task.warmUp(tasks);
        CheckReport report = runPlan(tasks, title, r -> r.print(format, onlyFailed, wide, out, err));
        List<Result> alerts = report.alerts();
        if (alertUrl != null && !alerts.isEmpty()) {
            if (interrupted) err.println("inspect: interrupted, so the alert webhook was not called");
            else new Webhook("inspect", "ops-inspect/0.1", alertUrl, webhookTimeout).send(report, err);
        }
        return alerts.isEmpty() ? Exit.OK : Exit.FAILED;
    }

    private volatile boolean interrupted;

    /**
     * Runs every check once (at most --concurrency at a time, within --deadline) and hands the report to
     * {@code then} while a signal still waits for it (so an interrupted run prints what it has).
     */
    CheckReport runPlan(List<Task> tasks, String title, Consumer<CheckReport> then) {
        LocalFacts local = new LocalFacts();                        // fresh facts (processes, memory) for every run
        var header = new CheckReport.Header(title, local.hostname(), planFile.toString(), Instant.now().truncatedTo(ChronoUnit.SECONDS));
        long t0 = System.nanoTime();
        try (Runner fan = new Runner(Math.min(concurrency, tasks.size()), deadline, "inspect")) {
            List<Result> results = fan.run(tasks, t -> t.run(local), Task::notRun);
            interrupted = fan.interrupted();
            CheckReport report = new CheckReport("inspect", header, results, (System.nanoTime() - t0) / 1_000_000);
            then.accept(report);
            return report;
        }
    }

    /** --serve: the plan's report over HTTP until SIGTERM or SIGINT (then exit 0), a run per --cache at most. */
    private int serve(List<Task> tasks, String title) throws Exception {
        Server server = Server.bind("inspect", "--serve", serve, Listen.address("--serve", serve, "127.0.0.1"), SERVE_MAX_CONNECTIONS);
        Task.warmUp(tasks);
        var reports = new SingleFlight<CheckReport>(cache, () -> runPlan(tasks, title, r -> { }));
        var endpoint = new ReportEndpoint(reports, new Format.Checks(), format, warnStatus, onlyFailed, wide, server::log);
        Semaphore workers = new Semaphore(SERVE_WORKERS, true);
        server.route("/", oneOf(workers, endpoint));
        server.route("/healthz", oneOf(workers, endpoint));                 // goss serve's path
        server.route("/metrics", oneOf(workers, endpoint.as(Format.prom)));
        endpoint.prime();
        server.start();
        // SIGTERM/SIGINT: stop accepting, let in-flight requests finish (up to 2s), exit 0 rather than 143/130.
        Shutdown.onSignal("inspect", () -> {
            server.log("stopping: answering in-flight requests, then exiting");
            server.stop(2);
        }, Duration.ofSeconds(1)).done(Exit.OK);
        server.log("serving " + server.url() + "/ (and /healthz, /metrics): " + planFile + ", " + tasks.size() + " checks, cache "
                + Durations.format(cache.toMillis()) + ", WARN answers " + warnStatus);
        new CountDownLatch(1).await();                                      // until the shutdown hook halts the JVM
        return Exit.OK;
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
}
