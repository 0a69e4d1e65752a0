//usr/bin/true; exec "$(dirname "$(readlink -f "$0")")/../jbang" "$0" "$@"
//JAVA 21+
//JAVA_OPTIONS -XX:+UseSerialGC -XX:-UsePerfData -XX:TieredStopAtLevel=1 -Xss512k --enable-native-access=ALL-UNNAMED
//SOURCES ../lib/cli/Durations.java ../lib/cli/Exit.java ../lib/cli/InputError.java ../lib/cli/Tool.java
//SOURCES ../lib/net/Target.java ../lib/net/Targets.java ../lib/report/Column.java ../lib/report/Format.java ../lib/report/Report.java
//SOURCES ../lib/rollout/Confirm.java ../lib/rollout/Gates.java ../lib/rollout/HostSession.java ../lib/rollout/HostStatus.java ../lib/rollout/Parallel.java ../lib/rollout/Plan.java
//SOURCES ../lib/rollout/Schedule.java ../lib/rollout/State.java
//SOURCES ../lib/run/Limits.java ../lib/run/Shutdown.java ../lib/ssh/Connections.java ../lib/ssh/Endpoints.java ../lib/ssh/HostLogins.java ../lib/ssh/LoginOptions.java ../lib/ssh/Ssh.java

/*
 * rollout -- a gray upgrade over SSH in phases: precheck, canary, batches, gated on health.
 *
 * What it does: reads a YAML plan (precheck, deploy, verify, rollback, phases) and a hosts file.
 * Every host is prechecked before anything changes; then the canary hosts are deployed and
 * verified (a command on the host, and/or http/tcp/command checks run from here against {host}),
 * then the rest in batches. Hosts of a batch run at once; a batch starts only when the one before
 * stayed within its failure budget (and after its soak, when the phase's hosts are verified
 * again). A host whose deploy or verify fails is rolled back. Over budget, the run stops: hosts
 * not started are untouched and reported not-run. Every step goes to a state file (written,
 * fsynced, renamed), so --resume continues a stopped or killed run without deploying a finished
 * host again. On a terminal it asks before the canary and before the batches (--yes does not).
 *
 * When to use it: the "change a few, watch, then the rest" upgrade of plain SSH hosts that
 * Ansible's serial + max_fail_percentage does with surprises, from one hosts file.
 *
 * What it costs the target: one SSH login for the whole run (kept for all its steps; one login per
 * bastion for all the hosts behind it, when ssh_config or -J names one), the plan's
 * commands, and the checks' requests from this machine. A script step leaves a file in $TMPDIR
 * only while it runs. The state file (--state) stays on this machine.
 */

import static rollout.Schedule.n;

import cli.Durations;
import cli.Exit;
import cli.InputError;
import cli.Tool;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.Target;
import net.Targets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import report.Column;
import report.Format;
import report.Report;
import rollout.Confirm;
import rollout.Gates;
import rollout.HostSession;
import rollout.HostStatus;
import rollout.HostStatus.Kind;
import rollout.Parallel;
import rollout.Plan;
import rollout.Schedule;
import rollout.State;
import run.Limits;
import run.Shutdown;
import ssh.Connections;
import ssh.Endpoints;
import ssh.HostLogins;
import ssh.LoginOptions;
import ssh.Ssh;

