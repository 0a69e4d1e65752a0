//usr/bin/true; exec "$(dirname "$(readlink -f "$0")")/../jbang" "$0" "$@"
//JAVA 21+
//JAVA_OPTIONS -XX:+UseSerialGC -XX:-UsePerfData -XX:TieredStopAtLevel=1 -Xss512k
//SOURCES ../lib/cli/Durations.java ../lib/cli/Exit.java ../lib/cli/InputError.java ../lib/cli/Secrets.java ../lib/cli/Sizes.java ../lib/cli/Tool.java
//SOURCES ../lib/net/Target.java ../lib/net/TargetOptions.java ../lib/net/Targets.java
//SOURCES ../lib/report/Format.java
//SOURCES ../lib/run/Limits.java ../lib/run/NotRun.java ../lib/run/Runner.java
//SOURCES ../lib/ssh/Connections.java ../lib/ssh/Endpoints.java ../lib/ssh/HostLogins.java ../lib/ssh/LoginOptions.java ../lib/ssh/Ssh.java ../lib/ssh/SshjConfigs.java
//SOURCES ../lib/netconf/Capabilities.java ../lib/netconf/Edit.java ../lib/netconf/Prefixes.java ../lib/netconf/Session.java ../lib/netconf/Views.java ../lib/netconf/Xml.java

/*
 * netconf -- read and change device configuration over NETCONF/SSH (RFC 6241/6242), across many devices.
 *
 * What it does: logs in to each device's `netconf` SSH subsystem (port 830 unless given) with the
 * ssh library fanout uses (same keys, agent, ssh_config, known_hosts and statuses), exchanges
 * hellos (chunked framing when both sides speak base:1.1, end-of-message otherwise) and runs one
 * operation: `caps` (capabilities and YANG modules), `get`, `get-config` (subtree --filter FILE or
 * --xpath EXPR), `edit-config` (lock, edit, validate, diff, commit, unlock, with the lock released
 * and the candidate discarded on every failure path), `lock` (can it be locked? who holds it?),
 * `unlock` (end the session that holds a lock, with --kill-session), `commit` (confirm a
 * confirmed commit) and `discard`. Every device ends with one status: ok, rpc-error (error-tag,
 * error-path and message as the device gave them), lock-denied (the holder's session id),
 * unsupported (the device lacks a capability the operation needs), the SSH statuses of fanout
 * (refused, timeout, unreachable, unresolved, auth-failed, hostkey-mismatch, hostkey-unknown,
 * kex-failed, jump-failed, error) or not-run.
 *
 * When to use it: instead of an ncclient script per question: "which devices announce :xpath?",
 * "what is the running ntp config everywhere?", "push this change to the candidate of 40
 * routers, show the diff, commit confirmed for 2 minutes".
 *
 * What it costs the target: one SSH login and one NETCONF session per device (one sshd process,
 * one netconf-subsystem process, one server session), an rpc per step; get-config of a big
 * device's running config can be megabytes. edit-config holds the target datastore's lock for
 * its few round trips. Bad --config/--filter XML is refused before any device is contacted.
 */

import cli.Durations;
import cli.Exit;
import cli.InputError;
import cli.Secrets;
import cli.Sizes;
import cli.Tool;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import net.Target;
import net.TargetOptions;
import net.Targets;
import netconf.Capabilities;
import netconf.Edit;
import netconf.Prefixes;
import netconf.Session;
import netconf.Views;
import netconf.Xml;
import org.w3c.dom.Element;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import report.Format;
import run.Limits;
import run.NotRun;
import run.Runner;
import ssh.Connections;
import ssh.Endpoints;
import ssh.HostLogins;
import ssh.LoginOptions;
import ssh.Ssh;
import ssh.SshjConfigs;

