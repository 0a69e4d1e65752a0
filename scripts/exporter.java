//usr/bin/true; exec "$(dirname "$(readlink -f "$0")")/../jbang" "$0" "$@"
//JAVA 21+
//JAVA_OPTIONS -XX:+UseSerialGC -Xms8m -Xmx48m -Xmn4m -Xss512k -XX:-TieredCompilation -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=64m -XX:+IgnoreUnrecognizedVMOptions -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=1000 -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED
//SOURCES ../lib/cli/Durations.java ../lib/cli/Errors.java ../lib/cli/Exit.java ../lib/cli/InputError.java
//SOURCES ../lib/cli/Patterns.java ../lib/cli/Tool.java ../lib/host/Mounts.java ../lib/net/Addresses.java
//SOURCES ../lib/run/Runner.java ../lib/run/Shutdown.java
//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//DEPS io.prometheus:prometheus-metrics-exporter-httpserver:1.10.0
//DEPS io.prometheus:prometheus-metrics-instrumentation-jvm:1.10.0

/*
 * exporter -- node metrics for Prometheus, named like node_exporter's, with the JVM's diagnostics
 *
 * What it does: serves /metrics in the Prometheus text format (the official Java client writes it)
 * with node_exporter's names and labels for cpu, loadavg, meminfo, filesystem, netdev, stat, time
 * and uname, plus the *.prom files of --textfile-dir (node_exporter's textfile collector: probe's
 * and inspect's `--format prom` output lands there). Its own health is in the same scrape:
 * ops_exporter_scrape_duration_seconds{collector}, ops_exporter_collector_success and
 * ops_exporter_collector_errors_total, and the client's jvm_* and process_* metrics. /healthz
 * answers 503 when a collector fails, not just when the port answers. With --debug-endpoints and a
 * bearer token: /debug/threads (thread dump), /debug/heap (class histogram), /debug/jfr?seconds=N
 * (a Java Flight Recorder file to download).
 *
 * When to use it: on every node Prometheus scrapes, where existing node_exporter dashboards and
 * alerts should keep working for these metrics, and where a JVM is welcome but a Go binary or
 * package is not. Dashboards that need collectors not listed here (diskstats, vmstat, hwmon, ...)
 * still need node_exporter.
 *
 * What it costs the node: one JVM (C2 only, 48 MB heap cap, native memory trimmed every second:
 * about 77 MB resident once warm, up to ~92 MB while the JIT compiles in the first few thousand
 * scrapes; about 1.7 ms of CPU per scrape once compiled, twice that before); per
 * scrape it reads /proc/stat, /proc/meminfo, /proc/net/dev, /proc/self/mountinfo, a few
 * /proc/sys/kernel files, calls statvfs once per listed filesystem and reads the textfiles; no
 * writes, no root needed. Listens on 127.0.0.1:9101 unless told otherwise. Each collector has a
 * time budget (--collector-timeout): one that overruns (a hung NFS mount, a FIFO in the textfile
 * directory) is reported as failed while the rest of the scrape is served, and it is not started
 * again until the stuck call returns, so a stuck collector costs one thread, not one per scrape.
 */

import cli.Durations;
import cli.Errors;
import cli.Exit;
import cli.InputError;
import cli.Patterns;
import cli.Tool;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import host.Mounts;
import io.prometheus.metrics.config.ExporterFilterProperties;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import net.Addresses;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor.TickType;
import oshi.hardware.CentralProcessor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine;
import run.Runner;
import run.Shutdown;

@Command(name = "exporter", mixinStandardHelpOptions = true, version = "exporter (ops) 0.1", sortOptions = false,
        modelTransformer = exporter.CollectorSwitches.class,
        description = {"Serve node metrics for Prometheus on /metrics, named like node_exporter's, plus "
                + "/healthz and (opt-in, token-protected) JVM diagnostics under /debug/."},
        footer = {
            "%nCollectors (each can be turned off with --no-collector.NAME):",
            "  cpu, loadavg, meminfo, filesystem, netdev, stat, time, uname;",
            "  textfile when --textfile-dir is given.",
            "%nEndpoints:",
            "  /metrics        node_*, ops_exporter_*, jvm_* and process_* metrics",
            "  /healthz        200 when every collector works, else 503 and which failed",
            "%nWith --debug-endpoints, for requests with 'Authorization: Bearer TOKEN':",
            "  /debug/threads  a thread dump (like jstack)",
            "  /debug/heap     a class histogram (like jmap -histo; runs a full GC)",
            "  /debug/jfr?seconds=N  a Java Flight Recorder file of N seconds (1-300)",
            "%nExamples:",
            "  exporter                                   # on 127.0.0.1:9101",
            "  exporter --listen 0.0.0.0:9101 --textfile-dir /var/lib/node-exporter",
            "  OPS_EXPORTER_TOKEN=$(cat /etc/ops/token) exporter --debug-endpoints",
            "  curl -sH \"Authorization: Bearer $T\" localhost:9101/debug/heap | head",
            "%nExit codes:",
            "  0  stopped by SIGTERM or SIGINT after serving in-flight scrapes",
            "  2  bad usage, or the listen address cannot be used (nothing was served)",
            "  3  the tool itself failed (see stderr)%n"})
public class exporter implements Callable<Integer> {
    /** Collector names, as node_exporter spells them (so --no-collector.X flags carry over). */
    static final List<String> COLLECTORS = List.of("cpu", "loadavg", "meminfo", "filesystem", "netdev", "stat", "time", "uname", "textfile");

    /** node_exporter's upstream defaults (Debian's package also leaves out /run, /mnt and /media). */
    static final String MOUNTS_EXCLUDE = "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
    static final String FSTYPES_EXCLUDE = "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs"
            + "|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$";