@Command(name = "rollout", mixinStandardHelpOptions = true, version = "rollout (ops) 0.1", sortOptions = false, usageHelpWidth = 80,
        description = {
            "Roll a change over SSH hosts in phases (precheck, canary, batches), gated on",
            "health checks, with failure budgets, rollback and a resumable state file.",
            "Every host ends with one status: done, precheck-failed, deploy-failed,",
            "verify-failed, rolled-back, rollback-failed, a connection status (refused,",
            "timeout, auth-failed, hostkey-mismatch, ...), interrupted or not-run.",
            "{host} in a gate's checks is the host's address as the hosts file names it.", ""},
        footer = {
            "%nA plan (see examples/rollout.yaml):",
            "  precheck: {command: 'test -x /srv/app/deploy'}",
            "  deploy:   {command: '/srv/app/deploy 2.4.1', timeout: 5m}   # or script: FILE",
            "  verify:",
            "    checks:",
            "      - {kind: http, url: 'http://{host}:8080/health', body_match: '2.4.1'}",
            "    within: 30s                   # retried every interval (1s) until it passes",
            "  rollback: {command: '/srv/app/deploy 2.4.0'}",
            "  phases:",
            "    canary:  {hosts: 1, soak: 1m}                 # max_failures: 0 (default)",
            "    batches: {size: 25%%, soak: 10s, max_failures: 1}",
            "  max_failures: 2                                  # whole run (default: none)",
            "%nExamples:",
            "  rollout plan.yaml --hosts web.txt --dry-run      # the phases; touches nothing",
            "  rollout plan.yaml --hosts web.txt                # asks before canary, batches",
            "  rollout plan.yaml --hosts web.txt --pause-after canary",
            "  rollout plan.yaml --hosts web.txt --resume --yes # after a stop or a kill",
            "  rollout plan.yaml --hosts web.txt --yes --format md   # for the change ticket",
            "%nExit codes:%n"
                + "  0  every host is done%n"
                + "  1  the rollout stopped (budget, pause, no) or a host failed%n"
                + "  2  bad usage or a bad plan (no host was contacted)%n"
                + "  3  the tool itself failed (see stderr)%n"
                + "  130/143  interrupted: hosts in flight finished, nothing new started%n"})
public class rollout implements Callable<Integer> {

    @Parameters(paramLabel = "PLAN", arity = "1", description = "The YAML rollout plan.")
    Path planFile;

    @Option(names = "--hosts", paramLabel = "FILE", description = "Hosts file, one target a line ('-' reads stdin; repeatable).")
    List<String> hostFiles = new ArrayList<>();

    @Option(names = {"-H", "--targets"}, paramLabel = "HOST[,HOST...]", description = "Targets given inline, comma-separated (repeatable).")
    List<String> inline = new ArrayList<>();

    @Option(names = "--dry-run", description = "Print the phases and batches, and contact nothing.")
    boolean dryRun;

    @Option(names = {"-y", "--yes"}, description = "Do not ask between phases (needed without a terminal).")
    boolean yes;

    @Option(names = "--pause-after", paramLabel = "PHASE", description = "Stop after this phase on purpose: precheck, canary or a batch number.")
    String pauseAfter;

    @Option(names = "--resume", description = "Continue the run recorded in the state file; finished hosts are not touched again.")
    boolean resume;

    @Option(names = "--state", paramLabel = "FILE", description = "The state file (default: PLAN with .state.json instead of .yaml).")
    Path stateFile;

