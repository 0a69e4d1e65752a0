//usr/bin/true; exec "$(dirname "$(readlink -f "$0")")/../jbang" "$0" "$@"
//JAVA 21+
//JAVA_OPTIONS -XX:+UseSerialGC -XX:-UsePerfData -XX:TieredStopAtLevel=1 -Xss512k
//SOURCES ../lib/cli/Durations.java ../lib/cli/Exit.java ../lib/cli/InputError.java ../lib/cli/InputFile.java ../lib/cli/Secrets.java
//SOURCES ../lib/cli/Sizes.java ../lib/cli/Tool.java ../lib/fleet/HostRun.java ../lib/fleet/Views.java
//SOURCES ../lib/net/Target.java ../lib/net/TargetOptions.java ../lib/net/Targets.java
//SOURCES ../lib/report/Format.java ../lib/report/Report.java ../lib/run/Limits.java ../lib/run/Runner.java
//SOURCES ../lib/ssh/Capture.java ../lib/ssh/Connections.java ../lib/ssh/Endpoints.java ../lib/ssh/HostLogins.java ../lib/ssh/LoginOptions.java
//SOURCES ../lib/ssh/SshjConfigs.java
//SOURCES ../lib/ssh/RemoteCommand.java ../lib/ssh/Ssh.java ../lib/ssh/Status.java
//SOURCES ../lib/ssh/Sudo.java

/*
 * fanout -- run one command on many hosts over SSH, and show who differs.
 *
 * What it does: logs in to every target with sshj (keys from ssh-agent, -i or ~/.ssh/id_*, OpenSSH
 * certificates, or a password you name by environment variable or file), with each host's settings
 * from ~/.ssh/config resolved as `ssh -G` would (known_hosts files, host key alias, timeouts,
 * algorithms), checks host keys (and host certificates, through @cert-authority), runs the
 * command (or uploads and runs --script), and prints each host's output: as blocks (default),
 * as live lines prefixed with the host (-P, like pssh -P), or gathered so that hosts with the same
 * output and exit code share one block with their names folded into ranges (-b, like clush -b).
 * Every host ends with one status: ok, exit N, signal NAME, timeout, refused, unreachable,
 * unresolved, auth-failed, hostkey-mismatch, hostkey-revoked, hostkey-unknown, kex-failed, jump-failed,
 * error, interrupted or not-run. `--format md|json` for chats and jq.
 *
 * When to use it: the pssh / clush / `ansible -m shell` job in an incident: "what does `df -h /`
 * say everywhere?", "which hosts still run the old package?", "restart this on the canaries".
 *
 * What it costs the target: one SSH login (one session; two with --script), the command itself,
 * and an sshd log line per login; a bastion (-J, ProxyJump): one login per run, one tunnel per host
 * behind it. Nothing is installed. --script leaves a file in $TMPDIR only if
 * the command is killed. On timeout or Ctrl-C the remote command gets SIGTERM (OpenSSH 7.9+ honours
 * signal requests) and the session is closed.
 */

import static ssh.RemoteCommand.quote;

import cli.Durations;
import cli.Exit;
import cli.InputError;
import cli.InputFile;
import cli.Secrets;
import cli.Sizes;
import cli.Tool;
import fleet.HostRun;
import fleet.Views;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import net.Target;
import net.TargetOptions;
import net.Targets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import report.Format;
import report.Report;
import run.Limits;
import run.Runner;
import ssh.Capture;
import ssh.Connections;
import ssh.Endpoints;
import ssh.HostLogins;
import ssh.LoginOptions;
import ssh.RemoteCommand;
import ssh.Ssh;
import ssh.SshjConfigs;
import ssh.Status;
import ssh.Sudo;

