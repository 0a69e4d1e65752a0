//usr/bin/true; exec "$(dirname "$(readlink -f "$0")")/../jbang" "$0" "$@"
//JAVA 21+
//JAVA_OPTIONS -XX:+UseSerialGC -Xmx128m -Xss512k --enable-native-access=ALL-UNNAMED
//SOURCES ../lib/cli/Durations.java ../lib/cli/Exit.java ../lib/cli/InputError.java ../lib/cli/Secrets.java
//SOURCES ../lib/cli/Sizes.java ../lib/cli/Tool.java ../lib/logs/Budget.java ../lib/logs/Checkpoints.java
//SOURCES ../lib/logs/Filter.java ../lib/logs/Glob.java ../lib/logs/Multiline.java ../lib/logs/Parser.java
//SOURCES ../lib/logs/Parsers.java ../lib/logs/Pipeline.java ../lib/logs/Scanner.java ../lib/logs/Sink.java
//SOURCES ../lib/logs/Sinks.java ../lib/logs/Stats.java ../lib/logs/Timestamps.java ../lib/run/Shutdown.java

/*
 * logship -- a log collection agent that never loses a line
 *
 * What it does: follows files matching glob patterns like `tail -F` (rename rotation, copytruncate,
 * deletion, files appearing later), parses each line (none, json, logfmt or a regex with named
 * groups; multiline joining; include/exclude filters; static labels) in a worker pool, and ships
 * batches to stdout, a file, an HTTP endpoint (JSON arrays), Loki's push API or Kafka (one record per
 * event, keyed by file, acks=all and idempotence). Offsets are kept
 * per file (device+inode plus a fingerprint of the first bytes) in --state DIR and advance only
 * after the sink accepted the lines: delivery is at-least-once, and after kill -9 at most the
 * batch in flight is sent again.
 *
 * When to use it: shipping application logs from a box without installing an agent package
 * (`--to loki:http://loki:3100`, `--to kafka:broker1:9092,broker2:9092/logs`), or `--once` in a
 * runbook to push what a file holds right now.
 *
 * What it costs: one reader thread, a parse pool of one thread per CPU, a bounded in-flight buffer
 * (--buffer chunks of up to 256 KiB each); heap capped at 128 MB by the script's JAVA_OPTIONS. While
 * the sink is down it retries with exponential backoff and stops reading once the buffer is full:
 * memory stays bounded and nothing is dropped. It reads the files and writes only --state and the
 * sink.
 */

import cli.Durations;
import cli.Exit;
import cli.InputError;
import cli.Secrets;
import cli.Sizes;
import cli.Tool;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import logs.Budget;
import logs.Checkpoints;
import logs.Filter;
import logs.Glob;
import logs.Multiline;
import logs.Parser;
import logs.Parsers;
import logs.Pipeline;
import logs.Scanner;
import logs.Sink;
import logs.Sinks;
import logs.Stats;
import logs.Timestamps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import run.Shutdown;

@Command(name = "logship", mixinStandardHelpOptions = true, version = "logship (ops) 0.1", sortOptions = false,
        description = {
            "Follow log files like tail -F, parse the lines and ship them in batches, at least once:",
            "offsets in --state advance only after the sink accepted the lines."},
        footer = {
            "%nSinks: stdout (JSON lines), file:PATH (JSON lines), http:URL (POST of a JSON",
            "array), loki:URL (POST /loki/api/v1/push; labels are --label plus filename),",
            "kafka:BROKER[,BROKER...]/TOPIC (one record per event, key: the file's path).",
            "Event: {\"time\", \"file\", \"line\", \"fields\", \"labels\", \"parse_error\", \"truncated\"};",
            "keys without a value are left out.",
            "%nExamples:",
            "  logship --path '/var/log/app/*.log' --state /var/lib/logship \\",
            "          --to loki:http://127.0.0.1:3100",
            "  logship --path /var/log/nginx/access.log --state st \\",
            "          --parse 'regex:^(?<ip>\\S+) \\S+ \\S+ \\[(?<ts>[^\\]]+)\\]'",
            "  logship --path app.log --state st --parse json --multiline-start '^\\{' \\",
            "          --to http://127.0.0.1:8080/logs",
            "  logship --once --path '/var/log/app/*.log' --to file:/tmp/app.jsonl",
            "  logship --path '/var/log/app/*.log' --state st --to kafka:10.0.0.5:9092/logs \\",
            "          --kafka-properties /etc/logship/kafka.properties",
            "%nExit codes:%n"
                    + "  0  stopped (SIGTERM/SIGINT, or --once done) with all it read delivered%n"
                    + "  1  stopped with lines not delivered (the sink stayed down; they are%n"
                    + "     read again on restart), or some rejected for good (HTTP 400)%n"
                    + "  2  bad usage (nothing was read)%n"
                    + "  3  the tool itself failed (see stderr)%n"})
