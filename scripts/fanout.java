//usr/bin/true; exec "$(dirname "$(readlink -f "$0")")/../jbang" "$0" "$@"
//JAVA 21+
//JAVA_OPTIONS -XX:+UseSerialGC -XX:-UsePerfData -XX:TieredStopAtLevel=1 -Xss512k
//SOURCES ../lib/Cli.java ../lib/Common.java ../lib/FanOut.java ../lib/Report.java ../lib/Targets.java
//SOURCES ../lib/Ssh.java ../lib/SshConfig.java ../lib/Tcp.java

/*
 * fanout -- run one command on many hosts over SSH, and show who differs.
 *
 * What it does: logs in to every target with sshj (keys from -i or ~/.ssh/id_*, or a password you
 * name by environment variable or file), checks host keys against ~/.ssh/known_hosts, runs the
 * command (or uploads and runs --script), and prints each host's output: as blocks (default),
 * as live lines prefixed with the host (-P, like pssh -P), or gathered so that hosts with the same
 * output and exit code share one block with their names folded into ranges (-b, like clush -b).
 * Every host ends with one status: ok, exit N, signal NAME, timeout, refused, unreachable,
 * unresolved, auth-failed, hostkey-mismatch, hostkey-revoked, hostkey-unknown, kex-failed, error, interrupted or
 * not-run. `--format md|json` for chats and jq.
 *
 * When to use it: the pssh / clush / `ansible -m shell` job in an incident: "what does `df -h /`
 * say everywhere?", "which hosts still run the old package?", "restart this on the canaries".
 *
 * What it costs the target: one SSH login (one session; two with --script), the command itself,
 * and an sshd log line per login. Nothing is installed. --script leaves a file in $TMPDIR only if
 * the command is killed. On timeout or Ctrl-C the remote command gets SIGTERM (OpenSSH 7.9+ honours
 * signal requests) and the session is closed.
 */

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.Signal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "fanout", mixinStandardHelpOptions = true, version = "fanout (ops) 0.1", sortOptions = false,
        usageHelpWidth = 80,
        description = {
            "Run a command on many hosts over SSH and show who differs.",
            "Usage: fanout [OPTIONS] HOSTS_FILE... -- COMMAND [ARG...]  (the -- is required)",
            "Every host ends with one status: ok, exit N, signal NAME, timeout, refused,",
            "unreachable, unresolved, auth-failed, hostkey-mismatch, hostkey-revoked,",
            "hostkey-unknown, kex-failed, error, interrupted, not-run.",
            "",
            "~/.ssh/config: Host patterns (* ? !), HostName (%%h), User, Port,",
            "IdentityFile (~ %%d %%u %%r %%h) and Include are honoured; the first value found",
            "wins, as in ssh. Not supported: Match blocks (skipped with a warning),",
            "ProxyJump/ProxyCommand (such hosts fail with an error instead of being reached",
            "directly), ssh-agent, certificates, and every other keyword (e.g.",
            "UserKnownHostsFile, StrictHostKeyChecking: use --known-hosts, --accept-new).",
            "Precedence: user@host:port in the hosts file, then -l/-p, then ~/.ssh/config,",
            "then $USER and 22.",
            ""},
        footer = {
            "%nExamples:",
            "  fanout hosts.txt -- df -h /                   # one block per host",
            "  fanout -b hosts.txt -- uname -r               # gathered: hosts with equal output share a block",
            "  fanout -P -c 100 -H web[01-40] -- 'tail -n1 /var/log/syslog'",
            "  fanout --sudo --sudo-password-env SUDO_PW hosts.txt -- systemctl restart nginx",
            "  fanout --script fix.sh hosts.txt -- --dry-run # upload fix.sh and run it with --dry-run",
            "  fanout --format md -b hosts.txt -- cat /etc/debian_version   # paste into the incident chat",
            "%nExit codes:%n"
                + "  0  every host ran the command and it exited 0%n"
                + "  1  at least one host failed (non-zero exit, unreachable, auth, host key, timeout...)%n"
                + "  2  bad usage or bad input (nothing was run)%n"
                + "  3  the tool itself failed (see stderr)%n"
                + "  130/143  interrupted by SIGINT/SIGTERM (the summary is still printed)%n"})
public class fanout implements Callable<Integer> {

    @Mixin Common.TargetOptions input;

