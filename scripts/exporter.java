//usr/bin/true; exec "$(dirname "$(readlink -f "$0")")/../jbang" "$0" "$@"
//JAVA 21+
//JAVA_OPTIONS -XX:+UseSerialGC -Xms8m -Xmx48m -Xmn3m -Xss512k -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=64m -XX:+IgnoreUnrecognizedVMOptions -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=1000 -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED
//SOURCES ../lib/cli/Durations.java ../lib/cli/Exit.java ../lib/cli/InputError.java
//SOURCES ../lib/cli/Patterns.java ../lib/cli/Secrets.java ../lib/cli/Tool.java ../lib/metrics/Debug.java
//SOURCES ../lib/metrics/GzipExchange.java ../lib/metrics/Node.java ../lib/metrics/Outcome.java
//SOURCES ../lib/metrics/Registry.java ../lib/metrics/WebConfig.java ../lib/web/Listen.java ../lib/web/Server.java ../lib/run/Shutdown.java ../lib/run/Threads.java
//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//DEPS io.prometheus:prometheus-metrics-exporter-httpserver:1.10.0
//DEPS io.prometheus:prometheus-metrics-instrumentation-jvm:1.10.0

/*
 * exporter -- node metrics for Prometheus, named like node_exporter's, with the JVM's diagnostics
 *
 * What it does: serves /metrics in the Prometheus text format (the official Java client writes it)
 * with node_exporter's names, types and labels for 26 of its collectors (the footer lists them; on
 * a Debian VM every node_* family node_exporter 1.5 serves by default), plus the *.prom files of --textfile-dir (node_exporter's textfile collector: probe's
 * and inspect's `--format prom` output lands there). Its own health is in the same scrape:
 * ops_exporter_scrape_duration_seconds{collector}, ops_exporter_collector_success and
 * ops_exporter_collector_errors_total, and the client's jvm_* and process_* metrics. /healthz
 * answers 503 when a collector fails, not just when the port answers. With --debug-endpoints and a
 * bearer token: /debug/threads (thread dump), /debug/heap (class histogram), /debug/jfr?seconds=N
 * (a Java Flight Recorder file to download).
 *
 * When to use it: on every node Prometheus scrapes, where existing node_exporter dashboards and
 * alerts should keep working for these metrics, and where a JVM is welcome but a Go binary or
 * package is not. Dashboards that need collectors not listed in the footer (nfs, mdadm, zfs, ...)
 * still need node_exporter. --path.procfs/--path.sysfs read the host's when run in a container.
 *
 * What it costs the node: one JVM (C1 only: C2 saves about 1 ms a scrape but costs 10 MB resident
 * and 25 MB at its peak; 3 MB young generation, heap given back after a full GC, 48 MB cap,
 * native memory trimmed every second): about 66 MB resident after 8,000 scrapes, 69 MB at its
 * peak (node_exporter: 22 MB), about 4-5 ms of CPU per scrape on a loaded 2-core box; per
 * scrape it reads the /proc and /sys files node_exporter reads (about 20 in /proc, a dozen per
 * network interface in /sys), calls statvfs once per listed filesystem and reads the textfiles; no
 * writes, no root needed. Listens on 127.0.0.1:9101 unless told otherwise. Each collector has a
 * time budget (--collector-timeout): one that overruns (a hung NFS mount, a FIFO in the textfile
 * directory) is reported as failed while the rest of the scrape is served, and it is not started
 * again until the stuck call returns, so a stuck collector costs one thread, not one per scrape.
 */

import static web.Endpoints.oneOf;
import static web.Endpoints.reply;
import static metrics.Log.log;

import cli.Durations;
import cli.Exit;
import cli.InputError;
import cli.Patterns;
import cli.Secrets;
import cli.Tool;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpContext;
import io.prometheus.metrics.config.ExporterFilterProperties;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;
import metrics.Debug;
import metrics.GzipExchange;
import metrics.Node;
import metrics.Outcome;
import metrics.Registry;
import metrics.WebConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine;
import run.Shutdown;
import run.Threads;
import web.Listen;
import web.Server;

