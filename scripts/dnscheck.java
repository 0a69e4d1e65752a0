//usr/bin/true; exec "$(dirname "$(readlink -f "$0")")/../jbang" "$0" "$@"
//JAVA 21+
//JAVA_OPTIONS -XX:+UseSerialGC -XX:-UsePerfData -XX:TieredStopAtLevel=1 -Xss512k
//SOURCES ../lib/cli/Durations.java ../lib/cli/Exit.java ../lib/cli/InputError.java ../lib/cli/Tool.java
//SOURCES ../lib/dns/Blocks.java ../lib/dns/Direct.java ../lib/dns/HostsFile.java ../lib/dns/NameCheck.java
//SOURCES ../lib/dns/Names.java ../lib/dns/NsSwitch.java ../lib/dns/ResolvConf.java ../lib/dns/SearchList.java
//SOURCES ../lib/dns/SystemLookup.java
//SOURCES ../lib/report/Chat.java ../lib/report/Column.java ../lib/report/Format.java ../lib/report/Report.java ../lib/run/NotRun.java
//SOURCES ../lib/run/Limits.java ../lib/run/Runner.java

/*
 * dnscheck -- why does this name resolve differently here than there?
 *
 * What it does: for each name, one report with every path a lookup can take, side by side:
 *   - the system resolver (the JDK's InetAddress, i.e. glibc's getaddrinfo through nsswitch.conf,
 *     /etc/hosts, then DNS), with its time;
 *   - whether /etc/hosts names it and decides it (nsswitch order);
 *   - the exact sequence a glibc stub sends for this resolv.conf (search list, ndots, a trailing
 *     dot, A and AAAA in parallel, each server in turn with its timeout and attempts), which name
 *     answered, how many queries that took and the worst-case time;
 *   - each nameserver's own answer to each of those queries, asked directly with dnsjava (rcode,
 *     records, CNAME chain, TTL, latency, timeout): one query each, no retries, no search list;
 *   - findings in plain words: a short name answered through a search domain, ndots wasting
 *     queries, nameservers that disagree or time out (and the delay that costs), /etc/hosts
 *     overriding DNS, NXDOMAIN versus NODATA, A without AAAA, CNAME chains.
 * --resolv-conf evaluates another machine's or a pod's file (ndots:5 and cluster search domains)
 * against the servers it names or --server: "why is it slow in the pod?". The system resolver is
 * then not compared, since it reads this machine's file.
 *
 * When to use it: a name works in one place and not another; dig (no search list unless +search),
 * getent (nsswitch and /etc/hosts) and a program disagree; lookups are slow.
 *
 * What it costs: per name, for every name the stub would try, one A and one AAAA query to each
 * nameserver (plus the -t types once), and one system lookup (which sends what glibc sends); and
 * three warm-up queries to each nameserver before the first name, so no name pays the JVM's
 * first-use cost.
 */

import cli.Durations;
import cli.Exit;
import cli.InputError;
import cli.Tool;
import dns.Blocks;
import dns.Direct;
import dns.HostsFile;
import dns.NameCheck;
import dns.Names;
import dns.NsSwitch;
import dns.ResolvConf;
import dns.SearchList;
import dns.SystemLookup;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import report.Chat;
import report.Column;
import report.Format;
import report.Report;
import run.Limits;
import run.NotRun;
import run.Runner;

@Command(name = "dnscheck", mixinStandardHelpOptions = true, version = "dnscheck (ops) 0.1", sortOptions = false,
        description = {
            "Show every path a name's lookup takes, side by side: the system resolver,",
            "/etc/hosts, the queries a glibc stub sends for resolv.conf (search, ndots,",
            "timeout, attempts) and each nameserver's own answers; then findings in",
            "plain words. One block per name."},
        footer = {
            "%nExamples:",
            "  dnscheck redis db01.internal example.com   # this machine's files",
            "  dnscheck -f names.txt --format md          # paste into the incident chat",
            "  dnscheck --resolv-conf pod.conf --server 10.96.0.10 api.example.com",
            "                                             # why is it slow in the pod?",
            "  dnscheck -t A,AAAA,MX,TXT example.com      # more types, asked directly",
            "  dnscheck --format json redis | jq '.results[0].stub.sequence'",
            "%nA and AAAA are always asked: they are what getaddrinfo sends. The stub replay",
            "follows glibc 2.36 (res_search, res_send); rotate starts at another server each",
            "lookup, and the replay shows the first server first.",
            "%nExit codes:%n"
                    + "  0  every name resolves the same on every path, no finding%n"
                    + "  1  a finding was raised for at least one name (see its block)%n"
                    + "  2  bad usage or bad input: a name, a type, a resolv.conf line (nothing sent)%n"
                    + "  3  the tool itself failed (see stderr)%n"
                    + "  130/143  interrupted (results so far are printed, the rest not-run)%n"})