@Command(name = "netconf", mixinStandardHelpOptions = true, version = "netconf (ops) 0.1", sortOptions = false,
        usageHelpWidth = 80,
        customSynopsis = {"netconf caps|get|get-config|edit-config|lock|unlock|commit|discard",
                "        [OPTIONS] HOSTS_FILE... [-H HOST,...]"},
        description = {
            "Read and change device configuration over NETCONF/SSH (RFC 6241/6242), one row",
            "per device with a status: ok, rpc-error, lock-denied, unsupported, refused,",
            "timeout, unreachable, unresolved, auth-failed, hostkey-mismatch, hostkey-unknown,",
            "kex-failed, jump-failed, error, not-run.",
            "Port 830 for targets that name none (-p changes it; ssh_config's Port is not used:",
            "it is for SSH logins). Logins, ssh_config and known_hosts as in fanout.",
            "edit-config: lock the target, edit, --validate, --diff against running, --commit",
            "(--confirmed DURATION: the device rolls back unless `netconf commit --persist-id",
            "ID` confirms in time), unlock; without --commit a candidate edit is checked and",
            "discarded (a dry run). Any failure discards the candidate and unlocks.",
            ""},
        footer = {
            "%nExamples:",
            "  netconf caps -b routers.txt                     # who announces what, gathered",
            "  netconf get-config -H core1,core2 --filter ntp.xml",
            "  netconf get --ns if=urn:ietf:params:xml:ns:yang:ietf-interfaces \\",
            "      --xpath /if:interfaces-state --data json -H core1",
            "  netconf edit-config --config ntp-change.xml --validate --diff routers.txt",
            "  netconf edit-config --config ntp-change.xml --commit --confirmed 2m routers.txt",
            "  netconf commit --persist-id ID routers.txt      # confirm it in time",
            "  netconf lock -o md routers.txt                  # who holds the candidate lock?",
            Exit.HELP})
public class netconf implements Callable<Integer> {

    @Mixin TargetOptions input;
    @Mixin LoginOptions sshOptions;

    @Option(names = "--passphrase-env", paramLabel = "VAR", description = "Environment variable holding the passphrase of encrypted keys.")
    String passphraseEnv;
    @Option(names = "--passphrase-file", paramLabel = "FILE", description = "File whose first line is the passphrase of encrypted keys.")
    Path passphraseFile;
    @Option(names = "--password-env", paramLabel = "VAR", description = "Log in with the password in this environment variable (after any keys).")
    String passwordEnv;
    @Option(names = "--password-file", paramLabel = "FILE", description = "Log in with the password on this file's first line (after any keys).")
    Path passwordFile;
    @Option(names = "--accept-new", description = "Trust devices with no key on record and record their key (never a changed one).")
    boolean acceptNew;
    @Option(names = "--no-host-key-check", description = "Do not verify host keys at all (explicit opt-out).")
    boolean noHostKeyCheck;

    @Option(names = "--source", paramLabel = "DATASTORE", defaultValue = "running", description = "get-config: running, candidate or startup (default: ${DEFAULT-VALUE}).")
    String source;
    @Option(names = "--filter", paramLabel = "FILE", description = "get, get-config: a subtree filter (the XML to match, or a <filter> element).")
    Path filter;
    @Option(names = "--xpath", paramLabel = "EXPR", description = "get, get-config: an XPath filter (devices that announce :xpath); its prefixes from --ns, else module names or YANG prefixes (get-schema).")
    String xpath;
    @Option(names = "--ns", paramLabel = "PREFIX=URI", description = "--xpath: a namespace prefix the expression uses (repeatable), e.g. --ns if=urn:ietf:params:xml:ns:yang:ietf-interfaces.")
    Map<String, String> namespaces = new LinkedHashMap<>();
    @Option(names = "--data", paramLabel = "xml|json", description = "How get/get-config data is shown: pretty XML or JSON (default: xml; json with -o json).")
    String data;

    @Option(names = "--config", paramLabel = "FILE", description = "edit-config: the <config> to merge (or its content).")
    Path config;
    @Option(names = "--target", paramLabel = "DATASTORE", defaultValue = "candidate", description = "edit-config, lock, unlock: candidate or running (default: ${DEFAULT-VALUE}).")
    String target;
    @Option(names = "--commit", description = "edit-config: commit the candidate (without it, the edit is a dry run, discarded).")
    boolean commit;
    @Option(names = "--confirmed", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "edit-config --commit: a confirmed commit that the device rolls back after DURATION unless confirmed.")
    Duration confirmed;
    @Option(names = "--persist-id", paramLabel = "ID", description = "commit: confirm the confirmed commit that edit-config --confirmed printed this ID for.")
    String persistId;
    @Option(names = "--validate", description = "edit-config: <validate> the candidate before committing (devices with :validate).")
    boolean validate;
    @Option(names = "--diff", description = "edit-config: show what the edit changes against running (pretty XML, unified diff).")
    boolean diff;
    @Option(names = "--kill-session", description = "unlock: end the session that holds the lock (its uncommitted candidate changes are lost).")
    boolean killSession;

