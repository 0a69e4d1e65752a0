//usr/bin/true; exec "$(dirname "$(readlink -f "$0")")/../jbang" "$0" "$@"
//JAVA 21+
//JAVA_OPTIONS -XX:+UseSerialGC -Xmx128m -Xss512k
//SOURCES ../lib/cli/Durations.java ../lib/cli/Errors.java ../lib/cli/Exit.java ../lib/cli/InputError.java
//SOURCES ../lib/cli/Patterns.java ../lib/cli/Secrets.java ../lib/cli/Sizes.java ../lib/cli/Tool.java
//SOURCES ../lib/net/Urls.java ../lib/run/Shutdown.java
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1

/*
 * logship -- a log collection agent that never loses a line
 *
 * What it does: follows files matching glob patterns like `tail -F` (rename rotation, copytruncate,
 * deletion, files appearing later), parses each line (none, json, logfmt or a regex with named
 * groups; multiline joining; include/exclude filters; static labels) in a worker pool, and ships
 * batches to stdout, a file, an HTTP endpoint (JSON arrays) or Loki's push API. Offsets are kept
 * per file (device+inode plus a fingerprint of the first bytes) in --state DIR and advance only
 * after the sink accepted the lines: delivery is at-least-once, and after kill -9 at most the
 * batch in flight is sent again.
 *
 * When to use it: shipping application logs from a box without installing an agent package
 * (`--to loki:http://loki:3100`), or `--once` in a runbook to push what a file holds right now.
 *
 * What it costs: one reader thread, a parse pool of one thread per CPU, a bounded in-flight buffer
 * (--buffer chunks of up to 256 KiB each); heap capped at 128 MB by the script's JAVA_OPTIONS. While
 * the sink is down it retries with exponential backoff and stops reading once the buffer is full:
 * memory stays bounded and nothing is dropped. It reads the files and writes only --state and the
 * sink.
 */

import cli.Durations;
import cli.Errors;
import cli.Exit;
import cli.InputError;
import cli.Patterns;
import cli.Secrets;
import cli.Sizes;
import cli.Tool;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import net.Urls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import run.Shutdown;

@Command(name = "logship", mixinStandardHelpOptions = true, version = "logship (ops) 0.1", sortOptions = false,
        description = {
            "Follow log files like tail -F, parse the lines and ship them in batches, at least once:",
            "offsets in --state advance only after the sink accepted the lines."},
        footer = {
            "%nSinks: stdout (JSON lines), file:PATH (JSON lines), http:URL (POST of a JSON",
            "array), loki:URL (POST /loki/api/v1/push; labels are --label plus filename).",
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
            "%nExit codes:%n"
                    + "  0  stopped (SIGTERM/SIGINT, or --once done) with all it read delivered%n"
                    + "  1  stopped with lines not delivered (the sink stayed down); they are%n"
                    + "     read again on restart%n"
                    + "  2  bad usage (nothing was read)%n"
                    + "  3  the tool itself failed (see stderr)%n"})
public class logship implements Callable<Integer> {

    @Option(names = "--path", paramLabel = "GLOB", required = true,
            description = "Files to follow (glob, e.g. '/var/log/app/*.log', '**' for any depth). Repeatable.")
    List<String> paths = new ArrayList<>();

