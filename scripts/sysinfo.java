//usr/bin/true; exec "$(dirname "$(readlink -f "$0")")/../jbang" "$0" "$@"
//JAVA 21+
//JAVA_OPTIONS -XX:+UseSerialGC -XX:-UsePerfData -XX:TieredStopAtLevel=1 -Xss512k --enable-native-access=ALL-UNNAMED
//SOURCES ../lib/cli/Durations.java ../lib/cli/Exit.java ../lib/cli/InputError.java ../lib/cli/Sizes.java
//SOURCES ../lib/cli/Tool.java ../lib/host/Facts.java ../lib/report/Column.java ../lib/report/Format.java
//SOURCES ../lib/report/Chat.java ../lib/report/Report.java ../lib/report/Table.java
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1

/*
 * sysinfo -- what is this box doing right now?
 *
 * What it does: reads the local host through OSHI and prints, section by section: OS, kernel and
 * uptime; CPU model, cores, load averages and usage over a short sample; memory and swap; every
 * real filesystem with size/used/free and inodes; the top processes by RSS and by CPU (pid, user,
 * command, RSS, VSZ, CPU%, threads, open files where readable); network interfaces with addresses
 * and counters; listening TCP ports with their owning process where the OS says.
 *
 * When to use it: the first look at a box during an incident, or pasted into a ticket with
 * `--format md`; `--format json` for scripts. `--section mem,fs` for just what you need.
 *
 * What it costs the box: reads /proc and /sys (statvfs per filesystem, /proc/PID/* per process)
 * and sleeps for --sample (default 500ms) to measure CPU usage. Nothing is written; no root needed,
 * though as an ordinary user other users' open files and port owners are not visible.
 */

import cli.Durations;
import cli.Exit;
import cli.InputError;
import cli.Sizes;
import cli.Tool;
import host.Facts;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import report.Chat;
import report.Column;
import report.Format;
import report.Report;
import report.Table;

@Command(name = "sysinfo", mixinStandardHelpOptions = true, version = "sysinfo (ops) 0.1", sortOptions = false,
        description = {"What is this box doing right now: OS, CPU, memory, filesystems, top processes, network, listening ports."},
        footer = {
            "%nSections: " + sysinfo.SECTION_LIST,
            "%nExamples:",
            "  sysinfo                          # everything, as tables",
            "  sysinfo --section mem,fs         # memory and filesystems only",
            "  sysinfo --format md --top 5      # paste into a ticket",
            "  sysinfo --format json | jq '.filesystems[] | select(.used_pct > 90)'",
            "%nExit codes:%n  0  facts printed%n  2  bad usage (nothing was read)%n  3  the tool itself failed (see stderr)%n"})
public class sysinfo implements Callable<Integer> {
    static final List<String> SECTIONS = List.of("os", "cpu", "mem", "fs", "procs", "net", "ports");
    static final String SECTION_LIST = "os, cpu, mem, fs, procs, net, ports";

    @Option(names = {"-s", "--section"}, paramLabel = "NAME[,NAME...]", split = ",",
            description = "Sections to show (default: all): " + SECTION_LIST + ".")
    List<String> sections = new ArrayList<>();

    @Option(names = {"-o", "--format"}, paramLabel = "FORMAT", defaultValue = "table",
            converter = Format.Lists.class, completionCandidates = Format.Lists.class,
            description = "table, md (GitHub/Mattermost), slack, dingtalk or wecom (each chat's own markup, escaped) or json (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--wide", description = "Table: show command lines and addresses in full (default: cut to fit 120 columns).")
    boolean wide;

    @Option(names = "--top", paramLabel = "N", defaultValue = "10", description = "Processes to list by RSS and by CPU (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--sample", paramLabel = "DURATION", defaultValue = "500ms", converter = Durations.Converter.class,
            description = "How long to measure CPU usage (system and per process) (default: ${DEFAULT-VALUE}).")
    Duration sample;

    public static void main(String... args) {
        Tool.main(new sysinfo(), args);
    }