@Command(name = "fanout", mixinStandardHelpOptions = true, version = "fanout (ops) 0.1", sortOptions = false,
        usageHelpWidth = 80,
        description = {
            "Run a command on many hosts over SSH and show who differs.",
            "Usage: fanout [OPTIONS] HOSTS_FILE... -- COMMAND [ARG...]  (the -- is required)",
            "Every host ends with one status: ok, exit N, signal NAME, timeout, refused,",
            "unreachable, unresolved, auth-failed, hostkey-mismatch, hostkey-revoked,",
            "hostkey-unknown, kex-failed, jump-failed (a bastion on the way failed: the",
            "message names it), error, interrupted, not-run.",
            "",
            "Logins, in ssh's order: the keys and certificates in ssh-agent ($SSH_AUTH_SOCK,",
            "tried in the agent's order; an agent that does not answer is one warning), then",
            "each key file the agent does not hold, with its certificate KEY-cert.pub if",
            "there is one; then the password. ssh_config's IdentityAgent, IdentitiesOnly",
            "(only the identity files, and their keys in the agent) and CertificateFile",
            "are honoured. Agent forwarding is never requested.",
            "Host certificates are trusted through @cert-authority lines in known_hosts",
            "(valid now, a principal matching the host name or HostKeyAlias); @revoked",
            "refuses a key, a certificate's key or its CA (hostkey-revoked).",
            "",
            "~/.ssh/config is read as OpenSSH's ssh reads it (ssh -G HOST shows the same):",
            "first value wins; Host (* ? !), Match host/originalhost/user/localuser/exec/",
            "all/final, Include, tokens (%%h %%p %%r %%u %%d %%n %%C ~ $${ENV}). Honoured:",
            "HostName, User, Port, IdentityFile, UserKnownHostsFile, GlobalKnownHostsFile,",
            "HostKeyAlias, StrictHostKeyChecking (ask = yes, no = accept-new),",
            "ConnectTimeout, ServerAliveInterval/CountMax, KexAlgorithms, HostKeyAlgorithms,",
            "Ciphers, MACs (+ - ^ as in ssh), ProxyJump, ProxyCommand (see Bastions) and",
            "those named under Logins above. Other keywords are ignored.",
            "Bastions: -J or ProxyJump (chains too, each hop resolved by its own name in the config, as ssh -J does), or ProxyCommand "
                + "'ssh -W %%h:%%p [user@]bastion'; any other ProxyCommand leaves its host not-run. -i keys are offered to bastions, -l/-p are not applied.",
            "Precedence: user@host:port in the hosts file, then -l/-p (and --known-hosts,",
            "--accept-new, --no-host-key-check, --connect-timeout), then ~/.ssh/config,",
            "then OpenSSH's defaults ($USER, 22, ~/.ssh/known_hosts ...).",
            "Algorithms: what OpenSSH's client offers by default (no SHA-1 key exchange, CBC",
            "or ssh-rsa) unless the config adds them (KexAlgorithms +NAME, as in ssh);",
            "-v says WEAK when such an algorithm was negotiated.",
            ""},
        footer = {
            "%nExamples:",
            "  fanout hosts.txt -- df -h /                   # one block per host",
            "  fanout -b hosts.txt -- uname -r               # gathered: hosts with equal output share a block",
            "  fanout -P -c 100 -H web[01-40] -- 'tail -n1 /var/log/syslog'",
            "  fanout --sudo --sudo-password-env SUDO_PW hosts.txt -- systemctl restart nginx",
            "  fanout -J admin@bastion.dc1 -H 'web[01-40].dc1' -- uptime   # one bastion login for 40 hosts",
            "  fanout --script fix.sh hosts.txt -- --dry-run # upload fix.sh and run it with --dry-run",
            "  fanout --format md -b hosts.txt -- cat /etc/debian_version   # paste into the incident chat",
            "%nExit codes:%n"
                + "  0  every host ran the command and it exited 0%n"
                + "  1  at least one host failed (non-zero exit, unreachable, auth, host key, timeout...)%n"
                + "  2  bad usage or bad input (nothing was run)%n"
                + "  3  the tool itself failed (see stderr)%n"
                + "  130/143  interrupted by SIGINT/SIGTERM (the summary is still printed)%n"})
public class fanout implements Callable<Integer> {

    @Mixin TargetOptions input;

    @Mixin LoginOptions sshOptions;

    // Secrets come from an environment variable or a file, never from argv.
    @Option(names = "--passphrase-env", paramLabel = "VAR", description = "Environment variable holding the passphrase of encrypted keys.")
    String passphraseEnv;
    @Option(names = "--passphrase-file", paramLabel = "FILE", description = "File whose first line is the passphrase of encrypted keys.")
    Path passphraseFile;

    @Option(names = "--password-env", paramLabel = "VAR", description = "Log in with the password in this environment variable (after any keys).")
    String passwordEnv;
    @Option(names = "--password-file", paramLabel = "FILE", description = "Log in with the password on this file's first line (after any keys).")
    Path passwordFile;

    @Option(names = "--accept-new", description = "Trust hosts with no key on record and record their key (never a changed one), like StrictHostKeyChecking=accept-new, for every host.")
    boolean acceptNew;

    @Option(names = "--no-host-key-check", description = "Do not verify host keys at all (explicit opt-out; man-in-the-middle attacks go unnoticed).")
    boolean noHostKeyCheck;

