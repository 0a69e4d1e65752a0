//usr/bin/true; exec "$(dirname "$(readlink -f "$0")")/../jbang" "$0" "$@"
//JAVA 21+
//JAVA_OPTIONS -XX:+UseSerialGC -XX:-UsePerfData -XX:TieredStopAtLevel=1 -Xss256k
//SOURCES ../lib/cli/Durations.java ../lib/cli/Errors.java ../lib/cli/Exit.java ../lib/cli/InputError.java
//SOURCES ../lib/cli/Tool.java ../lib/net/Addresses.java ../lib/net/Target.java ../lib/net/TargetOptions.java
//SOURCES ../lib/net/Tcp.java ../lib/report/Column.java ../lib/report/OutputOptions.java
//SOURCES ../lib/report/Prom.java ../lib/report/Report.java ../lib/run/Limits.java ../lib/run/NotRun.java
//SOURCES ../lib/run/Runner.java

/*
 * probe -- is the fleet reachable over SSH, right now?
 *
 * What it does: for every target, a TCP connect and (unless --no-banner) a read of the SSH
 * server's identification line ("SSH-2.0-OpenSSH_9.2p1 Debian-2"). One row per target with
 * ok / refused / timeout / unresolved / unreachable / banner-timeout / not-ssh / error / not-run,
 * the connect latency and the address it resolved to.
 *
 * When to use it: first thing in an incident ("which hosts are down?"), before a fanout run, after
 * a network change. `--format md` pastes into a chat, `--format prom` feeds node_exporter's
 * textfile collector.
 *
 * What it costs the target: one TCP connection, closed as soon as the banner line arrives. No
 * authentication is attempted; sshd logs one "Connection closed ... [preauth]" (or "did not
 * receive identification string") line per probe. Hostnames are resolved with the system resolver.
 *
 * Honesty under load: concurrency is capped below the open-file limit (ulimit -n), so a target is
 * never reported down because we ran out of descriptors; if the limit is hit anyway, we wait for a
 * descriptor rather than report a false failure, and say so.
 */

import cli.Durations;
import cli.Errors;
import cli.Exit;
import cli.InputError;
import cli.Tool;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import net.Addresses;
import net.Target;
import net.TargetOptions;
import net.Tcp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import report.Column;
import report.OutputOptions;
import report.Prom;
import report.Report;
import run.Limits;
import run.NotRun;
import run.Runner;

@Command(name = "probe", mixinStandardHelpOptions = true, version = "probe (ops) 0.1",
        sortOptions = false,
        description = {
            "Check a fleet's TCP/SSH reachability concurrently: connect, read the SSH banner, report.",
            "Every target gets one row: ok, refused, timeout, unresolved, unreachable, banner-timeout,",
            "not-ssh, error, or not-run (cut by --deadline or Ctrl-C)."},
        footer = {
            "%nExamples:",
            "  probe hosts.txt                          # table, SSH on port 22",
            "  probe -H web[01-20].dc1,db1:2222 -t 1s   # inline targets, 1 s timeout",
            "  probe --no-banner -p 443 hosts.txt       # plain TCP check of another port",
            "  probe --format md --only-failed hosts.txt   # paste into the incident chat",
            "  probe --format prom hosts.txt > /var/lib/node_exporter/textfile/probe.prom",
            Exit.HELP})
public class probe implements Callable<Integer> {