    @Option(names = {"-l", "--user"}, paramLabel = "USER", description = "Remote user for targets that name none (default: ~/.ssh/config, then $USER).")
    String user;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "Port for targets that name none (default: ~/.ssh/config, then 22).")
    Integer port;

    @Option(names = {"-i", "--identity"}, paramLabel = "KEY_FILE",
            description = "Private key to log in with (repeatable; OpenSSH, PEM or PuTTY format). Default: IdentityFile from ~/.ssh/config, else ~/.ssh/id_ed25519, id_ecdsa, id_rsa.")
    List<Path> identities = new ArrayList<>();

    // Secrets come from an environment variable or a file, never from argv.
    @Option(names = "--passphrase-env", paramLabel = "VAR", description = "Environment variable holding the passphrase of encrypted keys.")
    String passphraseEnv;
    @Option(names = "--passphrase-file", paramLabel = "FILE", description = "File whose first line is the passphrase of encrypted keys.")
    Path passphraseFile;

    @Option(names = "--password-env", paramLabel = "VAR", description = "Log in with the password in this environment variable (after any keys).")
    String passwordEnv;
    @Option(names = "--password-file", paramLabel = "FILE", description = "Log in with the password on this file's first line (after any keys).")
    Path passwordFile;

    @Option(names = {"-F", "--ssh-config"}, paramLabel = "FILE", description = "ssh client config to read, or 'none' (default: ~/.ssh/config if it exists).")
    String sshConfig;

    @Option(names = "--known-hosts", paramLabel = "FILE", description = "known_hosts file (default: ~/.ssh/known_hosts; /etc/ssh/ssh_known_hosts is read too).")
    Path knownHosts;

    @Option(names = "--accept-new", description = "Trust hosts with no key on record and record their key (never a changed one), like StrictHostKeyChecking=accept-new.")
    boolean acceptNew;

    @Option(names = "--no-host-key-check", description = "Do not verify host keys at all (explicit opt-out; man-in-the-middle attacks go unnoticed).")
    boolean noHostKeyCheck;

    @Option(names = {"-t", "--timeout"}, paramLabel = "DURATION", defaultValue = "60s", converter = Cli.DurationConverter.class,
            description = "How long the command may run on each host; 0 for no limit (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = Cli.DurationConverter.class,
            description = "Time for TCP connect, SSH handshake and login per host (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(names = "--deadline", paramLabel = "DURATION", defaultValue = "0", converter = Cli.DurationConverter.class,
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
            description = "text (blocks, or -P / -b), md (gathered, for chats), slack (gathered, in a code block), json (every host, plus the groups) "
                    + "or hosts (the hosts, one a line, as given: pipe them to another run) (default: ${DEFAULT-VALUE}).")
    Format format;

    enum Format { text, md, slack, json, hosts }

    @Option(names = "--only-failed", description = "With --format hosts: only the hosts that failed.")
    boolean onlyFailed;

    @Option(names = "--status", paramLabel = "STATUS", split = ",",
            description = "With --format hosts: only the hosts that ended with these statuses (e.g. refused,timeout; 'exit' for any exit N).")
    List<String> statuses = new ArrayList<>();

    @Option(names = "--max-output", paramLabel = "SIZE", defaultValue = "16M", converter = Cli.SizeConverter.class,
            description = "Keep at most this much of each host's stdout and of its stderr; the rest is counted and reported as truncated (default: ${DEFAULT-VALUE}).")
    long maxOutput;

    @Option(names = "--max-total-output", paramLabel = "SIZE", defaultValue = "256M", converter = Cli.SizeConverter.class,
            description = "Keep at most this much output in all, over every host; past it output is counted, not kept, "
                    + "and every host still gets its row (default: ${DEFAULT-VALUE}).")
    long maxTotalOutput;

    /** What is left of --max-total-output for every host's captures together. */
    private java.util.concurrent.atomic.AtomicLong outputBudget;

    @Option(names = {"-v", "--verbose"}, description = "Show, per host, the negotiated key exchange, host key, cipher and MAC, and how the login succeeded.")
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
        Cli.main(f, ours);
    }

    // ---- setup: everything that can be wrong is found before the first connection ----------------

    private final PrintStream out = System.out;
    private final PrintStream err = System.err;
    // Markers around sudo's password prompt, unguessable by the remote command; set in call() (a
    // SecureRandom costs ~15 ms of start-up that --help and a usage error should not pay).
    private String sudoPrompt;
    private String sudoDone;

    private Ssh.Login login;
    private char[] sudoSecret;
    private byte[] stdinBytes = new byte[0];
    private byte[] scriptBytes;
    private String interpreter;
    private SshConfig config;
    private final Map<String, Ssh.Key> keyCache = new HashMap<>();
    private final Set<String> printed = ConcurrentHashMap.newKeySet();
    final AtomicLong fdFailures = new AtomicLong();

    record Plan(Targets.Target target, String label, Ssh.Endpoint endpoint, String unsupported) {}

    @Override
    public Integer call() throws IOException {
        String token = randomHex(6);
        sudoPrompt = "[ops-sudo-password-" + token + "]";
        sudoDone = "[ops-sudo-ok-" + token + "]";
        if (command.isEmpty() && script == null) {
            throw new Cli.InputError("no command: put it after --, e.g. fanout hosts.txt -- uptime");
        }
        if (port != null && (port < 1 || port > 65535)) throw new Cli.InputError("--port " + port + ": expected 1-65535");
        if (concurrency < 1) throw new Cli.InputError("--concurrency must be at least 1");
        if (connectTimeout.isZero()) throw new Cli.InputError("--connect-timeout must be more than 0");
        if (maxOutput < 1) throw new Cli.InputError("--max-output must be at least 1 byte");
        if (maxTotalOutput < 1) throw new Cli.InputError("--max-total-output must be at least 1 byte");
        outputBudget = new java.util.concurrent.atomic.AtomicLong(maxTotalOutput);
        if (acceptNew && noHostKeyCheck) throw new Cli.InputError("--accept-new and --no-host-key-check contradict each other; pick one");
        if (prefix && gather) throw new Cli.InputError("-P (live lines) and -b (gathered) are different views; pick one");
        if (prefix && format != Format.text) throw new Cli.InputError("-P streams text; it cannot be combined with --format " + format);
        if (forwardStdin && input.files.contains("-")) throw new Cli.InputError("--stdin and a hosts file on stdin ('-') cannot share stdin");
        char[] pass = Cli.secret(passphraseEnv, passphraseFile, "--passphrase");
        char[] loginPassword = Cli.secret(passwordEnv, passwordFile, "--password");
        sudoSecret = Cli.secret(sudoPasswordEnv, sudoPasswordFile, "--sudo-password");
        if (sudoSecret != null) sudo = true;
        if (user != null && !user.matches("[A-Za-z0-9._][A-Za-z0-9._-]*\\$?")) throw new Cli.InputError("-l '" + user + "': not a valid user name");

        config = sshConfig == null ? SshConfig.userDefault(err::println)
                : sshConfig.equals("none") ? SshConfig.none() : SshConfig.load(existing(Path.of(sshConfig), "-F"), err::println);
        List<Targets.Target> targets = Targets.load(input.files, input.inline,
                new Targets.Options(Targets.UNSET_PORT, null, input.maxTargets), System.in, err);
        List<Plan> plans = plan(targets, pass);
        Ssh.KnownHosts knownHostsFile = loadKnownHosts();
        knownHostsFile.onRecord(key -> err.println("fanout: --accept-new: recorded " + key + " in " + knownHostsFile.userFile()));
        login = new Ssh.Login(knownHostsFile, noHostKeyCheck ? Ssh.HostKeyPolicy.OFF : acceptNew ? Ssh.HostKeyPolicy.ACCEPT_NEW : Ssh.HostKeyPolicy.STRICT,
                loginPassword, connectTimeout);
        if (script != null) readScript();
        if (forwardStdin) stdinBytes = System.in.readAllBytes();
        if (noHostKeyCheck) err.println("warning: --no-host-key-check: host keys are not verified");
        if (plans.stream().allMatch(pl -> pl.endpoint().keys().isEmpty()) && loginPassword == null) {
            throw new Cli.InputError("nothing to log in with: no usable private key (looked for -i, IdentityFile in ssh_config, "
                    + "~/.ssh/id_ed25519, id_ecdsa, id_rsa) and no --password-env/--password-file");
        }

        int slots = FanOut.capConcurrency(Math.min(concurrency, plans.size()), 1, err);
        long t0 = System.nanoTime();
        List<HostRun> runs;
        try (FanOut fan = new FanOut(slots, deadline.isZero() ? null : deadline, "fanout")) {
            if (format == Format.text && !gather) fan.withoutProgress();   // we print while running
            runs = fan.run(plans, this::runOn, fanout::notRun);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            report(runs, ms, slots);
        }
        if (fdFailures.get() > 0) {
            err.println("fanout: " + fdFailures.get() + " hosts were not run: this machine ran out of file descriptors");
            return Cli.TOOL_ERROR;
        }
        return runs.stream().allMatch(r -> r.status.equals("ok")) ? Cli.OK : Cli.FAILED;
    }

    /** Resolves every target against ~/.ssh/config and loads every key it needs, once. */
    private List<Plan> plan(List<Targets.Target> targets, char[] pass) {
        List<Ssh.Key> explicit = new ArrayList<>();
        for (Path p : identities) explicit.add(key(existing(p, "-i"), pass, true));
        List<Ssh.Key> defaults = null;
        List<Plan> plans = new ArrayList<>();
        for (Targets.Target t : targets) {
            SshConfig.HostSettings s = config.lookup(t.host(), t.user() != null ? t.user() : user);
            String u = t.user() != null ? t.user() : user != null ? user : s.user() != null ? s.user() : System.getProperty("user.name");
            int p = t.port() != Targets.UNSET_PORT ? t.port() : port != null ? port : s.port() != null ? s.port() : 22;
            List<Ssh.Key> keys = new ArrayList<>(explicit);
            for (String f : s.identityFiles()) {
                if (Files.isRegularFile(Path.of(f))) {
                    Ssh.Key k = key(Path.of(f), pass, false);
                    if (k != null && !keys.contains(k)) keys.add(k);
                }
            }
            if (identities.isEmpty() && s.identityFiles().isEmpty()) {
                if (defaults == null) defaults = defaultKeys(pass);
                keys.addAll(defaults);
            }
            String host = s.hostName() != null ? s.hostName() : t.host();
            plans.add(new Plan(t, t.spec(), new Ssh.Endpoint(host, p, u, List.copyOf(keys)), s.unsupported()));
        }
        return plans;
    }

    private List<Ssh.Key> defaultKeys(char[] pass) {
        List<Ssh.Key> keys = new ArrayList<>();
        for (String name : List.of("id_ed25519", "id_ecdsa", "id_rsa")) {
            Path p = Path.of(System.getProperty("user.home"), ".ssh", name);
            if (Files.isRegularFile(p)) {
                Ssh.Key k = key(p, pass, false);
                if (k != null) keys.add(k);
            }
        }
        return keys;
    }

    /** A key, loaded once; a key named with -i must load, a default one is skipped with a warning. */
    private Ssh.Key key(Path p, char[] pass, boolean explicit) {
        String id = p.toAbsolutePath().normalize().toString();
        if (keyCache.containsKey(id)) return keyCache.get(id);
        Ssh.Key k;
        try {
            k = Ssh.loadKey(p, pass);
            if (k == null) {
                String why = p + ": key is encrypted; give its passphrase with --passphrase-env VAR or --passphrase-file FILE";
                if (explicit) throw new Cli.InputError(why);
                err.println("warning: skipping " + why);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof Cli.InputError ie) throw ie;
            String why = p + ": cannot load private key: " + Cli.message(e, e.getClass().getSimpleName());
            if (explicit) throw new Cli.InputError(why);
            err.println("warning: skipping " + why);
            k = null;
        }
        keyCache.put(id, k);
        return k;
    }

    private Ssh.KnownHosts loadKnownHosts() {
        Path user = knownHosts != null ? knownHosts : Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
        if (knownHosts != null && Files.isDirectory(knownHosts)) throw new Cli.InputError(knownHosts + ": is a directory, expected a known_hosts file");
        try {
            return Ssh.KnownHosts.load(user, knownHosts != null ? null : Path.of("/etc/ssh/ssh_known_hosts"));
        } catch (IOException e) {
            throw new Cli.InputError(user + ": cannot read known_hosts: " + e.getMessage());
        }
    }

    private static Path existing(Path p, String option) {
        if (!Files.exists(p)) throw new Cli.InputError(option + " " + p + ": no such file");
        if (Files.isDirectory(p)) throw new Cli.InputError(option + " " + p + ": is a directory");
        if (!Files.isReadable(p)) throw new Cli.InputError(option + " " + p + ": not readable");
        return p;
    }

    private void readScript() throws IOException {
        scriptBytes = Files.readAllBytes(existing(script, "--script"));
        if (scriptBytes.length == 0) throw new Cli.InputError("--script " + script + ": file is empty");
        String first = new String(scriptBytes, 0, Math.min(scriptBytes.length, 256), StandardCharsets.UTF_8).lines().findFirst().orElse("");
        interpreter = first.startsWith("#!") && !first.substring(2).isBlank() ? first.substring(2).strip() : "sh";
    }

    // ---- one host ------------------------------------------------------------------------------

    /** What happened on one host. */
    static final class HostRun {
        final Plan plan;
        String status = "error", detail, address;
        Integer exitCode;
        String signal;
        long ms;
        Map<String, String> ssh = Map.of();
        Capture stdout, stderr;

        HostRun(Plan plan) { this.plan = plan; }

        HostRun fail(String status, String detail) { this.status = status; this.detail = detail; return this; }
    }

    HostRun runOn(Plan plan) {
        HostRun r = new HostRun(plan);
        long t0 = System.nanoTime();
        r.stdout = new Capture(maxOutput, outputBudget, prefix ? line -> live(out, plan.label(), line) : null);
        r.stderr = new Capture(maxOutput, outputBudget, prefix ? line -> live(err, plan.label(), line) : null);
        try {
            if (plan.unsupported() != null) return r.fail("error", plan.unsupported());
            try (Ssh.Connection c = Ssh.connect(plan.endpoint(), login)) {
                r.address = c.address();
                r.ssh = c.negotiated();
                if (verbose) err.println(plan.label() + ": " + describe(c));
                String remote = remoteCommand(c, r);
                if (remote != null) execute(c, remote, r);
            } catch (Ssh.Failure f) {
                r.address = f.address;
                if (Ssh.OUT_OF_FDS.equals(f.detail)) fdFailures.incrementAndGet();
                r.fail(f.status, f.detail);
                if (verbose) err.println(plan.label() + ": " + f.status + ": " + f.detail);
            }
            return r;
        } finally {
            r.ms = (System.nanoTime() - t0) / 1_000_000;
            if (format == Format.text && !gather && !prefix && !Thread.currentThread().isInterrupted()) block(r);
        }
    }

    /** The command line sshd's shell runs; with --script, uploads the script first (null if that failed). */
    private String remoteCommand(Ssh.Connection c, HostRun r) {
        if (script == null) {                          // like ssh: the words are joined and the remote shell reads them
            String line = String.join(" ", command);
            return sudo ? sudoWrap(line) : line;
        }
        String path = upload(c, r);
        if (path == null) return null;
        // A script's arguments are data: each is quoted, so `-- 'a;b'` is one argument, never a command.
        StringBuilder run = new StringBuilder(interpreter).append(' ').append(quote(path));
        for (String a : command) run.append(' ').append(quote(a));
        return (sudo ? sudoWrap(run.toString()) : run) + "; rc=$?; rm -f " + quote(path) + "; exit $rc";
    }

    /** sudo -S with a prompt we recognise; a marker on stderr says sudo has let us through. */
    private String sudoWrap(String cmd) {
        if (sudoSecret == null) return "sudo -n -- sh -c " + quote(cmd);
        return "sudo -S -p " + quote(sudoPrompt) + " -- sh -c " + quote("printf '%s\\n' " + quote(sudoDone) + " >&2; " + cmd);
    }

    /** Copies the script into a private temp file with `cat`, returns its path. */
    private String upload(Ssh.Connection c, HostRun r) {
        String cmd = "umask 077 && f=$(mktemp \"${TMPDIR:-/tmp}/ops-fanout.XXXXXX\") && cat > \"$f\" && printf '%s' \"$f\"";
        try (Session s = c.client().startSession(); Session.Command cmd1 = s.exec(cmd)) {
            var pathOut = new ByteArrayOutputStream();
            var errOut = new ByteArrayOutputStream();
            Thread e = Thread.ofVirtual().start(() -> drain(cmd1.getErrorStream(), errOut));
            try (OutputStream in = cmd1.getOutputStream()) {
                in.write(scriptBytes);
            }
            cmd1.getInputStream().transferTo(pathOut);
            e.join();
            cmd1.join(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
            String path = pathOut.toString(StandardCharsets.UTF_8).strip();
            if (!Integer.valueOf(0).equals(cmd1.getExitStatus()) || path.isEmpty()) {
                r.fail("error", "could not upload --script: " + errOut.toString(StandardCharsets.UTF_8).strip());
                return null;
            }
            return path;
        } catch (IOException | InterruptedException ex) {
            r.fail(Thread.currentThread().isInterrupted() ? "interrupted" : "error", "could not upload --script: " + ex.getMessage());
            return null;
        }
    }

    private static void drain(InputStream in, OutputStream to) {
        try {
            in.transferTo(to);
        } catch (IOException ignored) { }
    }

    /** Runs {@code remote}, collecting stdout/stderr until both end, the per-host timeout, or an interrupt. */
    private void execute(Ssh.Connection c, String remote, HostRun r) {
        Session.Command cmd;
        Session session;
        try {
            session = c.client().startSession();
            cmd = session.exec(remote);
        } catch (IOException e) {
            r.fail("error", "could not start the command: " + e.getMessage());
            return;
        }
        CountDownLatch ended = new CountDownLatch(2);
        StdinFeeder stdin = new StdinFeeder(cmd.getOutputStream());
        Thread.ofVirtual().start(() -> { r.stdout.pump(cmd.getInputStream()); ended.countDown(); });
        Thread.ofVirtual().start(() -> {
            if (sudoSecret != null) r.stderr.pumpSudo(cmd.getErrorStream(), this, stdin);
            else r.stderr.pump(cmd.getErrorStream());
            ended.countDown();
        });
        if (sudoSecret == null) stdin.send();
        try {
            boolean done = timeout.isZero() ? awaitForever(ended) : ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                boolean stopped = stop(cmd, ended, c);
                r.fail("timeout", "command still running after " + Cli.formatDuration(timeout.toMillis()) + " (-t); "
                        + (stopped ? "stopped it with SIGTERM" : "sent SIGTERM, but it did not end (sshd does not deliver signals"
                           + " to root sessions); closed the connection, so it may still be running"));
                return;
            }
            cmd.join(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);   // the exit status follows EOF
            session.close();
        } catch (InterruptedException e) {
            boolean stopped = stop(cmd, ended, c);
            r.fail("interrupted", "interrupted; " + (stopped ? "stopped the remote command with SIGTERM" : "sent SIGTERM to the remote command"));
            Thread.currentThread().interrupt();
            return;
        } catch (IOException e) {
            r.fail("error", "session failed: " + e.getMessage());
            return;
        }
        Integer exit = cmd.getExitStatus();
        Signal sig = cmd.getExitSignal();
        if (exit != null) {
            r.exitCode = exit;
            r.status = exit == 0 ? "ok" : "exit " + exit;
            if (stdin.sudoRefused) r.detail = "sudo refused the password";
        } else if (sig != null) {
            String why = cmd.getExitErrorMessage();                    // OpenSSH always sends one, empty
            r.fail("signal " + sig.name(), "killed by SIG" + sig.name() + (why == null || why.isEmpty() ? "" : ": " + why));
            r.signal = sig.name();
        } else {
            r.fail("error", "the session closed without an exit status (connection lost?)");
        }
    }

    private static boolean awaitForever(CountDownLatch l) throws InterruptedException {
        l.await();
        return true;
    }

    /**
     * SIGTERM to the remote command, a moment for it to end, then the connection is dropped (not
     * the channel closed politely: sshd would hold that until the command exits). True if the
     * command's output ended, i.e. it is gone.
     */
    private static boolean stop(Session.Command cmd, CountDownLatch ended, Ssh.Connection c) {
        boolean interrupted = Thread.interrupted();
        boolean gone = false;
        try {
            cmd.signal(Signal.TERM);
            gone = ended.await(STOP_GRACE_MS, TimeUnit.MILLISECONDS);
        } catch (IOException | RuntimeException ignored) {
        } catch (InterruptedException e) {
            interrupted = true;
        }
        c.close();
        if (interrupted) Thread.currentThread().interrupt();
        return gone;
    }

    /** How long a timed-out or interrupted command gets to end after SIGTERM. */
    static final long STOP_GRACE_MS = 1000;

    /** Writes --stdin data (after the sudo password, when sudo asks for one) and then EOF. */
    final class StdinFeeder {
        private final OutputStream to;
        private volatile boolean sent;
        volatile boolean sudoRefused;
        private int prompts;

        StdinFeeder(OutputStream to) { this.to = to; }

        /** sudo printed its prompt: answer once; a second prompt means the password was wrong. */
        synchronized void prompted() {
            try {
                if (++prompts == 1) {
                    byte[] pw = (new String(sudoSecret) + "\n").getBytes(StandardCharsets.UTF_8);
                    to.write(pw);
                    to.flush();
                } else {
                    sudoRefused = true;
                    to.close();                     // sudo gives up on EOF
                }
            } catch (IOException ignored) { }
        }

        /** The user's stdin (if --stdin), then EOF. */
        synchronized void send() {
            if (sent) return;
            sent = true;
            Thread.ofVirtual().start(() -> {
                try (to) {
                    to.write(stdinBytes);
                } catch (IOException ignored) { }   // the command closed its stdin early; not an error
            });
        }
    }

    /**
     * One output stream of one host: keeps up to {@code max} bytes, counts the rest, and (with -P)
     * hands complete lines to {@code live} as they arrive.
     */
    static final class Capture {
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final long max;
        private final java.util.function.Consumer<String> live;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private final java.util.concurrent.atomic.AtomicLong budget;   // shared by every capture of the run
        long total;
        boolean cutByTotal;      // kept less than max because the run's --max-total-output ran out

        Capture(long max, java.util.concurrent.atomic.AtomicLong budget, java.util.function.Consumer<String> live) {
            this.max = max;
            this.budget = budget;
            this.live = live;
        }

        void pump(InputStream in) {
            byte[] buf = new byte[32 * 1024];
            try {
                for (int n; (n = in.read(buf)) > 0; ) write(buf, 0, n);
            } catch (IOException ignored) {
                // closed by timeout or interrupt: what arrived is kept
            } finally {
                finish();
            }
        }

        /** stderr under sudo -S: answers sudo's prompt, drops prompt and marker from the output. */
        void pumpSudo(InputStream in, fanout f, StdinFeeder stdin) {
            StringBuilder pending = new StringBuilder();
            byte[] buf = new byte[8 * 1024];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    if (stdin.sent) { write(buf, 0, n); continue; }
                    pending.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    int p;
                    while ((p = pending.indexOf(f.sudoPrompt)) >= 0) {
                        pending.delete(p, p + f.sudoPrompt.length());
                        stdin.prompted();
                    }
                    int d = pending.indexOf(f.sudoDone + "\n");
                    if (d >= 0) {
                        pending.delete(d, d + f.sudoDone.length() + 1);
                        byte[] b = pending.toString().getBytes(StandardCharsets.ISO_8859_1);
                        write(b, 0, b.length);
                        pending.setLength(0);
                        stdin.send();
                    }
                }
            } catch (IOException ignored) {
            } finally {
                byte[] b = pending.toString().getBytes(StandardCharsets.ISO_8859_1);
                write(b, 0, b.length);
                finish();
            }
        }

        synchronized void write(byte[] b, int off, int len) {
            total += len;
            long want = Math.min(max - kept.size(), len);
            if (want > 0) {
                long got = want - Math.max(0, -budget.addAndGet(-want));       // what the run's budget still had
                if (got < want) {
                    budget.addAndGet(want - Math.max(got, 0));                  // give back what we could not take
                    cutByTotal = true;
                }
                if (got > 0) kept.write(b, off, (int) got);
            }
            if (live == null) return;
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    live.accept(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                } else if (line.size() < 64 * 1024) {
                    line.write(b[i]);
                }
            }
        }

        synchronized void finish() {
            if (live != null && line.size() > 0) {
                live.accept(line.toString(StandardCharsets.UTF_8));
                line.reset();
            }
        }

        synchronized String text() { return kept.toString(StandardCharsets.UTF_8); }
        synchronized long keptBytes() { return kept.size(); }
        synchronized boolean truncated() { return total > kept.size(); }
    }

    private static void live(PrintStream to, String label, String line) {
        synchronized (System.out) {
            to.println(label + ": " + line);
            to.flush();
        }
    }

    static HostRun notRun(Plan plan, String why) {
        HostRun r = new HostRun(plan);
        r.stdout = new Capture(1, new java.util.concurrent.atomic.AtomicLong(1), null);
        r.stderr = new Capture(1, new java.util.concurrent.atomic.AtomicLong(1), null);
        if (why.contains("interrupted")) return r.fail("interrupted", why);
        if (why.startsWith("cut by the global deadline")) return r.fail("timeout", why);
        if (why.startsWith("not started")) return r.fail("not-run", why);
        return r.fail("error", why);
    }

    private static String describe(Ssh.Connection c) {
        Map<String, String> n = c.negotiated();
        return n.get("server") + "; kex " + n.get("kex") + ", host key " + n.get("hostkey_fingerprint") + " (" + n.get("hostkey")
                + "), cipher " + n.get("cipher") + ", mac " + n.get("mac") + "; logged in with " + n.get("auth");
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** POSIX sh single quoting. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    // ---- output --------------------------------------------------------------------------------

    /** One host's block: "==> web01 <== ok (0.3s)" then its stdout, then its stderr. */
    private void block(HostRun r) {
        if (!printed.add(r.plan.label())) return;
        StringBuilder sb = new StringBuilder();
        String head = "==> " + r.plan.label() + " <== " + headline(r) + " (" + Cli.formatDuration(r.ms) + ")";
        if (head.length() > Report.WIDTH && r.detail != null) {     // a long reason goes under, wrapped, never cut
            head = "==> " + r.plan.label() + " <== " + r.status + " (" + Cli.formatDuration(r.ms) + ")\n" + Report.wrap(r.detail, "    ", Report.WIDTH);
        }
        sb.append(head).append('\n');
        appendOutput(sb, r.stdout.text(), r.stdout);
        if (r.stderr.total > 0) {
            sb.append("[stderr]\n");
            appendOutput(sb, r.stderr.text(), r.stderr);
        }
        synchronized (System.out) {
            out.print(sb);
            out.flush();
        }
    }

    private static String headline(HostRun r) {
        if (r.status.equals("ok") || r.detail == null) return r.status;
        return r.status + ": " + r.detail;
    }

    private static void appendOutput(StringBuilder sb, String text, Capture c) {
        if (text.isEmpty() && !c.truncated()) return;
        sb.append(text);
        if (!text.endsWith("\n")) sb.append(text.isEmpty() ? "" : "\n");
        if (c.truncated()) {
            sb.append("[... output truncated: kept ").append(Cli.formatSize(c.keptBytes())).append(" of ")
              .append(Cli.formatSize(c.total)).append(c.cutByTotal ? "; the run's --max-total-output was reached]\n" : "; raise --max-output]\n");
        }
    }

    /** Hosts with the same status, exit code, stdout and stderr. */
    record Group(List<HostRun> hosts, String status, String detail, String stdout, String stderr) {
        String names() { return Targets.fold(hosts.stream().map(h -> h.plan.label()).toList()); }
    }

    static List<Group> groups(List<HostRun> runs) {
        Map<List<String>, List<HostRun>> byKey = new LinkedHashMap<>();
        for (HostRun r : runs) {
            String detail = r.status.equals("ok") || r.detail == null ? "" : r.detail;
            List<String> key = List.of(r.status, detail, r.stdout.text(), r.stderr.text(), String.valueOf(r.stdout.truncated() || r.stderr.truncated()));
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        }
        List<Group> groups = new ArrayList<>();
        byKey.forEach((k, hosts) -> groups.add(new Group(hosts, k.get(0), k.get(1).isEmpty() ? null : k.get(1), k.get(2), k.get(3))));
        // The majority first, the odd ones out last: "who differs" is at the bottom, next to the summary.
        groups.sort((a, b) -> b.hosts().size() - a.hosts().size());
        return groups;
    }

    private void report(List<HostRun> runs, long ms, int slots) {
        Report summary = new Report("fanout", "hosts", List.of(Report.Column.left("target", "host"), Report.Column.left("status", "status")));
        for (HostRun r : runs) summary.add(Map.of("target", r.plan.label(), "status", r.status));
        summary.elapsedMs(ms);
        switch (format) {
            case json -> json(runs, summary, slots);
            case md -> markdown(runs, summary);
            case slack -> {                                     // Slack: plain text in one code block, the summary on top
                out.println(summary.summaryLine() + " -- " + String.join(" ", command));
                out.println("```");
                gathered(runs);
                out.println("```");
            }
            case hosts -> {
                for (HostRun r : runs) {
                    boolean wanted = (!onlyFailed || !r.status.equals("ok"))
                            && (statuses.isEmpty() || statuses.contains(r.status) || r.status.startsWith("exit ") && statuses.contains("exit"));
                    if (wanted) out.println(r.plan.target().spec());
                }
                err.println(summary.summaryLine());
            }
            case text -> {
                if (gather) gathered(runs);
                else if (!prefix) runs.forEach(this::block);        // hosts never started still get their block
                out.println(summary.summaryLine());
                failures(runs, out);
            }
        }
        out.flush();
    }

    /** Under the summary line: each failing status with its hosts, folded. */
    private static void failures(List<HostRun> runs, PrintStream to) {
        Map<String, List<HostRun>> byStatus = new LinkedHashMap<>();
        for (HostRun r : runs) if (!r.status.equals("ok")) byStatus.computeIfAbsent(r.status, s -> new ArrayList<>()).add(r);
        byStatus.forEach((status, hosts) -> {
            String names = Targets.fold(hosts.stream().map(h -> h.plan.label()).toList());
            Set<String> details = new java.util.LinkedHashSet<>();
            for (HostRun h : hosts) if (h.detail != null) details.add(h.detail);
            String why = details.size() == 1 ? details.iterator().next() : "";
            String line = "  " + status + ": " + names;
            int room = Report.WIDTH - line.length() - 3;              // the reason is cut to fit, never a host name
            if (!why.isEmpty()) line += " (" + (why.length() <= room ? why : why.substring(0, Math.max(20, room) - 3) + "...") + ")";
            to.println(line);
        });
    }

    private void gathered(List<HostRun> runs) {
        String rule = "-".repeat(15);
        for (Group g : groups(runs)) {
            StringBuilder sb = new StringBuilder();
            String head = g.names() + " (" + g.hosts().size() + ")" + (g.status().equals("ok") ? "" : " " + g.status());
            if (g.detail() != null && !g.status().equals("ok")) {
                head = head.length() + 2 + g.detail().length() <= Report.WIDTH ? head + ": " + g.detail() : head + "\n" + Report.wrap(g.detail(), "    ", Report.WIDTH);
            }
            sb.append(rule).append('\n').append(head).append('\n');
            // A rule under the names only when output follows: the next block's own rule closes an empty one.
            if (!g.stdout().isEmpty() || !g.stderr().isEmpty()) sb.append(rule).append('\n');
            HostRun first = g.hosts().get(0);
            appendOutput(sb, g.stdout(), first.stdout);
            if (!g.stderr().isEmpty()) {
                sb.append("[stderr]\n");
                appendOutput(sb, g.stderr(), first.stderr);
            }
            out.print(sb);
        }
    }

    private void markdown(List<HostRun> runs, Report summary) {
        out.println("**fanout** " + Report.code(String.join(" ", command)) + (script != null ? " (script " + script.getFileName() + ")" : ""));
        out.println();
        for (Group g : groups(runs)) {
            String st = g.status().equals("ok") ? "ok" : "**" + g.status() + "**" + (g.detail() == null ? "" : ": " + g.detail().replace("`", "'"));
            out.println("- " + Report.code(g.names()) + " (" + g.hosts().size() + "): " + st);
            String text = g.stdout() + (g.stderr().isEmpty() ? "" : (g.stdout().isEmpty() || g.stdout().endsWith("\n") ? "" : "\n") + "[stderr]\n" + g.stderr());
            if (!text.isEmpty()) {
                String fence = "```";
                while (text.contains(fence)) fence += "`";
                out.println();
                out.println(fence + "text");
                out.print(text.endsWith("\n") ? text : text + "\n");
                out.println(fence);
                out.println();
            }
        }
        out.println();
        out.println(summary.summaryLine());
    }

    private void json(List<HostRun> runs, Report summary, int slots) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (HostRun r : runs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("target", r.plan.label());
            m.put("user", r.plan.endpoint().user());
            m.put("host", r.plan.endpoint().host());
            m.put("port", r.plan.endpoint().port());
            m.put("address", r.address);
            m.put("status", r.status);
            m.put("exit_code", r.exitCode);
            m.put("signal", r.signal);
            m.put("duration_ms", r.ms);
            m.put("stdout", r.stdout.text());
            m.put("stderr", r.stderr.text());
            m.put("stdout_bytes", r.stdout.total);
            m.put("stderr_bytes", r.stderr.total);
            m.put("truncated", r.stdout.truncated() || r.stderr.truncated());
            m.put("error", r.status.equals("ok") ? null : r.detail);
            m.put("ssh", r.ssh);
            rows.add(m);
        }
        List<Map<String, Object>> groups = new ArrayList<>();
        for (Group g : groups(runs)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("hosts", g.names());
            m.put("count", g.hosts().size());
            m.put("status", g.status());
            m.put("error", g.detail());
            m.put("stdout", g.stdout());
            m.put("stderr", g.stderr());
            groups.add(m);
        }
        summary.summary("concurrency", slots).summary("host_keys_recorded", login.knownHosts().recorded());
        Map<String, Object> results = summary.document(rows);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("command", String.join(" ", command));
        doc.put("script", script == null ? null : script.toString());
        doc.put("results", results.get("results"));
        doc.put("groups", groups);
        doc.put("summary", results.get("summary"));
        Report.printJson(doc, out);
    }
}
