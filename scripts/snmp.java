//usr/bin/true; exec "$(dirname "$(readlink -f "$0")")/../jbang" "$0" "$@"
//JAVA 21+
//JAVA_OPTIONS -XX:+UseSerialGC -XX:-UsePerfData -XX:TieredStopAtLevel=1 -Xss256k
//SOURCES ../lib/cli/Durations.java ../lib/cli/Exit.java ../lib/cli/InputError.java ../lib/cli/Tool.java
//SOURCES ../lib/net/Target.java ../lib/net/TargetOptions.java ../lib/report/Column.java
//SOURCES ../lib/report/OutputOptions.java ../lib/report/Prom.java ../lib/report/Report.java
//SOURCES ../lib/run/Limits.java ../lib/run/NotRun.java ../lib/run/Runner.java
//SOURCES ../lib/snmp/Credentials.java ../lib/snmp/Oids.java ../lib/snmp/Session.java ../lib/snmp/Status.java

/*
 * snmp -- SNMPv3 (and v2c) get, walk and tables across a fleet of devices.
 *
 * What it does: `get` fetches a few OIDs from every device (one row per device), `walk` walks a
 * subtree with GETBULK (one row per value), `table` walks table columns and prints one row per
 * device and table index (interface, storage). Every device ends with a status: ok, timeout,
 * unknown-user, wrong-digest (bad auth password), decryption-error (bad priv password),
 * no-such-object, no-such-instance, unresolved, error or not-run.
 *
 * When to use it: instead of `for h in $(cat routers); do snmpget -v3 -A secret ...` loops. The
 * secrets come from environment variables or files (--auth-env/--auth-file, --priv-env/--priv-file,
 * --community-env/--community-file), never argv, so `ps` shows none; no output or error quotes
 * them. Names without MIB files: system (sysDescr.0, sysUpTime.0, sysName.0...), ifTable/ifXTable
 * columns (ifDescr, ifOperStatus, ifHCInOctets...), hrStorageTable; numeric OIDs always work.
 *
 * What it costs the target: SNMP4J does the engine-ID discovery (one extra round trip per device),
 * then one UDP request per GET, one per --max-repetitions values for a walk (as snmpbulkwalk).
 * A failed USM check bumps the agent's usmStats counters and usually logs nothing.
 */

import cli.Durations;
import cli.Exit;
import cli.InputError;
import cli.Tool;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import net.Target;
import net.TargetOptions;
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
import snmp.Credentials;
import snmp.Oids;
import snmp.Session;
import snmp.Status;

@Command(name = "snmp", mixinStandardHelpOptions = true, version = "snmp (ops) 0.1", sortOptions = false,
        customSynopsis = "snmp get|walk|table [OPTIONS] HOSTS_FILE... [-H HOST,...] OID...",
        description = {
            "SNMPv3 (authPriv first) and v2c get, walk and tables across a fleet, one row per device",
            "(walk: per value; table: per device and index) with a status: ok, timeout, unknown-user,",
            "wrong-digest, decryption-error, no-such-object, no-such-instance, unresolved, error, not-run.",
            "Arguments that are files (or -) are hosts files, the rest OIDs: names (sysDescr.0, ifTable,",
            "ifHCInOctets, hrStorageTable) or numeric (1.3.6.1.2.1.1.5.0). Secrets only from env or file."},
        footer = {
            "%nExamples:",
            "  export SNMP_AUTH=... SNMP_PRIV=...   # or --auth-file/--priv-file",
            "  snmp get -u monitor --auth-env SNMP_AUTH --priv-env SNMP_PRIV \\",
            "      routers.txt sysDescr.0 sysUpTime.0",
            "  snmp table -u monitor -a SHA -x AES-256 --auth-env SNMP_AUTH \\",
            "      --priv-env SNMP_PRIV -H core1,core2 ifDescr ifOperStatus --format md",
            "  snmp walk --snmp v2c --community-file /etc/ops/community -H 10.0.0.1 system",
            "  snmp table -u monitor --auth-env SNMP_AUTH --priv-env SNMP_PRIV \\",
            "      switches.txt ifHCInOctets ifHCOutOctets --format prom > snmp.prom",
            Exit.HELP})