    @Mixin LoginOptions sshOptions;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = Durations.Converter.class,
            description = "TCP connect, SSH handshake and login per host (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(names = {"-c", "--concurrency"}, paramLabel = "N", defaultValue = "64",
            description = "Hosts in flight at once (precheck, and within a batch) (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = {"-o", "--format"}, paramLabel = "FORMAT", defaultValue = "table", converter = Format.Lists.class,
            completionCandidates = Format.Lists.class,
            description = "table, md (GitHub/Mattermost), slack, dingtalk or wecom (each chat's own markup, escaped) or json (default: ${DEFAULT-VALUE}).")
    Format format;

    static String[] argv = {};

    public static void main(String... args) {
        argv = args;
        Tool.main(new rollout(), args);
    }

    private final PrintStream out = System.out, err = System.err;
    private Plan plan;
    private Plan.Ready ready;
    private State state;
    private Connections pool;
    private Host[] hosts;
    private byte[] deployScript, rollbackScript;
    private int slots;
    private volatile boolean stopping;
    private final CountDownLatch signalled = new CountDownLatch(1);

    /** One host of the run: its session, its phase, and its one status (null while it has none). */
    static final class Host {
        final HostSession session;
        final String label, address;
        String phase = "", detail;
        HostStatus status;
        long ms;
        State.Point resumeAt = State.Point.FRESH;                     // --resume: where the earlier run left it
        Host(HostSession s) { session = s; label = s.host().label(); address = s.host().target().host(); }
        boolean failed() { return status != null && status.failed(); }
        boolean done() { return status != null && status.done(); }
        /** A failure of this run's (a resumed run has a fresh budget: the earlier run's failures stay in the report only). */
        boolean counts() { return failed() && resumeAt != State.Point.FINISHED; }
    }

    @Override
    public Integer call() throws IOException {
        if (concurrency < 1) throw new InputError("--concurrency must be at least 1");
        if (connectTimeout.isZero()) throw new InputError("--connect-timeout must be more than 0");
        if (pauseAfter != null && !pauseAfter.matches("precheck|canary|[1-9][0-9]*")) {
            throw new InputError("--pause-after '" + pauseAfter + "': expected precheck, canary or a batch number");
        }
        ready = Plan.load(planFile);                                  // every problem of the plan, or nothing runs
        plan = ready.plan();
        List<Target> targets = Targets.load(hostFiles, inline, new Targets.Options(Targets.UNSET_PORT, null, Targets.DEFAULT_MAX_TARGETS), System.in, err);
        if (targets.isEmpty()) throw new InputError("no hosts: give --hosts FILE or -H HOST,...");
        Schedule schedule = Schedule.of(plan, targets.size());
        if (dryRun) {
            schedule.print(out, planFile, ready, targets.stream().map(Target::spec).toList());
            return Exit.OK;
        }
        if (!yes && !Confirm.available()) throw new InputError("no terminal to ask on before the canary and the batches: add --yes to go on without asking");
        if (plan.deploy().script() != null) deployScript = Files.readAllBytes(Plan.script(plan.deploy(), planFile));
        if (plan.rollback() != null && plan.rollback().script() != null) rollbackScript = Files.readAllBytes(Plan.script(plan.rollback(), planFile));

        // Each host (and bastion) logs in as its ssh_config says: its known_hosts, HostKeyAlias,
        // algorithms, keep-alive; host keys strictly checked unless its StrictHostKeyChecking says accept-new.
        HostLogins logins = new HostLogins(new HostLogins.Overrides(sshOptions.knownHosts, false, false, connectTimeout, connectTimeout), null,
                (kh, key) -> err.println("rollout: accept-new: recorded " + key + " in " + kh.userFile()));
        List<Endpoints.Host> resolved = sshOptions.resolve(targets, null, err::println);
        hosts = new Host[resolved.size()];
        pool = new Connections(logins::login, sshOptions.jumpChannels, Math.max(1, concurrency));
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < hosts.length; i++) {
            hosts[i] = new Host(new HostSession(resolved.get(i), pool, connectTimeout));
            labels.add(hosts[i].label);
        }
        for (Schedule.Phase ph : schedule.phases()) for (int i : ph.hosts()) hosts[i].phase = ph.name();
        String hash = State.hash(Files.readAllBytes(planFile), labels);
        Path sf = stateFile != null ? stateFile : planFile.resolveSibling(planFile.getFileName().toString().replaceFirst("\\.ya?ml$", "") + ".state.json");
        state = resume ? State.resume(sf, hash) : State.create(sf, hash, planFile.toString(), labels);
        if (resume) restore();
        slots = Limits.capConcurrency(Math.min(concurrency, hosts.length), 1, err);

        long t0 = System.nanoTime();
        Duration grace = timeoutOf(plan.deploy()).plus(ready.verify().within).plus(timeoutOf(plan.rollback())).plusSeconds(30);
        String stopped;
        try (Shutdown shutdown = Shutdown.onSignal("rollout", () -> { stopping = true; signalled.countDown(); }, grace)) {
            stopped = phases(schedule);
            for (Host h : hosts) if (h.status == null) h.status = HostStatus.NOT_RUN;
            report((System.nanoTime() - t0) / 1_000_000, stopped);
            for (Host h : hosts) h.session.close();
            pool.close();
        }
        boolean allDone = java.util.Arrays.stream(hosts).allMatch(Host::done);
        return allDone && stopped == null ? Exit.OK : Exit.FAILED;
    }

    private static Duration timeoutOf(Plan.Step s) {
        return s == null || s.timeout() == null ? Plan.DEFAULT_STEP_TIMEOUT : s.timeout();
    }

    /** The run, phase by phase; why it stopped, or null when every phase ran. */
    private String phases(Schedule schedule) {
        Gates pre = ready.precheck();
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < hosts.length; i++) if (hosts[i].status == null) todo.add(i);
        err.println("rollout: " + (plan.title() != null ? plan.title() + ": " : "") + n(hosts.length, "host") + ", " + describe(schedule)
                + (resume ? "; resuming (" + n(hosts.length - todo.size(), "host") + " already finished)" : ""));
        long t = System.nanoTime();
        parallel(todo, i -> precheck(hosts[i], pre));
        long failed = todo.stream().filter(i -> hosts[i].failed()).count();
        err.println("rollout: precheck: " + n(todo.size(), "host") + ", " + (todo.size() - failed) + " passed, " + failed + " failed in " + since(t));
        if (stopping) return "interrupted";
        // A batch that will be over its budget already stops the run here, before anything changes.
        for (Schedule.Phase ph : schedule.phases()) {
            long f = ph.hosts().stream().filter(i -> hosts[i].counts()).count();
            if (f > ph.budget()) return stop(ph.name() + " has " + n(f, "host") + " that failed precheck, over its budget of " + ph.budgetText()
                    + "; nothing was changed");
        }
        if (schedule.totalBudget() != null && failed > schedule.totalBudget()) {
            return stop(n(failed, "host") + " failed precheck, over the run's budget of " + plan.maxFailures() + "; nothing was changed");
        }
        if ("precheck".equals(pauseAfter)) return stop("paused after precheck (--pause-after precheck)");
        boolean asked = false;
        for (int p = 0; p < schedule.phases().size(); p++) {
            Schedule.Phase ph = schedule.phases().get(p);
            List<Integer> run = ph.hosts().stream().filter(i -> hosts[i].status == null).toList();
            if (run.isEmpty()) continue;                             // finished in an earlier run
            if (!asked || ph.name().startsWith("batch 1/")) {
                asked = true;
                if (!yes && !Confirm.ask("rollout: next: " + ph.name() + " (" + n(run.size(), "host") + (ph.name().equals("canary") ? "" : ", and the batches after it")
                        + "). Go on? [y/N] ", signalled)) return stop("not confirmed before " + ph.name());
            }
            if (stopping) return "interrupted";
            t = System.nanoTime();
            parallel(run, i -> { if (!stopping && !overBudget(ph)) change(hosts[i]); });
            if (stopping) return "interrupted";
            String over = budget(ph, schedule, "");
            err.println("rollout: " + ph.name() + ": " + n(run.size(), "host") + ", " + run.stream().filter(i -> hosts[i].done()).count()
                    + " done, " + ph.hosts().stream().filter(i -> hosts[i].counts()).count() + " failed (budget " + ph.budgetText() + ") in " + since(t));
            if (over != null) return stop(over);
            boolean last = p == schedule.phases().size() - 1;
            if (!last && !ph.soak().isZero()) {
                err.println("rollout: " + ph.name() + ": soaking " + Durations.format(ph.soak().toMillis()) + ", then verifying its hosts again");
                try {
                    if (signalled.await(ph.soak().toMillis(), TimeUnit.MILLISECONDS)) return "interrupted";
                } catch (InterruptedException e) {
                    return "interrupted";
                }
                parallel(run.stream().filter(i -> hosts[i].done()).toList(), i -> reverify(hosts[i]));
                over = budget(ph, schedule, " after its soak");
                if (over != null) return stop(over);
            }
            if (pauseAfter != null && (pauseAfter.equals("canary") && ph.name().equals("canary") || ph.name().startsWith("batch " + pauseAfter + "/"))) {
                if (!last) return stop("paused after " + ph.name() + " (--pause-after " + pauseAfter + ")");
            }
        }
        return null;
    }

    private boolean overBudget(Schedule.Phase ph) {
        return ph.hosts().stream().filter(i -> hosts[i].counts()).count() > ph.budget();
    }

    /** Why the run must stop after {@code ph}, or null. */
    private String budget(Schedule.Phase ph, Schedule s, String when) {
        long f = ph.hosts().stream().filter(i -> hosts[i].counts()).count();
        if (f > ph.budget()) return ph.name() + ": " + n(f, "host") + " failed" + when + ", over its budget of " + ph.budgetText();
        long total = java.util.Arrays.stream(hosts).filter(Host::counts).count();
        if (s.totalBudget() != null && total > s.totalBudget()) return n(total, "host") + " failed in all, over the run's budget of " + plan.maxFailures();
        return null;
    }

    private static String since(long t0) {
        return Durations.format((System.nanoTime() - t0) / 1_000_000);
    }

    private String stop(String why) {
        err.println("rollout: stopping: " + why);
        return why;
    }

    private void parallel(List<Integer> items, java.util.function.IntConsumer work) {
        Parallel.run(items, slots, () -> stopping, work);
    }

    // ---- one host ------------------------------------------------------------------------------

    private void precheck(Host h, Gates pre) {
        long t0 = System.nanoTime();
        try {
            h.session.connect();
        } catch (Ssh.Failure f) {
            finish(h, HostStatus.unreached(ssh.Status.of(f)), f.detail, t0);
            return;
        }
        if (h.resumeAt != State.Point.FRESH) {                         // in flight when the earlier run ended: it passed then
            state.end(h.label, "precheck", "ok", "connected; prechecked by the earlier run");
        } else if (!pre.empty()) {
            Gates.Verdict v = pre.until(h.address, line -> remote(h, line, pre.timeout), () -> stopping);
            state.end(h.label, "precheck", v.passed() ? "ok" : "failed", v.detail());
            if (!v.passed()) finish(h, HostStatus.of(Kind.PRECHECK_FAILED), v.detail(), t0);
        } else {
            state.end(h.label, "precheck", "ok", "connected");
        }
    }

    /** Deploy, verify, and roll back on failure; one final record. --resume starts where the earlier run left the host. */
    private void change(Host h) {
        long t0 = System.nanoTime();
        State.Point at = h.resumeAt;
        if (at == State.Point.DEPLOYING) {                            // killed while deploying: did it take?
            Gates.Verdict v = ready.verify().once(h.address, line -> remote(h, line, ready.verify().timeout));
            if (v.passed()) {
                state.end(h.label, "verify", "ok", "an earlier run's deploy was interrupted; the host passes verify, so it was not deployed again");
                finish(h, HostStatus.DONE, "deployed by the interrupted run; verified", t0);
                progress(h);
                return;
            }
        }
        if (at == State.Point.FRESH || at == State.Point.DEPLOYING) {
            state.start(h.label, "deploy");
            HostSession.Outcome d = step(h, plan.deploy(), deployScript);
            state.end(h.label, "deploy", d.status().text(), d.detail());
            if (!d.ok()) {
                if (!d.reached()) finish(h, HostStatus.unreached(d.status()), "deploy: " + d.detail(), t0);   // nothing ran there
                else rollback(h, Kind.DEPLOY_FAILED, "deploy " + d.text(), t0);
                progress(h);
                return;
            }
            at = State.Point.VERIFY;
        }
        if (at == State.Point.VERIFY) {
            Gates.Verdict v = ready.verify().until(h.address, line -> remote(h, line, ready.verify().timeout), () -> false);
            state.end(h.label, "verify", v.passed() ? "ok" : "failed", v.detail());
            if (v.passed()) finish(h, HostStatus.DONE, null, t0);
            else rollback(h, Kind.VERIFY_FAILED, "verify: " + v.detail(), t0);
        } else {
            rollback(h, Kind.VERIFY_FAILED, "an earlier run was interrupted while rolling back", t0);
        }
        progress(h);
    }

    /** After a soak: the phase's done hosts are verified again (once). */
    private void reverify(Host h) {
        long t0 = System.nanoTime();
        Gates.Verdict v = ready.verify().once(h.address, line -> remote(h, line, ready.verify().timeout));
        state.end(h.label, "verify", v.passed() ? "ok" : "failed", "after soak: " + v.detail());
        if (!v.passed()) {
            rollback(h, Kind.VERIFY_FAILED, "verify after soak: " + v.detail(), t0);
            progress(h);
        }
    }

    private void rollback(Host h, Kind failure, String why, long t0) {
        if (plan.rollback() == null) {
            finish(h, HostStatus.of(failure), why + "; no rollback in the plan", t0);
            return;
        }
        state.start(h.label, "rollback");
        HostSession.Outcome r = step(h, plan.rollback(), rollbackScript);
        state.end(h.label, "rollback", r.status().text(), r.detail());
        finish(h, HostStatus.of(r.ok() ? Kind.ROLLED_BACK : Kind.ROLLBACK_FAILED), why + (r.ok() ? "; rolled back" : "; rollback " + r.text()), t0);
    }

    private HostSession.Outcome step(Host h, Plan.Step s, byte[] script) {
        Duration t = timeoutOf(s);
        return script != null ? h.session.runScript(script, t) : h.session.run(s.command().replace("{host}", h.address), t);
    }

    /** A gate's command on the host: null when it exited 0, else why not. */
    private static String remote(Host h, String line, Duration timeout) {
        HostSession.Outcome o = h.session.run(line.replace("{host}", h.address), timeout);
        return o.ok() ? null : o.text();
    }

    private void finish(Host h, HostStatus status, String detail, long t0) {
        h.status = status;
        h.detail = detail;
        h.ms = (System.nanoTime() - t0) / 1_000_000;
        state.end(h.label, "result", status.text(), detail);
    }

    private void progress(Host h) {
        err.println("rollout: " + h.phase + ": " + h.label + " " + h.status + (h.detail == null ? "" : " (" + h.detail + ")") + " in " + Durations.format(h.ms));
    }

    /** --resume: hosts the earlier run changed keep their status; one it left in flight says where to pick up. */
    private void restore() {
        for (Host h : hosts) {
            State.Resume r = state.resume(h.label);
            h.resumeAt = r.at();
            if (r.at() == State.Point.FINISHED) {
                h.status = HostStatus.parse(r.status());
                h.detail = (r.detail() == null ? "" : r.detail() + " ") + "(earlier run)";
            }
        }
    }

    // ---- output --------------------------------------------------------------------------------

    private String describe(Schedule s) {
        List<String> parts = new ArrayList<>();
        for (Schedule.Phase p : s.phases()) parts.add(p.name() + " (" + p.hosts().size() + ")");
        return "precheck, then " + String.join(", ", parts);
    }

    private void report(long ms, String stopped) {
        Report r = new Report("rollout", "hosts", List.of(Column.left("target", "HOST"), Column.left("phase", "PHASE"),
                Column.left("status", "STATUS"), Column.right("elapsed", "TIME"), Column.left("detail", "DETAIL"))).okStatus("done");
        for (Host h : hosts) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("target", h.label);
            row.put("phase", h.phase);
            row.put("status", h.status.text());
            row.put("detail", h.status.kind() == Kind.NOT_RUN && h.detail == null ? (stopped != null ? "not started: the run stopped" : null) : h.detail);
            row.put("elapsed", h.status.kind() == Kind.NOT_RUN || h.resumeAt == State.Point.FINISHED ? "" : Durations.format(h.ms));
            row.put("elapsed_ms", h.ms);
            r.add(row);
        }
        r.elapsedMs(ms).summary("stopped", stopped).summary("state_file", state.file().toString());
        r.render(format, r.rows(), out, err);
        if (stopped != null) {
            List<String> again = new ArrayList<>(List.of(argv));
            again.remove("--resume");
            err.println("rollout: stopped (" + stopped + "); the state is in " + state.file() + ". To continue: rollout "
                    + String.join(" ", again) + " --resume");
        }
    }
}