    @Option(names = "--to", paramLabel = "SINK", defaultValue = "stdout",
            description = "stdout (default), file:PATH, http:URL (or a bare http(s) URL), loki:URL.")
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
            description = "An http/loki request not answered in this time is retried (default: ${DEFAULT-VALUE}).")
    Duration sinkTimeout;

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = Durations.Converter.class,
            description = "On SIGTERM/SIGINT, how long to keep trying to deliver what was read (default: ${DEFAULT-VALUE}).")
    Duration shutdownTimeout;

    public static void main(String... args) {
        Tool.main(new logship(), args);
    }

    // ---- configuration checked before anything is read ----------------------------------------------

    enum Mode { none, json, logfmt, regex }

    private Mode mode;
    private Map<String, Integer> groups;          // --parse regex: named group -> index, in the pattern's order
    private Sink sink;
    private Pattern lineRegex, multiline, includeRe, excludeRe;
    private DateTimeFormatter tsFormatter;
    private final Map<String, String> labelMap = new LinkedHashMap<>();
    private final List<Glob> globs = new ArrayList<>();

    /** A glob split into the directory to walk and the matcher for full paths. */
    record Glob(String text, Path root, int depth, PathMatcher matcher) {}

    private void configure() {
        if (!once && state == null) {
            throw new InputError("--state DIR is required: it is where offsets are kept so that a restart loses no line (or use --once)");
        }
        if (buffer < 1) throw new InputError("--buffer must be at least 1");
        if (batchLines < 1) throw new InputError("--batch-lines must be at least 1");
        if (maxLine < 1024) throw new InputError("--max-line must be at least 1k");
        if (parse.startsWith("regex:")) {
            mode = Mode.regex;
            lineRegex = regex("--parse", parse.substring(6));
            if (lineRegex.namedGroups().isEmpty()) throw new InputError("--parse regex: has no named group like (?<level>\\w+); the groups become fields");
            groups = new LinkedHashMap<>();
            lineRegex.namedGroups().entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(e -> groups.put(e.getKey(), e.getValue()));
        } else {
            try {
                mode = Mode.valueOf(parse);
            } catch (IllegalArgumentException e) {
                throw new InputError("--parse '" + parse + "': expected none, json, logfmt or regex:PATTERN");
            }
        }
        if (multilineStart != null) multiline = regex("--multiline-start", multilineStart);
        if (include != null) includeRe = regex("--include", include);
        if (exclude != null) excludeRe = regex("--exclude", exclude);
        if (timestampField != null) {
            if (mode == Mode.none) throw new InputError("--timestamp-field needs --parse json, logfmt or regex (there are no fields with --parse none)");
            if (timestampFormat.equals("iso8601")) {
                tsFormatter = DateTimeFormatter.ISO_DATE_TIME;
            } else if (!List.of("unix", "unix_ms").contains(timestampFormat)) {
                try {
                    tsFormatter = DateTimeFormatter.ofPattern(timestampFormat, Locale.ROOT);
                } catch (IllegalArgumentException e) {
                    throw new InputError("--timestamp-format '" + timestampFormat + "': " + e.getMessage());
                }
            }
        }
        for (String l : labels) {
            int eq = l.indexOf('=');
            if (eq < 1) throw new InputError("--label '" + l + "': expected KEY=VALUE");
            String key = l.substring(0, eq).strip();
            if (!key.matches("[a-zA-Z_][a-zA-Z0-9_]*")) throw new InputError("--label '" + l + "': the key must match [a-zA-Z_][a-zA-Z0-9_]* (Loki label rules)");
            labelMap.put(key, l.substring(eq + 1));
        }
        for (String g : paths) globs.add(glob(g));
    }

    private static Pattern regex(String option, String text) {
        try {
            return Patterns.compile(text);
        } catch (IllegalArgumentException e) {
            throw new InputError(option + ": " + e.getMessage());
        }
    }

    /** '/var/log/app/*.log' -> walk /var/log/app one level deep; '**' walks any depth. */
    static Glob glob(String text) {
        Path abs = Path.of(text).toAbsolutePath().normalize();
        Path root = abs.getRoot();
        int i = 0;
        for (; i < abs.getNameCount() - 1; i++) {
            if (abs.getName(i).toString().matches(".*[*?\\[{].*")) break;
            root = root.resolve(abs.getName(i));
        }
        int depth = text.contains("**") ? Integer.MAX_VALUE : abs.getNameCount() - i;
        String pattern = abs.toString().replace("\\", "\\\\");
        return new Glob(text, root, depth, FileSystems.getDefault().getPathMatcher("glob:" + pattern));
    }

    // ---- files and where we are in them -----------------------------------------------------------

    static final int FP_BYTES = 256;

    /** A file being followed: identity, the read position, and what has been handed on. */
    final class Tailer {
        final long dev, ino;
        Path path;
        FileChannel channel;
        long readPos;            // the next byte to read
        long committed;          // every byte before this is in a chunk (or filtered out)
        long handed;             // the committed offset the last chunk carried
        volatile Fp fp = new Fp(0, 0);
        final ByteArrayOutputStream partial = new ByteArrayOutputStream();  // bytes after the last newline
        boolean skippingLongLine;
        Multi pending;           // a multiline event still open
        long goneSince;          // when the path stopped leading to this file (0: still there)
        long lastGrowth = System.nanoTime();

        Tailer(Path path, long dev, long ino, long start) throws IOException {
            this.path = path;
            this.dev = dev;
            this.ino = ino;
            this.channel = FileChannel.open(path, StandardOpenOption.READ);
            startAt(start);
            fingerprint();
        }

        /** Read, and count as done, from {@code offset} on. */
        void startAt(long offset) {
            readPos = offset;
            committed = offset;
            handed = offset;
        }

        String key() { return dev + ":" + ino; }

        /** CRC32 of the first 256 bytes (or all of a shorter file), to tell a reused inode from the old file. */
        void fingerprint() throws IOException {
            if (fp.len() == FP_BYTES) return;
            long size = channel.size();
            if (size <= fp.len()) return;
            int n = (int) Math.min(FP_BYTES, size);
            fp = new Fp(n, crc(channel, n));
        }
    }

    /** The CRC32 of a file's first {@code len} bytes (read together by the shipper thread, so one value). */
    record Fp(int len, long crc) {}

    static long crc(FileChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) { }
        CRC32 c = new CRC32();
        c.update(b.array(), 0, b.position());
        return c.getValue();
    }

    /** A multiline event being joined: its text so far and the file offset just after it. */
    static final class Multi {
        final StringBuilder text = new StringBuilder();
        boolean truncated;       // reached --max-line: later lines of the event are counted, not kept
        long end;
        long since = System.nanoTime();
    }

    /** Lines read from one file, in order; {@code end} is the offset the checkpoint may advance to once they are delivered. */
    /** {@code fp}: the file's fingerprint when it was read (a truncation changes it while chunks are in flight). */
    record Chunk(Tailer file, String path, Fp fp, Lines lines, long end, long readNs) {}

    /** A chunk's events as read: text, whether cut at --max-line, and the file offset just after each. */
    static final class Lines {
        final List<String> text = new ArrayList<>();
        final List<Boolean> cut = new ArrayList<>();
        final List<Long> ends = new ArrayList<>();
    }

    /** A parsed chunk: events ready to serialise, plus the offset it completes. */
    /**
     * A parsed chunk, already encoded for the sink by the pool thread: event i is bytes
     * [starts[i], starts[i+1]) of {@code bytes} and completes the file up to ends[i].
     */
    record Parsed(Tailer file, String path, Fp fp, byte[] bytes, int[] starts, long[] ends, long end) {
        int size() { return ends.length; }
    }

    /** Where a delivered file stands: the offset and the fingerprint of the content it belongs to. */
    record Mark(long offset, Fp fp) {}

    /** Events from..to of one parsed chunk: what a batch is made of. */
    record Slice(Parsed p, int from, int to) {
        int bytes() { return p.starts()[to] - p.starts()[from]; }
    }

    /** {@code end}: the offset the checkpoint may advance to once this event (and those before it) are delivered. */
    record Event(String path, long timeNs, String line, Map<String, Object> fields, String parseError, boolean truncated, long end) {}

    // ---- stats --------------------------------------------------------------------------------------

    final AtomicLong linesRead = new AtomicLong(), bytesRead = new AtomicLong(), linesShipped = new AtomicLong(), bytesShipped = new AtomicLong(),
            filtered = new AtomicLong(), events = new AtomicLong(), parseErrors = new AtomicLong(), regexTimeouts = new AtomicLong(), truncatedLines = new AtomicLong(),
            retries = new AtomicLong(), batches = new AtomicLong();

    // ---- the run --------------------------------------------------------------------------------------

    private final Map<String, Tailer> tailers = new LinkedHashMap<>();
    private final Map<String, JsonNode> checkpoint = new HashMap<>();
    private volatile boolean stopping;
    private long startNs;

    @Override
    public Integer call() throws Exception {
        configure();
        char[] auth = Secrets.read(sinkAuthEnv, sinkAuthFile, "--sink-auth");
        sink = Sink.parse(to, sinkTimeout, auth == null ? null : new String(auth));
        PrintStream err = System.err;
        FileLock lock = null;
        if (state != null) {
            FileChannel lockFile;
            try {
                Files.createDirectories(state);
                lockFile = FileChannel.open(state.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new InputError("--state " + state + ": cannot write there (" + Errors.message(e, e.getClass().getSimpleName()) + ")");
            }
            lock = lockFile.tryLock();
            if (lock == null) throw new InputError("--state " + state + " is in use by another logship (its lock is held)");
            loadCheckpoint();
        }
        sayWhatIsFollowed(err);
        // SIGTERM/SIGINT: stop reading, deliver and checkpoint what was read, then exit with our own code
        // (0 when all was delivered) rather than the JVM's 143/130.
        Shutdown shutdown = Shutdown.onSignal("logship", () -> stopping = true, shutdownTimeout.plusSeconds(15));
        try {
            return ship(sink, err, lock);
        } finally {
            System.out.flush();
            System.err.flush();
            shutdown.done(exitCode);
            shutdown.close();
        }
    }

    private int ship(Sink sink, PrintStream err, FileLock lock) throws Exception {
        startNs = System.nanoTime();
        int workers = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "logship-parse");
            t.setDaemon(true);
            return t;
        });
        BlockingQueue<CompletableFuture<Parsed>> queue = new ArrayBlockingQueue<>(buffer);
        Shipper shipper = new Shipper(queue, sink, err);
        Thread shipThread = new Thread(shipper, "logship-ship");
        shipThread.start();
        Thread stats = statsInterval.isZero() ? null : Thread.ofPlatform().daemon().start(() -> statsLoop(err, queue));
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            for (Glob g : globs) {
                try {
                    g.root().register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
                } catch (IOException e) {
                    err.println("logship: note: cannot watch " + g.root() + " (" + Errors.message(e, "?") + "); rescanning every second instead");
                }
            }
            readLoop(queue, pool, watch, err);
        } finally {
            long end = once ? Long.MAX_VALUE : System.nanoTime() + shutdownTimeout.toNanos();
            boolean queued = queue.offer(CompletableFuture.completedFuture(null),                  // end of stream
                    once ? Long.MAX_VALUE : Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (queued) shipThread.join(once ? 0 : Math.max(1, (end - System.nanoTime()) / 1_000_000));
            if (shipThread.isAlive()) {
                shipper.giveUp = true;
                shipThread.interrupt();
                shipThread.join(2000);
            }
            pool.shutdownNow();
            if (stats != null) stats.interrupt();
            for (Tailer t : tailers.values()) t.channel.close();
            if (lock != null) lock.release();
        }
        long undelivered = events.get() - linesShipped.get();
        err.println(statsLine(queue) + (undelivered > 0 ? "; " + undelivered + " lines not delivered (they are read again on restart)" : ""));
        if (statsJson != null) writeStats(statsJson);
        if (checkpointFailing) err.println("logship: the last checkpoint could not be written: a restart ships again from the last one saved");
        if (once && notOpened > 0) err.println("logship: " + notOpened + " matching files were not read (open-file limit)");
        exitCode = shipper.failure != null || undelivered > 0 || checkpointFailing || (once && notOpened > 0) ? Exit.FAILED : Exit.OK;
        if (shipper.failure != null && shipper.failure.startsWith("a worker failed")) {
            err.println("logship: stopped: " + shipper.failure + " (a bug; what was read after it is read again on restart)");
            exitCode = Exit.TOOL_ERROR;
        }
        return exitCode;
    }

    private volatile int exitCode = Exit.TOOL_ERROR;

    /** Scan, read every file to its current end, hand chunks to the parse pool; sleep until something changes. */
    private void readLoop(BlockingQueue<CompletableFuture<Parsed>> queue, ExecutorService pool, WatchService watch, PrintStream err) throws Exception {
        boolean first = true;
        long lastScan = 0;
        while (!stopping) {
            if (System.nanoTime() - lastScan > 1_000_000_000L || first) {
                scan(first, err);
                first = false;
                lastScan = System.nanoTime();
            }
            boolean progressed = false;
            for (Tailer t : new ArrayList<>(tailers.values())) {
                if (stopping) break;
                Chunk c;
                long before = t.readPos;
                try {
                    c = read(t, err);
                } catch (IOException e) {                              // one unreadable file must not stop the others
                    err.println("logship: reading " + t.path + ": " + Errors.message(e, e.getClass().getSimpleName()));
                    continue;
                }
                if (t.readPos != before) progressed = true;
                if (c != null) hand(queue, CompletableFuture.supplyAsync(() -> parse(c), pool));
            }
            retireFinished(queue, pool);
            if (progressed) continue;
            if (once) {
                for (Tailer t : tailers.values()) {                 // at the end: what is left without a newline ships too
                    Chunk c = flush(t);
                    if (c != null) hand(queue, CompletableFuture.supplyAsync(() -> parse(c), pool));
                }
                return;
            }
            flushStaleMultiline(queue, pool);
            var key = watch.poll(200, TimeUnit.MILLISECONDS);
            if (key != null) {
                key.pollEvents();
                key.reset();
                lastScan = 0;                                       // something changed in a watched directory: rescan now
            }
        }
    }

    /** Finds matching files: new ones get a tailer, renamed ones keep theirs, truncated ones restart at 0. */
    /**
     * At start, one line per --path: the files it matches now, or a warning that it matches none
     * (an error with --once: there would be nothing to ship). Nobody should stare at 0 lines/s.
     */
    private void sayWhatIsFollowed(PrintStream err) throws IOException {
        for (Glob g : globs) {
            Map<String, Found> found = new LinkedHashMap<>();
            matches(g, found, err);
            existingAtStart.addAll(found.keySet());
            if (found.isEmpty()) {
                String why = !Files.exists(g.root()) ? g.root() + " does not exist"
                        : !Files.isDirectory(g.root()) ? g.root() + " is not a directory" : "no file in " + g.root() + " matches";
                if (once) throw new InputError("--path '" + g.text() + "' matches no file (" + why + ")");
                err.println("logship: warning: --path '" + g.text() + "' matches no file yet (" + why + "); looking again every second");
                continue;
            }
            List<String> names = new ArrayList<>();
            for (Found f : found.values()) names.add(f.path().toString());
            err.println("logship: following " + names.size() + (names.size() == 1 ? " file" : " files") + " for --path '" + g.text() + "': "
                    + String.join(", ", names.subList(0, Math.min(5, names.size()))) + (names.size() > 5 ? " (+" + (names.size() - 5) + " more)" : ""));
        }
    }

    /** The regular files glob {@code g} matches now, by device:inode. */
    private static void matches(Glob g, Map<String, Found> seen, PrintStream err) throws IOException {
        if (!Files.isDirectory(g.root())) return;
        try (var walk = Files.walk(g.root(), g.depth(), FileVisitOption.FOLLOW_LINKS)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (!g.matcher().matches(p) || !Files.isRegularFile(p)) continue;
                Found f = identity(p);                                // null: deleted since the listing; the next scan sees
                if (f != null) seen.putIfAbsent(f.dev() + ":" + f.ino(), f);
            }
        } catch (java.io.UncheckedIOException e) {
            err.println("logship: note: scanning " + g.root() + ": " + Errors.message(e.getCause(), "error"));
        }
    }

    /**
     * The files that existed when we said what we follow: only those start at their end on a first run.
     * One created a moment later (before the first scan) is read whole, like any new file.
     */
    private final java.util.Set<String> existingAtStart = new java.util.HashSet<>();
    /** Files that matched at start but could not be opened (open-file limit): when they can be, they start at their end too. */
    private final java.util.Set<String> deferredAtStart = new java.util.HashSet<>();
    /** A scan added checkpoint entries for new files: written before the scan returns. */
    private boolean newCheckpoints;
    /** Matching files the last scan could not open, and the count last reported. */
    private int notOpened, notOpenedSaid;

    private void scan(boolean atStart, PrintStream err) throws IOException {
        notOpened = 0;
        Map<String, Found> seen = new LinkedHashMap<>();
        for (Glob g : globs) matches(g, seen, err);
        long now = System.nanoTime();
        for (var e : seen.entrySet()) {
            Tailer t = tailers.get(e.getKey());
            Path p = e.getValue().path();
            if (t != null) {
                t.path = p;                                           // same file, maybe renamed
                t.goneSince = 0;
                if (t.fp.len() > 0 && !sameStart(t)) {                // same inode, new content (truncated and rewritten past our offset)
                    retire(t);
                    t = null;
                } else {
                    continue;
                }
            }
            long start = 0;
            JsonNode cp = checkpoint.get(e.getKey());
            try {
                Tailer nt = new Tailer(p, e.getValue().dev(), e.getValue().ino(), 0);
                long size = nt.channel.size();
                if (cp != null && sameContent(cp, nt.channel)) {
                    start = Math.min(cp.get("offset").asLong(), size);    // resume; a file shorter than the offset was truncated
                } else if ((atStart && existingAtStart.contains(e.getKey()) || deferredAtStart.contains(e.getKey())) && !fromBeginning && !once && !resumed) {
                    start = size;                                     // first run: begin at the end, like tail -F
                }
                nt.startAt(start);
                tailers.put(e.getKey(), nt);
                if (state != null && cp == null) {
                    // On disk before anything of it ships: were it renamed while we are down, a restart could
                    // otherwise not know it (the globs match only the live name) and its lines would be lost.
                    int fpLen = (int) Math.min(FP_BYTES, size);
                    ObjectNode n = checkpointEntry(nt, new Fp(fpLen, crc(nt.channel, fpLen)), start);
                    synchronized (checkpoint) { checkpoint.putIfAbsent(e.getKey(), n); }
                    newCheckpoints = true;
                }
                boolean deferred = deferredAtStart.remove(e.getKey());
                if (!atStart || !existingAtStart.contains(e.getKey())) {
                    err.println("logship: following " + p + (deferred ? " (now that a descriptor is free" : " (new")
                            + (start > 0 ? ", from byte " + start : "") + ")");
                }
            } catch (NoSuchFileException gone) {
                // gone already
            } catch (java.nio.file.FileSystemException full) {
                if (!String.valueOf(full.getMessage()).contains("Too many open files")) throw full;
                notOpened++;                                          // our limit, not the file's fault: tried again next scan
                if (atStart && existingAtStart.contains(e.getKey())) deferredAtStart.add(e.getKey());
            }
        }
        if (newCheckpoints) {
            saveCheckpoint();
            newCheckpoints = false;
        }
        if (notOpened != notOpenedSaid) {
            if (notOpened > 0) {
                err.println("logship: warning: " + notOpened + " matching files not followed: the open-file limit (ulimit -n) is reached; "
                        + "following " + tailers.size() + "; raise the limit (they are tried again every second)");
            }
            notOpenedSaid = notOpened;
        }
        for (Tailer t : tailers.values()) {
            if (!seen.containsKey(t.key()) && t.goneSince == 0) t.goneSince = now;
        }
        if (atStart) findRotatedWhileDown(seen, err);
    }

    /**
     * A checkpointed file the globs no longer match was rotated while logship was down (app.log ->
     * app.log.1): found again by device, inode and fingerprint in the directory it was in, it is read
     * from its checkpoint to its end, like a file renamed while running. A checkpoint whose file is
     * nowhere to be found is dropped.
     */
    private void findRotatedWhileDown(Map<String, Found> seen, PrintStream err) throws IOException {
        List<JsonNode> missing = new ArrayList<>();
        synchronized (checkpoint) {
            for (var e : checkpoint.entrySet()) if (!seen.containsKey(e.getKey())) missing.add(e.getValue());
        }
        for (JsonNode cp : missing) {
            String key = cp.get("dev").asLong() + ":" + cp.get("ino").asLong();
            Path was = Path.of(cp.get("path").asText()), dir = was.getParent();
            // Ours if a --path still covers where it was (a file followed after a rotation was recorded under its
            // rotated name, so the name alone does not tell); a file of a --path no longer given is not.
            boolean ours = dir != null && globs.stream().anyMatch(g -> g.matcher().matches(was) || dir.startsWith(g.root()));
            Path found = null;
            if (ours && dir != null && Files.isDirectory(dir)) {
                try (var files = Files.list(dir)) {
                    for (Path p : files.toList()) {
                        Found f = Files.isRegularFile(p) ? identity(p) : null;       // null: renamed again while we looked
                        if (f != null && f.dev() == cp.get("dev").asLong() && f.ino() == cp.get("ino").asLong()) {
                            found = p;
                            break;
                        }
                    }
                }
            }
            Tailer t = null;
            if (found != null) {
                t = new Tailer(found, cp.get("dev").asLong(), cp.get("ino").asLong(), 0);
                if (!sameContent(cp, t.channel)) {                                         // the inode now holds another file
                    t.channel.close();
                    t = null;
                }
            }
            if (t == null) {
                synchronized (checkpoint) { checkpoint.remove(key); }                       // gone for good
                continue;
            }
            long start = Math.min(cp.get("offset").asLong(), t.channel.size());
            t.startAt(start);
            t.goneSince = System.nanoTime();                                               // read to its end, then let go
            tailers.put(key, t);
            err.println("logship: following " + found + " (was " + cp.get("path").asText() + ", rotated while logship was down; from byte " + start + ")");
            if (!found.getFileName().equals(was.getFileName())) followNewerRotations(was, found, seen, err);
        }
        if (newCheckpoints) {
            saveCheckpoint();
            newCheckpoints = false;
        }
    }

    /**
     * {@code was} (a live name) was found rotated to {@code found} (app.log -> app.log.2): rotations of
     * the same live name that are newer than it (app.log.1) were created and rotated away while logship
     * was down, so it never saw them. They are read whole, rather than lost. Compressed rotations are
     * left alone (their lines are in the file they were made from).
     */
    private void followNewerRotations(Path was, Path found, Map<String, Found> seen, PrintStream err) throws IOException {
        String live = was.getFileName().toString();
        long foundMtime = Files.getLastModifiedTime(found).toMillis();
        List<Path> newer = new ArrayList<>();
        try (var files = Files.list(found.getParent())) {
            for (Path p : files.toList()) {
                String n = p.getFileName().toString();
                if (n.equals(live) || !n.startsWith(live) || !Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) continue;
                if (n.matches(".*\\.(gz|bz2|xz|zst|lz4|zip)$")) continue;
                if (Files.getLastModifiedTime(p).toMillis() < foundMtime) continue;       // older than the file we had: done before
                newer.add(p);
            }
        }
        newer.sort(java.util.Comparator.comparingLong(p -> { try { return Files.getLastModifiedTime(p).toMillis(); } catch (IOException e) { return 0L; } }));
        for (Path p : newer) {
            Found f = identity(p);
            if (f == null) continue;
            String key = f.dev() + ":" + f.ino();
            boolean known;
            synchronized (checkpoint) { known = checkpoint.containsKey(key); }
            if (known || seen.containsKey(key) || tailers.containsKey(key)) continue;
            Tailer t = new Tailer(p, f.dev(), f.ino(), 0);
            t.goneSince = System.nanoTime();                                               // read to its end, then let go
            tailers.put(key, t);
            if (state != null) {
                int fpLen = (int) Math.min(FP_BYTES, t.channel.size());
                ObjectNode n = checkpointEntry(t, new Fp(fpLen, crc(t.channel, fpLen)), 0);
                synchronized (checkpoint) { checkpoint.putIfAbsent(key, n); }
                newCheckpoints = true;
            }
            err.println("logship: following " + p + " (a rotation of " + was + " made while logship was down, never seen before; from byte 0)");
        }
    }

    /** A checkpoints.json entry: which file (path, device, inode, fingerprint) and how far it is done. */
    static ObjectNode checkpointEntry(Tailer t, Fp fp, long offset) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("path", t.path.toString());
        n.put("dev", t.dev);
        n.put("ino", t.ino);
        n.put("fp_len", fp.len());
        n.put("fp_crc", fp.crc());
        n.put("offset", offset);
        return n;
    }

    /** The open file still starts with the bytes a checkpoint fingerprinted (so the offset is about this content). */
    static boolean sameContent(JsonNode cp, FileChannel ch) throws IOException {
        int fpLen = cp.get("fp_len").asInt();
        return fpLen <= ch.size() && crc(ch, fpLen) == cp.get("fp_crc").asLong();
    }

    /** A matching file a scan found. */
    record Found(Path path, long dev, long ino) {}

    /** The file's device and inode, or null if it is gone. */
    static Found identity(Path p) throws IOException {
        try {
            return new Found(p, ((Number) Files.getAttribute(p, "unix:dev")).longValue(), ((Number) Files.getAttribute(p, "unix:ino")).longValue());
        } catch (NoSuchFileException gone) {
            return null;
        }
    }

    private static boolean sameStart(Tailer t) throws IOException {
        try (FileChannel ch = FileChannel.open(t.path, StandardOpenOption.READ)) {
            return ch.size() >= t.fp.len() && crc(ch, t.fp.len()) == t.fp.crc();
        } catch (NoSuchFileException e) {
            return true;                                              // renamed or deleted since the listing: the next scan sees
        }
    }

    private void retire(Tailer t) throws IOException {
        t.channel.close();
        tailers.remove(t.key());
    }

    /** Files renamed away or deleted: read to the end, wait --rotate-wait for late writes, then let go (shipping a last line without newline). */
    private void retireFinished(BlockingQueue<CompletableFuture<Parsed>> queue, ExecutorService pool) throws Exception {
        long now = System.nanoTime();
        for (Tailer t : new ArrayList<>(tailers.values())) {
            if (t.goneSince == 0 || now - t.goneSince < rotateWait.toNanos() || t.readPos < t.channel.size()) continue;
            Chunk c = flush(t);
            if (c != null) hand(queue, CompletableFuture.supplyAsync(() -> parse(c), pool));
            t.channel.close();
            tailers.remove(t.key());
        }
    }

    static final int CHUNK = 256 * 1024;
    private final ByteBuffer readBuf = ByteBuffer.allocate(CHUNK);

    /** Up to 256 KiB more of the file as complete lines, or null when there is nothing new. */
    private Chunk read(Tailer t, PrintStream err) throws IOException {
        long size = t.channel.size();
        if (size < t.readPos) {                                     // copytruncate: start again at the top
            err.println("logship: " + t.path + " was truncated (" + size + " < " + t.readPos + " bytes); reading it from the start");
            t.readPos = 0;
            t.committed = 0;
            t.partial.reset();
            t.skippingLongLine = false;
            t.pending = null;
            t.handed = 0;
            t.fp = new Fp(0, 0);
        }
        if (size == t.readPos) return null;
        if (t.fp.len() < FP_BYTES) t.fingerprint();
        readBuf.clear();
        int n = t.channel.read(readBuf, t.readPos);
        if (n <= 0) return null;
        t.lastGrowth = System.nanoTime();
        bytesRead.addAndGet(n);
        byte[] buf = readBuf.array();
        Lines lines = new Lines();
        long lineStartOffset = t.readPos - t.partial.size();
        int from = 0;
        for (int i = 0; i < n; i++) {
            if (buf[i] != '\n') continue;
            long end = t.readPos + i + 1;
            if (t.skippingLongLine) {
                t.skippingLongLine = false;
            } else {
                byte[] line = buf;                                    // the line is line[start, start + len)
                int start = from, len = i - from;
                if (t.partial.size() > 0) {
                    t.partial.write(buf, from, i - from);
                    line = t.partial.toByteArray();
                    t.partial.reset();
                    start = 0;
                    len = line.length;
                }
                boolean tooLong = len > maxLine;
                if (tooLong) {
                    len = (int) maxLine;
                    truncatedLines.incrementAndGet();
                }
                emit(t, lines, decode(line, start, len), tooLong, end);
            }
            t.committed = t.pending == null ? end : t.committed;
            lineStartOffset = end;
            from = i + 1;
        }
        if (from < n && !t.skippingLongLine) {
            t.partial.write(buf, from, n - from);
            if (t.partial.size() >= maxLine) {                     // a line longer than --max-line: ship its start, skip the rest
                byte[] head = t.partial.toByteArray();
                t.partial.reset();
                t.skippingLongLine = true;
                truncatedLines.incrementAndGet();
                emit(t, lines, decode(head, 0, (int) maxLine), true, lineStartOffset);
            }
        }
        t.readPos += n;
        return chunk(t, lines);
    }

    /** A chunk when there are lines or the committed offset moved (filtered lines must still advance the checkpoint). */
    private Chunk chunk(Tailer t, Lines lines) {
        if (lines.text.isEmpty() && t.committed == t.handed) return null;
        t.handed = t.committed;
        return new Chunk(t, t.path.toString(), t.fp, lines, t.committed, System.currentTimeMillis() * 1_000_000L);
    }

    private static String decode(byte[] b, int start, int len) {
        if (len > 0 && b[start + len - 1] == '\r') len--;          // CRLF files
        return new String(b, start, len, StandardCharsets.UTF_8);  // invalid UTF-8 becomes U+FFFD, the line is kept
    }

    /** One physical line: filtered, joined into a multiline event, or added to the chunk. */
    private void emit(Tailer t, Lines lines, String line, boolean truncated, long end) {
        linesRead.incrementAndGet();
        if (multiline != null) {
            if (!find(multiline, line, true) && t.pending != null) {
                // The joined event is capped like a line: a 57 MB stack trace must not take the heap.
                if (t.pending.text.length() + 1 + line.length() <= maxLine) t.pending.text.append('\n').append(line);
                else t.pending.truncated = true;
                t.pending.end = end;
                return;
            }
            if (t.pending != null) {
                add(t, lines, t.pending.text.toString(), t.pending.truncated, t.pending.end);
                if (t.pending.truncated) truncatedLines.incrementAndGet();
                t.committed = t.pending.end;
            }
            t.pending = new Multi();
            t.pending.text.append(line);
            t.pending.truncated = truncated;
            t.pending.end = end;
            return;
        }
        add(t, lines, line, truncated, end);
    }

    private void add(Tailer t, Lines lines, String line, boolean truncated, long end) {
        if ((includeRe != null && !find(includeRe, line, true)) || (excludeRe != null && find(excludeRe, line, false))) {
            filtered.incrementAndGet();
            return;
        }
        lines.text.add(line);
        lines.cut.add(truncated);
        lines.ends.add(end);
        events.incrementAndGet();
    }

    /**
     * Queues a chunk for the shipper, waiting while the buffer is full, but not past a stop: with the
     * sink down and the buffer full, SIGTERM must still end the run (the chunk is then simply read
     * again on restart: it was never checkpointed).
     */
    private void hand(BlockingQueue<CompletableFuture<Parsed>> queue, CompletableFuture<Parsed> chunk) throws InterruptedException {
        while (!queue.offer(chunk, 200, TimeUnit.MILLISECONDS)) {
            if (stopping) return;
        }
    }

    /**
     * {@code p.find()} on {@code line} within --regex-budget; past it the line counts as over budget
     * and {@code onTimeout} is the answer (chosen so that a slow pattern ships a line rather than drops it).
     */
    private boolean find(Pattern p, String line, boolean onTimeout) {
        try {
            return p.matcher(new Budget(line, System.nanoTime() + regexBudget.toNanos())).find();
        } catch (Budget.Exceeded | StackOverflowError e) {
            regexTimeouts.incrementAndGet();
            return onTimeout;
        }
    }

    /** What is left in a file at its end: the open multiline event and a last line without a newline. */
    private Chunk flush(Tailer t) {
        Lines lines = new Lines();
        if (t.partial.size() > 0) {
            byte[] rest = t.partial.toByteArray();
            emit(t, lines, decode(rest, 0, rest.length), false, t.readPos);
            t.partial.reset();
            if (t.pending == null) t.committed = t.readPos;
        }
        if (t.pending != null) {
            add(t, lines, t.pending.text.toString(), t.pending.truncated, t.pending.end);
            if (t.pending.truncated) truncatedLines.incrementAndGet();
            t.committed = t.pending.end;
            t.pending = null;
        }
        return chunk(t, lines);
    }

    /** A multiline event with nothing new for a second is complete. */
    private void flushStaleMultiline(BlockingQueue<CompletableFuture<Parsed>> queue, ExecutorService pool) throws InterruptedException {
        if (multiline == null) return;
        long now = System.nanoTime();
        for (Tailer t : tailers.values()) {
            if (t.pending == null || now - t.lastGrowth < 1_000_000_000L) continue;
            Lines lines = new Lines();
            add(t, lines, t.pending.text.toString(), t.pending.truncated, t.pending.end);
            if (t.pending.truncated) truncatedLines.incrementAndGet();
            t.committed = t.pending.end;
            t.pending = null;
            Chunk c = chunk(t, lines);
            if (c != null) hand(queue, CompletableFuture.supplyAsync(() -> parse(c), pool));
        }
    }

    // ---- parsing (in the pool) --------------------------------------------------------------------------

    /** Jackson, made on first use: `--help` and a plain-text run need none of it. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    private Parsed parse(Chunk c) {
        List<Event> out = new ArrayList<>(c.lines().text.size());
        for (int i = 0; i < c.lines().text.size(); i++) {
            String line = c.lines().text.get(i);
            Map<String, Object> fields = null;
            String error = null;
            switch (mode) {
                case none -> { }
                case json -> {
                    try {
                        JsonNode n = Json.MAPPER.readTree(line);
                        if (n instanceof ObjectNode o) {
                            fields = new LinkedHashMap<>();
                            for (var e : o.properties()) fields.put(e.getKey(), e.getValue());
                        } else {
                            error = "not a JSON object";
                        }
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        error = "malformed JSON: " + e.getOriginalMessage();
                    }
                }
                case logfmt -> fields = logfmt(line);
                case regex -> {
                    try {
                        Matcher m = lineRegex.matcher(new Budget(line, System.nanoTime() + regexBudget.toNanos()));
                        if (m.find()) {
                            fields = new LinkedHashMap<>();
                            for (var g : groups.entrySet()) if (m.group(g.getValue()) != null) fields.put(g.getKey(), m.group(g.getValue()));
                        } else {
                            error = "no match for --parse regex";
                        }
                    } catch (Budget.Exceeded e) {
                        regexTimeouts.incrementAndGet();
                        error = "regex over its time budget (" + Durations.format(regexBudget.toMillis()) + "); shipped unparsed";
                    } catch (StackOverflowError e) {                 // java.util.regex recurses per repetition: (a|b)* on a long line
                        error = "regex recursed too deep on this line; shipped unparsed";
                    }
                }
            }
            if (error != null) parseErrors.incrementAndGet();
            long ts = c.readNs();
            if (timestampField != null && fields != null && fields.get(timestampField) != null) {
                try {
                    Object v = fields.get(timestampField);
                    ts = timestamp(v instanceof JsonNode n ? n.asText() : String.valueOf(v));
                } catch (RuntimeException e) {
                    error = (error == null ? "" : error + "; ") + "bad timestamp '" + fields.get(timestampField) + "'";
                }
            }
            out.add(new Event(c.path(), ts, line, fields, error, c.lines().cut.get(i), c.lines().ends.get(i)));
        }
        return encode(c, out);
    }

    /**
     * The event with its line cut (and marked truncated) so that the line's JSON encoding stays within
     * {@code max} bytes: a control character takes 6 bytes escaped, so a 1 MiB line of them would
     * otherwise become a 6 MB request.
     */
    static Event encodedWithin(Event e, long max) {
        String line = e.line();
        if (line.length() <= max / 6) return e;                   // even all escaped it fits
        long size = 0;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            size += ch < 0x20 ? 6 : ch == '"' || ch == '\\' ? 2 : ch < 0x80 ? 1 : ch < 0x800 ? 2 : 3;
            if (size > max) {
                return new Event(e.path(), e.timeNs(), line.substring(0, i), e.fields(), e.parseError(), true, e.end());
            }
        }
        return e;
    }

    /** Each event as the sink will send it, one after another in one buffer. */
    private Parsed encode(Chunk c, List<Event> events) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(events.size() * 200 + 16);
        int[] starts = new int[events.size() + 1];
        long[] ends = new long[events.size()];
        try (JsonGenerator g = FACTORY.createGenerator(buf)) {
            g.setRootValueSeparator(null);
            for (int i = 0; i < events.size(); i++) {
                g.flush();
                starts[i] = buf.size();
                Event ev = encodedWithin(events.get(i), maxLine);
                if (ev != events.get(i)) truncatedLines.incrementAndGet();
                sink.encode(g, ev, labelMap);
                ends[i] = events.get(i).end();
            }
            g.flush();
            starts[events.size()] = buf.size();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new Parsed(c.file(), c.path(), c.fp(), buf.toByteArray(), starts, ends, c.end());
    }

    private long timestamp(String s) {
        return switch (timestampFormat) {
            case "unix" -> Math.round(Double.parseDouble(s) * 1e9);
            case "unix_ms" -> Math.round(Double.parseDouble(s) * 1e6);
            default -> {                                             // iso8601 or a pattern; without an offset, UTC
                TemporalAccessor t = tsFormatter.parse(s);
                Instant i = t.isSupported(java.time.temporal.ChronoField.OFFSET_SECONDS) ? Instant.from(t) : LocalDateTime.from(t).toInstant(ZoneOffset.UTC);
                yield i.getEpochSecond() * 1_000_000_000L + i.getNano();
            }
        };
    }

    /** key=value key2="quoted value" ... (bare words become key=true). */
    static Map<String, Object> logfmt(String line) {
        Map<String, Object> m = new LinkedHashMap<>();
        int i = 0, n = line.length();
        while (i < n) {
            while (i < n && line.charAt(i) == ' ') i++;
            int k = i;
            while (i < n && line.charAt(i) != '=' && line.charAt(i) != ' ') i++;
            if (i == k) { i++; continue; }
            String key = line.substring(k, i);
            if (i >= n || line.charAt(i) == ' ') { m.put(key, "true"); continue; }
            i++;                                                      // '='
            StringBuilder v = new StringBuilder();
            if (i < n && line.charAt(i) == '"') {
                for (i++; i < n && line.charAt(i) != '"'; i++) {
                    if (line.charAt(i) == '\\' && i + 1 < n) i++;
                    v.append(line.charAt(i));
                }
                i++;
            } else {
                while (i < n && line.charAt(i) != ' ') v.append(line.charAt(i++));
            }
            m.put(key, v.toString());
        }
        return m;
    }

    /** A CharSequence that throws once its deadline passes: bounds catastrophic regex backtracking per line. */
    static final class Budget implements CharSequence {
        static final class Exceeded extends RuntimeException {
            Exceeded() { super(null, null, false, false); }
        }

        private final CharSequence s;
        private final long deadline;
        private int calls;

        Budget(CharSequence s, long deadline) { this.s = s; this.deadline = deadline; }

        @Override public char charAt(int i) {
            if ((++calls & 0xFFF) == 0 && System.nanoTime() > deadline) throw new Exceeded();
            return s.charAt(i);
        }
        @Override public int length() { return s.length(); }
        @Override public CharSequence subSequence(int a, int b) { return new Budget(s.subSequence(a, b), deadline); }
        @Override public String toString() { return s.toString(); }
    }

    // ---- shipping --------------------------------------------------------------------------------------

    /** Takes parsed chunks in order, batches them, delivers each batch until it is accepted, then checkpoints. */
    final class Shipper implements Runnable {
        final BlockingQueue<CompletableFuture<Parsed>> queue;
        final Sink sink;
        final PrintStream err;
        volatile boolean giveUp;
        volatile String failure;
        final List<Slice> batch = new ArrayList<>();
        int batchEvents;
        final Map<Tailer, Mark> offsets = new LinkedHashMap<>();
        long batchBytesSoFar, batchStart;

        Shipper(BlockingQueue<CompletableFuture<Parsed>> queue, Sink sink, PrintStream err) {
            this.queue = queue;
            this.sink = sink;
            this.err = err;
        }

        @Override public void run() {
            try {
                while (true) {
                    long waitNs = batch.isEmpty() && offsets.isEmpty() ? Long.MAX_VALUE : batchStart + batchWait.toNanos() - System.nanoTime();
                    CompletableFuture<Parsed> f = waitNs == Long.MAX_VALUE ? queue.take() : queue.poll(Math.max(0, waitNs), TimeUnit.NANOSECONDS);
                    if (f == null) { send(); continue; }                // the batch is old enough
                    Parsed p = f.get();
                    if (p == null) { send(); return; }                  // end of stream
                    if (batch.isEmpty() && offsets.isEmpty()) batchStart = System.nanoTime();
                    int from = 0;
                    while (from < p.size()) {                          // a chunk may fill several batches
                        int room = batchLines - batchEvents, to = Math.min(p.size(), from + room);
                        while (to - from > 1 && batchBytesSoFar + p.starts()[to] - p.starts()[from] > batchBytes) to = (from + to + 1) / 2;
                        Slice sl = new Slice(p, from, to);
                        batch.add(sl);
                        batchEvents += to - from;
                        batchBytesSoFar += sl.bytes();
                        offsets.put(p.file(), new Mark(p.ends()[to - 1], p.fp()));
                        from = to;
                        if (batchEvents >= batchLines || batchBytesSoFar >= batchBytes) {
                            send();
                            batchStart = System.nanoTime();
                        }
                    }
                    offsets.put(p.file(), new Mark(p.end(), p.fp()));  // lines filtered out after the last event count as done
                }
            } catch (InterruptedException e) {
                failure = "stopped while the sink was not accepting";
            } catch (java.util.concurrent.ExecutionException e) {
                // A worker failed (a bug): deliver what is whole, stop the reader, and keep taking what it
                // hands over, so it never blocks on a full queue; those lines are read again on restart.
                failure = "a worker failed: " + e.getCause();
                e.getCause().printStackTrace(err);
                stopping = true;
                try {
                    send();
                    while (true) {                                     // until the reader's end-of-stream marker
                        CompletableFuture<Parsed> f = queue.take();
                        if (f.isDone() && !f.isCompletedExceptionally() && f.join() == null) return;
                    }
                } catch (InterruptedException | RuntimeException ignored) {
                    // shutting down
                }
            }
        }

        /** Delivers the batch (retrying with backoff and jitter until accepted), then moves and writes the checkpoint. */
        void send() throws InterruptedException {
            if (batch.isEmpty() && offsets.isEmpty()) return;
            long backoff = 250;
            while (!batch.isEmpty()) {
                try {
                    long bytes = sink.deliver(batch, labelMap);
                    bytesShipped.addAndGet(bytes);
                    linesShipped.addAndGet(batchEvents);
                    batches.incrementAndGet();
                    break;
                } catch (IOException e) {
                    if (giveUp) throw new InterruptedException();
                    retries.incrementAndGet();
                    long sleep = ThreadLocalRandom.current().nextLong(backoff / 2, backoff + 1);
                    err.println("logship: sink " + sink.name() + " did not accept " + batchEvents + " lines: " + Errors.message(e, e.getClass().getSimpleName())
                            + "; retrying in " + Durations.format(sleep));
                    Thread.sleep(sleep);
                    backoff = Math.min(backoff * 2, 30_000);
                }
            }
            batch.clear();
            batchEvents = 0;
            batchBytesSoFar = 0;
            synchronized (checkpoint) {
                for (var e : offsets.entrySet()) {
                    checkpoint.put(e.getKey().key(), checkpointEntry(e.getKey(), e.getValue().fp(), e.getValue().offset()));
                }
            }
            offsets.clear();
            if (state != null) saveCheckpoint();
        }
    }

    /** Where batches go. {@code deliver} returns the bytes sent, or throws if the sink did not accept them. */
    interface Sink {
        String name();

        /** One event as this sink sends it (called in the parse pool). */
        void encode(JsonGenerator g, Event e, Map<String, String> labels) throws IOException;

        /** Sends the encoded events; returns the bytes sent, or throws if the sink did not take them. */
        long deliver(List<Slice> batch, Map<String, String> labels) throws IOException;

        static Sink parse(String to, Duration timeout, String authorization) {
            if (authorization != null && !to.startsWith("http") && !to.startsWith("loki:")) {
                throw new InputError("--sink-auth-env/--sink-auth-file go with an http: or loki: sink");
            }
            if (to.equals("stdout")) return new StreamSink("stdout", System.out, null);
            if (to.startsWith("file:")) {
                Path p = Path.of(to.substring(5));
                if (p.toString().isEmpty()) throw new InputError("--to file: needs a path, e.g. file:/tmp/out.jsonl");
                try {
                    if (p.getParent() != null) Files.createDirectories(p.getParent());
                    dropTornLine(p);
                    FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                    return new StreamSink("file:" + p, java.nio.channels.Channels.newOutputStream(ch), ch);
                } catch (IOException e) {
                    throw new InputError("--to " + to + ": cannot open: " + Errors.message(e, "error"));
                }
            }
            boolean loki = to.startsWith("loki:");
            String url = loki ? to.substring(5) : to.startsWith("http:") && !to.startsWith("http://") ? to.substring(5) : to;
            URI u;
            try {
                u = Urls.http(url);
            } catch (IllegalArgumentException e) {
                throw new InputError("--to '" + to + "': expected stdout, file:PATH, http:URL or loki:URL");
            }
            if (u.getRawUserInfo() != null) {                       // it would show in ps, and the JDK client never sends it
                throw new InputError("--to: credentials in the URL would show in ps and are not sent; put 'Basic BASE64(user:password)'"
                        + " or 'Bearer TOKEN' in --sink-auth-file FILE (or --sink-auth-env VAR) and drop them from the URL");
            }
            if (loki && (u.getPath() == null || u.getPath().isEmpty() || u.getPath().equals("/"))) u = u.resolve("/loki/api/v1/push");
            return new HttpSink(u, loki, timeout, authorization);
        }
    }

    /**
     * A crash in the middle of writing a batch can leave a last line without its newline. That batch was never
     * acknowledged, so it is sent again: cut the torn line off rather than glue the next event to it.
     */
    static void dropTornLine(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size(), pos = size;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (pos > 0) {
                one.clear();
                ch.read(one, pos - 1);
                if (one.get(0) == '\n') break;
                pos--;
            }
            if (pos < size) {
                System.err.println("logship: " + p + " ended in a torn line (" + (size - pos) + " bytes, from a crash); cut it off, its batch is sent again");
                ch.truncate(pos);
            }
        }
    }

    /** JSON lines to stdout or a file (forced to disk before the batch counts as delivered). */
    record StreamSink(String name, OutputStream out, FileChannel channel) implements Sink {
        @Override public void encode(JsonGenerator g, Event e, Map<String, String> labels) throws IOException {
            writeEvent(g, e, labels);
            g.writeRaw('\n');
        }

        @Override public long deliver(List<Slice> batch, Map<String, String> labels) throws IOException {
            long n = 0, good = channel == null ? -1 : channel.size();
            try {
                for (Slice s : batch) {
                    out.write(s.p().bytes(), s.p().starts()[s.from()], s.bytes());
                    n += s.bytes();
                }
                out.flush();
                if (channel != null) channel.force(false);
            } catch (IOException e) {
                // Disk full half-way: cut the file back to its last whole record, so the retry does not
                // leave a torn record glued to the next one.
                if (channel != null) {
                    try {
                        channel.truncate(good);
                    } catch (IOException ignored) {
                        // the startup check (dropTornLine) mends it on the next start
                    }
                }
                throw e;
            }
            return n;
        }
    }

    static final JsonFactory FACTORY = new JsonFactory();

    /** The last time formatted, per thread: the events of a chunk share their read time. */
    private static final ThreadLocal<Object[]> LAST_TIME = ThreadLocal.withInitial(() -> new Object[] {Long.MIN_VALUE, ""});

    static String isoTime(long ns) {
        Object[] last = LAST_TIME.get();
        if ((Long) last[0] != ns) {
            last[0] = ns;
            last[1] = Instant.ofEpochSecond(0, ns).toString();
        }
        return (String) last[1];
    }

    static void writeEvent(JsonGenerator g, Event e, Map<String, String> labels) throws IOException {
        g.writeStartObject();
        g.writeStringField("time", isoTime(e.timeNs()));
        g.writeStringField("file", e.path());
        g.writeStringField("line", e.line());
        if (e.fields() != null) {
            g.writeObjectFieldStart("fields");
            for (var f : e.fields().entrySet()) {
                g.writeFieldName(f.getKey());
                if (f.getValue() instanceof JsonNode n) Json.MAPPER.writeTree(g, n);
                else g.writeString(String.valueOf(f.getValue()));
            }
            g.writeEndObject();
        }
        if (!labels.isEmpty()) {
            g.writeObjectFieldStart("labels");
            for (var l : labels.entrySet()) g.writeStringField(l.getKey(), l.getValue());
            g.writeEndObject();
        }
        if (e.parseError() != null) g.writeStringField("parse_error", e.parseError());
        if (e.truncated()) g.writeBooleanField("truncated", true);
        g.writeEndObject();
    }

    /** POST a JSON array (http) or a Loki push request (loki); 2xx is accepted, anything else is retried. */
    static final class HttpSink implements Sink {
        final URI url;
        final boolean loki;
        final Duration timeout;
        final HttpClient client;
        final String authorization;                 // the Authorization header, or null; never logged

        HttpSink(URI url, boolean loki, Duration timeout, String authorization) {
            this.url = url;
            this.loki = loki;
            this.timeout = timeout;
            this.authorization = authorization;
            this.client = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
        }

        @Override public String name() { return (loki ? "loki:" : "") + url.getScheme() + "://" + url.getHost() + ":" + url.getPort(); }

        /** http: the event object; loki: its ["ns", "line"] pair. */
        @Override public void encode(JsonGenerator g, Event e, Map<String, String> labels) throws IOException {
            if (!loki) {
                writeEvent(g, e, labels);
                return;
            }
            g.writeStartArray();
            g.writeString(Long.toString(e.timeNs()));
            g.writeString(e.line());
            g.writeEndArray();
        }

        @Override public long deliver(List<Slice> batch, Map<String, String> labels) throws IOException {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            if (loki) lokiBody(buf, batch, labels);
            else {
                buf.write('[');
                joined(buf, batch);
                buf.write(']');
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
                    .header("User-Agent", "ops-logship/0.1").POST(HttpRequest.BodyPublishers.ofByteArray(buf.toByteArray()));
            if (authorization != null) b.header("Authorization", authorization);
            HttpRequest req = b.build();
            try {
                HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() / 100 != 2) {
                    String body = r.body().strip();
                    throw new IOException("HTTP " + r.statusCode() + (body.isEmpty() ? "" : ": " + (body.length() > 200 ? body.substring(0, 200) : body)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            } catch (java.net.ConnectException e) {
                throw new IOException(Errors.message(e, "connection refused"));
            } catch (java.net.http.HttpTimeoutException e) {
                throw new IOException("no answer within " + Durations.format(timeout.toMillis()) + " (--sink-timeout)");
            }
            return buf.size();
        }

        /** The slices' events separated by commas. */
        static void joined(ByteArrayOutputStream buf, List<Slice> slices) {
            boolean first = true;
            for (Slice s : slices) {
                for (int i = s.from(); i < s.to(); i++) {
                    if (!first) buf.write(',');
                    first = false;
                    buf.write(s.p().bytes(), s.p().starts()[i], s.p().starts()[i + 1] - s.p().starts()[i]);
                }
            }
        }

        /** {"streams":[{"stream":{labels, filename},"values":[["<ns>","<line>"],...]}]}, one stream per file. */
        static void lokiBody(ByteArrayOutputStream buf, List<Slice> batch, Map<String, String> labels) throws IOException {
            Map<String, List<Slice>> byFile = new LinkedHashMap<>();
            for (Slice s : batch) byFile.computeIfAbsent(s.p().path(), k -> new ArrayList<>()).add(s);
            buf.write("{\"streams\":[".getBytes(StandardCharsets.UTF_8));
            boolean first = true;
            for (var f : byFile.entrySet()) {
                if (!first) buf.write(',');
                first = false;
                Map<String, String> stream = new LinkedHashMap<>(labels);
                stream.put("filename", f.getKey());
                buf.write("{\"stream\":".getBytes(StandardCharsets.UTF_8));
                buf.write(Json.MAPPER.writeValueAsBytes(stream));
                buf.write(",\"values\":[".getBytes(StandardCharsets.UTF_8));
                joined(buf, f.getValue());
                buf.write("]}".getBytes(StandardCharsets.UTF_8));
            }
            buf.write("]}".getBytes(StandardCharsets.UTF_8));
        }
    }

    // ---- checkpoints -------------------------------------------------------------------------------

    /** True when a checkpoint from an earlier run exists: files we do not know appeared since, and are read whole. */
    private boolean resumed;

    private void loadCheckpoint() {
        Path f = state.resolve("checkpoints.json");
        if (!Files.exists(f)) return;
        resumed = true;
        try {
            JsonNode root = Json.MAPPER.readTree(f.toFile());
            for (JsonNode n : root.get("files")) checkpoint.put(n.get("dev").asLong() + ":" + n.get("ino").asLong(), n);
        } catch (IOException | RuntimeException e) {
            throw new InputError(f + ": unreadable checkpoint file (" + Errors.message(e instanceof Exception x ? x : new Exception(), "error")
                    + "); move it away to start over (files are then read from their end, or whole with --from-beginning)");
        }
    }

    /** Write, fsync, rename: a crash leaves the old checkpoint or the new one, never half of one. */
    private synchronized void saveCheckpoint() {
        Path tmp = state.resolve("checkpoints.json.tmp"), f = state.resolve("checkpoints.json");
        try {
            ObjectNode root = Json.MAPPER.createObjectNode();
            root.put("version", 1);
            var arr = root.putArray("files");
            synchronized (checkpoint) {
                checkpoint.values().forEach(arr::add);
            }
            // 0600: the checkpoints name every file followed and how far it was read; nobody else's business.
            try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING),
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")))) {
                ch.write(ByteBuffer.wrap(Json.MAPPER.writeValueAsBytes(root)));
                ch.force(true);
            }
            try {
                Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
            }
            if (checkpointFailing) System.err.println("logship: checkpoints are written again");
            checkpointFailing = false;
        } catch (IOException e) {
            if (!checkpointFailing) {                           // said once, not once a batch
                System.err.println("logship: warning: cannot write checkpoint " + f + ": " + Errors.message(e, "error")
                        + "; lines shipped since would be shipped again after a restart");
            }
            checkpointFailing = true;
        }
    }

    /** The last checkpoint write failed: what was shipped since is not on disk, and the exit code says so. */
    private volatile boolean checkpointFailing;

    // ---- stats -------------------------------------------------------------------------------------------

    private void statsLoop(PrintStream err, BlockingQueue<CompletableFuture<Parsed>> queue) {
        long lastLines = 0, lastBytes = 0, lastNs = System.nanoTime();
        try {
            while (true) {
                Thread.sleep(statsInterval.toMillis());
                long now = System.nanoTime(), lines = linesShipped.get(), bytes = bytesRead.get();
                double secs = (now - lastNs) / 1e9;
                err.printf(Locale.ROOT, "logship: %d file%s, %.0f lines/s, %.1f MB/s read, %d lines shipped so far, lag %s, retries %d, buffer %d/%d%n",
                        tailers.size(), tailers.size() == 1 ? "" : "s", (lines - lastLines) / secs, (bytes - lastBytes) / secs / 1e6, lines, lag(), retries.get(), queue.size(), buffer);
                lastLines = lines;
                lastBytes = bytes;
                lastNs = now;
            }
        } catch (InterruptedException ignored) { }
    }

    /** Bytes not yet checkpointed per file (the largest few). */
    private String lag() {
        List<String> parts = new ArrayList<>();
        synchronized (checkpoint) {
            for (Tailer t : new ArrayList<>(tailers.values())) {
                try {
                    JsonNode cp = checkpoint.get(t.key());
                    long behind = t.channel.size() - (cp == null ? t.committed : cp.get("offset").asLong());
                    if (behind > 0) parts.add(t.path.getFileName() + "=" + Sizes.format(behind));
                } catch (IOException ignored) { }
            }
        }
        return parts.isEmpty() ? "0" : String.join(" ", parts.subList(0, Math.min(5, parts.size())));
    }

    private String statsLine(BlockingQueue<CompletableFuture<Parsed>> queue) {
        double secs = (System.nanoTime() - startNs) / 1e9;
        return String.format(Locale.ROOT, "logship: %d lines read, %d shipped in %d %s, %d filtered, %d parse errors (%d regex over budget), "
                + "%d truncated, %d retries; %.1f s, %.0f lines/s", linesRead.get(), linesShipped.get(), batches.get(),
                batches.get() == 1 ? "batch" : "batches", filtered.get(),
                parseErrors.get(), regexTimeouts.get(), truncatedLines.get(), retries.get(), secs, linesShipped.get() / Math.max(secs, 1e-3));
    }

    private void writeStats(Path f) throws IOException {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("lines_read", linesRead.get());
        n.put("bytes_read", bytesRead.get());
        n.put("lines_shipped", linesShipped.get());
        n.put("bytes_shipped", bytesShipped.get());
        n.put("batches", batches.get());
        n.put("filtered", filtered.get());
        n.put("parse_errors", parseErrors.get());
        n.put("regex_over_budget", regexTimeouts.get());
        n.put("truncated", truncatedLines.get());
        n.put("retries", retries.get());
        n.put("elapsed_s", (System.nanoTime() - startNs) / 1e9);
        Files.writeString(f, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n");
    }
}