public class dnscheck implements Callable<Integer> {

    @Parameters(paramLabel = "NAME", arity = "0..*", description = "Names to look up (a trailing dot makes one absolute).")
    List<String> names = new ArrayList<>();

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "File of names, one a line, '#' comments ('-' reads stdin). Repeatable.")
    List<String> files = new ArrayList<>();

    @Option(names = "--resolv-conf", paramLabel = "FILE", defaultValue = "/etc/resolv.conf",
            description = "The resolv.conf to evaluate (default: ${DEFAULT-VALUE}); another file skips the system resolver.")
    Path resolvConf;

    @Option(names = "--server", paramLabel = "IP[:PORT]", split = ",",
            description = "Ask these nameservers instead of resolv.conf's (in this order); skips the system resolver.")
    List<String> servers = new ArrayList<>();

    @Option(names = {"-t", "--type"}, paramLabel = "TYPE", split = ",", defaultValue = "A,AAAA",
            description = "Record types to ask directly (default: ${DEFAULT-VALUE}); others are asked for the answering name.")
    List<String> types;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "Our wait for each direct query (default: resolv.conf's timeout, as glibc waits for the first server).")
    Duration timeout;

    @Option(names = "--hosts-file", paramLabel = "FILE", defaultValue = "/etc/hosts", hidden = true)
    Path hostsFile;

    @Option(names = {"-o", "--format"}, paramLabel = "FORMAT", defaultValue = "table",
            converter = Format.Lists.class, completionCandidates = Format.Lists.class,
            description = "table (one block per name), md (GitHub/Mattermost), slack, dingtalk or wecom (each chat's own markup, escaped) or json "
                    + "(default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--only-failed", description = "Show only the names with a finding (the summary still counts all).")
    boolean onlyFailed;

    @Option(names = "--wide", description = "Table: show long answers and findings in full (default: fit 120 columns).")
    boolean wide;

    @Option(names = {"-c", "--concurrency"}, paramLabel = "N", defaultValue = "32",
            description = "Names looked up at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--deadline", paramLabel = "DURATION", defaultValue = "5m", converter = Durations.Converter.class,
            description = "Global deadline; names not finished by then are reported not-run (default: ${DEFAULT-VALUE}).")
    Duration deadline;

    public static void main(String... args) {
        Tool.main(new dnscheck(), args);
    }

    @Override
    public Integer call() {
        PrintStream out = System.out, err = System.err;
        if (concurrency < 1) throw new InputError("--concurrency must be at least 1");
        if (timeout != null && timeout.isZero()) throw new InputError("--timeout must be more than 0");
        List<String> extra = extraTypes();
        List<String> all = load(err);
        ResolvConf conf = ResolvConf.read(resolvConf, localHostname());
        if (!servers.isEmpty()) conf = conf.withServers(serverList());
        boolean systemPath = servers.isEmpty() && resolvConf.equals(Path.of("/etc/resolv.conf"));
        if (timeout == null) timeout = Duration.ofSeconds(conf.timeoutSeconds());
        conf.notes().forEach(n -> err.println("dnscheck: note: " + n));

        List<Direct> clients = new ArrayList<>();
        for (InetSocketAddress s : conf.nameservers()) clients.add(new Direct(s, timeout));
        var setup = new NameCheck.Setup(conf, HostsFile.read(hostsFile), NsSwitch.read(Path.of("/etc/nsswitch.conf")),
                clients, extra, timeout, systemPath);
        if (systemPath) SystemLookup.warmUp();
        String first = SearchList.of(all.get(0), conf).get(0).fqdn();
        clients.forEach(c -> c.warmUp(first));         // three queries each, so no name pays the JVM's first-use cost
        long t0 = System.nanoTime();
        Report report = new Report("dnscheck", "names", List.of(Column.left("name", "name"), Column.left("status", "status")));
        // Each name in flight holds one UDP socket per direct query (dnsjava opens one a query) and getaddrinfo's.
        int perName = ((conf.search().size() + 1) * 2 + extra.size()) * clients.size() + 2;
        int slots = Limits.capConcurrency(Math.min(concurrency, all.size()), perName, err);
        try (Runner fan = new Runner(slots, deadline, "dnscheck")) {
            List<Map<String, Object>> rows = fan.run(all, n -> NameCheck.run(n, setup).toMap(setup), dnscheck::notRun);
            rows.forEach(report::add);
            report.elapsedMs((System.nanoTime() - t0) / 1_000_000).summary("resolv_conf", conf.source())
                    .summary("system_resolver", systemPath).summary("concurrency", slots);
            List<Map<String, Object>> shown = rows.stream().filter(r -> !onlyFailed || !Report.isOk(r)).toList();
            if (format == Format.json) {
                report.render(Format.json, shown, out, err);
            } else if (format.chat()) {
                Chat.print(format, null, report.summaryLine(), o -> shown.forEach(r -> Blocks.print(r, false, wide, o)), out);
            } else {
                for (var r : shown) Blocks.print(r, format == Format.md, wide, out);
                out.println(report.summaryLine());
                out.flush();
            }
        }
        return report.failed() == 0 ? Exit.OK : Exit.FAILED;
    }

    static Map<String, Object> notRun(String name, NotRun why) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("target", name);
        r.put("name", name);
        r.put("status", "not-run");
        r.put("error", why.text());
        return r;
    }

    /** -t: every type must be one DNS knows; A and AAAA are always asked, the rest are extra. */
    private List<String> extraTypes() {
        List<String> extra = new ArrayList<>();
        for (String t : types) {
            String u = t.strip().toUpperCase(Locale.ROOT);
            if (u.isEmpty() || Direct.type(u) < 0 || u.equals("ANY")) {
                throw new InputError("-t " + t + ": unknown record type (expected e.g. A, AAAA, CNAME, MX, TXT, SRV, NS, SOA, PTR, CAA)");
            }
            if (!u.equals("A") && !u.equals("AAAA") && !extra.contains(u)) extra.add(u);
        }
        return extra;
    }

    /** --server IP or IP:PORT or [v6]:PORT, literals only (asking DNS for a nameserver's address would be circular). */
    private List<InetSocketAddress> serverList() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String s : servers) {
            String host = s.strip(), port = "53";
            if (host.startsWith("[") && host.contains("]")) {
                int close = host.indexOf(']');
                if (host.length() > close + 1) {
                    if (host.charAt(close + 1) != ':') throw new InputError("--server " + s + ": expected IP, IP:PORT or [IPv6]:PORT");
                    port = host.substring(close + 2);
                }
                host = host.substring(1, close);
            } else if (host.chars().filter(c -> c == ':').count() == 1) {
                port = host.substring(host.indexOf(':') + 1);
                host = host.substring(0, host.indexOf(':'));
            }
            InetAddress a = ResolvConf.ipLiteral(host);
            if (a == null) throw new InputError("--server " + s + ": not an IP address");
            if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw new InputError("--server " + s + ": bad port '" + port + "'");
            }
            out.add(new InetSocketAddress(a, Integer.parseInt(port)));
        }
        return out;
    }

    /** Names from the arguments, then each -f file; a bad name is file:line (or the argument) and exit 2. */
    private List<String> load(PrintStream warn) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String n : names) add(out, "name", n, warn);
        for (String f : files) {
            List<String> lines;
            try {
                lines = f.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()
                        : Files.readAllLines(Path.of(f), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new InputError(f + ": no such file");
            } catch (IOException e) {
                throw new InputError(f + ": cannot read: " + e.getMessage());
            }
            String where = f.equals("-") ? "stdin" : f;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (i == 0 && line.startsWith("\uFEFF")) line = line.substring(1);
                int hash = line.indexOf('#');
                if (hash >= 0) line = line.substring(0, hash).strip();
                if (!line.isEmpty()) add(out, where + ":" + (i + 1), line, warn);
            }
        }
        if (out.isEmpty()) throw new InputError("no names: give them as arguments or with -f FILE");
        return new ArrayList<>(out);
    }

    private static void add(LinkedHashSet<String> out, String where, String name, PrintStream warn) {
        if (ResolvConf.ipLiteral(name) != null) {
            throw new InputError(where + ": '" + name + "' is an IP address, not a name (getaddrinfo returns it as is, no query is sent)");
        }
        String bad = Names.problem(name);
        if (bad != null) throw new InputError(where + ": invalid name '" + name + "': " + bad);
        if (!out.add(name)) warn.println("warning: " + where + ": " + name + " is given twice; checked once");
    }

    private static String localHostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return null;
        }
    }
}