    @Option(names = {"-b", "--gather"}, description = "caps: gather devices with identical capabilities into one block.")
    boolean gather;
    @Option(names = {"-o", "--format"}, paramLabel = "FORMAT", defaultValue = "text", converter = Formats.class, completionCandidates = Formats.class,
            description = "text, md (GitHub-flavoured), slack, dingtalk, wecom (what those chats render) or json (default: ${DEFAULT-VALUE}).")
    Format format;
    @Option(names = "--wide", description = "Tables: show free text in full (default: cut to fit 120 columns).")
    boolean wide;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "TCP connect, SSH handshake and login per device (default: ConnectTimeout from ssh_config, else 10s).")
    Duration connectTimeout;
    @Option(names = {"-t", "--timeout"}, paramLabel = "DURATION", defaultValue = "30s", converter = Durations.Converter.class,
            description = "Wait at most this long for each reply (default: ${DEFAULT-VALUE}).")
    Duration timeout;
    @Option(names = "--deadline", paramLabel = "DURATION", defaultValue = "10m", converter = Durations.Converter.class,
            description = "Global deadline; devices not finished by then are reported not-run (default: ${DEFAULT-VALUE}).")
    Duration deadline;
    @Option(names = {"-c", "--concurrency"}, paramLabel = "N", defaultValue = "64", description = "Devices in flight at once (default: ${DEFAULT-VALUE}).")
    int concurrency;
    @Option(names = "--max-message", paramLabel = "SIZE", defaultValue = "256M", converter = Sizes.Converter.class,
            description = "The largest reply accepted from a device (default: ${DEFAULT-VALUE}).")
    long maxMessage;

    /** --format's choices: netconf prints blocks of XML and tables (no csv, prom or hosts). */
    public static final class Formats extends Format.Subset {
        public Formats() { super(Format.text, Format.md, Format.slack, Format.dingtalk, Format.wecom, Format.json); }
    }

    public static void main(String... args) {
        SshjConfigs.useJdkProviders();        // the JDK's crypto; BouncyCastle only for a device that insists on chacha20-poly1305
        Tool.main(new netconf(), args);
    }

    static final List<String> MODES = List.of("caps", "get", "get-config", "edit-config", "lock", "unlock", "commit", "discard");
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    String mode;
    /** The filter element for get/get-config (subtree or xpath), as XML text; null for none. */
    String filterXml;
    Edit.Plan plan;
    Connections pool;

    @Override
    public Integer call() {
        PrintStream err = System.err;
        List<String> files = new ArrayList<>(input.files);
        if (files.isEmpty() || !MODES.contains(files.get(0))) {
            throw new InputError("expected one of " + String.join(", ", MODES) + " first, e.g. netconf caps hosts.txt"
                    + (files.isEmpty() ? "" : " (not " + files.get(0) + ")"));
        }
        mode = files.remove(0);
        checkOptions();
        char[] pass = Secrets.read(passphraseEnv, passphraseFile, "--passphrase");
        char[] loginPassword = Secrets.read(passwordEnv, passwordFile, "--password");
        if (sshOptions.port == null) sshOptions.port = 830;
        List<Target> targets = Targets.load(files, input.inline, new Targets.Options(Targets.UNSET_PORT, null, input.maxTargets), System.in, err);
        List<Endpoints.Host> hosts = sshOptions.resolve(targets, pass, err::println);
        HostLogins logins = new HostLogins(new HostLogins.Overrides(sshOptions.knownHosts, acceptNew, noHostKeyCheck, connectTimeout, DEFAULT_CONNECT_TIMEOUT),
                loginPassword, (kh, key) -> err.println("netconf: --accept-new: recorded " + key + " in " + kh.userFile()))
                .preferGcm();                     // replies can be megabytes: AES-GCM runs on the CPU's AES instructions
        pool = new Connections(logins::login, sshOptions.jumpChannels, concurrency);
        hosts.forEach(h -> pool.expect(h.route()));      // every login made now: a bad known_hosts is exit 2
        if (noHostKeyCheck) err.println("warning: --no-host-key-check: host keys are not verified");
        if (hosts.stream().noneMatch(h -> h.endpoint().hasKeys()) && loginPassword == null) {
            throw new InputError("nothing to log in with: no key in ssh-agent, no usable private key (-i, IdentityFile, ~/.ssh/id_*) and no --password-env/--password-file");
        }

        int slots = Limits.capConcurrency(Math.min(concurrency, Math.max(1, hosts.size())), 1, err);
        long t0 = System.nanoTime();
        List<Map<String, Object>> rows;
        try (Runner fan = new Runner(slots, deadline, "netconf"); Connections connections = pool) {
            rows = fan.run(hosts, this::device, (h, why) -> Views.row(h.label(), null, why.why().started() && why.why().deadline() ? "timeout" : "not-run", why.text()));
        }
        Views views = new Views(mode, format, wide, gather, System.out);
        views.render(rows, (System.nanoTime() - t0) / 1_000_000, slots);
        return rows.stream().allMatch(r -> "ok".equals(r.get("status"))) ? Exit.OK : Exit.FAILED;
    }

    /** Everything that can be wrong with the command line, found before any device is contacted. */
    void checkOptions() {
        if (concurrency < 1) throw new InputError("--concurrency must be at least 1");
        if (timeout.isZero()) throw new InputError("--timeout must be more than 0");
        if (connectTimeout != null && connectTimeout.isZero()) throw new InputError("--connect-timeout must be more than 0");
        if (acceptNew && noHostKeyCheck) throw new InputError("--accept-new and --no-host-key-check contradict each other; pick one");
        if (!Set.of("running", "candidate", "startup").contains(source)) throw new InputError("--source " + source + ": unknown datastore (expected running, candidate or startup)");
        if (!Set.of("running", "candidate").contains(target)) throw new InputError("--target " + target + ": unknown datastore (expected candidate or running)");
        if (data != null && !Set.of("xml", "json").contains(data)) throw new InputError("--data " + data + ": expected xml or json");
        if (data == null) data = format == Format.json ? "json" : "xml";
        boolean reads = mode.equals("get") || mode.equals("get-config");
        if ((filter != null || xpath != null) && !reads) throw new InputError("--filter and --xpath are for get and get-config");
        if (filter != null && xpath != null) throw new InputError("--filter and --xpath: give one filter");
        if (gather && !mode.equals("caps")) throw new InputError("-b gathers caps; it is not for " + mode);
        if (filter != null) filterXml = subtree(Xml.file(filter, "--filter"));
        if (xpath != null && xpath.isBlank()) throw new InputError("--xpath: empty expression");
        if (!namespaces.isEmpty() && xpath == null) throw new InputError("--ns is for --xpath");
        namespaces.forEach((prefix, uri) -> {
            if (!prefix.matches("[A-Za-z_][A-Za-z0-9._-]*") || prefix.toLowerCase().startsWith("xml")) throw new InputError("--ns " + prefix + "=" + uri + ": not a valid namespace prefix");
            if (uri.isBlank()) throw new InputError("--ns " + prefix + "=: empty namespace");
        });
        boolean edits = mode.equals("edit-config");
        if (!edits && (config != null || commit || confirmed != null || validate || diff)) {
            throw new InputError("--config, --commit, --confirmed, --validate and --diff are for edit-config");
        }
        if (persistId != null && !mode.equals("commit")) throw new InputError("--persist-id is for commit");
        if (killSession && !mode.equals("unlock")) throw new InputError("--kill-session is for unlock");
        if (edits) {
            if (config == null) throw new InputError("edit-config: --config FILE is required");
            Element c = Xml.file(config, "--config");
            if (target.equals("running") && (commit || confirmed != null || validate || diff)) {
                throw new InputError("--commit, --confirmed, --validate and --diff need --target candidate (an edit of running takes effect at once)");
            }
            if (confirmed != null && !commit) throw new InputError("--confirmed needs --commit");
            if (confirmed != null && (confirmed.toSeconds() < 1 || confirmed.toSeconds() > 4_294_967_295L)) throw new InputError("--confirmed: between 1s and 136 years");
            String token = confirmed == null ? null : "ops-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(8));
            plan = new Edit.Plan(target, Edit.configContent(c), validate, diff, commit, confirmed, token);
        }
    }

    /** A --filter file's content for {@code <filter type="subtree">}: the file's element, or the children of its own {@code <filter>}. */
    static String subtree(Element root) {
        if (root.getLocalName().equals("filter") && (root.getNamespaceURI() == null || Xml.BASE.equals(root.getNamespaceURI()))) {
            StringBuilder sb = new StringBuilder();
            for (Element c : Xml.children(root, null)) sb.append(Xml.compact(c));
            return sb.toString();
        }
        return Xml.compact(root);
    }

    // ---- one device ----------------------------------------------------------------------------

    Map<String, Object> device(Endpoints.Host h) {
        long t0 = System.nanoTime();
        Map<String, Object> row = Views.row(h.label(), null, "ok", null);
        try {
            if (h.unsupported() != null) return Views.row(h.label(), null, "not-run", h.unsupported());
            try (Connections.Lease lease = pool.get(h.route())) {
                row.put("address", lease.connection().address());
                row.put("ssh", lease.connection().negotiated());
                try (Session s = Session.open(lease.connection(), timeout, maxMessage)) {
                    row.put("base", s.base());
                    row.put("session_id", s.sessionId());
                    run(s, row);
                }
            }
        } catch (Ssh.Failure f) {
            row.put("address", f.address);
            Views.fail(row, f.status, f.detail);
        } catch (Session.Failed f) {
            Views.fail(row, f.status, f.detail);
        } catch (Edit.Refused r) {
            Views.fail(row, r.status, r.detail);
            if (r.error != null) row.put("rpc_error", r.error.json());
        } finally {
            row.put("elapsed_ms", (System.nanoTime() - t0) / 1_000_000);
        }
        return row;
    }

    /** The operation itself, on an open session; a refusal (rpc-error, lock-denied, unsupported) is thrown. */
    void run(Session s, Map<String, Object> row) throws Session.Failed, Edit.Refused {
        Capabilities caps = s.capabilities();
        switch (mode) {
            case "caps" -> {
                row.put("capabilities", caps.uris());
                row.put("netconf", caps.netconf());
                row.put("modules", caps.modules().stream().map(Object::toString).toList());
            }
            case "get", "get-config" -> {
                String filterElement = "";
                if (xpath != null) {
                    if (!caps.has("xpath")) throw new Edit.Refused("unsupported", "the device does not announce :xpath (use --filter FILE)", null);
                    // The expression's prefixes (RFC 6241 leaves them to xmlns): --ns, module names, YANG prefixes; then every module's name.
                    Map<String, String> prefixes = Prefixes.resolve(s, xpath, namespaces);
                    caps.namespaces().forEach((uri, module) -> prefixes.putIfAbsent(module, uri));
                    StringBuilder ns = new StringBuilder();
                    prefixes.forEach((prefix, uri) -> ns.append(" xmlns:").append(prefix).append("=\"").append(Xml.escape(uri)).append('"'));
                    filterElement = "<filter type=\"xpath\" select=\"" + Xml.escape(xpath) + "\"" + ns + "/>";
                } else if (filterXml != null) {
                    filterElement = "<filter type=\"subtree\">" + filterXml + "</filter>";
                }
                String op = mode.equals("get") ? "<get>" + filterElement + "</get>"
                        : "<get-config><source><" + source + "/></source>" + filterElement + "</get-config>";
                if (mode.equals("get-config") && !source.equals("running") && !caps.has(source)) {
                    throw new Edit.Refused("unsupported", "the device does not announce :" + source, null);
                }
                Element d = Edit.call(s, mode, op).data();
                if (d == null) throw new Edit.Refused("error", mode + ": the reply has no <data>", null);
                row.put("data", data.equals("json") ? Xml.json(d, caps.namespaces()) : Xml.prettyChildren(d));
            }
            case "edit-config" -> Edit.apply(s, plan, row);
            case "lock" -> {
                Edit.lock(s, target);
                Edit.unlock(s, target);
                row.put("detail", target + " is free (locked and unlocked)");
            }
            case "unlock" -> Edit.breakLock(s, target, killSession, row);
            case "commit" -> {
                if (!caps.has("candidate")) throw new Edit.Refused("unsupported", "the device does not announce :candidate", null);
                if (persistId != null && !caps.has("confirmed-commit:1.1")) throw new Edit.Refused("unsupported", "--persist-id needs :confirmed-commit:1.1", null);
                Edit.call(s, "commit", persistId == null ? "<commit/>" : "<commit><persist-id>" + Xml.escape(persistId) + "</persist-id></commit>");
            }
            case "discard" -> {
                // No lock: a device refuses to lock a candidate that holds uncommitted changes (RFC 6241 8.3.5.1),
                // which is when discard is needed. A lock held by another session still stops discard-changes.
                if (!caps.has("candidate")) throw new Edit.Refused("unsupported", "the device does not announce :candidate", null);
                Edit.call(s, "discard-changes", "<discard-changes/>");
                row.put("detail", "candidate reset to running");
            }
            default -> throw new IllegalStateException(mode);
        }
    }
}