    @Option(names = {"-t", "--timeout"}, paramLabel = "DURATION", defaultValue = "60s", converter = Durations.Converter.class,
            description = "How long the command may run on each host; 0 for no limit (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "Time for TCP connect, SSH handshake and login per host (default: ConnectTimeout from ssh_config, else 10s).")
    Duration connectTimeout;

    @Option(names = "--deadline", paramLabel = "DURATION", defaultValue = "0", converter = Durations.Converter.class,
            description = "Global deadline; hosts not finished by then are reported timeout/not-run; 0 for none (default).")
    Duration deadline;

    @Option(names = {"-c", "--concurrency"}, paramLabel = "N", defaultValue = "64",
            description = "Hosts in flight at once; lowered automatically to fit the open-file limit (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--sudo", description = "Run the command through sudo (sudo -n unless a sudo password is given).")
    boolean sudo;

    @Option(names = "--sudo-password-env", paramLabel = "VAR", description = "Environment variable holding the sudo password (implies --sudo).")
    String sudoPasswordEnv;
    @Option(names = "--sudo-password-file", paramLabel = "FILE", description = "File whose first line is the sudo password (implies --sudo).")
    Path sudoPasswordFile;

    @Option(names = "--script", paramLabel = "FILE",
            description = "Upload this local script to each host ($TMPDIR, mode 600) and run it with the words after -- as its arguments, through its #! interpreter (sh if none); removed afterwards.")
    Path script;

    @Option(names = "--stdin", description = "Send this command's stdin to every host's command (off by default: remote stdin is empty, like ssh -n).")
    boolean forwardStdin;

    @Option(names = {"-P", "--prefix"}, description = "Stream output live, each line prefixed with its host (stderr lines go to stderr).")
    boolean prefix;

    @Option(names = {"-b", "--gather"}, description = "Gather: one block per distinct (output, status), listing its hosts folded into ranges.")
    boolean gather;

    @Option(names = {"-o", "--format"}, paramLabel = "FORMAT", defaultValue = "text",
            converter = Format.Blocks.class, completionCandidates = Format.Blocks.class,
            description = "text (blocks, or -P / -b), md (gathered, GitHub-flavoured), slack, dingtalk or wecom (gathered, in the chat's own markup, escaped), json (every host, plus the groups) "
                    + "or hosts (the hosts, one a line, as given: pipe them to another run) (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--only-failed", description = "With --format hosts: only the hosts that failed.")
    boolean onlyFailed;

    @Option(names = "--status", paramLabel = "STATUS", split = ",",
            description = "With --format hosts: only the hosts that ended with these statuses (e.g. refused,timeout; 'exit' for any exit N).")
    List<String> statuses = new ArrayList<>();

    @Option(names = "--max-output", paramLabel = "SIZE", defaultValue = "16M", converter = Sizes.Converter.class,
            description = "Keep at most this much of each host's stdout and of its stderr; the rest is counted and reported as truncated (default: ${DEFAULT-VALUE}).")
    long maxOutput;

    @Option(names = "--max-total-output", paramLabel = "SIZE", defaultValue = "256M", converter = Sizes.Converter.class,
            description = "Keep at most this much output in all, over every host; past it output is counted, not kept, "
                    + "and every host still gets its row (default: ${DEFAULT-VALUE}).")
    long maxTotalOutput;

    @Option(names = {"-v", "--verbose"}, description = "Show, per host, the negotiated key exchange, host key, cipher and MAC (WEAK: ... when one is), and how the login succeeded.")
    boolean verbose;

    /** The words after "--": the command, or the script's arguments. */
    List<String> command = List.of();

    public static void main(String... args) {
        fanout f = new fanout();
        int dd = List.of(args).indexOf("--");
        String[] ours = args;
        if (dd >= 0) {
            f.command = List.of(args).subList(dd + 1, args.length);
            ours = List.of(args).subList(0, dd).toArray(String[]::new);
        }
        Tool.main(f, ours);
    }

    // ---- setup: everything that can be wrong is found before the first connection ----------------

    private final PrintStream out = System.out;
    private final PrintStream err = System.err;
    /** The run's connections: each host's and bastion's login (known_hosts, policy, timeouts, algorithms), shared bastions. */
    private Connections pool;
    private HostLogins logins;
    private RemoteCommand.Options remote;
    private Views views;
    /** What is left of --max-total-output for every host's captures together. */
    private AtomicLong outputBudget;
    private byte[] scriptBytes;
    private String interpreter;
    final AtomicLong fdFailures = new AtomicLong();

    @Override
    public Integer call() throws IOException {
        if (command.isEmpty() && script == null) {
            throw new InputError("no command: put it after --, e.g. fanout hosts.txt -- uptime");
        }
        if (concurrency < 1) throw new InputError("--concurrency must be at least 1");
        if (connectTimeout != null && connectTimeout.isZero()) throw new InputError("--connect-timeout must be more than 0");
        Duration channelTimeout = connectTimeout != null ? connectTimeout : DEFAULT_CONNECT_TIMEOUT;
        if (maxOutput < 1) throw new InputError("--max-output must be at least 1 byte");
        if (maxTotalOutput < 1) throw new InputError("--max-total-output must be at least 1 byte");
        outputBudget = new AtomicLong(maxTotalOutput);
        if (acceptNew && noHostKeyCheck) throw new InputError("--accept-new and --no-host-key-check contradict each other; pick one");
        if (prefix && gather) throw new InputError("-P (live lines) and -b (gathered) are different views; pick one");
        if (prefix && format != Format.text) throw new InputError("-P streams text; it cannot be combined with --format " + format);
        if (forwardStdin && input.files.contains("-")) throw new InputError("--stdin and a hosts file on stdin ('-') cannot share stdin");
        char[] pass = Secrets.read(passphraseEnv, passphraseFile, "--passphrase");
        char[] loginPassword = Secrets.read(passwordEnv, passwordFile, "--password");
        char[] sudoSecret = Secrets.read(sudoPasswordEnv, sudoPasswordFile, "--sudo-password");
        if (sudoSecret != null) sudo = true;

        List<Target> targets = Targets.load(input.files, input.inline,
                new Targets.Options(Targets.UNSET_PORT, null, input.maxTargets), System.in, err);
        List<Endpoints.Host> hosts = sshOptions.resolve(targets, pass, err::println);
        logins = new HostLogins(new HostLogins.Overrides(sshOptions.knownHosts, acceptNew, noHostKeyCheck, connectTimeout, DEFAULT_CONNECT_TIMEOUT), loginPassword,
                (kh, key) -> err.println("fanout: " + (acceptNew ? "--accept-new" : "accept-new") + ": recorded " + key + " in " + kh.userFile()));
        pool = new Connections(logins::login, sshOptions.jumpChannels, concurrency);
        hosts.forEach(h -> pool.expect(h.route()));     // every login made now (bad known_hosts: exit 2); a host named twice keeps its connection
        if (script != null) readScript();
        byte[] stdinBytes = forwardStdin ? System.in.readAllBytes() : new byte[0];
        Sudo asRoot = !sudo ? null : sudoSecret != null ? Sudo.withPassword(sudoSecret) : Sudo.nonInteractive();
        remote = new RemoteCommand.Options(stdinBytes, asRoot, timeout, "-t", channelTimeout);
        views = new Views(out, String.join(" ", command), script);
        if (noHostKeyCheck) err.println("warning: --no-host-key-check: host keys are not verified");
        if (hosts.stream().noneMatch(h -> h.endpoint().hasKeys()) && loginPassword == null) {
            throw new InputError("nothing to log in with: no key in ssh-agent ($SSH_AUTH_SOCK), no usable private key (looked for -i, "
                    + "IdentityFile in ssh_config, ~/.ssh/id_ed25519, id_ecdsa, id_rsa) and no --password-env/--password-file");
        }

        // ---- run: every host, at most --concurrency at once, blocks printed as hosts end ----------
        int slots = Limits.capConcurrency(Math.min(concurrency, hosts.size()), 1, err);
        long t0 = System.nanoTime();
        List<HostRun> runs;
        try (Runner fan = new Runner(slots, deadline.isZero() ? null : deadline, "fanout"); Connections connections = pool) {
            if (format == Format.text && !gather) fan.withoutProgress();   // we print while running
            runs = fan.run(hosts, this::runOn, HostRun::notRun);
            report(runs, (System.nanoTime() - t0) / 1_000_000, slots);
        }
        if (fdFailures.get() > 0) {
            err.println("fanout: " + fdFailures.get() + " hosts were not run: this machine ran out of file descriptors");
            return Exit.TOOL_ERROR;
        }
        return runs.stream().allMatch(HostRun::ok) ? Exit.OK : Exit.FAILED;
    }

    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private void readScript() throws IOException {
        scriptBytes = Files.readAllBytes(InputFile.readable(script, "--script"));
        if (scriptBytes.length == 0) throw new InputError("--script " + script + ": file is empty");
        String first = new String(scriptBytes, 0, Math.min(scriptBytes.length, 256), StandardCharsets.UTF_8).lines().findFirst().orElse("");
        interpreter = first.startsWith("#!") && !first.substring(2).isBlank() ? first.substring(2).strip() : "sh";
    }

    // ---- one host ------------------------------------------------------------------------------

    HostRun runOn(Endpoints.Host host) {
        long t0 = System.nanoTime();
        HostRun r = new HostRun(host, capture(host, out), capture(host, err));
        try {
            if (host.unsupported() != null) return r.end(Status.NOT_RUN, host.unsupported());
            try (Connections.Lease lease = pool.get(host.route())) {
                Ssh.Connection c = lease.connection();
                r.connected(c);
                if (verbose) err.println(host.label() + ": " + describe(c));
                String line = remoteLine(c, r);
                if (line != null) r.end(RemoteCommand.run(c, line, remote, r.stdout(), r.stderr()));
            } catch (Ssh.Failure f) {
                if (Ssh.OUT_OF_FDS.equals(f.detail)) fdFailures.incrementAndGet();
                r.failed(f);
                if (verbose) err.println(host.label() + ": " + f.status + ": " + f.detail);
            }
            return r;
        } finally {
            r.elapsedMs((System.nanoTime() - t0) / 1_000_000);
            if (format == Format.text && !gather && !prefix && !Thread.currentThread().isInterrupted()) views.block(r);
        }
    }

    /** One of the host's output streams, within --max-output and the run's --max-total-output; live lines with -P. */
    private Capture capture(Endpoints.Host host, PrintStream to) {
        return new Capture(maxOutput, outputBudget, prefix ? line -> Views.prefixed(to, host.label(), line) : null);
    }

    /** The command line sshd's shell runs; with --script, uploads the script first (null if that failed). */
    private String remoteLine(Ssh.Connection c, HostRun r) {
        Sudo asRoot = remote.sudo();
        if (script == null) {                          // like ssh: the words are joined and the remote shell reads them
            String line = String.join(" ", command);
            return asRoot != null ? asRoot.wrap(line) : line;
        }
        String path;
        try {
            path = RemoteCommand.upload(c, scriptBytes, "ops-fanout", remote.replyTimeout());
        } catch (RemoteCommand.Failed f) {
            r.end(f.status, "could not upload --script: " + f.detail);
            return null;
        }
        // A script's arguments are data: each is quoted, so `-- 'a;b'` is one argument, never a command.
        StringBuilder run = new StringBuilder(interpreter).append(' ').append(quote(path));
        for (String a : command) run.append(' ').append(quote(a));
        return (asRoot != null ? asRoot.wrap(run.toString()) : run) + "; rc=$?; rm -f " + quote(path) + "; exit $rc";
    }

    /** -v: what was negotiated, and a WEAK note naming each weak algorithm (allowed by the user's ssh_config). */
    private static String describe(Ssh.Connection c) {
        var n = c.negotiated();
        List<String> weak = SshjConfigs.weak(n);
        return n.get("server") + "; kex " + n.get("kex") + ", host key " + n.get("hostkey_fingerprint") + " (" + n.get("hostkey")
                + "), cipher " + n.get("cipher") + ", mac " + n.get("mac") + "; logged in with " + n.get("auth")
                + (weak.isEmpty() ? "" : "; WEAK: " + String.join(", ", weak)) + (n.containsKey("via") ? "; via " + n.get("via") : "");
    }

    // ---- output --------------------------------------------------------------------------------

    private void report(List<HostRun> runs, long ms, int slots) {
        Report summary = Views.summary(runs, ms);
        switch (format) {
            case json -> views.json(runs, summary.summary("concurrency", slots).summary("host_keys_recorded", logins.recorded()));
            case md -> views.markdown(runs, summary);
            case slack, dingtalk, wecom -> views.chat(format, runs, summary);
            case hosts -> views.hosts(runs, summary, this::wanted, err);
            case text -> {
                if (gather) views.gathered(runs);
                else if (!prefix) runs.forEach(views::block);        // hosts never started still get their block
                out.println(summary.summaryLine());
                views.failures(runs);
            }
        }
        out.flush();
    }

    /** --only-failed and --status, for --format hosts ('exit' stands for any exit N). */
    private boolean wanted(HostRun r) {
        Status s = r.status();
        return (!onlyFailed || !s.ok())
                && (statuses.isEmpty() || statuses.contains(s.text()) || s.kind() == Status.Kind.EXIT && statuses.contains("exit"));
    }
}