    @Mixin TargetOptions input;
    @Mixin OutputOptions output;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "22",
            description = "Port for targets that name none (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = {"-t", "--timeout"}, paramLabel = "DURATION", defaultValue = "3s", converter = Durations.Converter.class,
            description = "TCP connect timeout per attempt, e.g. 500ms, 3s (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--banner-timeout", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "How long to wait for the SSH banner after connecting (default: the --timeout).")
    Duration bannerTimeout;

    @Option(names = "--no-banner", description = "Only check that the TCP port accepts connections (for non-SSH ports).")
    boolean noBanner;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "0",
            description = "Retry a target N more times after timeout, unreachable, banner-timeout or error (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = {"-c", "--concurrency"}, paramLabel = "N", defaultValue = "512",
            description = "Targets in flight at once; lowered automatically to fit the open-file limit (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--deadline", paramLabel = "DURATION", defaultValue = "10m", converter = Durations.Converter.class,
            description = "Global deadline; targets not finished by then are reported not-run (default: ${DEFAULT-VALUE}).")
    Duration deadline;

    public static void main(String... args) {
        Tool.main(new probe(), args);
    }

    /** Statuses worth another attempt with --retries. */
    static final Set<String> RETRYABLE = Set.of("timeout", "unreachable", "banner-timeout", "error");
    /** Statuses after which the target's next address (if it has several) is tried. */
    static final Set<String> TRY_NEXT_ADDRESS = Set.of("refused", "timeout", "unreachable");

    /** Times we found no free file descriptor and waited for one (should stay 0). */
    final AtomicLong fdWaits = new AtomicLong();
    /** Targets we could not check because descriptors stayed exhausted: a tool failure, exit 3. */
    final AtomicLong fdFailures = new AtomicLong();

    @Override
    public Integer call() {
        PrintStream err = System.err;
        if (port < 1 || port > 65535) throw new InputError("--port " + port + ": expected 1-65535");
        if (retries < 0) throw new InputError("--retries must be 0 or more");
        if (timeout.isZero()) throw new InputError("--timeout must be more than 0");
        if (bannerTimeout == null) bannerTimeout = timeout;
        Map<String, Comparator<Map<String, Object>>> sortKeys = Map.of("latency",
                Comparator.comparing((Map<String, Object> r) -> (Double) r.get("latency_ms"),
                        Comparator.nullsLast(Comparator.reverseOrder())));
        output.checkSort(sortKeys);
        List<Target> targets = input.load(port, null, err);

        int slots = Limits.capConcurrency(Math.min(concurrency, targets.size()), 1, err);
        long t0 = System.nanoTime();
        Report report = new Report("probe", "targets", List.of(
                Column.left("target", "target"),
                Column.left("address", "address"),
                Column.left("status", "status"),
                Column.right("latency_ms", "ms"),
                Column.computed("detail", "banner / error",
                        r -> r.get("banner") != null ? r.get("banner") : r.get("error"))));
        Tcp.warmUp();                          // the JVM's first connect is slower: not on a target's clock
        try (Runner fan = new Runner(slots, deadline, "probe")) {
            List<Map<String, Object>> rows = fan.run(targets, this::check, this::notRun);
            rows.forEach(report::add);
            report.elapsedMs((System.nanoTime() - t0) / 1_000_000).summary("concurrency", slots);
            if (fdWaits.get() > 0) {
                report.summary("fd_waits", fdWaits.get());
                err.println("warning: waited " + fdWaits.get() + " times for a free file descriptor (open-file limit "
                        + Limits.fileDescriptors()[0] + "); results are still accurate, but lower -c or raise ulimit -n");
            }
            List<Map<String, Object>> shown = output.select(report.rows(), sortKeys);
            report.wide(output.wide).prom(probe::prom).render(output.format, shown, System.out, err);
        }
        if (fdFailures.get() > 0) {
            err.println("probe: " + fdFailures.get() + " targets could not be checked: this machine ran out of file descriptors");
            return Exit.TOOL_ERROR;
        }
        return report.failed() == 0 ? Exit.OK : Exit.FAILED;
    }

    // ---- one target ----------------------------------------------------------------------------

    Map<String, Object> check(Target t) {
        Map<String, Object> row = null;
        for (int attempt = 1; attempt <= retries + 1; attempt++) {
            row = once(t);
            row.put("attempts", attempt);
            if (!RETRYABLE.contains((String) row.get("status")) || Thread.currentThread().isInterrupted()) break;
        }
        return row;
    }

    Map<String, Object> once(Target t) {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(t.host());
        } catch (UnknownHostException e) {
            return row(t, null, "unresolved", null, null, "cannot resolve " + t.host());
        } catch (SecurityException | IllegalArgumentException e) {
            return row(t, null, "unresolved", null, null, e.getMessage());
        }
        // Like ssh: try each address in turn, report the first that answers (or the last failure).
        Map<String, Object> last = null;
        for (InetAddress a : addresses) {
            last = connect(t, a);
            if (!TRY_NEXT_ADDRESS.contains((String) last.get("status"))) break;
        }
        return last;
    }

    Map<String, Object> connect(Target t, InetAddress address) {
        String addr = Addresses.format(address);
        long giveUp = System.nanoTime() + timeout.toNanos();
        while (true) {
            long t0 = System.nanoTime();
            try (Socket s = new Socket()) {
                try {
                    s.connect(new InetSocketAddress(address, t.port()), (int) Math.max(1, timeout.toMillis()));
                } catch (SocketTimeoutException | NoRouteToHostException | ConnectException e) {
                    Tcp.Failure f = Tcp.connectFailure(e, timeout.toMillis());
                    return row(t, addr, f.status(), null, null, f.detail());
                }
                double latency = (System.nanoTime() - t0) / 1e6;
                if (noBanner) return row(t, addr, "ok", latency, null, null);
                connected.put(t, row(t, addr, "connected", latency, null, null));
                return banner(t, addr, latency, s);
            } catch (SocketException e) {
                String m = Errors.message(e, "socket error");
                if (m.contains("Too many open files") && System.nanoTime() < giveUp) {
                    fdWaits.incrementAndGet();          // our limit, not the target's fault: wait, retry
                    if (!sleep(20)) return row(t, addr, "error", null, null, "interrupted");
                    continue;
                }
                if (m.contains("Too many open files")) {
                    fdFailures.incrementAndGet();
                    return row(t, addr, "error", null, null, "not checked: this machine ran out of file descriptors");
                }
                if (m.contains("unreachable")) return row(t, addr, "unreachable", null, null, m);
                return row(t, addr, "error", null, null, m);
            } catch (IOException e) {
                return row(t, addr, "error", null, null, Errors.message(e, e.getClass().getSimpleName()));
            }
        }
    }

    /** Reads lines until one starts with "SSH-" (RFC 4253 allows other lines before it). */
    Map<String, Object> banner(Target t, String addr, double latency, Socket s) throws IOException {
        long until = System.nanoTime() + bannerTimeout.toNanos();
        InputStream in = s.getInputStream();
        StringBuilder line = new StringBuilder();
        String firstLine = null;
        int total = 0;
        try {
            while (true) {
                long left = (until - System.nanoTime()) / 1_000_000;
                if (left <= 0) throw new SocketTimeoutException();
                s.setSoTimeout((int) left);
                int b = in.read();
                if (b < 0) {
                    if (firstLine != null || line.length() > 0) return notSsh(t, addr, latency, firstLine, line);
                    return row(t, addr, "error", latency, null, "connection closed before the SSH banner (sshd MaxStartups, tcpwrappers or a proxy?)");
                }
                if (++total > 8192) break;
                if (b == '\n') {
                    String l = line.toString().replace("\r", "");
                    if (l.startsWith("SSH-")) return row(t, addr, "ok", latency, l.strip(), null);
                    if (l.startsWith("Exceeded MaxStartups")) {    // OpenSSH says this, then drops us
                        return row(t, addr, "error", latency, null,
                                "sshd dropped the connection: Exceeded MaxStartups (too many unauthenticated connections; lower -c)");
                    }
                    if (firstLine == null) firstLine = l;
                    line.setLength(0);
                } else if (b < 0x09 || (b > 0x0d && b < 0x20) || b == 0x7f) {
                    return row(t, addr, "not-ssh", latency, null, "not an SSH server (binary reply)");
                } else if (line.length() < 512) {
                    line.append((char) b);
                    if (line.length() >= 255 && line.toString().startsWith("SSH-")) {   // RFC 4253: 255 max
                        return row(t, addr, "ok", latency, line.toString().strip(), null);
                    }
                }
            }
        } catch (SocketTimeoutException e) {
            if (firstLine != null || line.length() > 0) return notSsh(t, addr, latency, firstLine, line);
            return row(t, addr, "banner-timeout", latency, null,
                    "connected, but no SSH banner within " + Durations.format(bannerTimeout.toMillis()) + " (not SSH? --no-banner checks TCP only)");
        }
        return row(t, addr, "not-ssh", latency, null, "no SSH identification line in the first 8 KiB");
    }

    /** The server said something, but not an SSH identification line: quote its first line. */
    static Map<String, Object> notSsh(Target t, String addr, double latency, String firstLine, StringBuilder partial) {
        return row(t, addr, "not-ssh", latency, null, "not an SSH server, it said: " + printable(firstLine != null ? firstLine : partial.toString()));
    }

    // ---- rows ----------------------------------------------------------------------------------

    static Map<String, Object> row(Target t, String address, String status, Double latencyMs, String banner, String error) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("target", t.spec());
        r.put("host", t.host());
        r.put("port", t.port());
        r.put("address", address);
        r.put("status", status);
        r.put("latency_ms", latencyMs == null ? null : Math.round(latencyMs * 10) / 10.0);
        r.put("banner", banner);
        r.put("error", error);
        return r;
    }

    /** Targets connected and waiting for their banner, so a row cut by --deadline or Ctrl-C keeps what was learned. */
    final Map<Target, Map<String, Object>> connected = new java.util.concurrent.ConcurrentHashMap<>();

    Map<String, Object> notRun(Target t, NotRun why) {
        Map<String, Object> seen = connected.get(t);
        if (seen != null) {
            return row(t, (String) seen.get("address"), "not-run", (Double) seen.get("latency_ms"), null,
                    why.text() + ": connected to " + seen.get("address") + " in " + seen.get("latency_ms") + " ms, no banner yet");
        }
        Map<String, Object> r = row(t, null, "not-run", null, null, why.text());
        r.put("attempts", 0);
        return r;
    }

    static String printable(String s) {
        String p = s.replaceAll("[^\\x20-\\x7e]", "?").strip();
        return p.length() > 60 ? p.substring(0, 60) + "..." : p;
    }

    static boolean sleep(long ms) {
        try {
            Thread.sleep(ms);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // ---- Prometheus text format ------------------------------------------------------------------

    /** ops_probe_up / _connect_latency_seconds / _status per target, plus run totals. */
    static void prom(Report report, List<Map<String, Object>> rows, PrintStream out) {
        var up = Prom.gauge("ops_probe_up", "1 if the target accepted TCP (and sent an SSH banner unless --no-banner), else 0");
        var latency = Prom.gauge("ops_probe_connect_latency_seconds", "TCP connect time of the last attempt");
        var status = Prom.gauge("ops_probe_status", "1 for the status the target ended with (ok, refused, timeout, ...)");
        for (var r : rows) {
            Labels l = Labels.of("target", (String) r.get("target"), "port", String.valueOf(r.get("port")));
            up.dataPoint(Prom.point(l, Report.isOk(r) ? 1 : 0));
            if (r.get("latency_ms") != null) latency.dataPoint(Prom.point(l, Prom.seconds((Double) r.get("latency_ms"))));
            status.dataPoint(Prom.point(l.add("status", (String) r.get("status")), 1));
        }
        var duration = Prom.gauge("ops_probe_duration_seconds", "Wall time of the last run")
                .dataPoint(GaugeDataPointSnapshot.builder().value(report.elapsedSeconds()).build());
        var when = Prom.gauge("ops_probe_last_run_timestamp_seconds", "When the last run finished")
                .dataPoint(GaugeDataPointSnapshot.builder().value(System.currentTimeMillis() / 1000.0).build());
        Prom.write(out, up.build(), latency.build(), status.build(),
                Prom.statusTotals("ops_probe_targets", "Targets per status in the last run", report), duration.build(), when.build());
    }
}