public class logship implements Callable<Integer> {

    @Option(names = "--path", paramLabel = "GLOB", required = true,
            description = "Files to follow (glob, e.g. '/var/log/app/*.log', '**' for any depth). Repeatable.")
    List<String> paths = new ArrayList<>();

    @Option(names = "--to", paramLabel = "SINK", defaultValue = "stdout",
            description = "stdout (default), file:PATH, http:URL (or a bare http(s) URL), loki:URL, kafka:BROKERS/TOPIC.")
    String to;

    @Option(names = "--state", paramLabel = "DIR", description = "Where offsets are checkpointed (required unless --once).")
    Path state;

    @Option(names = "--from-beginning", description = "Read files present at start whole (default: from their end; files appearing later are always read whole).")
    boolean fromBeginning;

    @Option(names = "--once", description = "Read what the files hold now (from the checkpoint, or whole), ship it, and exit.")
    boolean once;

    @Option(names = "--parse", paramLabel = "MODE", defaultValue = "none", description = "none (default), json, logfmt, or regex:PATTERN (named groups become fields).")
    String parse;

    @Option(names = "--timestamp-field", paramLabel = "FIELD", description = "A parsed field holding the event time.")
    String timestampField;

    @Option(names = "--timestamp-format", paramLabel = "FORMAT", defaultValue = "iso8601",
            description = "iso8601 (default), unix, unix_ms, or a java.time pattern like 'dd/MMM/yyyy:HH:mm:ss Z'.")
    String timestampFormat;

    @Option(names = "--multiline-start", paramLabel = "REGEX", description = "A line matching this starts an event; other lines are joined to the one before.")
    String multilineStart;

    @Option(names = "--include", paramLabel = "REGEX", description = "Ship only lines containing a match.")
    String include;

    @Option(names = "--exclude", paramLabel = "REGEX", description = "Drop lines containing a match (counted, and their offsets still advance).")
    String exclude;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A static label on every event (repeatable).")
    List<String> labels = new ArrayList<>();

    @Option(names = "--batch-lines", paramLabel = "N", defaultValue = "5000", description = "A batch closes at N lines (default: ${DEFAULT-VALUE}) ...")
    int batchLines;

    @Option(names = "--batch-bytes", paramLabel = "SIZE", defaultValue = "4M", converter = Sizes.Converter.class,
            description = "... or at this many bytes of lines (default: ${DEFAULT-VALUE}) ...")
    long batchBytes;

    @Option(names = "--batch-wait", paramLabel = "DURATION", defaultValue = "1s", converter = Durations.Converter.class,
            description = "... or this long after its first line (default: ${DEFAULT-VALUE}).")
    Duration batchWait;

    @Option(names = "--buffer", paramLabel = "CHUNKS", defaultValue = "16",
            description = "Chunks (up to 256 KiB of lines each) read ahead of the sink; reading pauses when full (default: ${DEFAULT-VALUE}).")
    int buffer;