    static final String TOKEN_ENV = "OPS_EXPORTER_TOKEN";
    /** Scrapes (and /healthz) collected at once; more wait their turn. */
    static final int MAX_CONCURRENT_SCRAPES = 4;
    /** A client has this long to send its whole request; then the connection is closed (slow-loris). */
    static final int REQUEST_READ_SECONDS = 5;
    static final int MAX_JFR_SECONDS = 300;
    /** Textfiles are parsed whole in a small heap; node_exporter's own guidance is to keep them small. */
    static final long MAX_TEXTFILE = 2 << 20;
    /** Series a textfile may hold, and all of them together: each costs the 48 MB heap a few hundred bytes a scrape. */
    static final int MAX_SERIES_PER_FILE = 20_000, MAX_SERIES = 50_000;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9101",
            description = "Address to serve on (default: ${DEFAULT-VALUE}). 0.0.0.0:PORT or [::]:PORT listens on every interface.")
    String listen;

    @Option(names = "--web.listen-address", paramLabel = "[HOST]:PORT",
            description = "node_exporter's flag, with its meaning: a bare :PORT listens on every interface.")
    String webListenAddress;

    @Option(names = "--web.telemetry-path", paramLabel = "PATH", defaultValue = "/metrics",
            description = "node_exporter's flag; only /metrics is served (default: ${DEFAULT-VALUE}).")
    String telemetryPath;

    @Option(names = {"--textfile-dir", "--collector.textfile.directory"}, paramLabel = "DIR",
            description = "Export the *.prom files in DIR (node_exporter's textfile collector).")
    Path textfileDir;

    @Option(names = "--collector-timeout", paramLabel = "DURATION", defaultValue = "3s", converter = Durations.Converter.class,
            description = "Time budget of each collector per scrape; over it, the collector is reported as failed (default: ${DEFAULT-VALUE}).")
    Duration collectorTimeout;

    @Option(names = "--collector.filesystem.mount-points-exclude", paramLabel = "REGEX", defaultValue = MOUNTS_EXCLUDE,
            description = "Mount points to leave out (default: node_exporter's).")
    String mountPointsExclude;

    @Option(names = "--collector.filesystem.fs-types-exclude", paramLabel = "REGEX", defaultValue = FSTYPES_EXCLUDE,
            description = "Filesystem types to leave out (default: node_exporter's).")
    String fsTypesExclude;

    @Option(names = "--collector.netdev.device-exclude", paramLabel = "REGEX", defaultValue = "^$",
            description = "Network devices to leave out (default: none, as upstream; Debian's node_exporter leaves out ^lo$).")
    String netdevExclude;

    @Option(names = "--debug-endpoints", description = "Serve /debug/threads, /debug/heap and /debug/jfr to requests with the token.")
    boolean debugEndpoints;

    @Option(names = "--debug-token-file", paramLabel = "FILE",
            description = "Read the debug endpoints' bearer token from FILE (default: the " + TOKEN_ENV + " environment variable).")
    Path tokenFile;

    final Set<String> disabled = new LinkedHashSet<>();

    /** Adds --no-collector.NAME for every collector (picocli has no "--no-collector.*" pattern option). */
    public static final class CollectorSwitches implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            exporter cmd = (exporter) spec.userObject();
            for (String name : COLLECTORS) {
                spec.addOption(OptionSpec.builder("--no-collector." + name).arity("0").type(boolean.class)
                        .description("Turn off the " + name + " collector.")
                        .setter(new CommandLine.Model.ISetter() {
                            @Override public <T> T set(T value) {
                                if (Boolean.TRUE.equals(value)) cmd.disabled.add(name);
                                return null;
                            }
                        }).build());
            }
            return spec;
        }
    }

    public static void main(String... args) {
        Tool.main(new exporter(), args);
    }

    @Override
    public Integer call() throws Exception {
        InetSocketAddress address = listenAddress(listen);
        if (webListenAddress != null) {                      // a node_exporter unit switched to us unchanged
            if (!listen.equals("127.0.0.1:9101")) throw new InputError("--listen and --web.listen-address: give one of them");
            String w = webListenAddress.trim();
            address = listenAddress(w.startsWith(":") ? "[::]" + w : w);
        }
        if (!telemetryPath.equals("/metrics")) throw new InputError("--web.telemetry-path " + telemetryPath + ": only /metrics is served");
        Pattern mountsOut = regex("--collector.filesystem.mount-points-exclude", mountPointsExclude),
                typesOut = regex("--collector.filesystem.fs-types-exclude", fsTypesExclude),
                netdevOut = regex("--collector.netdev.device-exclude", netdevExclude);
        if (collectorTimeout.isZero() || collectorTimeout.isNegative()) throw new InputError("--collector-timeout must be more than 0");
        if (textfileDir != null && !Files.isDirectory(textfileDir)) {
            throw new InputError("--textfile-dir " + textfileDir + ": " + (Files.exists(textfileDir) ? "not a directory" : "no such directory"));
        }
        byte[] token = debugEndpoints ? token() : null;
        if (!debugEndpoints && tokenFile != null) throw new InputError("--debug-token-file needs --debug-endpoints");

        List<Runner> runners = collectors(mountsOut, typesOut, netdevOut);
        PrometheusRegistry registry = new PrometheusRegistry();
        JvmMetrics.builder().register(registry);
        Set<String> jvmNames = new HashSet<>();
        registry.scrape().forEach(m -> jvmNames.add(m.getMetadata().getPrometheusName()));
        Node node = new Node(runners, collectorTimeout, jvmNames);
        registry.register(node);

        System.setProperty("sun.net.httpserver.maxConnections", "64");      // bounds the sockets a flood of clients can hold
        System.setProperty("sun.net.httpserver.maxReqTime", String.valueOf(REQUEST_READ_SECONDS));   // a request must arrive whole in this
        System.setProperty("sun.net.httpserver.nodelay", "true");           // else Nagle + delayed ACK add 40 ms to each keep-alive scrape
        HttpServer server;
        try {
            server = HttpServer.create(address, 64);
        } catch (BindException e) {
            throw new InputError("--listen " + listen + ": " + Errors.message(e, "cannot listen there").toLowerCase(java.util.Locale.ROOT));
        }
        // A virtual thread per exchange: the JDK server reads each request on its executor, so with a few
        // platform threads four clients sending half a request would stall every scrape until they give up.
        ExecutorService http = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("exporter-http-", 0).factory());
        server.setExecutor(http);
        // jvm_threads_deadlocked{,_monitor} stop the JVM for a deadlock search on every scrape (~0.25 ms of a ~1.5 ms
        // scrape); /debug/threads reports deadlocks when asked.
        var properties = PrometheusProperties.builder().exporterFilterProperties(ExporterFilterProperties.builder()
                .excludedNames("jvm_threads_deadlocked", "jvm_threads_deadlocked_monitor").build()).build();
        MetricsHandler metrics = new MetricsHandler(properties, registry);
        // At most 4 collections at once, as before requests moved to virtual threads: more scrapers wait their turn
        // instead of each getting collector threads of its own.
        java.util.concurrent.Semaphore collecting = new java.util.concurrent.Semaphore(MAX_CONCURRENT_SCRAPES, true);
        server.createContext("/metrics", exactly("/metrics", oneOf(collecting, fastGzip(metrics)::handle)));
        server.createContext("/healthz", exactly("/healthz", oneOf(collecting, ex -> health(ex, node))));
        Debug debug = token == null ? null : new Debug(token);
        for (String path : List.of("/debug/threads", "/debug/heap", "/debug/jfr")) {
            server.createContext(path, exactly(path, ex -> {
                if (debug == null) reply(ex, 404, "debug endpoints are off (start the exporter with --debug-endpoints)\n");
                else debug.handle(ex);
            }));
        }
        server.createContext("/", exactly("/", ex -> reply(ex, 200, index(runners, debug != null))));
        server.start();

        CountDownLatch stopped = new CountDownLatch(1);
        // SIGTERM/SIGINT: stop accepting, let in-flight scrapes finish (up to 2s), exit 0 rather than the JVM's 143/130.
        Shutdown shutdown = Shutdown.onSignal("exporter", () -> {
            log("stopping: serving in-flight requests, then exiting");
            server.stop(2);
            http.shutdownNow();
            log("stopped");
        }, Duration.ofSeconds(1));
        shutdown.done(Exit.OK);                                              // nothing more to report when a signal comes
        log("serving http://" + hostPort(server.getAddress()) + "/metrics; collectors: "
                + (runners.isEmpty() ? "none" : String.join(", ", runners.stream().map(r -> r.name).toList()))
                + (disabled.isEmpty() ? "" : " (off: " + String.join(", ", disabled) + ")")
                + "; debug endpoints " + (debug == null ? "off" : "on, token required"));
        stopped.await();                                                     // until the shutdown hook halts the JVM
        return Exit.OK;
    }

    static Pattern regex(String option, String text) {
        try {
            return Patterns.compile(text);
        } catch (IllegalArgumentException e) {
            throw new InputError(option + " '" + text + "': " + e.getMessage());
        }
    }

    /** The collectors that are on, in node_exporter's names. */
    List<Runner> collectors(Pattern mountsOut, Pattern typesOut, Pattern netdevOut) throws IOException {
        CentralProcessor processor = new SystemInfo().getHardware().getProcessor();      // OSHI's, shared by cpu and loadavg
        List<Runner> runners = new ArrayList<>();
        for (String name : COLLECTORS) {
            if (disabled.contains(name) || name.equals("textfile") && textfileDir == null) continue;
            runners.add(new Runner(name, switch (name) {
                case "cpu" -> new Cpu(processor);
                case "loadavg" -> new LoadAvg(processor);
                case "meminfo" -> step -> Collected.of(meminfo(step));
                case "filesystem" -> new Filesystem(mountsOut, typesOut);
                case "netdev" -> step -> Collected.of(netdev(step, netdevOut));
                case "stat" -> step -> Collected.of(stat(step));
                case "time" -> new Time();
                case "uname" -> new Uname();
                case "textfile" -> new Textfile(textfileDir);
                default -> throw new IllegalStateException(name);
            }));
        }
        return runners;
    }

    /** "127.0.0.1:9101", "[::1]:9101", "0.0.0.0:9101", "localhost:9101"; a bare ":9101" is refused as ambiguous. */
    static InetSocketAddress listenAddress(String text) {
        Matcher m = Pattern.compile("^(\\[[^\\]]+\\]|[^:\\[\\]]+):(\\d{1,5})$").matcher(text.trim());
        if (text.trim().startsWith(":")) {
            throw new InputError("--listen " + text + ": give the address too: 127.0.0.1" + text.trim() + " for this host only, 0.0.0.0" + text.trim() + " for every interface");
        }
        if (!m.matches()) throw new InputError("--listen " + text + ": expected HOST:PORT, like 127.0.0.1:9101 or [::1]:9101");
        int port = Integer.parseInt(m.group(2));
        if (port > 65535) throw new InputError("--listen " + text + ": port " + port + " is out of range (0-65535)");
        String host = m.group(1).replaceAll("^\\[|\\]$", "");
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new InputError("--listen " + text + ": cannot resolve '" + host + "'");
        }
    }

    static String hostPort(InetSocketAddress a) {
        String host = Addresses.format(a.getAddress());
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** The debug endpoints' token, from --debug-token-file or $OPS_EXPORTER_TOKEN; never from argv. */
    byte[] token() throws IOException {
        String value;
        String from;
        if (tokenFile != null) {
            from = "--debug-token-file " + tokenFile;
            if (!Files.isRegularFile(tokenFile)) throw new InputError(from + ": no such file");
            if (!Files.isReadable(tokenFile)) throw new InputError(from + ": not readable");
            value = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
        } else {
            from = "$" + TOKEN_ENV;
            value = System.getenv().getOrDefault(TOKEN_ENV, "").strip();
            if (value.isEmpty()) {
                throw new InputError("--debug-endpoints needs a token: set " + TOKEN_ENV + " or give --debug-token-file FILE");
            }
        }
        if (value.isEmpty()) throw new InputError(from + ": the token is empty");
        if (value.length() < 16) throw new InputError(from + ": the token is " + value.length() + " characters; use at least 16 (openssl rand -hex 16)");
        if (value.chars().anyMatch(c -> c <= ' ' || c > '~')) throw new InputError(from + ": the token must be one word of printable ASCII");
        if (tokenFile != null && Files.getPosixFilePermissions(tokenFile).contains(PosixFilePermission.OTHERS_READ)) {
            log("warning: " + tokenFile + " is readable by every user; chmod 600 it");
        }
        return value.getBytes(StandardCharsets.US_ASCII);
    }

    static void log(String message) {
        System.err.println(Instant.now().truncatedTo(ChronoUnit.SECONDS) + " exporter: " + message);
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // ---------------------------------------------------------------------------------------------
    // Collectors: each runs with a time budget; a stuck one is joined by later scrapes, never restarted.

    /** What a collector returns: its metrics, and problems with its input that did not stop it (a bad textfile). */
    record Collected(List<MetricSnapshot> metrics, List<String> problems) {
        static Collected of(List<? extends MetricSnapshot> metrics) {
            return new Collected(List.copyOf(metrics), List.of());
        }
    }

    interface Source {
        /** Collect; {@code step} names what is being done, so a timeout can say where it is stuck. */
        Collected collect(Consumer<String> step) throws Exception;
    }

    /** One collection by one collector: run by exactly one worker (the one that claims it), awaited by any number of scrapes. */
    static final class Collection {
        final CompletableFuture<Collected> result = new CompletableFuture<>();
        final AtomicBoolean claimed = new AtomicBoolean();
        volatile long startedNs, finishedNs;
    }

    /** One collector: at most one collection at a time; scrapes arriving meanwhile share it. */
    static final class Runner {
        final String name;
        final Source source;
        final LongAdder errors = new LongAdder(), timeouts = new LongAdder();
        private Collection current;
        private volatile String step = "";
        private boolean failing;
        private final Set<String> reportedProblems = new HashSet<>();
        private final Set<String> reportedClashes = java.util.concurrent.ConcurrentHashMap.newKeySet();

        Runner(String name, Source source) {
            this.name = name;
            this.source = source;
        }

        /** The collection in flight (possibly stuck), or a new one. */
        synchronized Collection current() {
            if (current == null || current.result.isDone()) current = new Collection();
            return current;
        }

        /** Runs {@code c} on this thread, unless another worker has claimed it. */
        void run(Collection c) {
            if (!c.claimed.compareAndSet(false, true)) return;
            step = "";
            c.startedNs = System.nanoTime();
            try {
                Collected out = source.collect(s -> step = s);
                c.finishedNs = System.nanoTime();
                c.result.complete(out);
            } catch (Throwable e) {
                c.finishedNs = System.nanoTime();
                c.result.completeExceptionally(e);
            }
        }

        /** Waits for {@code c} until budget after its start (or after {@code readyNs}, if it has not started yet). */
        Outcome await(Collection c, long readyNs, Duration budget) {
            long started = c.startedNs != 0 ? c.startedNs : readyNs;
            try {
                Collected data = c.result.get(Math.max(0, started + budget.toNanos() - System.nanoTime()), TimeUnit.NANOSECONDS);
                return new Outcome(this, data, null, false, (c.finishedNs - c.startedNs) / 1e9);
            } catch (TimeoutException e) {
                timeouts.increment();
                long ran = System.nanoTime() - started;
                String where = step.isEmpty() ? "" : ", stuck in " + step;
                return new Outcome(this, null, "over its " + Durations.format(budget.toMillis()) + " budget (running for "
                        + String.format(java.util.Locale.ROOT, "%.1fs", ran / 1e9) + where + ")", true, ran / 1e9);
            } catch (ExecutionException e) {
                errors.increment();
                return new Outcome(this, null, describe(e.getCause()), false, (c.finishedNs - c.startedNs) / 1e9);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(this, null, "interrupted", false, 0);
            }
        }

        /** A metric this collector produced that an earlier collector (or the JVM's) already serves: left out, said once. */
        void clash(String metric) {
            if (reportedClashes.add(metric)) log(name + ": metric " + metric + " is already served by another collector; left out");
        }

        /** Logs a change between failing and working, and each input problem once while it lasts. */
        synchronized void report(Outcome o) {
            boolean nowFailing = o.error != null;
            if (nowFailing && !failing) log(name + " collector failed: " + o.error);
            if (!nowFailing && failing) log(name + " collector works again");
            failing = nowFailing;
            if (o.data == null) return;
            Set<String> now = new HashSet<>(o.data.problems());
            for (String p : o.data.problems()) if (!reportedProblems.contains(p)) log(name + ": " + p);
            reportedProblems.retainAll(now);
            reportedProblems.addAll(now);
        }
    }

    static String describe(Throwable t) {
        if (t instanceof NoSuchFileException e) return e.getFile() + ": no such file";
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    record Outcome(Runner runner, Collected data, String error, boolean overran, double seconds) {}

    /** The registry's view of all collectors: runs them in parallel and merges their metrics with our own. */
    static final class Node implements MultiCollector {
        final List<Runner> runners;
        final Duration budget;
        final Set<String> jvmNames;
        final ExecutorService pool = Executors.newCachedThreadPool(daemon("exporter-collector"));

        Node(List<Runner> runners, Duration budget, Set<String> jvmNames) {
            this.runners = runners;
            this.budget = budget;
            this.jvmNames = jvmNames;
        }

        /**
         * Runs the collectors one after another on a worker thread (on a 2-core box, one thread per
         * collector only adds hand-offs) while this thread waits for each in turn within its budget.
         * When one overruns, its worker is left stuck in it and the collectors after it go on a new worker.
         */
        List<Outcome> runAll() {
            List<Collection> collections = runners.stream().map(Runner::current).toList();
            startWorker(collections, 0);
            awaitAll(collections);
            List<Outcome> outcomes = new ArrayList<>();
            long ready = System.nanoTime();
            for (int i = 0; i < runners.size(); i++) {
                Runner r = runners.get(i);
                Outcome o = r.await(collections.get(i), ready, budget);
                if (o.overran()) startWorker(collections, i + 1);
                r.report(o);
                outcomes.add(o);
                ready = System.nanoTime();
            }
            return outcomes;
        }

        /**
         * One wait for the whole batch, up to the earliest budget: when all goes well the scrape thread
         * wakes once instead of once per collector. The loop in runAll() then sorts out who failed.
         */
        private void awaitAll(List<Collection> collections) {
            long now = System.nanoTime(), wait = budget.toNanos();
            for (Collection c : collections) if (c.startedNs != 0) wait = Math.min(wait, c.startedNs + budget.toNanos() - now);
            try {
                CompletableFuture.allOf(collections.stream().map(c -> c.result).toArray(CompletableFuture[]::new))
                        .get(Math.max(0, wait), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // some collector overran or failed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void startWorker(List<Collection> collections, int from) {
            if (from >= runners.size()) return;
            pool.execute(() -> {
                for (int i = from; i < runners.size(); i++) runners.get(i).run(collections.get(i));
            });
        }

        @Override
        public MetricSnapshots collect() {
            List<Outcome> outcomes = runAll();
            MetricSnapshots.Builder out = MetricSnapshots.builder();
            Set<String> names = new HashSet<>(jvmNames);
            var duration = GaugeSnapshot.builder().name("ops_exporter_scrape_duration_seconds")
                    .help("How long each collector took in this scrape (the budget, when it overran).");
            var success = GaugeSnapshot.builder().name("ops_exporter_collector_success")
                    .help("1 if the collector succeeded in this scrape, 0 if it failed or overran its budget.");
            var errors = CounterSnapshot.builder().name("ops_exporter_collector_errors")
                    .help("Collections that failed, by reason (error or timeout) since start.");
            for (Outcome o : outcomes) {
                Labels c = Labels.of("collector", o.runner.name);
                duration.dataPoint(point(c, o.seconds));
                success.dataPoint(point(c, o.error == null ? 1 : 0));
                errors.dataPoint(count(Labels.of("collector", o.runner.name, "reason", "error"), o.runner.errors.sum()));
                errors.dataPoint(count(Labels.of("collector", o.runner.name, "reason", "timeout"), o.runner.timeouts.sum()));
                if (o.data == null) continue;
                for (MetricSnapshot m : o.data.metrics()) {
                    String name = m.getMetadata().getPrometheusName();
                    if (names.add(name)) out.metricSnapshot(m);
                    else o.runner.clash(name);                              // a textfile reusing a name we serve
                }
            }
            for (var m : List.of(duration.build(), success.build(), errors.build())) out.metricSnapshot(m);
            return out.build();
        }
    }

    static GaugeSnapshot gauge(String name, String help, GaugeDataPointSnapshot... points) {
        var b = GaugeSnapshot.builder().name(name).help(help);
        for (var p : points) b.dataPoint(p);
        return b.build();
    }

    static GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    static CounterDataPointSnapshot count(Labels labels, double value) {
        return CounterDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    /** Reads a procfs file whole, as node_exporter does (one read, a consistent snapshot). */
    static List<String> proc(String path) throws IOException {
        return new String(Files.readAllBytes(Path.of(path)), StandardCharsets.ISO_8859_1).lines().toList();
    }

    /** node_cpu_seconds_total{cpu,mode}: OSHI's per-CPU tick counters (from /proc/stat), in seconds. */
    static final class Cpu implements Source {
        final CentralProcessor cpu;
        final List<String> numbers;

        Cpu(CentralProcessor cpu) {
            this.cpu = cpu;
            this.numbers = cpu.getLogicalProcessors().stream().map(p -> String.valueOf(p.getProcessorNumber())).toList();
        }

        @Override
        public Collected collect(Consumer<String> step) {
            step.accept("OSHI getProcessorCpuLoadTicks");
            long[][] ticks = cpu.getProcessorCpuLoadTicks();
            if (ticks.length != numbers.size()) throw new IllegalStateException("OSHI returned ticks for " + ticks.length + " CPUs, expected " + numbers.size());
            var b = CounterSnapshot.builder().name("node_cpu_seconds").help("Seconds the CPUs spent in each mode.");
            long sum = 0;
            for (int i = 0; i < ticks.length; i++) {
                for (TickType t : TickType.values()) {
                    long ms = ticks[i][t.getIndex()];
                    sum += ms;
                    b.dataPoint(count(Labels.of("cpu", numbers.get(i), "mode", t.name().toLowerCase(java.util.Locale.ROOT)), ms / 1e3));
                }
            }
            if (sum == 0) throw new IllegalStateException("OSHI returned no CPU ticks (is /proc/stat readable?)");
            return Collected.of(List.of(b.build()));
        }
    }

    /** node_load1/5/15 through OSHI (getloadavg(3)). */
    static final class LoadAvg implements Source {
        final CentralProcessor cpu;

        LoadAvg(CentralProcessor cpu) {
            this.cpu = cpu;
        }

        @Override
        public Collected collect(Consumer<String> step) {
            double[] load = cpu.getSystemLoadAverage(3);
            if (load[0] < 0) throw new IllegalStateException("OSHI could not read the load average");
            return Collected.of(List.of(gauge("node_load1", "1m load average.", point(Labels.EMPTY, load[0])),
                    gauge("node_load5", "5m load average.", point(Labels.EMPTY, load[1])),
                    gauge("node_load15", "15m load average.", point(Labels.EMPTY, load[2]))));
        }
    }

    /**
     * node_memory_*: every field of /proc/meminfo, named as node_exporter names them ("Active(anon)" ->
     * node_memory_Active_anon_bytes; kB fields in bytes; counts like HugePages_Total without a unit).
     * Read directly: OSHI exposes only total, available and swap, not MemFree, Buffers or Cached.
     */
    static List<MetricSnapshot> meminfo(Consumer<String> step) throws IOException {
        step.accept("read /proc/meminfo");
        List<MetricSnapshot> out = new ArrayList<>();
        for (String line : proc("/proc/meminfo")) {
            String[] f = fields(line);                                      // "MemTotal:", "24579512", "kB"
            if (f.length < 2 || !f[0].endsWith(":")) continue;
            String key = f[0].substring(0, f[0].length() - 1).replace("(", "_").replace(")", "");
            double value = Double.parseDouble(f[1]);
            boolean kb = f.length > 2 && f[2].equals("kB");
            String name = "node_memory_" + key + (kb ? "_bytes" : "");
            out.add(gauge(name, "Memory information field " + key + (kb ? "_bytes." : "."), point(Labels.EMPTY, kb ? value * 1024 : value)));
        }
        if (out.isEmpty()) throw new IOException("/proc/meminfo has no fields");
        return out;
    }

    /** Whitespace-separated fields, without a regex (procfs lines are parsed on every scrape). */
    static String[] fields(String line) {
        var t = new java.util.StringTokenizer(line, " \t\n");
        String[] f = new String[t.countTokens()];
        for (int i = 0; i < f.length; i++) f[i] = t.nextToken();
        return f;
    }

    /** node_filesystem_*{device,fstype,mountpoint}: statvfs of every mount not excluded, like node_exporter. */
    static final class Filesystem implements Source {
        final Pattern mountsOut, typesOut;

        Filesystem(Pattern mountsOut, Pattern typesOut) {
            this.mountsOut = mountsOut;
            this.typesOut = typesOut;
        }

        @Override
        public Collected collect(Consumer<String> step) throws IOException {
            step.accept("read /proc/self/mountinfo");
            var size = GaugeSnapshot.builder().name("node_filesystem_size_bytes").help("Filesystem size in bytes.");
            var free = GaugeSnapshot.builder().name("node_filesystem_free_bytes").help("Filesystem free space in bytes.");
            var avail = GaugeSnapshot.builder().name("node_filesystem_avail_bytes").help("Filesystem space available to non-root users in bytes.");
            var files = GaugeSnapshot.builder().name("node_filesystem_files").help("Filesystem total file nodes.");
            var filesFree = GaugeSnapshot.builder().name("node_filesystem_files_free").help("Filesystem total free file nodes.");
            var readOnly = GaugeSnapshot.builder().name("node_filesystem_readonly").help("Filesystem read-only status.");
            var deviceError = GaugeSnapshot.builder().name("node_filesystem_device_error").help("Whether an error occurred while getting statistics for the given device.");
            for (var e : Mounts.all().entrySet()) {
                String mount = e.getKey(), device = e.getValue()[0], type = e.getValue()[1];
                if (mountsOut.matcher(mount).find() || typesOut.matcher(type).find()) continue;
                Labels l = Labels.of("device", device, "fstype", type, "mountpoint", mount);
                step.accept("statvfs " + mount);
                Mounts.Usage u;
                try {
                    u = Mounts.statvfs(mount);
                } catch (IOException ex) {                                  // node_exporter: device_error 1, no sizes
                    deviceError.dataPoint(point(l, 1));
                    continue;
                }
                deviceError.dataPoint(point(l, 0));
                readOnly.dataPoint(point(l, u.readOnly() ? 1 : 0));
                size.dataPoint(point(l, u.size()));
                free.dataPoint(point(l, u.free()));
                avail.dataPoint(point(l, u.avail()));
                files.dataPoint(point(l, u.files()));
                filesFree.dataPoint(point(l, u.filesFree()));
            }
            return Collected.of(List.of(size.build(), free.build(), avail.build(), files.build(), filesFree.build(), readOnly.build(), deviceError.build()));
        }
    }

    /** /proc/net/dev's columns, in order, as node_exporter names them. */
    static final String[] NETDEV = {"receive_bytes", "receive_packets", "receive_errs", "receive_drop", "receive_fifo",
            "receive_frame", "receive_compressed", "receive_multicast", "transmit_bytes", "transmit_packets", "transmit_errs",
            "transmit_drop", "transmit_fifo", "transmit_colls", "transmit_carrier", "transmit_compressed"};

    /**
     * node_network_{receive,transmit}_*_total{device}: every counter of /proc/net/dev (one read; OSHI
     * reads eight sysfs files per interface and has no transmit drops).
     */
    static List<MetricSnapshot> netdev(Consumer<String> step, Pattern exclude) throws IOException {
        step.accept("read /proc/net/dev");
        List<String> lines = proc("/proc/net/dev");
        List<CounterSnapshot.Builder> columns = new ArrayList<>();
        for (String c : NETDEV) {
            columns.add(CounterSnapshot.builder().name("node_network_" + c).help("Network device statistic " + c + "."));
        }
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;                                         // the two header lines
            String device = line.substring(0, colon).trim();
            if (exclude.matcher(device).find()) continue;
            String[] f = fields(line.substring(colon + 1));
            if (f.length < NETDEV.length) throw new IOException("/proc/net/dev: " + device + " has " + f.length + " columns, expected " + NETDEV.length);
            Labels l = Labels.of("device", device);
            for (int i = 0; i < NETDEV.length; i++) columns.get(i).dataPoint(count(l, Double.parseDouble(f[i])));
        }
        return columns.stream().<MetricSnapshot>map(CounterSnapshot.Builder::build).toList();
    }

    /** node_exporter's stat collector from /proc/stat: boot time, running/blocked processes, context switches, forks, interrupts. */
    static List<MetricSnapshot> stat(Consumer<String> step) throws IOException {
        step.accept("read /proc/stat");
        Map<String, String> v = new HashMap<>();
        for (String line : proc("/proc/stat")) {
            int sp = line.indexOf(' ');
            if (sp > 0 && !line.startsWith("cpu")) v.put(line.substring(0, sp), line.substring(sp + 1).trim());
        }
        for (String key : List.of("btime", "procs_running", "procs_blocked", "ctxt", "processes", "intr")) {
            if (!v.containsKey(key)) throw new IOException("/proc/stat has no '" + key + "' line");
        }
        double intr = Double.parseDouble(v.get("intr").split(" ", 2)[0]);
        return List.of(
                gauge("node_boot_time_seconds", "Node boot time, in unixtime.", point(Labels.EMPTY, Double.parseDouble(v.get("btime")))),
                gauge("node_procs_running", "Number of processes in runnable state.", point(Labels.EMPTY, Double.parseDouble(v.get("procs_running")))),
                gauge("node_procs_blocked", "Number of processes blocked waiting for I/O to complete.", point(Labels.EMPTY, Double.parseDouble(v.get("procs_blocked")))),
                CounterSnapshot.builder().name("node_context_switches").help("Total number of context switches.")
                        .dataPoint(count(Labels.EMPTY, Double.parseDouble(v.get("ctxt")))).build(),
                CounterSnapshot.builder().name("node_forks").help("Total number of forks.")
                        .dataPoint(count(Labels.EMPTY, Double.parseDouble(v.get("processes")))).build(),
                CounterSnapshot.builder().name("node_intr").help("Total number of interrupts serviced.")
                        .dataPoint(count(Labels.EMPTY, intr)).build());
    }

    /** node_exporter's time collector: the clock, the time zone's offset, the kernel's clock sources. */
    static final class Time implements Source {
        final List<Path> clocksources = new ArrayList<>();

        Time() throws IOException {
            Path dir = Path.of("/sys/devices/system/clocksource");
            if (Files.isDirectory(dir)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "clocksource[0-9]*")) {
                    ds.forEach(clocksources::add);
                }
            }
            clocksources.sort(null);
        }

        @Override
        public Collected collect(Consumer<String> step) throws IOException {
            Instant now = Instant.now();
            java.util.TimeZone tz = java.util.TimeZone.getDefault();
            boolean summer = tz.inDaylightTime(java.util.Date.from(now));
            List<MetricSnapshot> out = new ArrayList<>(List.of(
                    gauge("node_time_seconds", "System time in seconds since epoch (1970).", point(Labels.EMPTY, now.toEpochMilli() / 1e3)),
                    gauge("node_time_zone_offset_seconds", "System time zone offset in seconds.",
                            point(Labels.of("time_zone", tz.getDisplayName(summer, java.util.TimeZone.SHORT, java.util.Locale.ROOT)),
                                    tz.getOffset(now.toEpochMilli()) / 1e3))));
            if (clocksources.isEmpty()) return Collected.of(out);
            var available = InfoSnapshot.builder().name("node_time_clocksource_available").help("Available clocksources read from '/sys/devices/system/clocksource'.");
            var current = InfoSnapshot.builder().name("node_time_clocksource_current").help("Current clocksource read from '/sys/devices/system/clocksource'.");
            for (Path d : clocksources) {
                step.accept("read " + d);
                String device = d.getFileName().toString().substring("clocksource".length());
                for (String c : fields(Files.readString(d.resolve("available_clocksource")))) {
                    available.dataPoint(InfoDataPointSnapshot.builder().labels(Labels.of("clocksource", c, "device", device)).build());
                }
                current.dataPoint(InfoDataPointSnapshot.builder()
                        .labels(Labels.of("clocksource", Files.readString(d.resolve("current_clocksource")).strip(), "device", device)).build());
            }
            out.add(available.build());
            out.add(current.build());
            return Collected.of(out);
        }
    }

    /**
     * node_uname_info: what uname(2) says, from /proc/sys/kernel. The kernel's name, release, version
     * and machine cannot change while it runs and are read once; host and domain name every scrape.
     */
    static final class Uname implements Source {
        final Path kernel = Path.of("/proc/sys/kernel");
        final String sysname, release, version, machine;

        Uname() throws IOException {
            sysname = read("ostype");
            release = read("osrelease");
            version = read("version");
            machine = Files.exists(kernel.resolve("arch")) ? read("arch") : System.getProperty("os.arch").replace("amd64", "x86_64");
        }

        String read(String name) throws IOException {
            return Files.readString(kernel.resolve(name), StandardCharsets.UTF_8).strip();
        }

        @Override
        public Collected collect(Consumer<String> step) throws IOException {
            step.accept("read /proc/sys/kernel/hostname");
            Labels l = Labels.of("domainname", read("domainname"), "machine", machine, "nodename", read("hostname"),
                    "release", release, "sysname", sysname, "version", version);
            return Collected.of(List.of(InfoSnapshot.builder().name("node_uname").help("Labeled system information as provided by the uname system call.")
                    .dataPoint(InfoDataPointSnapshot.builder().labels(l).build()).build()));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The textfile collector.

    /**
     * node_exporter's textfile collector: every *.prom file in the directory, in the Prometheus text
     * format. A file that does not parse is left out whole and reported (log line, problem,
     * node_textfile_scrape_error 1); the other files are still exported. As in node_exporter,
     * client-side timestamps are refused, metrics without HELP get "Metric read from FILE", and the
     * same metric in several files is merged when the type agrees. A counter whose name does not end
     * in _total is exported untyped, keeping its name (the Java client would rename it).
     */
    static final class Textfile implements Source {
        final Path dir;

        Textfile(Path dir) {
            this.dir = dir;
        }

        @Override
        public Collected collect(Consumer<String> step) throws IOException {
            step.accept("list " + dir);
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.prom")) {
                ds.forEach(files::add);
            }
            files.sort(null);
            List<String> problems = new ArrayList<>();
            Map<String, PromText.Family> merged = new TreeMap<>();
            var mtimes = GaugeSnapshot.builder().name("node_textfile_mtime_seconds").help("Unixtime mtime of textfiles successfully read.");
            int series = 0;
            for (Path f : files) {
                step.accept("read " + f);
                try {
                    long mtime = Files.getLastModifiedTime(f).toMillis();
                    // Never trust size(): a symlink to /dev/zero has none and never ends. Read one byte past the limit.
                    byte[] data;
                    try (var in = Files.newInputStream(f)) {
                        data = in.readNBytes((int) MAX_TEXTFILE + 1);
                    }
                    if (data.length > MAX_TEXTFILE) {
                        problems.add(f + ": over the limit of " + MAX_TEXTFILE / 1024 + " KiB a file; file left out");
                        continue;
                    }
                    String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(data)).toString();
                    List<PromText.Family> families = PromText.parse(f.toString(), text);
                    int count = families.stream().mapToInt(fam -> fam.samples.size()).sum();
                    if (series + count > MAX_SERIES) {
                        problems.add(f + ": " + count + " series would take the textfiles over " + MAX_SERIES + " in all; file left out");
                        continue;
                    }
                    String clash = PromText.merge(merged, families);
                    if (clash != null) {
                        problems.add(f + ": " + clash + "; file left out");
                        continue;
                    }
                    series += count;
                    mtimes.dataPoint(point(Labels.of("file", f.toString()), Math.floorDiv(mtime, 1000)));
                } catch (PromText.Malformed e) {
                    problems.add(e.getMessage() + "; file left out");
                } catch (java.nio.charset.CharacterCodingException e) {
                    problems.add(f + ": not UTF-8 text; file left out");
                } catch (IOException e) {
                    problems.add(f + ": " + describe(e) + "; file left out");
                }
            }
            List<MetricSnapshot> out = new ArrayList<>();
            for (PromText.Family fam : merged.values()) {
                try {
                    out.add(fam.snapshot());
                } catch (IllegalArgumentException e) {                       // the Java client's own checks
                    problems.add(fam.file + ": metric " + fam.name + ": " + e.getMessage() + "; metric left out");
                }
            }
            out.add(mtimes.build());
            out.add(gauge("node_textfile_scrape_error", "1 if there was an error opening or reading a file, 0 otherwise",
                    point(Labels.EMPTY, problems.isEmpty() ? 0 : 1)));
            return new Collected(out, problems);
        }
    }

    /** A strict reader of the Prometheus text exposition format (0.0.4), for textfiles. */
    static final class PromText {
        static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
        static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
        static final Pattern FLOAT = Pattern.compile("[+-]?(?:(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?|[iI]nf|NaN|nan)");
        static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

        static final class Malformed extends Exception {
            Malformed(String file, int line, String what) { super(file + ": line " + line + ": " + what); }
        }

        record Sample(String name, Labels labels, double value, int line) {}

        /** One metric family as read: name, type, help and samples in file order. */
        static final class Family {
            final String name, file;
            String type = "untyped", help;
            boolean typed;
            final List<Sample> samples = new ArrayList<>();

            Family(String name, String file) {
                this.name = name;
                this.file = file;
            }

            String help() { return help != null ? help : "Metric read from " + file; }

            /** The sample names this family owns (h_bucket, h_sum, h_count for a histogram h). */
            boolean owns(String sample) {
                return switch (type) {
                    case "histogram" -> sample.equals(name + "_bucket") || sample.equals(name + "_sum") || sample.equals(name + "_count");
                    case "summary" -> sample.equals(name) || sample.equals(name + "_sum") || sample.equals(name + "_count");
                    default -> sample.equals(name);
                };
            }

            MetricSnapshot snapshot() {
                switch (type) {
                    case "gauge" -> {
                        var b = GaugeSnapshot.builder().name(name).help(help());
                        samples.forEach(s -> b.dataPoint(point(s.labels, s.value)));
                        return b.build();
                    }
                    case "counter" -> {
                        if (name.endsWith("_total")) {
                            var b = CounterSnapshot.builder().name(name.substring(0, name.length() - 6)).help(help());
                            samples.forEach(s -> b.dataPoint(count(s.labels, s.value)));
                            return b.build();
                        }
                        return untyped();
                    }
                    case "histogram" -> { return histogram(); }
                    case "summary" -> { return summary(); }
                    default -> { return untyped(); }
                }
            }

            private MetricSnapshot untyped() {
                var b = UnknownSnapshot.builder().name(name).help(help());
                samples.forEach(s -> b.dataPoint(UnknownDataPointSnapshot.builder().labels(s.labels).value(s.value).build()));
                return b.build();
            }

            /** Series of a histogram/summary keyed by their labels without le/quantile. */
            private Map<Labels, List<Sample>> series(String special) {
                Map<Labels, List<Sample>> m = new LinkedHashMap<>();
                for (Sample s : samples) m.computeIfAbsent(without(s.labels, special), k -> new ArrayList<>()).add(s);
                return m;
            }

            private MetricSnapshot histogram() {
                var b = HistogramSnapshot.builder().name(name).help(help());
                for (var e : series("le").entrySet()) {
                    TreeMap<Double, Double> cumulative = new TreeMap<>();
                    Double sum = null, count = null;
                    for (Sample s : e.getValue()) {
                        if (s.name.equals(name + "_sum")) sum = s.value;
                        else if (s.name.equals(name + "_count")) count = s.value;
                        else {
                            String le = s.labels.get("le");
                            if (le == null) throw new IllegalArgumentException("line " + s.line + ": bucket without an le label");
                            cumulative.put(parseFloat(le, "le"), s.value);
                        }
                    }
                    if (!cumulative.containsKey(Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("no le=\"+Inf\" bucket for " + e.getKey());
                    if (count != null && !count.equals(cumulative.get(Double.POSITIVE_INFINITY))) {
                        throw new IllegalArgumentException("_count " + count + " differs from the +Inf bucket " + cumulative.get(Double.POSITIVE_INFINITY));
                    }
                    double[] bounds = new double[cumulative.size()];
                    long[] counts = new long[cumulative.size()];
                    double previous = 0;
                    int i = 0;
                    for (var bucket : cumulative.entrySet()) {
                        double n = bucket.getValue() - previous;
                        if (n < 0 || n != Math.rint(n)) throw new IllegalArgumentException("buckets are not cumulative whole counts at le=" + bucket.getKey());
                        bounds[i] = bucket.getKey();
                        counts[i++] = (long) n;
                        previous = bucket.getValue();
                    }
                    var p = HistogramDataPointSnapshot.builder().labels(e.getKey()).classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts));
                    if (sum != null) p.sum(sum);
                    b.dataPoint(p.build());
                }
                return b.build();
            }

            private MetricSnapshot summary() {
                var b = SummarySnapshot.builder().name(name).help(help());
                for (var e : series("quantile").entrySet()) {
                    List<Quantile> qs = new ArrayList<>();
                    var p = SummaryDataPointSnapshot.builder().labels(e.getKey());
                    for (Sample s : e.getValue()) {
                        if (s.name.equals(name + "_sum")) p.sum(s.value);
                        else if (s.name.equals(name + "_count")) {
                            if (s.value < 0 || s.value != Math.rint(s.value)) throw new IllegalArgumentException("line " + s.line + ": _count must be a whole number");
                            p.count((long) s.value);
                        } else {
                            String q = s.labels.get("quantile");
                            if (q == null) throw new IllegalArgumentException("line " + s.line + ": sample without a quantile label");
                            qs.add(new Quantile(parseFloat(q, "quantile"), s.value));
                        }
                    }
                    b.dataPoint(p.quantiles(Quantiles.of(qs)).build());
                }
                return b.build();
            }

            private static Labels without(Labels labels, String name) {
                Labels out = Labels.EMPTY;
                for (int i = 0; i < labels.size(); i++) {
                    if (!labels.getName(i).equals(name)) out = out.add(labels.getName(i), labels.getValue(i));
                }
                return out;
            }
        }

        static double parseFloat(String text, String what) {
            if (!FLOAT.matcher(text).matches()) throw new IllegalArgumentException(what + " '" + text + "' is not a number");
            return switch (text.toLowerCase(java.util.Locale.ROOT)) {
                case "inf", "+inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                case "nan", "+nan", "-nan" -> Double.NaN;
                default -> Double.parseDouble(text);
            };
        }

        /** Parses one file; throws Malformed with the line number at the first problem. */
        static List<Family> parse(String file, String text) throws Malformed {
            Map<String, Family> byName = new LinkedHashMap<>();
            Family current = null;
            Set<String> seenSeries = new HashSet<>();
            String[] lines = text.split("\n", -1);
            for (int n = 1; n <= lines.length; n++) {
                String line = lines[n - 1];
                if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
                if (line.isBlank()) continue;
                try {
                    if (line.startsWith("#")) {
                        String[] f = line.substring(1).trim().split("[ \t]+", 3);
                        if (f.length < 2 || !(f[0].equals("HELP") || f[0].equals("TYPE"))) continue;   // a plain comment
                        String name = f[1];
                        if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("invalid metric name '" + name + "'");
                        Family fam = byName.get(name);
                        if (f[0].equals("TYPE")) {
                            String type = f.length > 2 ? f[2].trim() : "";
                            if (!TYPES.contains(type)) throw new IllegalArgumentException("unknown type '" + type + "' for " + name + " (expected counter, gauge, histogram, summary or untyped)");
                            if (fam != null && (fam.typed || !fam.samples.isEmpty())) {
                                throw new IllegalArgumentException(fam.typed ? "second TYPE line for " + name : "TYPE line for " + name + " after its samples");
                            }
                            if (fam == null) byName.put(name, fam = new Family(name, file));
                            fam.type = type;
                            fam.typed = true;
                        } else {
                            if (fam != null && fam.help != null) throw new IllegalArgumentException("second HELP line for " + name);
                            if (fam == null) byName.put(name, fam = new Family(name, file));
                            fam.help = f.length > 2 ? unescapeHelp(f[2]) : "";
                        }
                        current = fam;
                        continue;
                    }
                    Sample s = sample(line, n);
                    Family fam = current != null && current.owns(s.name) ? current : owner(byName, s.name);
                    if (fam == null) byName.put(s.name, fam = new Family(s.name, file));
                    checkSample(fam, s);
                    if (!seenSeries.add(s.name + s.labels)) throw new IllegalArgumentException("duplicate series " + s.name + s.labels);
                    if (seenSeries.size() > MAX_SERIES_PER_FILE) {
                        throw new IllegalArgumentException("more than " + MAX_SERIES_PER_FILE + " series in one file (the exporter's heap is small)");
                    }
                    fam.samples.add(s);
                    current = fam;
                } catch (IllegalArgumentException e) {
                    throw new Malformed(file, n, e.getMessage());
                }
            }
            List<Family> out = new ArrayList<>();
            for (Family f : byName.values()) if (!f.samples.isEmpty()) out.add(f);
            return out;
        }

        /** The family a sample belongs to when it is not the current one (h_sum of an earlier histogram h). */
        private static Family owner(Map<String, Family> byName, String sample) {
            Family f = byName.get(sample);
            if (f != null && f.owns(sample)) return f;
            for (String suffix : List.of("_bucket", "_sum", "_count")) {
                if (sample.endsWith(suffix)) {
                    f = byName.get(sample.substring(0, sample.length() - suffix.length()));
                    if (f != null && f.owns(sample)) return f;
                }
            }
            return null;
        }

        private static void checkSample(Family fam, Sample s) {
            if (fam.type.equals("histogram") && s.name.endsWith("_bucket") && s.labels.get("le") == null) {
                throw new IllegalArgumentException(s.name + " needs an le label");
            }
            if (fam.type.equals("summary") && s.name.equals(fam.name) && s.labels.get("quantile") == null) {
                throw new IllegalArgumentException(s.name + " needs a quantile label");
            }
            if (fam.type.equals("counter") && !(s.value >= 0)) throw new IllegalArgumentException("counter " + s.name + " is " + s.value + "; counters cannot be negative");
        }

        /** name{a="x",b="y"} value — no timestamp. */
        private static Sample sample(String line, int n) {
            int i = 0, len = line.length();
            while (i < len && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) i++;
            int start = i;
            while (i < len && line.charAt(i) != '{' && line.charAt(i) != ' ' && line.charAt(i) != '\t') i++;
            String name = line.substring(start, i);
            if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("invalid metric name '" + name + "'");
            Labels labels = Labels.EMPTY;
            Set<String> labelNames = new HashSet<>();
            if (i < len && line.charAt(i) == '{') {
                i++;
                while (true) {
                    while (i < len && line.charAt(i) == ' ') i++;
                    if (i < len && line.charAt(i) == '}') { i++; break; }
                    int ls = i;
                    while (i < len && line.charAt(i) != '=' && line.charAt(i) != ' ') i++;
                    String label = line.substring(ls, i);
                    if (!LABEL.matcher(label).matches()) throw new IllegalArgumentException("invalid label name '" + label + "' in " + name);
                    if (label.startsWith("__")) throw new IllegalArgumentException("label names starting with __ are reserved ('" + label + "' in " + name + ")");
                    if (!labelNames.add(label)) throw new IllegalArgumentException("label " + label + " given twice in " + name);
                    while (i < len && line.charAt(i) == ' ') i++;
                    if (i >= len || line.charAt(i) != '=') throw new IllegalArgumentException("expected '=' after label " + label + " in " + name);
                    i++;
                    while (i < len && line.charAt(i) == ' ') i++;
                    if (i >= len || line.charAt(i) != '"') throw new IllegalArgumentException("expected a quoted value for label " + label + " in " + name);
                    i++;
                    StringBuilder v = new StringBuilder();
                    while (true) {
                        if (i >= len) throw new IllegalArgumentException("unterminated value of label " + label + " in " + name);
                        char c = line.charAt(i++);
                        if (c == '"') break;
                        if (c == '\\') {
                            if (i >= len) throw new IllegalArgumentException("unterminated value of label " + label + " in " + name);
                            char e = line.charAt(i++);
                            switch (e) {
                                case '\\' -> v.append('\\');
                                case '"' -> v.append('"');
                                case 'n' -> v.append('\n');
                                default -> throw new IllegalArgumentException("invalid escape \\" + e + " in label " + label + " of " + name);
                            }
                        } else {
                            v.append(c);
                        }
                    }
                    labels = labels.add(label, v.toString());
                    while (i < len && line.charAt(i) == ' ') i++;
                    if (i < len && line.charAt(i) == ',') { i++; continue; }
                    if (i < len && line.charAt(i) == '}') { i++; break; }
                    throw new IllegalArgumentException("expected ',' or '}' after label " + label + " in " + name);
                }
            }
            String[] rest = line.substring(i).trim().split("[ \t]+");
            if (rest.length == 0 || rest[0].isEmpty()) throw new IllegalArgumentException("no value for " + name);
            double value = parseFloat(rest[0], "value of " + name);
            if (rest.length > 2) throw new IllegalArgumentException("unexpected text after the value of " + name + ": '" + rest[2] + "'");
            if (rest.length == 2) throw new IllegalArgumentException(name + " has a timestamp; textfiles must not carry timestamps");
            return new Sample(name, labels, value, n);
        }

        /** HELP text escapes only \\ and \n; any other backslash stays as it is. */
        private static String unescapeHelp(String s) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i), next = i + 1 < s.length() ? s.charAt(i + 1) : 0;
                if (c == '\\' && (next == 'n' || next == '\\')) {
                    b.append(next == 'n' ? '\n' : '\\');
                    i++;
                } else {
                    b.append(c);
                }
            }
            return b.toString();
        }

        /**
         * Adds a file's families to those of earlier files; returns why it cannot (a type or help that
         * disagrees, or a series given twice) without changing {@code merged}, else null.
         */
        static String merge(Map<String, Family> merged, List<Family> families) {
            for (Family f : families) {
                Family old = merged.get(f.name);
                if (old == null) continue;
                if (!old.type.equals(f.type)) return f.name + " is a " + f.type + " here but a " + old.type + " in " + old.file;
                if (f.help != null && old.help != null && !f.help.equals(old.help)) return f.name + " has a different HELP in " + old.file;
                Set<String> seen = new HashSet<>();
                for (Sample s : old.samples) seen.add(s.name + s.labels);
                for (Sample s : f.samples) if (seen.contains(s.name + s.labels)) return "series " + s.name + s.labels + " is also in " + old.file;
            }
            for (Family f : families) {
                Family old = merged.putIfAbsent(f.name, f);
                if (old != null) {
                    old.samples.addAll(f.samples);
                    if (old.help == null) old.help = f.help;
                }
            }
            return null;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // HTTP: health, index, debug endpoints.

    interface Handler {
        void handle(HttpExchange ex) throws IOException;
    }

    /** Runs {@code h} holding one of {@code permits}. */
    static Handler oneOf(java.util.concurrent.Semaphore permits, Handler h) {
        return ex -> {
            permits.acquireUninterruptibly();
            try {
                h.handle(ex);
            } finally {
                permits.release();
            }
        };
    }

    /** The JDK server matches contexts by prefix; this keeps /metricsX and /healthz/x a 404. GET and HEAD only. */
    static HttpHandler exactly(String path, Handler h) {
        return ex -> {
            try (ex) {
                if (!ex.getRequestURI().getPath().equals(path)) {
                    reply(ex, 404, "not found: " + ex.getRequestURI().getPath() + "\n");
                } else if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                    ex.getResponseHeaders().set("Allow", "GET, HEAD");
                    reply(ex, 405, "method not allowed: use GET\n");
                } else {
                    h.handle(ex);
                }
            } catch (RuntimeException e) {                                   // a bug: say so (the JDK server then drops the connection)
                log("error serving " + path + ": " + e);
                throw e;
            }
        };
    }

    /**
     * Gzip at zlib level 1 for /metrics. The client library's handler compresses at zlib's default
     * level 6, which costs about 0.55 ms of a 2 ms scrape for ~33 KB; level 1 costs 0.14 ms for a body
     * about 13% larger (6.0 vs 5.3 KB). The handler is shown a request without Accept-Encoding, and
     * this exchange compresses what it writes.
     */
    static HttpHandler fastGzip(HttpHandler inner) {
        return ex -> {
            String accept = ex.getRequestHeaders().getFirst("Accept-Encoding");
            inner.handle(accept != null && accept.contains("gzip") ? new GzipExchange(ex) : ex);
        };
    }

    static final class GzipExchange extends HttpExchange {
        final HttpExchange ex;
        final Headers request;
        java.util.zip.GZIPOutputStream gzip;

        GzipExchange(HttpExchange ex) {
            this.ex = ex;
            this.request = new Headers(ex.getRequestHeaders());
            request.remove("Accept-Encoding");
        }

        @Override public Headers getRequestHeaders() { return request; }
        @Override public void sendResponseHeaders(int code, long length) throws IOException {
            if (length < 0) {                                               // no body (HEAD)
                ex.sendResponseHeaders(code, length);
                return;
            }
            ex.getResponseHeaders().remove("Content-Length");                // the handler's, for the uncompressed body
            ex.getResponseHeaders().set("Content-Encoding", "gzip");
            ex.sendResponseHeaders(code, 0);                                 // chunked: the compressed length is not known yet
            gzip = new java.util.zip.GZIPOutputStream(ex.getResponseBody(), 8192) {
                { def.setLevel(java.util.zip.Deflater.BEST_SPEED); }
            };
        }
        @Override public OutputStream getResponseBody() { return gzip != null ? gzip : ex.getResponseBody(); }
        @Override public void close() {
            try {
                if (gzip != null) gzip.close();
            } catch (IOException ignored) {                                  // the client went away
            }
            ex.close();
        }
        @Override public Headers getResponseHeaders() { return ex.getResponseHeaders(); }
        @Override public URI getRequestURI() { return ex.getRequestURI(); }
        @Override public String getRequestMethod() { return ex.getRequestMethod(); }
        @Override public com.sun.net.httpserver.HttpContext getHttpContext() { return ex.getHttpContext(); }
        @Override public java.io.InputStream getRequestBody() { return ex.getRequestBody(); }
        @Override public int getResponseCode() { return ex.getResponseCode(); }
        @Override public InetSocketAddress getRemoteAddress() { return ex.getRemoteAddress(); }
        @Override public InetSocketAddress getLocalAddress() { return ex.getLocalAddress(); }
        @Override public String getProtocol() { return ex.getProtocol(); }
        @Override public Object getAttribute(String name) { return ex.getAttribute(name); }
        @Override public void setAttribute(String name, Object value) { ex.setAttribute(name, value); }
        @Override public void setStreams(java.io.InputStream i, OutputStream o) { ex.setStreams(i, o); }
        @Override public com.sun.net.httpserver.HttpPrincipal getPrincipal() { return ex.getPrincipal(); }
    }

    static void reply(HttpExchange ex, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream os = ex.getResponseBody()) { os.write(body); }
        }
    }

    /** /healthz: runs every collector (sharing any collection in flight) and says which failed. */
    static void health(HttpExchange ex, Node node) throws IOException {
        StringBuilder body = new StringBuilder();
        boolean ok = true;
        for (Outcome o : node.runAll()) {
            ok &= o.error == null;
            body.append(String.format(java.util.Locale.ROOT, "%-10s %s", o.runner.name,
                    o.error != null ? "FAILED: " + o.error : String.format(java.util.Locale.ROOT, "ok %.1fms", o.seconds * 1e3)));
            if (o.data != null && !o.data.problems().isEmpty()) {
                body.append(", ").append(o.data.problems().size()).append(" problem(s): ").append(String.join("; ", o.data.problems()));
            }
            body.append('\n');
        }
        reply(ex, ok ? 200 : 503, (ok ? "ok\n" : "collector failure\n") + body);
    }

    static String index(List<Runner> runners, boolean debug) {
        return "ops exporter: node metrics for Prometheus\n\n  /metrics   collectors: "
                + String.join(", ", runners.stream().map(r -> r.name).toList()) + "\n  /healthz\n"
                + (debug ? "  /debug/threads  /debug/heap  /debug/jfr?seconds=N   (bearer token required)\n" : "");
    }

    /** /debug/*: the JVM's own diagnostics, the equivalents of jstack, jmap -histo and jcmd JFR.start. */
    static final class Debug {
        final byte[] tokenHash;
        final AtomicBoolean recording = new AtomicBoolean();

        Debug(byte[] token) {
            this.tokenHash = sha256(token);
        }

        static byte[] sha256(byte[] b) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(b);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Constant-time comparison of hashes, so neither the token nor its length leaks through timing. */
        boolean authorized(HttpExchange ex) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
            return MessageDigest.isEqual(tokenHash, sha256(auth.substring(7).strip().getBytes(StandardCharsets.UTF_8)));
        }

        void handle(HttpExchange ex) throws IOException {
            String path = ex.getRequestURI().getPath();
            if (!authorized(ex)) {
                log("refused " + path + " from " + ex.getRemoteAddress().getAddress().getHostAddress() + ": missing or wrong bearer token");
                ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"ops exporter\"");
                reply(ex, 401, "unauthorized: send 'Authorization: Bearer TOKEN'\n");
                return;
            }
            switch (path) {
                case "/debug/threads" -> reply(ex, 200, diagnostic("threadPrint", "-l"));
                case "/debug/heap" -> reply(ex, 200, diagnostic("gcClassHistogram"));
                default -> jfr(ex);
            }
        }

        /** A jcmd command through the DiagnosticCommand MBean ("threadPrint" is Thread.print). */
        static String diagnostic(String operation, String... args) {
            try {
                return (String) ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                        operation, new Object[] {args}, new String[] {String[].class.getName()});
            } catch (Exception e) {
                throw new IllegalStateException("jcmd " + operation + " failed: " + e, e);
            }
        }

        void jfr(HttpExchange ex) throws IOException {
            String query = ex.getRequestURI().getQuery();
            Matcher m = Pattern.compile("(?:^|&)seconds=([^&]*)").matcher(query == null ? "" : query);
            int seconds;
            try {
                seconds = m.find() ? Integer.parseInt(m.group(1)) : 30;
            } catch (NumberFormatException e) {
                seconds = -1;
            }
            if (seconds < 1 || seconds > MAX_JFR_SECONDS) {
                reply(ex, 400, "seconds must be a whole number from 1 to " + MAX_JFR_SECONDS + "\n");
                return;
            }
            if (!recording.compareAndSet(false, true)) {
                reply(ex, 409, "a recording is already running; try again when it is done\n");
                return;
            }
            Path file = null;
            try (Recording r = new Recording(Configuration.getConfiguration("profile"))) {
                file = Files.createTempFile("exporter-", ".jfr");
                log("JFR recording for " + seconds + "s requested by " + ex.getRemoteAddress().getAddress().getHostAddress());
                r.setToDisk(true);
                r.start();
                Thread.sleep(seconds * 1000L);
                r.stop();
                r.dump(file);
                ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
                ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"exporter-"
                        + Instant.now().truncatedTo(ChronoUnit.SECONDS).toString().replace(":", "") + ".jfr\"");
                ex.sendResponseHeaders(200, Files.size(file));
                try (OutputStream os = ex.getResponseBody()) { Files.copy(file, os); }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.text.ParseException e) {
                throw new IllegalStateException(e);
            } finally {
                recording.set(false);
                if (file != null) Files.deleteIfExists(file);
            }
        }
    }
}