public class snmp implements Callable<Integer> {

    @Mixin TargetOptions input;
    @Mixin Credentials credentials;
    @Mixin OutputOptions output;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "161",
            description = "UDP port for targets that name none (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = {"-t", "--timeout"}, paramLabel = "DURATION", defaultValue = "2s", converter = Durations.Converter.class,
            description = "Per-request timeout (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = {"-r", "--retries"}, paramLabel = "N", defaultValue = "1",
            description = "Resend a request N more times after a timeout (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--max-repetitions", paramLabel = "N", defaultValue = "25",
            description = "Values per GETBULK for walk and table (default: ${DEFAULT-VALUE}).")
    int maxRepetitions;

    @Option(names = {"-c", "--concurrency"}, paramLabel = "N", defaultValue = "256",
            description = "Devices in flight at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--deadline", paramLabel = "DURATION", defaultValue = "10m", converter = Durations.Converter.class,
            description = "Global deadline; devices not finished by then are reported not-run (default: ${DEFAULT-VALUE}).")
    Duration deadline;

    public static void main(String... args) {
        Tool.main(new snmp(), args);
    }

    String mode;
    /** The OIDs asked for, resolved to dotted form, in the order given. */
    final List<String> oids = new ArrayList<>();
    Credentials.Resolved cred;
    Session session;

    @Override
    public Integer call() throws Exception {
        PrintStream err = System.err;
        List<String> args = new ArrayList<>(input.files);
        if (args.isEmpty() || !Set.of("get", "walk", "table").contains(args.get(0))) {
            throw new InputError("expected get, walk or table first, e.g. snmp get hosts.txt sysDescr.0"
                    + (args.isEmpty() ? "" : " (not " + args.get(0) + ")"));
        }
        mode = args.remove(0);
        List<String> files = new ArrayList<>();
        for (String a : args) {
            if (a.equals("-") || (!Oids.looksLikeOid(a) && java.nio.file.Files.exists(java.nio.file.Path.of(a)))) files.add(a);
            else oids.add(Oids.resolve(a));          // an InputError names the bad OID
        }
        if (oids.isEmpty()) throw new InputError(mode + ": name at least one OID (sysDescr.0, ifTable, 1.3.6.1.2.1.1.5.0)");
        if (mode.equals("table")) {
            for (String o : oids) if (Oids.entryOf(o) == null) throw new InputError("table " + Oids.name(o) + ": not a table or table column we know (ifTable, ifXTable, hrStorageTable or their columns)");
        }
        if (port < 1 || port > 65535) throw new InputError("--port " + port + ": expected 1-65535");
        if (retries < 0) throw new InputError("--retries must be 0 or more");
        if (timeout.isZero()) throw new InputError("--timeout must be more than 0");
        if (maxRepetitions < 1) throw new InputError("--max-repetitions must be at least 1");
        cred = credentials.resolve();
        input.files = files;
        output.checkSort(Map.of());
        List<Target> targets = input.load(port, null, err);
        Set<String> users = new LinkedHashSet<>();
        for (Target t : targets) {
            String u = t.user() != null ? t.user() : cred.user();
            if (cred.v3() && u == null) throw new InputError(t.origin() + ": " + t.spec() + " has no SNMPv3 user: give -u NAME or user@host");
            if (u != null) users.add(u);
        }

        int slots = Limits.capConcurrency(Math.min(concurrency, Math.max(1, targets.size())), 1, err);
        long t0 = System.nanoTime();
        List<List<Map<String, Object>>> devices;
        try (Session s = new Session(cred, users, timeout, retries); Runner fan = new Runner(slots, deadline, "snmp")) {
            session = s;
            devices = fan.run(targets, this::device, (t, why) -> List.of(notRun(t, why)));
        }
        Report report = new Report("snmp", switch (mode) { case "get" -> "devices"; case "walk" -> "values"; default -> "rows"; }, columns(devices));
        devices.forEach(d -> d.forEach(report::add));
        long failedDevices = devices.stream().filter(d -> d.stream().anyMatch(r -> !Report.isOk(r))).count();
        report.elapsedMs((System.nanoTime() - t0) / 1_000_000).summary("concurrency", slots)
              .summary("devices", devices.size()).summary("devices_failed", failedDevices);
        List<Map<String, Object>> shown = output.select(report.rows(), Map.of());
        report.wide(output.wide).prom(snmp::prom).render(output.format, shown, System.out, err);
        return failedDevices == 0 ? Exit.OK : Exit.FAILED;
    }

    List<Column> columns(List<List<Map<String, Object>>> devices) {
        List<Column> c = new ArrayList<>(List.of(Column.left("target", "target")));
        switch (mode) {
            case "get" -> {
                c.add(Column.left("status", "status"));
                for (String o : oids) {
                    String n = Oids.name(o);
                    c.add(Column.computed(n, n, r -> r.get("values") instanceof Map<?, ?> m ? m.get(n) : null));
                }
            }
            case "walk" -> {
                c.add(Column.left("status", "status"));
                c.add(Column.left("name", "name"));
                c.add(Column.left("value", "value"));
            }
            default -> {
                c.add(Column.left("index", "index"));
                c.add(Column.left("status", "status"));
                Set<String> cols = new LinkedHashSet<>(tableColumns());
                // columns of a numeric table we have no names for: as the agents returned them
                devices.forEach(d -> d.forEach(r -> { if (r.get("values") instanceof Map<?, ?> m) m.keySet().forEach(k -> cols.add((String) k)); }));
                for (String col : cols) c.add(Column.computed(col, col, r -> r.get("values") instanceof Map<?, ?> m ? m.get(col) : null));
            }
        }
        c.add(Column.left("error", "error"));
        return c;
    }

    /** The column names a table run shows: the columns asked for, or every column of a table asked for. */
    List<String> tableColumns() {
        List<String> names = new ArrayList<>();
        for (String o : oids) {
            String entry = Oids.entryOf(o);
            if (o.equals(entry) || entry.equals(o + ".1")) {
                for (int i = 1; i < 64; i++) {
                    String n = Oids.columnName(entry + "." + i);
                    if (n.equals(entry + "." + i)) break;
                    names.add(n);
                }
            } else {
                names.add(Oids.columnName(o));
            }
        }
        return names;
    }

    // ---- one device ----------------------------------------------------------------------------

    List<Map<String, Object>> device(Target t) {
        InetAddress address;
        try {
            address = InetAddress.getByName(t.host());
        } catch (UnknownHostException | SecurityException e) {
            return List.of(row(t, null, Status.UNRESOLVED, "cannot resolve " + t.host()));
        }
        String addr = address.getHostAddress();
        var target = session.target(address, t.port(), t.user() != null ? t.user() : cred.user());
        switch (mode) {
            case "get" -> {
                Session.Outcome o = session.get(target, oids);
                Map<String, Object> r = row(t, addr, o.status(), o.detail());
                if (!o.values().isEmpty()) r.put("values", valueMap(o.values()));
                return List.of(r);
            }
            case "walk" -> {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (String root : oids) {
                    Session.Outcome o = session.walk(target, root, maxRepetitions);
                    for (Session.Value v : o.values()) {
                        Map<String, Object> r = row(t, addr, Status.OK, null);
                        r.put("oid", v.oid());
                        r.put("name", Oids.name(v.oid()));
                        r.put("value", v.value());
                        r.put("type", v.type());
                        rows.add(r);
                    }
                    if (o.status() != Status.OK) {
                        rows.add(row(t, addr, o.status(), o.detail()));
                        break;
                    }
                    if (o.values().isEmpty()) rows.add(row(t, addr, Status.NO_SUCH_OBJECT, "nothing under " + Oids.name(root)));
                }
                return rows;
            }
            default -> { return table(t, addr, target); }
        }
    }

    List<Map<String, Object>> table(Target t, String addr, org.snmp4j.AbstractTarget<org.snmp4j.smi.UdpAddress> target) {
        // index -> column name -> value, indexes in numeric order (as the agent walks them)
        Map<org.snmp4j.smi.OID, Map<String, Object>> byIndex = new TreeMap<>();
        for (String root : oids) {
            String entry = Oids.entryOf(root);
            Session.Outcome o = session.walk(target, root, maxRepetitions);
            if (o.status() != Status.OK) return List.of(row(t, addr, o.status(), o.detail()));
            int depth = entry.split("\\.").length;
            for (Session.Value v : o.values()) {
                String[] arcs = v.oid().split("\\.");
                if (arcs.length <= depth + 1) continue;
                String column = Oids.columnName(String.join(".", java.util.Arrays.copyOf(arcs, depth + 1)));
                org.snmp4j.smi.OID index = new org.snmp4j.smi.OID(String.join(".", java.util.Arrays.copyOfRange(arcs, depth + 1, arcs.length)));
                byIndex.computeIfAbsent(index, k -> new LinkedHashMap<>()).put(column, v.value());
            }
        }
        if (byIndex.isEmpty()) return List.of(row(t, addr, Status.NO_SUCH_OBJECT, "the table is empty or absent"));
        List<Map<String, Object>> rows = new ArrayList<>();
        byIndex.forEach((index, values) -> {
            Map<String, Object> r = row(t, addr, Status.OK, null);
            r.put("index", index.toDottedString());
            r.put("values", values);
            rows.add(r);
        });
        return rows;
    }

    static Map<String, Object> valueMap(List<Session.Value> values) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Session.Value v : values) m.put(Oids.name(v.oid()), v.value());
        return m;
    }

    static Map<String, Object> row(Target t, String address, Status status, String error) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("target", t.spec());
        r.put("host", t.host());
        r.put("port", t.port());
        r.put("address", address);
        r.put("status", status.text);
        r.put("error", error);
        return r;
    }

    static Map<String, Object> notRun(Target t, NotRun why) {
        return row(t, null, Status.NOT_RUN, why.text());
    }

    // ---- Prometheus text format ------------------------------------------------------------------

    /** ops_snmp_up and ops_snmp_status per device, ops_snmp_value per numeric value, run totals. */
    static void prom(Report report, List<Map<String, Object>> rows, PrintStream out) {
        var up = Prom.gauge("ops_snmp_up", "1 if every request to the device succeeded, else 0");
        var status = Prom.gauge("ops_snmp_status", "1 for the status the device ended with (ok, timeout, wrong-digest, ...)");
        var value = Prom.gauge("ops_snmp_value", "Numeric SNMP values (counters, gauges, integers, timeticks) by OID name");
        Map<String, String> deviceStatus = new LinkedHashMap<>();
        for (var r : rows) {
            String target = (String) r.get("target");
            deviceStatus.merge(target, (String) r.get("status"), (a, b) -> a.equals("ok") ? b : a);
            Labels base = Labels.of("target", target);
            if (r.get("value") instanceof Number n) value.dataPoint(Prom.point(base.add("name", (String) r.get("name")), n.doubleValue()));
            if (r.get("values") instanceof Map<?, ?> m) {
                m.forEach((k, v) -> {
                    if (v instanceof Number n) {
                        Labels l = r.get("index") != null ? base.add("index", (String) r.get("index")).add("name", (String) k) : base.add("name", (String) k);
                        value.dataPoint(Prom.point(l, n.doubleValue()));
                    }
                });
            }
        }
        deviceStatus.forEach((target, s) -> {
            up.dataPoint(Prom.point(Labels.of("target", target), s.equals("ok") ? 1 : 0));
            status.dataPoint(Prom.point(Labels.of("target", target, "status", s), 1));
        });
        var duration = Prom.gauge("ops_snmp_duration_seconds", "Wall time of the last run")
                .dataPoint(GaugeDataPointSnapshot.builder().value(report.elapsedSeconds()).build());
        Prom.write(out, up.build(), status.build(), value.build(), duration.build());
    }
}