    @Option(names = "--max-line", paramLabel = "SIZE", defaultValue = "1M", converter = Sizes.Converter.class,
            description = "Longer lines are cut to this and marked truncated (default: ${DEFAULT-VALUE}).")
    long maxLine;

    @Option(names = "--regex-budget", paramLabel = "DURATION", defaultValue = "50ms", converter = Durations.Converter.class,
            description = "Time a regex may spend on one line; over it, the line ships unparsed and is counted (default: ${DEFAULT-VALUE}).")
    Duration regexBudget;

    @Option(names = "--rotate-wait", paramLabel = "DURATION", defaultValue = "5s", converter = Durations.Converter.class,
            description = "After a file is renamed away or deleted, keep reading it this long (default: ${DEFAULT-VALUE}).")
    Duration rotateWait;

    @Option(names = "--stats-interval", paramLabel = "DURATION", defaultValue = "60s", converter = Durations.Converter.class,
            description = "A one-line stats report on stderr this often; 0 for none (default: ${DEFAULT-VALUE}).")
    Duration statsInterval;

    @Option(names = "--stats-json", paramLabel = "FILE", description = "Write the final stats as JSON to FILE at exit.")
    Path statsJson;

    @Option(names = "--sink-auth-env", paramLabel = "VAR",
            description = "http/loki: the Authorization header's value (e.g. 'Bearer TOKEN' or 'Basic BASE64') from environment variable VAR.")
    String sinkAuthEnv;

    @Option(names = "--sink-auth-file", paramLabel = "FILE",
            description = "http/loki: the Authorization header's value from FILE's first line (kept out of argv and ps).")
    Path sinkAuthFile;

    @Option(names = "--sink-timeout", paramLabel = "DURATION", defaultValue = "30s", converter = Durations.Converter.class,
            description = "An http/loki request (a kafka batch) not answered in this time is retried (default: ${DEFAULT-VALUE}).")
    Duration sinkTimeout;

    @Option(names = "--kafka-properties", paramLabel = "FILE",
            description = "kafka: producer settings (TLS: security.protocol, ssl.*; SASL: sasl.mechanism, sasl.jaas.config; batch.size, linger.ms ...); secrets stay in the file.")
    Path kafkaProperties;

    @Option(names = "--kafka-key", paramLabel = "KEY", defaultValue = "file",
            description = "kafka: the record key, 'file' (the file's path, default) or a --label's name; one key's lines stay in order in one partition.")
    String kafkaKey;