    @Override
    public Integer call() throws IOException {
        Set<String> want = new LinkedHashSet<>(sections.isEmpty() ? SECTIONS : sections);
        for (String s : want) {
            if (!SECTIONS.contains(s)) throw new InputError("--section: unknown section '" + s + "' (expected " + SECTION_LIST + ")");
        }
        if (top < 1) throw new InputError("--top must be at least 1");
        if (sample.toMillis() < 50 && (want.contains("cpu") || want.contains("procs"))) {
            throw new InputError("--sample must be at least 50ms to measure CPU usage");
        }
        long t0 = System.nanoTime();
        Facts facts = new Facts();
        Map<String, Object> doc = facts.collect(want, sample, top);
        boolean sampled = want.contains("cpu") || want.contains("procs");
        long readMs = (System.nanoTime() - t0) / 1_000_000;
        String summary = "sysinfo: " + want.size() + " sections of " + facts.hostname() + " read in " + Durations.format(readMs)
                + (sampled ? " (including a " + Durations.format(sample.toMillis()) + " CPU sample)" : "");
        PrintStream out = System.out;
        if (format == Format.json) {
            Map<String, Object> s = new LinkedHashMap<>();         // not Map.of: its key order changes from run to run
            s.put("read_ms", readMs);
            s.put("sample_ms", sampled ? sample.toMillis() : 0);
            s.put("line", summary);
            doc.put("summary", s);
            Report.printJson(doc, out);
            return Exit.OK;
        }
        if (format.chat()) {
            Chat.print(format, null, summary, o -> doc.forEach((k, v) -> section(k, v, o)), out);
            return Exit.OK;
        }
        for (var e : doc.entrySet()) section(e.getKey(), e.getValue(), out);
        out.println(summary);
        out.flush();
        return Exit.OK;
    }

    // ---- text and Markdown -------------------------------------------------------------------------

    private void section(String key, Object value, PrintStream out) {
        String title = switch (key) {
            case "os" -> "System";
            case "cpu" -> "CPU";
            case "memory" -> "Memory";
            case "filesystems" -> "Filesystems";
            case "processes_by_rss" -> "Top processes by RSS";
            case "processes_by_cpu" -> "Top processes by CPU";
            case "interfaces" -> "Network interfaces";
            case "listening" -> "Listening TCP ports";
            default -> key;
        };
        out.println(format == Format.md ? "### " + title : "== " + title);
        if (format == Format.md) out.println();
        if (value instanceof Map<?, ?> raw) {
            @SuppressWarnings("unchecked") Map<String, Object> m = humanize((Map<String, Object>) raw);
            List<Map<String, Object>> rows = new ArrayList<>();
            m.forEach((k, v) -> {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("fact", k);
                row.put("value", v instanceof List<?> l ? String.join(" ", l.stream().map(String::valueOf).toList()) : v);
                rows.add(row);
            });
            render(List.of(Column.left("fact", "fact"), Column.left("value", "value")), rows, out);
        } else if (value instanceof List<?> l) {
            @SuppressWarnings("unchecked") List<Map<String, Object>> rows = (List<Map<String, Object>>) l;
            render(columns(key), rows.stream().map(sysinfo::humanize).toList(), out);
        }
        out.println();
    }

    private void render(List<Column> columns, List<Map<String, Object>> rows, PrintStream out) {
        if (format == Format.md) Table.markdown(columns, rows, out);
        else Table.table(columns, rows, out, false, wide ? Integer.MAX_VALUE : Table.WIDTH);
    }

    /** Byte counts as KiB/MiB/GiB for people; JSON keeps the exact numbers. */
    static Map<String, Object> humanize(Map<String, Object> row) {
        Map<String, Object> h = new LinkedHashMap<>();
        row.forEach((k, v) -> h.put(k, k.endsWith("_bytes") && v instanceof Long n ? Sizes.format(n)
                : v instanceof List<?> l ? String.join(",", l.stream().map(String::valueOf).toList()) : v));
        return h;
    }

    static List<Column> columns(String key) {
        return switch (key) {
            case "filesystems" -> List.of(Column.left("mount", "mount"), Column.left("device", "device"),
                    Column.left("type", "type"), Column.right("size_bytes", "size"), Column.right("used_bytes", "used"),
                    Column.right("free_bytes", "avail"), Column.right("used_pct", "use%"),
                    Column.right("inodes_used_pct", "iuse%"));
            case "processes_by_rss", "processes_by_cpu" -> List.of(Column.right("pid", "pid"), Column.left("user", "user"),
                    Column.right("rss_bytes", "rss"), Column.right("vsz_bytes", "vsz"), Column.right("cpu_pct", "cpu%"),
                    Column.right("threads", "thr"), Column.right("open_files", "files"), Column.left("command", "command"));
            case "interfaces" -> List.of(Column.left("name", "iface"), Column.left("addresses", "addresses"),
                    Column.right("rx_bytes", "rx"), Column.right("tx_bytes", "tx"), Column.right("rx_errors", "rx err"),
                    Column.right("tx_errors", "tx err"), Column.right("speed_mbps", "link Mbit/s"));
            case "listening" -> List.of(Column.left("address", "address"), Column.right("port", "port"),
                    Column.right("pid", "pid"), Column.left("process", "process"));
            default -> List.of();
        };
    }
}