@Command(name = "exporter", mixinStandardHelpOptions = true, version = "exporter (ops) 0.1", sortOptions = false,
        modelTransformer = exporter.CollectorSwitches.class,
        description = {"Serve node metrics for Prometheus on /metrics, named like node_exporter's, plus "
                + "/healthz and (opt-in, token-protected) JVM diagnostics under /debug/."},
        footer = {
            "%nCollectors (each can be turned off with --no-collector.NAME):",
            "  arp, conntrack, cpu, diskstats, entropy, filefd, filesystem, hwmon, loadavg,",
            "  meminfo, netclass, netdev, netstat, os, pressure, schedstat, selinux, sockstat,",
            "  softnet, stat, thermal_zone, time, timex, udp_queues, uname, vmstat;",
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
    /** node_exporter's upstream defaults (Debian's package also leaves out /run, /mnt and /media). */
    static final String MOUNTS_EXCLUDE = "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
    static final String FSTYPES_EXCLUDE = "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs"
            + "|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$";

    static final String TOKEN_ENV = "OPS_EXPORTER_TOKEN";
    /** Scrapes (and /healthz) collected at once; more wait their turn. */
    static final int MAX_CONCURRENT_SCRAPES = 4;
    /** Sockets open at once; more are closed as they are accepted. */
    static final int MAX_CONNECTIONS = 64;

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

    @Option(names = "--collector.filesystem.mount-timeout", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "How long a mount's statfs may take; a mount over it is reported (device_error 1) and left out until its call returns (default: 1s, or half --collector-timeout if that is less).")
    Duration mountTimeout;

    @Option(names = "--path.rootfs", paramLabel = "DIR", defaultValue = "/",
            description = "Where the host's / is (node_exporter's flag, for a container): mount points are reported without this prefix (default: ${DEFAULT-VALUE}).")
    Path rootfs;

    @Option(names = "--collector.netdev.device-exclude", paramLabel = "REGEX", defaultValue = "^$",
            description = "Network devices to leave out (default: none, as upstream; Debian's node_exporter leaves out ^lo$).")
    String netdevExclude;

    @Option(names = "--path.procfs", paramLabel = "DIR", defaultValue = "/proc",
            description = "procfs mount point, as node_exporter's (the host's /proc mounted in a container) (default: ${DEFAULT-VALUE}).")
    Path procfs;

    @Option(names = "--path.sysfs", paramLabel = "DIR", defaultValue = "/sys",
            description = "sysfs mount point, as node_exporter's (default: ${DEFAULT-VALUE}).")
    Path sysfs;

    @Option(names = "--path.udev.data", paramLabel = "DIR", defaultValue = "/run/udev/data",
            description = "udev's database, for node_disk_info's labels (default: ${DEFAULT-VALUE}).")
    Path udevData;

    @Option(names = "--web.config.file", paramLabel = "FILE",
            description = "node_exporter's web-config.yml: TLS (tls_server_config) and basic auth (basic_auth_users, bcrypt) on every endpoint but /debug/.")
    Path webConfigFile;

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
            for (String name : Registry.names()) {
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
        InetSocketAddress address = Listen.address("--listen", listen, null);
        if (webListenAddress != null) {                      // a node_exporter unit switched to us unchanged
            if (!listen.equals("127.0.0.1:9101")) throw new InputError("--listen and --web.listen-address: give one of them");
            String w = webListenAddress.trim();
            address = Listen.address("--web.listen-address", w.startsWith(":") ? "[::]" + w : w, null);
        }
        if (!telemetryPath.equals("/metrics")) throw new InputError("--web.telemetry-path " + telemetryPath + ": only /metrics is served");
        if (mountTimeout == null) mountTimeout = Collections.min(List.of(Duration.ofSeconds(1), collectorTimeout.dividedBy(2)));
        var settings = new Registry.Settings(regex("--collector.filesystem.mount-points-exclude", mountPointsExclude),
                regex("--collector.filesystem.fs-types-exclude", fsTypesExclude),
                regex("--collector.netdev.device-exclude", netdevExclude), textfileDir, rootfs, mountTimeout);
        if (collectorTimeout.isZero() || collectorTimeout.isNegative()) throw new InputError("--collector-timeout must be more than 0");
        if (mountTimeout.isZero() || mountTimeout.isNegative() || mountTimeout.compareTo(collectorTimeout) >= 0) {
            throw new InputError("--collector.filesystem.mount-timeout must be more than 0 and less than --collector-timeout ("
                    + Durations.format(collectorTimeout.toMillis()) + ")");
        }
        if (!Files.isDirectory(rootfs)) throw new InputError("--path.rootfs " + rootfs + ": no such directory");
        if (textfileDir != null && !Files.isDirectory(textfileDir)) {
            throw new InputError("--textfile-dir " + textfileDir + ": " + (Files.exists(textfileDir) ? "not a directory" : "no such directory"));
        }
        WebConfig web = webConfigFile == null ? null : WebConfig.load(webConfigFile);   // TLS and bcrypt load only when asked for
        byte[] token = debugEndpoints ? token() : null;
        if (!debugEndpoints && tokenFile != null) throw new InputError("--debug-token-file needs --debug-endpoints");

        for (Path dir : List.of(procfs, sysfs)) {
            if (!Files.isDirectory(dir)) throw new InputError((dir == procfs ? "--path.procfs " : "--path.sysfs ") + dir + ": no such directory");
        }
        var runners = Registry.enabled(settings, new Registry.Paths(procfs, sysfs, udevData), disabled);
        PrometheusRegistry registry = new PrometheusRegistry();
        // JvmMetrics' collectors but JvmNativeMemoryMetrics: without -XX:NativeMemoryTracking it serves nothing, and
        // asking (at start) brings up the platform MBean server, some 250 classes and 2 MB resident.
        PrometheusProperties config = PrometheusProperties.get();
        io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics.builder(config).register(registry);
        io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics.builder(config).register(registry);
        io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics.builder(config).register(registry);
        io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics.builder(config).register(registry);
        io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics.builder(config).register(registry);
        io.prometheus.metrics.instrumentation.jvm.JvmMemoryPoolAllocationMetrics.builder(config).register(registry);
        io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics.builder(config).register(registry);
        io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric.builder(config).register(registry);
        io.prometheus.metrics.instrumentation.jvm.ProcessMetrics.builder(config).register(registry);
        Set<String> jvmNames = new HashSet<>();
        registry.scrape().forEach(m -> jvmNames.add(m.getMetadata().getPrometheusName()));
        Node node = new Node(runners, collectorTimeout, jvmNames);
        registry.register(node);
        List<String> collectors = node.names();

        // Bounded against misbehaving clients (web.Server): 64 sockets, a request must arrive whole within 5 s, a
        // virtual thread per exchange so that clients sending half a request cannot stall every scrape.
        Server server = Server.bind("exporter", webListenAddress != null ? "--web.listen-address" : "--listen",
                webListenAddress != null ? webListenAddress : listen, address, MAX_CONNECTIONS, web != null && web.tls != null ? web.configurator() : null);
        // jvm_threads_deadlocked{,_monitor} stop the JVM for a deadlock search on every scrape (~0.25 ms of a ~1.5 ms
        // scrape); /debug/threads reports deadlocks when asked.
        var properties = PrometheusProperties.builder().exporterFilterProperties(ExporterFilterProperties.builder()
                .excludedNames("jvm_threads_deadlocked", "jvm_threads_deadlocked_monitor").build()).build();
        MetricsHandler metrics = new MetricsHandler(properties, registry);
        // At most 4 collections at once, as before requests moved to virtual threads: more scrapers wait their turn
        // instead of each getting collector threads of its own.
        Semaphore collecting = new Semaphore(MAX_CONCURRENT_SCRAPES, true);
        List<HttpContext> guarded = new java.util.ArrayList<>();
        // The client writes the text through a BufferedWriter, which on a virtual thread starts at 512 chars and grows by
        // each write's length (JDK 21+): some 4 MB of array copies a scrape, 80% of all allocation. The scrape is
        // written on one of a few platform threads instead, where the buffer is 8192 chars from the start.
        // Threads are made as concurrent scrapes need them and reused (one for Prometheus' sequential scrapes); should
        // all be busy at the instant one finishes, the request's own thread writes.
        ExecutorService writers = new java.util.concurrent.ThreadPoolExecutor(0, MAX_CONCURRENT_SCRAPES, 60, java.util.concurrent.TimeUnit.SECONDS,
                new java.util.concurrent.SynchronousQueue<>(), Threads.daemons("exporter-scrape"), new java.util.concurrent.ThreadPoolExecutor.CallerRunsPolicy());
        guarded.add(server.route("/metrics", oneOf(collecting, onPlatformThread(writers, GzipExchange.fast(metrics)::handle))));
        guarded.add(server.route("/healthz", oneOf(collecting, ex -> health(ex, node))));
        Debug debug = token == null ? null : new Debug(token);
        for (String path : List.of("/debug/threads", "/debug/heap", "/debug/jfr")) {
            server.route(path, ex -> {
                if (debug == null) reply(ex, 404, "debug endpoints are off (start the exporter with --debug-endpoints)\n");
                else debug.handle(ex);
            });
        }
        guarded.add(server.route("/", ex -> reply(ex, 200, index(collectors, debug != null))));
        if (web != null) web.guard(guarded);                                 // basic auth and headers; /debug/ has its own token
        server.start();

        CountDownLatch stopped = new CountDownLatch(1);
        // SIGTERM/SIGINT: stop accepting, let in-flight scrapes finish (up to 2s), exit 0 rather than the JVM's 143/130.
        Shutdown shutdown = Shutdown.onSignal("exporter", () -> {
            log("stopping: serving in-flight requests, then exiting");
            server.stop(2);
            log("stopped");
        }, Duration.ofSeconds(1));
        shutdown.done(Exit.OK);                                              // nothing more to report when a signal comes
        log("serving " + server.url() + "/metrics; collectors: "
                + (collectors.isEmpty() ? "none" : String.join(", ", collectors))
                + (disabled.isEmpty() ? "" : " (off: " + String.join(", ", disabled) + ")")
                + "; debug endpoints " + (debug == null ? "off" : "on, token required")
                + (web == null || web.users == null ? "" : "; basic auth for " + web.users.size() + " user(s)"));
        stopped.await();                                                     // until the shutdown hook halts the JVM
        return Exit.OK;
    }

    /** {@code h} run on one of {@code pool}'s threads while the request's (virtual) thread waits for it. */
    static web.Endpoints.Handler onPlatformThread(ExecutorService pool, web.Endpoints.Handler h) {
        return ex -> {
            java.util.concurrent.Future<?> done = pool.submit(() -> {
                h.handle(ex);
                return null;
            });
            try {
                done.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof IOException io) throw io;
                if (e.getCause() instanceof RuntimeException re) throw re;
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                done.cancel(true);
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        };
    }

    static Pattern regex(String option, String text) {
        try {
            return Patterns.compile(text);
        } catch (IllegalArgumentException e) {
            throw new InputError(option + " '" + text + "': " + e.getMessage());
        }
    }

    /** The debug endpoints' token, from --debug-token-file or $OPS_EXPORTER_TOKEN; never from argv. */
    byte[] token() throws IOException {
        String value;
        String from;
        if (tokenFile != null) {
            from = "--debug-token-file " + tokenFile;
            // a FIFO or a device is refused, not read: a FIFO without a writer would hold the start forever
            if (!Files.isRegularFile(tokenFile)) throw new InputError(from + ": no such file");
            value = Secrets.fileText(tokenFile, from).strip();
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

    /** /healthz: runs every collector (sharing any collection in flight) and says which failed. */
    static void health(HttpExchange ex, Node node) throws IOException {
        StringBuilder body = new StringBuilder();
        boolean ok = true;
        for (Outcome o : node.runAll()) {
            ok &= o.ok();
            body.append(String.format(java.util.Locale.ROOT, "%-10s %s", o.runner().name(),
                    !o.ok() ? "FAILED: " + o.error() : String.format(java.util.Locale.ROOT, "ok %.1fms", o.seconds() * 1e3)));
            if (o.data() != null && !o.data().problems().isEmpty()) {
                body.append(", ").append(o.data().problems().size()).append(" problem(s): ").append(String.join("; ", o.data().problems()));
            }
            body.append('\n');
        }
        reply(ex, ok ? 200 : 503, (ok ? "ok\n" : "collector failure\n") + body);
    }

    static String index(List<String> collectors, boolean debug) {
        return "ops exporter: node metrics for Prometheus\n\n  /metrics   collectors: "
                + String.join(", ", collectors) + "\n  /healthz\n"
                + (debug ? "  /debug/threads  /debug/heap  /debug/jfr?seconds=N   (bearer token required)\n" : "");
    }
}