    @Option(names = "--kafka-compression", paramLabel = "CODEC", defaultValue = "lz4",
            description = "kafka: none, gzip, snappy, lz4 (default) or zstd.")
    String kafkaCompression;

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = Durations.Converter.class,
            description = "On SIGTERM/SIGINT, how long to keep trying to deliver what was read (default: ${DEFAULT-VALUE}).")
    Duration shutdownTimeout;

    public static void main(String... args) {
        Tool.main(new logship(), args);
    }

    /** The exit code, once known: a SIGTERM/SIGINT ends the JVM with it (until then, 3). */
    private volatile int exitCode = Exit.TOOL_ERROR;

    @Override
    public Integer call() throws Exception {
        Stats stats = new Stats();
        Pipeline.Settings settings = configure(stats);               // every option checked before anything is opened
        char[] auth = Secrets.read(sinkAuthEnv, sinkAuthFile, "--sink-auth");
        Sink sink = Sinks.open(to, new Sinks.Config(sinkTimeout, auth == null ? null : new String(auth), settings.labels(), kafkaProperties, kafkaKey, kafkaCompression));
        PrintStream err = System.err;
        Checkpoints checkpoints = state == null ? Checkpoints.inMemory(err) : Checkpoints.open(state, err);
        Scanner files = new Scanner(globs, checkpoints, fromBeginning, once, err);
        files.sayWhatIsFollowed();
        Pipeline pipeline = new Pipeline(settings, files, sink, checkpoints, stats, err);
        // SIGTERM/SIGINT: stop reading, deliver and checkpoint what was read, then exit with our own code
        // (0 when all was delivered) rather than the JVM's 143/130.
        Shutdown shutdown = Shutdown.onSignal("logship", pipeline::stop, shutdownTimeout.plusSeconds(15));
        try {
            Pipeline.Failure failure = pipeline.run();
            exitCode = stopped(failure, files, checkpoints, stats, err);
            return exitCode;
        } finally {
            System.out.flush();
            System.err.flush();
            shutdown.done(exitCode);
            shutdown.close();
        }
    }

    // ---- configuration checked before anything is read ----------------------------------------------

    private final List<Glob> globs = new ArrayList<>();

    private Pipeline.Settings configure(Stats stats) {
        if (!once && state == null) {
            throw new InputError("--state DIR is required: it is where offsets are kept so that a restart loses no line (or use --once)");
        }
        if (buffer < 1) throw new InputError("--buffer must be at least 1");
        if (batchLines < 1) throw new InputError("--batch-lines must be at least 1");
        if (maxLine < 1024) throw new InputError("--max-line must be at least 1k");
        Budget budget = new Budget(regexBudget, stats);
        Parser parser = Parsers.of(parse, budget);
        Multiline multiline = multilineStart == null ? null : new Multiline(Parsers.regex("--multiline-start", multilineStart), budget, maxLine);
        Pattern includeRe = include == null ? null : Parsers.regex("--include", include);
        Pattern excludeRe = exclude == null ? null : Parsers.regex("--exclude", exclude);
        Timestamps timestamps = null;
        if (timestampField != null) {
            if (!parser.givesFields()) throw new InputError("--timestamp-field needs --parse json, logfmt or regex (there are no fields with --parse none)");
            timestamps = Timestamps.of(timestampField, timestampFormat);
        }
        Map<String, String> labelMap = new LinkedHashMap<>();
        for (String l : labels) {
            int eq = l.indexOf('=');
            if (eq < 1) throw new InputError("--label '" + l + "': expected KEY=VALUE");
            String key = l.substring(0, eq).strip();
            if (!key.matches("[a-zA-Z_][a-zA-Z0-9_]*")) throw new InputError("--label '" + l + "': the key must match [a-zA-Z_][a-zA-Z0-9_]*");
            labelMap.put(key, l.substring(eq + 1));
        }
        for (String g : paths) globs.add(Glob.of(g));
        return new Pipeline.Settings(once, maxLine, multiline, new Filter(includeRe, excludeRe), budget, parser, timestamps, labelMap,
                buffer, batchLines, batchBytes, batchWait, rotateWait, statsInterval, shutdownTimeout);
    }

    // ---- the end of a run: what it did, and the exit code ------------------------------------------------

    private int stopped(Pipeline.Failure failure, Scanner files, Checkpoints checkpoints, Stats stats, PrintStream err) throws IOException {
        long undelivered = stats.undelivered();
        err.println(stats.summary() + (undelivered > 0 ? "; " + undelivered + " lines not delivered (they are read again on restart)" : ""));
        if (statsJson != null) stats.writeJson(statsJson);
        if (checkpoints.failing()) err.println("logship: the last checkpoint could not be written: a restart ships again from the last one saved");
        if (once && files.notOpened() > 0) err.println("logship: " + files.notOpened() + " matching files were not read (open-file limit)");
        if (failure != null && failure.reason() == Pipeline.Failure.Reason.WORKER_FAILED) {
            err.println("logship: stopped: " + failure + " (a bug; what was read after it is read again on restart)");
            return Exit.TOOL_ERROR;
        }
        if (stats.rejected() > 0) err.println("logship: " + stats.rejected() + " lines were rejected by the sink (not retried; see the messages above)");
        return failure != null || undelivered > 0 || stats.rejected() > 0 || checkpoints.failing() || (once && files.notOpened() > 0) ? Exit.FAILED : Exit.OK;
    }
}
