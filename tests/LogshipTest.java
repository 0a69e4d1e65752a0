import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * logship against real files written while it runs (appends, rename rotation, copytruncate, delete
 * and recreate, new files, no trailing newline, long lines, invalid UTF-8), real HTTP receivers
 * that fail and come back, and a crash test: kill -9 at random points while lines are written,
 * restart, and compare the line ids received with the ids written.
 */
class LogshipTest {
    @TempDir Path tmp;
    static final ObjectMapper JSON = new ObjectMapper();

    static ScriptRun.Result logship(String... args) {
        return ScriptRun.run(logship::main, args);
    }

    /** logship as a real process (signals and kill -9 need one). */
    Process start(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(Proc.javaCommand("logship", "-Xmx128m"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectOutput(tmp.resolve("logship.out").toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(tmp.resolve("logship.err").toFile())).start();
    }

    static List<JsonNode> events(Path out) throws Exception {
        List<JsonNode> l = new ArrayList<>();
        if (!Files.exists(out)) return l;
        for (String line : Files.readAllLines(out)) if (!line.isBlank()) l.add(JSON.readTree(line));
        return l;
    }

    static void append(Path f, String text) throws Exception {
        Files.writeString(f, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Waits until {@code out} holds at least {@code n} events. */
    static List<JsonNode> await(Path out, int n, Duration max) throws Exception {
        long end = System.nanoTime() + max.toNanos();
        List<JsonNode> ev = events(out);
        while (ev.size() < n && System.nanoTime() < end) {
            Thread.sleep(100);
            ev = events(out);
        }
        return ev;
    }

    @Test void onceParsesEachModeAndKeepsEveryLine() throws Exception {
        Path logs = Files.createDirectories(tmp.resolve("logs"));
        Files.write(logs.resolve("a.log"), ("{\"level\":\"info\",\"n\":1}\nnot json\r\n" + "x".repeat(3000) + "\n").getBytes(StandardCharsets.UTF_8));
        byte[] bad = {'c', 'a', 'f', (byte) 0xC3, '(', '\n', 'l', 'a', 's', 't'};   // invalid UTF-8, then no trailing newline
        Files.write(logs.resolve("b.log"), bad);
        Path out = tmp.resolve("out.jsonl");
        Path stats = tmp.resolve("stats.json");
        var r = logship("--once", "--path", logs + "/*.log", "--parse", "json", "--max-line", "1k", "--label", "env=test", "--to", "file:" + out,
                "--stats-json", stats.toString());
        assertEquals(0, r.exit(), r.toString());
        JsonNode st = JSON.readTree(stats.toFile());
        assertEquals(5, st.get("lines_shipped").asInt(), st.toString());
        assertEquals(4, st.get("parse_errors").asInt(), "every line but the JSON one: " + st);
        assertEquals(1, st.get("truncated").asInt(), st.toString());
        List<JsonNode> ev = events(out);
        assertEquals(5, ev.size(), ev.toString());
        Map<String, JsonNode> byLine = new HashMap<>();
        for (JsonNode e : ev) byLine.put(e.get("line").asText(), e);
        assertEquals(1, byLine.get("{\"level\":\"info\",\"n\":1}").get("fields").get("n").asInt(), "JSON fields keep their types");
        assertTrue(byLine.get("not json").get("parse_error").asText().startsWith("malformed JSON"), "malformed JSON is shipped with an error");
        assertTrue(byLine.containsKey("x".repeat(1024)), "a long line is cut at --max-line");
        assertTrue(byLine.get("x".repeat(1024)).get("truncated").asBoolean());
        assertTrue(byLine.containsKey("caf\uFFFD("), "invalid UTF-8 becomes U+FFFD, the line is kept: " + byLine.keySet());
        assertTrue(byLine.containsKey("last"), "the last line without a newline ships with --once");
        assertEquals("test", ev.get(0).get("labels").get("env").asText());
        assertTrue(r.err().contains("5 shipped"), r.err());

        Path out2 = tmp.resolve("out2.jsonl");
        Files.writeString(logs.resolve("c.txt"), "ts=2026-11-24T10:00:00Z level=warn msg=\"disk almost full\" retry\n"
                + "127.0.0.1 - - GET /health 200\n" + "x".repeat(40) + "\n");
        var lf = logship("--once", "--path", logs + "/c.txt", "--parse", "logfmt", "--timestamp-field", "ts", "--include", "level=", "--to", "file:" + out2);
        assertEquals(0, lf.exit(), lf.toString());
        List<JsonNode> l = events(out2);
        assertEquals(1, l.size(), "--include keeps only matching lines: " + l);
        assertEquals("disk almost full", l.get(0).get("fields").get("msg").asText());
        assertEquals("true", l.get(0).get("fields").get("retry").asText());
        assertEquals("2026-11-24T10:00:00Z", l.get(0).get("time").asText(), "the timestamp field sets the event time");

        Path out3 = tmp.resolve("out3.jsonl");
        var rx = logship("--once", "--path", logs + "/c.txt", "--parse", "regex:^(?<ip>\\d+\\.\\d+\\.\\d+\\.\\d+) .* (?<path>/\\S*) (?<code>\\d{3})$|^(.*x){12}c",
                "--regex-budget", "20ms", "--to", "file:" + out3);
        assertEquals(0, rx.exit(), rx.toString());
        Map<String, JsonNode> rl = new HashMap<>();
        for (JsonNode e : events(out3)) rl.put(e.get("line").asText(), e);
        assertEquals(3, rl.size());
        assertEquals("200", rl.get("127.0.0.1 - - GET /health 200").get("fields").get("code").asText());
        JsonNode evil = rl.get("x".repeat(40));
        assertTrue(evil.get("parse_error").asText().contains("time budget"), "catastrophic backtracking is cut off: " + evil);
        assertTrue(rx.err().contains("(1 regex over budget)"), rx.err());
    }

    @Test void multilineJoinsStackTraces() throws Exception {
        Path f = tmp.resolve("app.log");
        Files.writeString(f, "2026-11-24 ERROR boom\njava.lang.IllegalStateException: x\n\tat A.b(A.java:1)\n2026-11-24 INFO fine\n");
        Path out = tmp.resolve("out.jsonl");
        var r = logship("--once", "--path", f.toString(), "--multiline-start", "^\\d{4}-", "--to", "file:" + out);
        assertEquals(0, r.exit(), r.toString());
        List<JsonNode> ev = events(out);
        assertEquals(2, ev.size(), ev.toString());
        assertEquals("2026-11-24 ERROR boom\njava.lang.IllegalStateException: x\n\tat A.b(A.java:1)", ev.get(0).get("line").asText());
    }

    @Test void followingAStackTraceAndALastLineWithoutNewlineAtRotation() throws Exception {
        Path logs = Files.createDirectories(tmp.resolve("logs"));
        Path app = logs.resolve("app.log");
        Files.writeString(app, "");
        Path out = tmp.resolve("out.jsonl");
        Process p = start("--path", logs + "/*.log", "--state", tmp.resolve("state").toString(), "--to", "file:" + out, "--batch-wait", "100ms",
                "--rotate-wait", "500ms", "--stats-interval", "0", "--multiline-start", "^\\d{4}-", "--exclude", "DEBUG",
                "--parse", "regex:^(?<ts>\\S+ \\S+) (?<level>[A-Z]+)", "--timestamp-field", "ts", "--timestamp-format", "yyyy-MM-dd HH:mm:ss");
        try {
            Thread.sleep(1500);
            append(app, "2026-11-24 10:00:00 ERROR boom\njava.lang.IllegalStateException: x\n\tat A.b(A.java:1)\n");
            append(app, "2026-11-24 10:00:01 DEBUG noise\n");
            List<JsonNode> ev = await(out, 1, Duration.ofSeconds(10));  // the trace is complete after a quiet second
            assertEquals(1, ev.size(), ev.toString());
            assertEquals("2026-11-24 10:00:00 ERROR boom\njava.lang.IllegalStateException: x\n\tat A.b(A.java:1)", ev.get(0).get("line").asText());
            assertEquals("ERROR", ev.get(0).get("fields").get("level").asText());
            assertEquals("2026-11-24T10:00:00Z", ev.get(0).get("time").asText(), "--timestamp-format sets the event time");
            append(app, "2026-11-24 10:00:02 INFO the last line, no newline");
            Files.move(app, logs.resolve("app.log.1"));                 // rotated away: finished, and its last line shipped
            ev = await(out, 2, Duration.ofSeconds(10));
            assertEquals(2, ev.size(), "the DEBUG line is excluded: " + ev);
            assertEquals("2026-11-24 10:00:02 INFO the last line, no newline", ev.get(1).get("line").asText());
        } finally {
            stop(p);
        }
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("logship.err")));
    }

    /** SIGTERM, and a thread dump in the failure message if it does not end within 15 s. */
    void stop(Process p) throws Exception {
        p.destroy();
        if (p.waitFor(15, TimeUnit.SECONDS)) return;
        String jstack = Proc.run(List.of(Path.of(System.getProperty("java.home"), "bin", "jstack").toString(), String.valueOf(p.pid())), Duration.ofSeconds(20)).out();
        p.destroyForcibly();
        throw new AssertionError("logship did not stop on SIGTERM within 15 s\nstderr:\n" + Files.readString(tmp.resolve("logship.err")) + "\n" + jstack);
    }

    @Test void followsAppendsRotationCopytruncateDeletionAndNewFiles() throws Exception {
        Path logs = Files.createDirectories(tmp.resolve("logs"));
        Path app = logs.resolve("app.log");
        Files.writeString(app, "old line before start\n");
        Path out = tmp.resolve("out.jsonl"), state = tmp.resolve("state");
        Process p = start("--path", logs + "/*.log", "--state", state.toString(), "--to", "file:" + out, "--batch-wait", "100ms",
                "--rotate-wait", "1s", "--stats-interval", "0");
        try {
            Thread.sleep(1500);                                         // started: existing content is skipped (first run)
            int id = 0;
            for (; id < 100; id++) append(app, "id=" + id + "\n");
            await(out, 100, Duration.ofSeconds(10));
            Files.move(app, logs.resolve("app.log.1"));                 // rename rotation: the old file is finished ...
            append(logs.resolve("app.log.1"), "id=" + id++ + "\n");     // ... including a late write to it
            for (; id < 200; id++) append(app, "id=" + id + "\n");      // ... and the new one followed from its start
            await(out, 201, Duration.ofSeconds(10));
            Files.copy(app, logs.resolve("app.log.2"));                 // copytruncate (app.log.2 does not match *.log)
            Files.write(app, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
            for (; id < 250; id++) append(app, "id=" + id + "\n");
            await(out, 251, Duration.ofSeconds(10));
            Files.delete(app);                                          // deleted and recreated
            Thread.sleep(1500);
            for (; id < 300; id++) append(app, "id=" + id + "\n");
            for (int i = 0; i < 20; i++) append(logs.resolve("new" + i + ".log"), "id=" + id++ + "\n");   // files appearing later
            List<JsonNode> ev = await(out, 321, Duration.ofSeconds(15));
            Set<Integer> got = new HashSet<>();
            List<Integer> dup = new ArrayList<>();
            for (JsonNode e : ev) {
                String line = e.get("line").asText();
                assertTrue(line.startsWith("id="), "nothing from before the start of a first run: " + line);
                if (!got.add(Integer.parseInt(line.substring(3)))) dup.add(Integer.parseInt(line.substring(3)));
            }
            List<Integer> missing = new ArrayList<>();
            for (int i = 0; i < id; i++) if (!got.contains(i)) missing.add(i);
            assertTrue(missing.isEmpty(), "missing ids: " + missing + "\nstderr:\n" + Files.readString(tmp.resolve("logship.err")));
            assertTrue(dup.isEmpty(), "duplicates in a run without crashes: " + dup);
        } finally {
            stop(p);                                                    // SIGTERM: flush, checkpoint, exit 0
        }
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("logship.err")));
        assertTrue(Files.exists(state.resolve("checkpoints.json")));
    }

    @Test void httpAndLokiSinksHoldTheLinesWhileTheReceiverFailsOrStallsAndDeliverWhenItComesBack() throws Exception {
        HttpServer server = TestHttp.http();
        AtomicInteger failuresLeft = new AtomicInteger(3), stallsLeft = new AtomicInteger(1);
        ConcurrentLinkedQueue<String> http = new ConcurrentLinkedQueue<>(), loki = new ConcurrentLinkedQueue<>();
        TestHttp.route(server, "/logs", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (failuresLeft.getAndDecrement() > 0) { TestHttp.reply(ex, 503, "busy"); return; }
            http.add(body);
            TestHttp.reply(ex, 200, "");
        });
        ConcurrentLinkedQueue<String> afterStall = new ConcurrentLinkedQueue<>();
        TestHttp.route(server, "/stall", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (stallsLeft.getAndDecrement() > 0) { TestHttp.sleep(3000); return; }   // hangs past --sink-timeout, records nothing
            afterStall.add(body);
            TestHttp.reply(ex, 200, "");
        });
        TestHttp.route(server, "/loki/api/v1/push", ex -> {
            loki.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            TestHttp.reply(ex, 204, "");
        });
        server.start();
        try {
            Path f = tmp.resolve("app.log");
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 30; i++) sb.append("id=").append(i).append('\n');
            Files.writeString(f, sb.toString());
            var r = logship("--once", "--path", f.toString(), "--batch-lines", "10", "--to", "http:" + TestHttp.base(server) + "/logs");
            assertEquals(0, r.exit(), r.toString());
            Set<String> got = new HashSet<>();
            int n = 0;
            for (String body : http) for (JsonNode e : JSON.readTree(body)) { got.add(e.get("line").asText()); n++; }
            assertEquals(30, got.size(), "every line arrived after the receiver's 503s");
            assertEquals(30, n, "and none twice: a refused batch was not counted as delivered");
            assertEquals(3, http.size(), "batches of --batch-lines 10");
            assertTrue(r.err().contains("did not accept 10 lines: HTTP 503: busy; retrying in"), r.err());

            var stalled = logship("--once", "--path", f.toString(), "--sink-timeout", "500ms", "--to", "http:" + TestHttp.base(server) + "/stall");
            assertEquals(0, stalled.exit(), stalled.toString());
            assertTrue(stalled.err().contains("did not accept 30 lines: no answer within 500ms (--sink-timeout); retrying"), stalled.err());
            assertEquals(30, JSON.readTree(afterStall.peek()).size(), "a stalled receiver is given up on and the batch sent again");

            var lr = logship("--once", "--path", f.toString(), "--label", "job=test", "--to", "loki:" + TestHttp.base(server));
            assertEquals(0, lr.exit(), lr.toString());
            JsonNode push = JSON.readTree(loki.peek());
            JsonNode stream = push.get("streams").get(0);
            assertEquals("test", stream.get("stream").get("job").asText());
            assertEquals(f.toString(), stream.get("stream").get("filename").asText());
            assertEquals(30, stream.get("values").size());
            assertEquals("id=0", stream.get("values").get(0).get(1).asText());
            assertTrue(stream.get("values").get(0).get(0).asText().matches("\\d{19}"), "nanosecond timestamps as strings");
        } finally {
            server.stop(0);
        }
    }

    @Test void killedWithSigkillAtRandomPointsItLosesNoLineAndRepeatsAtMostTheBatchInFlight() throws Exception {
        crashTest(false);
    }

    /**
     * The same model with --path naming only the live file and logrotate's renames (app.log -> app.log.1
     * -> app.log.2 ...) every 12,000 lines, so that some rotations happen while logship is dead or
     * still starting. A file created and rotated away entirely while logship was down is found as a
     * newer rotation of the checkpointed file (CI hit that case: a slow start meant one logship never
     * recorded app.log before it was rotated).
     */
    @Test void killedAndRotatedWhileStoppedWithOnlyTheLiveFileNamedItLosesNoLine() throws Exception {
        crashTest(true);
    }

    void crashTest(boolean liveFileOnly) throws Exception {
        Path logs = Files.createDirectories(tmp.resolve("logs"));
        Path state = tmp.resolve("state");
        int total = liveFileOnly ? 36_000 : 40_000, batch = 200, crashes = 4;
        AtomicInteger written = new AtomicInteger();
        Thread writer = new Thread(() -> {                              // ~8k lines/s
            try {
                Path app = logs.resolve("app.log");
                for (int i = 0; i < total; i++) {
                    if (!liveFileOnly && i == total / 2) Files.move(app, logs.resolve("app-1.log"));   // renamed half-way
                    if (liveFileOnly && i > 0 && i % 12_000 == 0) {                                 // logrotate: shift, then rename
                        for (int n = 3; n >= 1; n--) {
                            Path from = logs.resolve("app.log." + n);
                            if (Files.exists(from)) Files.move(from, logs.resolve("app.log." + (n + 1)));
                        }
                        Files.move(app, logs.resolve("app.log.1"));
                    }
                    append(app, "id=" + i + " " + "payload ".repeat(8) + "\n");
                    written.incrementAndGet();
                    if (i % 100 == 99) Thread.sleep(12);
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        // A receiver slower than the writer, so that lines queue up inside logship and each kill lands mid-pipeline.
        ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
        HttpServer server = TestHttp.http();
        TestHttp.route(server, "/logs", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            TestHttp.sleep(30);
            for (JsonNode e : JSON.readTree(body)) received.add(e.get("line").asText());
            TestHttp.reply(ex, 200, "");
        });
        server.start();
        String path = liveFileOnly ? logs.resolve("app.log").toString() : logs + "/*.log";
        String[] args = {"--path", path, "--state", state.toString(), "--to", "http:" + TestHttp.base(server) + "/logs", "--from-beginning",
                "--batch-lines", String.valueOf(batch), "--batch-wait", "50ms", "--stats-interval", "0", "--rotate-wait", "1s"};
        Random random = new Random(liveFileOnly ? 7 : 42);
        writer.start();
        for (int i = 0; i < crashes; i++) {
            Process p = start(args);
            awaitStarts(i + 1, p);                                      // the kill lands in the pipeline, not in JVM start-up
            Thread.sleep(700 + random.nextInt(1200));
            p.destroyForcibly();                                        // kill -9
            p.waitFor();
            if (liveFileOnly) Thread.sleep(300 + random.nextInt(900));  // dead for a while: rotations happen meanwhile
        }
        Process last = start(args);
        writer.join();
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (new HashSet<>(received).size() < total && System.nanoTime() < end) Thread.sleep(100);
        Thread.sleep(500);
        stop(last);
        server.stop(0);
        Map<Integer, Integer> seen = new HashMap<>();
        List<String> garbled = new ArrayList<>();
        for (String line : received) {
            if (line.matches("id=\\d+ (payload ){8}")) seen.merge(Integer.parseInt(line.split(" ")[0].substring(3)), 1, Integer::sum);
            else garbled.add(line);
        }
        assertTrue(garbled.isEmpty(), () -> garbled.size() + " lines shipped from the middle (a checkpoint inside a line?), e.g. " + garbled.get(0));
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < total; i++) if (!seen.containsKey(i)) missing.add(i);
        long duplicates = received.size() - seen.size();
        String err = Files.readString(tmp.resolve("logship.err"));
        StringBuilder ranges = new StringBuilder();
        for (int i = 0; i < missing.size(); i++) {
            if (i == 0 || missing.get(i) != missing.get(i - 1) + 1) ranges.append(i == 0 ? "" : "-" + missing.get(i - 1) + " ").append(missing.get(i));
            if (i == missing.size() - 1) ranges.append("-").append(missing.get(i));
        }
        assertTrue(missing.isEmpty(), missing.size() + " ids missing after " + crashes + " kill -9s: " + ranges + "\n" + err);
        assertTrue(duplicates <= (long) crashes * batch, duplicates + " duplicates: more than the batch in flight at each crash");
        assertEquals(0, last.exitValue(), err);
        System.out.println("crash test" + (liveFileOnly ? " (live file only, rotated while stopped)" : "") + ": " + total + " lines, "
                + crashes + " kill -9s, 0 missing, " + duplicates + " duplicates");
    }

    /**
     * Waits until logship has said what it follows {@code n} times in all (once a start): on a loaded
     * machine a JVM can take seconds to get there, and a kill before it would test nothing.
     */
    void awaitStarts(int n, Process p) throws Exception {
        Path err = tmp.resolve("logship.err");
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end && p.isAlive()) {
            String text = Files.exists(err) ? Files.readString(err) : "";
            long said = text.lines().filter(l -> l.matches("logship: following \\d+ files? for --path .*") || l.contains("matches no file yet")).count();
            if (said >= n) return;
            Thread.sleep(20);
        }
        throw new AssertionError("logship did not start within 60 s:\n" + (Files.exists(err) ? Files.readString(err) : ""));
    }

    @Test void whileTheSinkIsDownReadingPausesWithBoundedMemoryAndNothingIsLost() throws Exception {
        Path f = tmp.resolve("big.log");
        int total = 300_000;
        try (var w = Files.newBufferedWriter(f)) {
            for (int i = 0; i < total; i++) w.write("id=" + i + " " + "some realistic payload text ".repeat(5) + "\n");
        }
        int port = Proc.freePort();
        Process p = start("--path", f.toString(), "--state", tmp.resolve("state").toString(), "--from-beginning", "--buffer", "4",
                "--to", "http:http://127.0.0.1:" + port + "/logs", "--stats-interval", "1s");
        HttpServer server = null;
        try {
            Thread.sleep(3500);                                         // nothing listens: every attempt is refused
            String err = Files.readString(tmp.resolve("logship.err"));
            assertTrue(err.contains("did not accept") && err.contains("retrying in"), err);
            assertTrue(err.contains("buffer 4/4"), "reading paused with the buffer full:\n" + err);
            JsonNode cp = JSON.readTree(tmp.resolve("state/checkpoints.json").toFile()).get("files").get(0);
            assertEquals(0, cp.get("offset").asLong(), "nothing delivered, nothing checkpointed past the start: " + cp);
            long hwm = 0;
            for (String l : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) if (l.startsWith("VmHWM:")) hwm = Long.parseLong(l.replaceAll("\\D", ""));
            assertTrue(hwm < 256 * 1024, "peak RSS " + hwm / 1024 + " MB while the sink is down, with a 45 MB file waiting");

            server = HttpServer.create(new java.net.InetSocketAddress(java.net.InetAddress.getByName("127.0.0.1"), port), 50);
            Set<String> got = java.util.concurrent.ConcurrentHashMap.newKeySet();
            AtomicInteger count = new AtomicInteger();
            TestHttp.route(server, "/logs", ex -> {
                for (JsonNode e : JSON.readTree(ex.getRequestBody())) { got.add(e.get("line").asText()); count.incrementAndGet(); }
                TestHttp.reply(ex, 200, "");
            });
            server.start();                                             // the sink comes back
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (got.size() < total && System.nanoTime() < end) Thread.sleep(100);
            assertEquals(total, got.size(), "every line arrived once the sink came back");
            assertEquals(total, count.get(), "none twice");
        } finally {
            try {
                stop(p);
            } finally {
                if (server != null) server.stop(0);
            }
        }
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("logship.err")));
    }

    /** A mistyped --path: with --once an error, nothing shipped; following, a warning and then what it finds. */
    @Test void aPathThatMatchesNothingIsSaidOutLoud() throws Exception {
        var once = logship("--once", "--path", tmp.resolve("no-such-dir/*.log").toString());
        assertEquals(2, once.exit(), once.toString());
        assertEquals("logship: --path '" + tmp.resolve("no-such-dir/*.log") + "' matches no file (" + tmp.resolve("no-such-dir")
                + " does not exist)\n", once.err());
        assertEquals("", once.out());

        Path dir = Files.createDirectories(tmp.resolve("app"));
        Path out = tmp.resolve("out.jsonl");
        Process p = start("--path", dir + "/*.log", "--state", tmp.resolve("state").toString(), "--to", "file:" + out,
                "--stats-interval", "1s", "--batch-wait", "100ms");
        try {
            Path err = tmp.resolve("logship.err");
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < end && (!Files.exists(err) || !Files.readString(err).contains("matches no file yet"))) Thread.sleep(50);
            assertTrue(Files.readString(err).startsWith("logship: warning: --path '" + dir + "/*.log' matches no file yet (no file in "
                    + dir + " matches); looking again every second\n"), Files.readString(err));
            append(dir.resolve("a.log"), "one\ntwo\n");
            assertEquals(2, await(out, 2, Duration.ofSeconds(30)).size(), "logship's stderr:\n" + Files.readString(err));
            while (System.nanoTime() < end && !Files.readString(err).contains("2 lines shipped so far")) Thread.sleep(100);
            String text = Files.readString(err);
            assertTrue(text.contains("logship: following " + dir.resolve("a.log") + " (new)\n"), text);
            assertTrue(text.matches("(?s).*logship: 1 file, \\d+ lines/s, [\\d.]+ MB/s read, 2 lines shipped so far, lag 0, .*"), text);
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    /** Rotated while logship was down, with --path naming only the live file: the rotated file is found again and read to its end. */
    @Test void aFileRotatedWhileLogshipWasDownIsReadToItsEnd() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("rot")), log = dir.resolve("app.log"), out = tmp.resolve("rot-out.jsonl");
        Path state = tmp.resolve("rot-state");
        Files.writeString(log, "");
        String[] args = {"--path", log.toString(), "--state", state.toString(), "--to", "file:" + out, "--batch-wait", "100ms", "--stats-interval", "0"};
        Process p = start(args);
        try {
            Thread.sleep(1500);                                            // it follows app.log from its (empty) end
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 1000; i++) b.append("line ").append(i).append('\n');
            append(log, b.toString());
            assertEquals(1000, await(out, 1000, Duration.ofSeconds(30)).size());
            Thread.sleep(500);                                             // the checkpoint after the last batch
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
        StringBuilder more = new StringBuilder(), after = new StringBuilder();
        for (int i = 1000; i < 2000; i++) more.append("line ").append(i).append('\n');
        for (int i = 2000; i < 3000; i++) after.append("line ").append(i).append('\n');
        append(log, more.toString());
        Files.move(log, dir.resolve("app.log.1"));
        append(log, after.toString());
        Process again = start(args);
        try {
            List<JsonNode> ev = await(out, 3000, Duration.ofSeconds(30));
            java.util.Set<String> lines = new java.util.HashSet<>();
            for (JsonNode e : ev) lines.add(e.get("line").asText());
            List<String> lost = new ArrayList<>();
            for (int i = 0; i < 3000; i++) if (!lines.contains("line " + i)) lost.add("line " + i);
            assertTrue(lost.isEmpty(), lost.size() + " lines lost, e.g. " + lost.subList(0, Math.min(3, lost.size())) + "\n"
                    + Files.readString(tmp.resolve("logship.err")));
            assertTrue(Files.readString(tmp.resolve("logship.err")).contains("logship: following " + dir.resolve("app.log.1") + " (was " + log
                    + ", rotated while logship was down; from byte "), Files.readString(tmp.resolve("logship.err")));
        } finally {
            again.destroy();
            again.waitFor();
        }
    }

    /**
     * Two rotations while logship is down: app.log (checkpointed) ends up as app.log.2, and app.log.1
     * was created and rotated away without logship ever seeing it. Its lines are read too, not lost;
     * an older rotation and a compressed one are not shipped again.
     */
    @Test void aRotationNeverSeenBecauseItCameAndWentWhileLogshipWasDownIsReadWhole() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("rot2")), log = dir.resolve("app.log"), out = tmp.resolve("rot2-out.jsonl");
        Path state = tmp.resolve("rot2-state");
        Files.writeString(dir.resolve("app.log.3"), "old 1\nold 2\n");           // rotated long before: not ours to ship
        Files.setLastModifiedTime(dir.resolve("app.log.3"), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 86_400_000L));
        Files.writeString(log, "");
        String[] args = {"--path", log.toString(), "--state", state.toString(), "--to", "file:" + out, "--batch-wait", "100ms", "--stats-interval", "0"};
        Process p = start(args);
        try {
            Thread.sleep(1500);
            append(log, lines(0, 500));
            assertEquals(500, await(out, 500, Duration.ofSeconds(30)).size());
            Thread.sleep(500);
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
        append(log, lines(500, 1000));
        Files.move(log, dir.resolve("app.log.1"));                                 // first rotation while down
        Thread.sleep(20);
        append(log, lines(1000, 2000));                                            // a file logship never sees as app.log
        Files.move(dir.resolve("app.log.1"), dir.resolve("app.log.2"));            // second rotation
        Files.move(log, dir.resolve("app.log.1"));
        Files.write(dir.resolve("app.log.2.gz"), new byte[] {0x1f, (byte) 0x8b, 0, 0});   // a compressed copy lying around
        Thread.sleep(20);
        append(log, lines(2000, 2500));
        Process again = start(args);
        try {
            List<JsonNode> ev = await(out, 2500, Duration.ofSeconds(30));
            Thread.sleep(1000);                                                    // anything extra would arrive now
            ev = events(out);
            Map<String, Integer> count = new HashMap<>();
            for (JsonNode e : ev) count.merge(e.get("line").asText(), 1, Integer::sum);
            String err = Files.readString(tmp.resolve("logship.err"));
            List<String> lost = new ArrayList<>();
            for (int i = 0; i < 2500; i++) if (!count.containsKey("line " + i)) lost.add("line " + i);
            assertTrue(lost.isEmpty(), lost.size() + " lines lost, e.g. " + lost.subList(0, Math.min(3, lost.size())) + "\n" + err);
            assertFalse(count.containsKey("old 1"), "an old rotation was shipped again\n" + err);
            assertEquals(2500, ev.size(), "lines shipped twice or from elsewhere\n" + err);
            assertTrue(err.contains("logship: following " + dir.resolve("app.log.1") + " (a rotation of " + log
                    + " made while logship was down, never seen before; from byte 0)"), err);
        } finally {
            again.destroy();
            again.waitFor();
        }
    }

    static String lines(int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) b.append("line ").append(i).append('\n');
        return b.toString();
    }

    /** --include, --exclude and --multiline-start have the --regex-budget too: a catastrophic pattern cannot hang the reader. */
    @Test void filterPatternsHaveATimeBudget() throws Exception {
        Path f = tmp.resolve("evil.log");
        Files.writeString(f, "a".repeat(40) + "\nok aab\n");
        long t0 = System.nanoTime();
        var r = logship("--once", "--path", f.toString(), "--include", "((a+)+)+b", "--regex-budget", "50ms");
        assertEquals(0, r.exit(), r.toString());
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 10_000, "finished");
        assertEquals(2, r.out().lines().count(), "the line over budget is shipped, not dropped: " + r.out());
        assertTrue(r.err().contains("(1 regex over budget)"), r.err());
    }

    /** A multiline event is capped at --max-line like a line: an 80 MB stack trace in a 128 MB heap ships cut, marked truncated. */
    @Test void aHugeMultilineEventIsCutNotFatal() throws Exception {
        Path f = tmp.resolve("huge.log");
        try (var w = Files.newBufferedWriter(f)) {
            w.write("2026-11-30 ERROR start\n");
            String cont = "\tat " + "x".repeat(1000) + "\n";
            for (int i = 0; i < 80_000; i++) w.write(cont);
            w.write("2026-11-30 INFO next\n");
        }
        Path out = tmp.resolve("huge-out.jsonl");
        Process p = start("--once", "--path", f.toString(), "--multiline-start", "^\\d{4}-", "--max-line", "64k", "--to", "file:" + out);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "finished");
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("logship.err")));
        List<JsonNode> ev = events(out);
        assertEquals(2, ev.size());
        assertTrue(ev.get(0).get("truncated").asBoolean() && ev.get(0).get("line").asText().length() <= 64 * 1024, "cut at --max-line");
        assertEquals("2026-11-30 INFO next", ev.get(1).get("line").asText());
    }

    /** A state directory it cannot write is one line and exit 2; checkpoints that cannot be written make the exit 1. */
    @Test void stateThatCannotBeWrittenIsSaid() throws Exception {
        Path f = tmp.resolve("s.log");
        Files.writeString(f, "one\ntwo\n");
        Path notADir = Files.writeString(tmp.resolve("a-file"), "x");
        var bad = logship("--once", "--path", f.toString(), "--state", notADir.resolve("state").toString());
        assertEquals(2, bad.exit(), bad.toString());
        assertTrue(bad.err().startsWith("logship: --state " + notADir.resolve("state") + ": cannot write there (") && bad.err().lines().count() == 1, bad.err());

        Path state = Files.createDirectories(tmp.resolve("state-broken"));
        Files.createDirectories(state.resolve("checkpoints.json.tmp"));          // the write-then-rename cannot happen
        var r = logship("--once", "--path", f.toString(), "--state", state.toString(), "--to", "file:" + tmp.resolve("broken-out.jsonl"));
        assertEquals(1, r.exit(), "every checkpoint failed: not a clean exit\n" + r);
        assertEquals(2, events(tmp.resolve("broken-out.jsonl")).size(), "the lines are shipped all the same");
        assertEquals(1, r.err().lines().filter(l -> l.contains("warning: cannot write checkpoint")).count(), "said once:\n" + r.err());
        assertTrue(r.err().contains("the last checkpoint could not be written"), r.err());
    }

    /** Disk full on the file sink: the batch is retried, and the output never holds a torn record. */
    @Test void aFullDiskNeverLeavesATornRecord() throws Exception {
        Prereq.requireRoot();
        Path mnt = Files.createDirectories(tmp.resolve("small-disk"));
        Proc.sh("mount -t tmpfs -o size=256k ops-test-tmpfs '" + mnt + "'");
        Process p = null;
        try {
            Path filler = mnt.resolve("filler");
            Proc.sh("head -c 200000 /dev/zero > '" + filler + "'; true");
            Path log = tmp.resolve("disk.log"), out = mnt.resolve("out.jsonl");
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 1500; i++) b.append("line ").append(i).append(' ').append("y".repeat(20)).append('\n');
            Files.writeString(log, b.toString());
            p = start("--path", log.toString(), "--state", tmp.resolve("disk-state").toString(), "--from-beginning", "--to", "file:" + out,
                    "--batch-lines", "200", "--batch-wait", "100ms", "--stats-interval", "0");
            Thread.sleep(3000);                                          // the disk fills up; the sink fails and retries
            assertTrue(Files.readString(tmp.resolve("logship.err")).contains("No space left on device"), Files.readString(tmp.resolve("logship.err")));
            Files.delete(filler);
            List<JsonNode> ev = await(out, 1500, Duration.ofSeconds(60));   // events() fails on a torn line
            assertTrue(ev.size() >= 1500, ev.size() + " events");
        } finally {
            if (p != null) { p.destroyForcibly(); p.waitFor(); }
            Proc.sh("umount '" + mnt + "'");
        }
    }

    /** Sink credentials come from a file or the environment, never argv; credentials in the URL are refused, not dropped. */
    @Test void sinkCredentialsComeFromAFileOrTheEnvironment() throws Exception {
        var seen = new java.util.concurrent.ConcurrentLinkedQueue<String>();
        var server = TestHttp.http();
        TestHttp.route(server, "/logs", ex -> {
            seen.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            ex.getRequestBody().readAllBytes();
            TestHttp.reply(ex, 204, "");
        });
        server.start();
        try {
            Path f = tmp.resolve("auth.log");
            Files.writeString(f, "one\n");
            Path secret = tmp.resolve("sink-auth");
            Files.writeString(secret, "Bearer s3cret-token\n");
            var r = logship("--once", "--path", f.toString(), "--to", "http:" + TestHttp.base(server) + "/logs", "--sink-auth-file", secret.toString());
            assertEquals(0, r.exit(), r.toString());
            assertEquals(List.of("Bearer s3cret-token"), List.copyOf(seen));
            assertFalse(r.out().contains("s3cret") || r.err().contains("s3cret"), "never printed");

            var inUrl = logship("--once", "--path", f.toString(), "--to", "http://user:pw@127.0.0.1:1/logs");
            assertEquals(2, inUrl.exit(), inUrl.toString());
            assertTrue(inUrl.err().startsWith("logship: --to: credentials in the URL would show in ps and are not sent;"), inUrl.err());
        } finally {
            server.stop(0);
        }
    }

    /** More matching files than the open-file limit allows: it follows what fits, says how many it could not, never a stack trace. */
    @Test void moreFilesThanDescriptorsIsSaidNotFatal() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("many"));
        for (int i = 0; i < 300; i++) Files.writeString(dir.resolve("f" + i + ".log"), "file " + i + "\n");
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "ulimit -n 200 && exec \"$@\"", "logship"));
        cmd.addAll(Proc.javaCommand("logship", "-Xmx128m"));
        cmd.addAll(List.of("--once", "--path", dir + "/*.log"));
        var r = Proc.run(cmd, Duration.ofSeconds(60));
        assertEquals(1, r.exit(), "--once could not read every file: " + r);
        long shipped = r.out().lines().count();
        assertTrue(shipped >= 100 && shipped < 300, shipped + " lines");
        assertTrue(r.err().contains("logship: warning: " + (300 - shipped) + " matching files not followed: the open-file limit (ulimit -n) is reached"), r.err());
        assertTrue(r.err().contains("logship: " + (300 - shipped) + " matching files were not read (open-file limit)"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    /** A pattern that recurses past the thread's stack on one line ships that line unparsed; the run neither dies nor hangs. */
    @Test void aRegexThatOverflowsTheStackShipsTheLineUnparsed() throws Exception {
        Path f = tmp.resolve("deep.log");
        Files.writeString(f, "ab".repeat(200_000) + "\nab\n");
        List<String> cmd = new ArrayList<>(Proc.javaCommand("logship", "-Xmx128m", "-Xss512k"));
        cmd.addAll(List.of("--once", "--path", f.toString(), "--parse", "regex:(?<x>(a|b)*)"));
        var r = Proc.run(cmd, Duration.ofSeconds(60));
        assertEquals(0, r.exit(), r.toString().substring(0, Math.min(2000, r.toString().length())));
        assertEquals(2, r.out().lines().count());
        assertTrue(r.out().contains("regex recursed too deep on this line; shipped unparsed"), "said in the event");
        assertTrue(r.err().contains(", 1 parse errors"), r.err());
    }

    /** --max-line bounds a line as encoded: control characters escape to 6 bytes each, and the event is cut to fit. */
    @Test void aLineOfControlCharactersIsCutToItsEncodedSize() throws Exception {
        Path f = tmp.resolve("ctl.log");
        Files.writeString(f, "\u0001".repeat(60_000) + "\n");
        var r = logship("--once", "--path", f.toString(), "--max-line", "64k");
        assertEquals(0, r.exit(), r.err());
        JsonNode ev = JSON.readTree(r.out().lines().findFirst().orElseThrow());
        assertTrue(ev.get("truncated").asBoolean(), "marked truncated");
        assertTrue(r.out().length() <= 64 * 1024 + 512, "the encoded event fits --max-line: " + r.out().length() + " bytes");
        assertEquals(64 * 1024 / 6, ev.get("line").asText().length(), 1);
    }

    /** The checkpoints say which files are followed and how far: readable by their owner only. */
    @Test void checkpointsAreReadableByTheirOwnerOnly() throws Exception {
        Path f = tmp.resolve("x.log");
        Files.writeString(f, "one\n");
        Path state = tmp.resolve("state-perms");
        var r = logship("--once", "--path", f.toString(), "--state", state.toString(), "--to", "file:" + tmp.resolve("out-perms.jsonl"));
        assertEquals(0, r.exit(), r.toString());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("checkpoints.json"))));
    }

    /** At start it says which files each --path matches. */
    @Test void atStartItSaysWhatItFollows() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("logs"));
        for (String n : List.of("a.log", "b.log")) Files.writeString(dir.resolve(n), "x\n");
        var r = logship("--once", "--path", dir + "/*.log");
        assertEquals(0, r.exit(), r.toString());
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(first.equals("logship: following 2 files for --path '" + dir + "/*.log': " + dir.resolve("a.log") + ", " + dir.resolve("b.log"))
                || first.equals("logship: following 2 files for --path '" + dir + "/*.log': " + dir.resolve("b.log") + ", " + dir.resolve("a.log")), r.err());
    }

    @Test void badUsageIsOneLineAndExit2() {
        String[][] cases = {
            {"--state DIR is required", "--path", "/tmp/x.log"},
            {"--parse 'yaml': expected none, json, logfmt or regex:PATTERN", "--once", "--path", "/tmp/x.log", "--parse", "yaml"},
            {"--parse: bad regex: ", "--once", "--path", "/tmp/x.log", "--parse", "regex:(?<a"},
            {"--parse regex: has no named group", "--once", "--path", "/tmp/x.log", "--parse", "regex:\\d+"},
            {"--label 'env': expected KEY=VALUE", "--once", "--path", "/tmp/x.log", "--label", "env"},
            {"--to 'ftp://x': expected stdout, file:PATH, http:URL, loki:URL or kafka:BROKERS/TOPIC", "--once", "--path", "/tmp/x.log", "--to", "ftp://x"},
            {"--timestamp-field needs --parse json, logfmt or regex", "--once", "--path", "/tmp/x.log", "--timestamp-field", "ts"},
        };
        for (String[] c : cases) {
            String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            var r = logship(args);
            assertEquals(2, r.exit(), r.toString());
            assertTrue(r.err().startsWith("logship: " + c[0]) && r.err().lines().count() == 1, r.err());
        }
    }

    // ---- promises locked before the lib/ refactoring -------------------------------------------------

    /**
     * {@code **} walks any depth under the part of the glob without wildcards. Today's behaviour (Java's
     * glob): in {@code root/**}{@code /*.log} the {@code **} needs at least one directory, so a file
     * directly in root does not match (promtail's doublestar would match it). A file appearing later in
     * a new deep directory is found by the rescan.
     */
    @Test void doubleStarGlobsFollowFilesAtEveryDepth() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("tree"));
        Map<String, Path> want = new java.util.TreeMap<>();
        for (String rel : List.of("d1/one.log", "d1/d2/two.log", "d1/d2/d3/three.log", "e1/d2/d3/d4/four.log")) {
            Path f = root.resolve(rel);
            Files.createDirectories(f.getParent());
            Files.writeString(f, "from " + rel + "\n");
            want.put("from " + rel, f);
        }
        for (String rel : List.of("top.log", "d1/notes.txt", "d1/d2/two.log.1", "d1/d2/d3/three.log.gz")) {   // not matched
            Files.writeString(root.resolve(rel), "not shipped: " + rel + "\n");
        }
        String glob = root + "/**/*.log";
        var r = logship("--once", "--path", glob);
        assertEquals(0, r.exit(), r.toString());
        Set<String> lines = new java.util.TreeSet<>(r.out().lines().map(l -> { try { return JSON.readTree(l).get("line").asText(); } catch (Exception e) { throw new AssertionError(l, e); } }).toList());
        assertEquals(want.keySet(), lines, "the four .log files at depths 1 to 4, nothing else:\n" + r);
        String first = r.err().lines().findFirst().orElse("");
        String prefix = "logship: following 4 files for --path '" + glob + "': ";
        assertTrue(first.startsWith(prefix), r.err());
        assertEquals(new java.util.TreeSet<>(want.values().stream().map(Path::toString).toList()),
                new java.util.TreeSet<>(List.of(first.substring(prefix.length()).split(", "))), first);

        // following: a file in a directory made while it runs (the watch is on the root only; the rescan finds it)
        Path out = tmp.resolve("tree-out.jsonl");
        Process p = start("--path", glob, "--state", tmp.resolve("tree-state").toString(), "--to", "file:" + out, "--batch-wait", "100ms",
                "--stats-interval", "0");
        try {
            awaitFirstScan(tmp.resolve("tree-state"));                  // first run: existing files are followed from their end
            Path deep = root.resolve("new/a/b/c/deep.log");
            Files.createDirectories(deep.getParent());
            append(deep, "deep 1\ndeep 2\n");
            append(root.resolve("new/a/b/c/deep.txt"), "not matched\n");
            append(root.resolve("d1/d2/two.log"), "two again\n");
            append(root.resolve("top.log"), "still not matched\n");
            List<JsonNode> ev = await(out, 3, Duration.ofSeconds(15));
            Thread.sleep(1500);                                          // anything unwanted would arrive now
            ev = events(out);
            Set<String> got = new HashSet<>();
            for (JsonNode e : ev) got.add(e.get("line").asText() + " @ " + e.get("file").asText());
            assertEquals(Set.of("deep 1 @ " + deep, "deep 2 @ " + deep, "two again @ " + root.resolve("d1/d2/two.log")), got,
                    Files.readString(tmp.resolve("logship.err")));
            assertTrue(Files.readString(tmp.resolve("logship.err")).contains("logship: following " + deep + " (new)\n"), Files.readString(tmp.resolve("logship.err")));
        } finally {
            stop(p);
        }
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("logship.err")));
    }

    /**
     * Waits for the end of a follower's first scan: it writes the checkpoints of the files it found
     * before it reads them. A line appended before then counts as there at start (a first run begins
     * at the end), so a fixed sleep would race a slow JVM start.
     */
    static void awaitFirstScan(Path state) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(state.resolve("checkpoints.json")) && System.nanoTime() < end) Thread.sleep(50);
        assertTrue(Files.exists(state.resolve("checkpoints.json")), "no first scan within 30 s");
        Thread.sleep(200);
    }

    static long inode(Path p) throws Exception {
        return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
    }

    static List<String> lineTexts(List<JsonNode> ev) {
        return ev.stream().map(e -> e.get("line").asText()).toList();
    }

    /**
     * A file known by device+inode is told from a new file that got the same inode by the CRC of its
     * first 256 bytes: the new content is read from its start, not from the old file's offset. Across
     * a restart with a real reuse (ext4 hands a freed inode to the next file; if it does not within 20
     * tries, the file is rewritten in place, which looks the same to logship), and while running (the
     * first bytes overwritten in place, the file growing past the offset read).
     */
    @Test void aReusedInodeIsANewFileReadFromItsStart() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("reuse")), log = dir.resolve("app.log"), state = tmp.resolve("reuse-state");
        StringBuilder old = new StringBuilder(), fresh = new StringBuilder();
        for (int i = 0; i < 30; i++) old.append("old ").append(i).append(" ").append("o".repeat(20)).append('\n');     // over 256 bytes
        for (int i = 0; i < 60; i++) fresh.append("new ").append(i).append(" ").append("n".repeat(20)).append('\n');   // longer than the old file
        Files.writeString(log, old);
        Path out1 = tmp.resolve("reuse-1.jsonl");
        var first = logship("--once", "--path", log.toString(), "--state", state.toString(), "--to", "file:" + out1);
        assertEquals(0, first.exit(), first.toString());
        assertEquals(30, events(out1).size());
        JsonNode cp = JSON.readTree(state.resolve("checkpoints.json").toFile()).get("files").get(0);
        assertEquals(old.length(), cp.get("offset").asLong(), "checkpointed at the end: " + cp);
        long ino = cp.get("ino").asLong();

        String how = null;
        for (int i = 0; i < 20 && how == null; i++) {
            Files.delete(log);
            Files.writeString(log, fresh);
            if (inode(log) == ino) how = "deleted, and a new file got inode " + ino;
        }
        if (how == null) {                                                     // no reuse here: the same case, made in place
            Files.writeString(log, old);
            ino = inode(log);
            var again = logship("--once", "--path", log.toString(), "--state", state.toString(), "--to", "file:" + tmp.resolve("reuse-0.jsonl"));
            assertEquals(0, again.exit(), again.toString());                   // the checkpoint now names this inode, at its end
            Files.writeString(log, fresh);                                     // truncated and rewritten: same inode, new content
            how = "rewritten in place (inode " + ino + ")";
        }
        System.out.println("inode reuse: " + how);
        assertEquals(ino, inode(log));
        Path out2 = tmp.resolve("reuse-2.jsonl");
        var second = logship("--once", "--path", log.toString(), "--state", state.toString(), "--to", "file:" + out2);
        assertEquals(0, second.exit(), how + "\n" + second);
        assertEquals(fresh.toString().lines().toList(), lineTexts(events(out2)), how + ": the new file whole, from its first line");
        cp = JSON.readTree(state.resolve("checkpoints.json").toFile()).get("files").get(0);
        assertEquals(fresh.length(), cp.get("offset").asLong(), "the checkpoint now belongs to the new content: " + cp);

        // while running: the first bytes overwritten in place and the file grown past where it was read
        Path live = dir.resolve("live.log"), out = tmp.resolve("reuse-live.jsonl");
        Files.writeString(live, "");
        Process p = start("--path", live.toString(), "--state", tmp.resolve("reuse-live-state").toString(), "--to", "file:" + out,
                "--batch-wait", "100ms", "--stats-interval", "0");
        try {
            awaitFirstScan(tmp.resolve("reuse-live-state"));
            append(live, old.toString());
            assertEquals(30, await(out, 30, Duration.ofSeconds(15)).size());
            Thread.sleep(1500);                                                  // idle, waiting for more
            long liveIno = inode(live);
            try (var ch = java.nio.channels.FileChannel.open(live, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(fresh.toString().getBytes(StandardCharsets.UTF_8)), 0);   // one write at byte 0, no truncation
            }
            assertEquals(liveIno, inode(live));
            List<JsonNode> ev = await(out, 90, Duration.ofSeconds(15));
            Thread.sleep(1000);
            ev = events(out);
            String err = Files.readString(tmp.resolve("logship.err"));
            List<String> want = new ArrayList<>(old.toString().lines().toList());
            want.addAll(fresh.toString().lines().toList());
            assertEquals(want, lineTexts(ev), "the old lines, then the new content from its start, nothing from the old offset on\n" + err);
            assertTrue(err.contains("logship: following " + live + " (new)\n"), err);
        } finally {
            stop(p);
        }
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("logship.err")));
    }

    /** A lock keeps a second logship off the same --state: one line and exit 2 while the first runs; once it stopped, the state is free. */
    @Test void aSecondLogshipOnTheSameStateRefusesToStart() throws Exception {
        Path f = tmp.resolve("locked.log"), state = tmp.resolve("locked-state"), out = tmp.resolve("locked-out.jsonl");
        Files.writeString(f, "");
        Process p = start("--path", f.toString(), "--state", state.toString(), "--to", "file:" + out, "--batch-wait", "100ms", "--stats-interval", "0");
        try {
            awaitFirstScan(state);                                        // it holds the lock and follows the file from its end
            Path out2 = tmp.resolve("locked-out-2.jsonl");
            append(f, "one\n");
            for (String[] extra : new String[][] {{}, {"--once"}}) {
                List<String> cmd = new ArrayList<>(Proc.javaCommand("logship", "-Xmx128m"));
                cmd.addAll(List.of("--path", f.toString(), "--state", state.toString(), "--to", "file:" + out2, "--from-beginning"));
                cmd.addAll(List.of(extra));
                var second = Proc.run(cmd, Duration.ofSeconds(60));
                assertEquals(2, second.exit(), second.toString());
                assertEquals("logship: --state " + state + " is in use by another logship (its lock is held)\n", second.err());
                assertEquals("", second.out());
            }
            assertTrue(!Files.exists(out2) || Files.size(out2) == 0, "the second one shipped nothing");
            assertEquals(1, await(out, 1, Duration.ofSeconds(15)).size(), "the first one goes on");
            assertTrue(p.isAlive());
        } finally {
            stop(p);
        }
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("logship.err")));
        append(f, "two\n");
        var after = logship("--once", "--path", f.toString(), "--state", state.toString(), "--to", "file:" + out);
        assertEquals(0, after.exit(), "the lock is let go at exit: " + after);
        assertEquals(List.of("one", "two"), lineTexts(events(out)));
    }

    /**
     * SIGTERM while the sink takes the request and never answers: logship tries for --shutdown-timeout,
     * then gives up, says how many lines were not delivered, exits 1, and does not checkpoint them, so
     * a restart ships them.
     */
    @Test void onSigtermWithASinkThatNeverAnswersItGivesUpAfterTheShutdownTimeout() throws Exception {
        Path f = tmp.resolve("stuck.log"), state = tmp.resolve("stuck-state");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 20; i++) b.append("id=").append(i).append('\n');
        Files.writeString(f, b);
        try (var silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {   // accepts, reads, never answers
            silent.setSoTimeout(30_000);
            Process p = start("--path", f.toString(), "--state", state.toString(), "--from-beginning", "--to", "http://127.0.0.1:" + silent.getLocalPort() + "/logs",
                    "--sink-timeout", "60s", "--shutdown-timeout", "2s", "--batch-wait", "100ms", "--stats-interval", "0");
            try (var conn = silent.accept()) {
                byte[] head = new byte[9];
                assertEquals(9, conn.getInputStream().readNBytes(head, 0, 9));
                assertEquals("POST /log", new String(head, StandardCharsets.US_ASCII), "the batch is on its way");
                Thread.sleep(500);
                long t0 = System.nanoTime();
                p.destroy();                                                   // SIGTERM
                boolean ended = p.waitFor(40, TimeUnit.SECONDS);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (!ended) p.destroyForcibly();
                String err = Files.readString(tmp.resolve("logship.err"));
                assertTrue(ended, "still running 40 s after SIGTERM\n" + err);
                assertEquals(1, p.exitValue(), "lines not delivered: exit 1\n" + err);
                assertTrue(ms >= 1800 && ms < 10_000, "gave up after " + ms + " ms (--shutdown-timeout 2s, --sink-timeout 60s)\n" + err);
                assertTrue(err.matches("(?s).*\nlogship: 20 lines read, 0 shipped in 0 batches, 0 filtered, 0 parse errors \\(0 regex over budget\\), 0 truncated, "
                        + "0 retries; [\\d.]+ s, 0 lines/s; 20 lines not delivered \\(they are read again on restart\\)\n"), err);
            } finally {
                if (p.isAlive()) { p.destroyForcibly(); p.waitFor(); }
            }
        }
        JsonNode cp = JSON.readTree(state.resolve("checkpoints.json").toFile()).get("files").get(0);
        assertEquals(0, cp.get("offset").asLong(), "nothing checkpointed past what was delivered: " + cp);
        Path out = tmp.resolve("stuck-out.jsonl");
        var again = logship("--once", "--path", f.toString(), "--state", state.toString(), "--to", "file:" + out);
        assertEquals(0, again.exit(), again.toString());
        assertEquals(b.toString().lines().toList(), lineTexts(events(out)), "read again on restart");
    }

    // ---- golden outputs: --once to stdout in each --parse mode -------------------------------------------

    /**
     * One file per mode, shipped with --once to stdout. Fixture timestamps are in 2001 and kept; an event
     * without one carries the time it was read, which becomes "<now>". The run's duration and rate in
     * the last stderr line become "<t>" and "<n>". --batch-wait 10m makes the one batch certain.
     */
    Golden golden(String name, String content, String... args) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, content);
        List<String> a = new ArrayList<>(List.of("--once", "--path", f.toString(), "--batch-wait", "10m"));
        a.addAll(List.of(args));
        var r = logship(a.toArray(String[]::new));
        return Golden.of(r).literal(tmp.toString(), "<tmp>")
                .regex("\"time\":\"(?!2001-)\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\"", "\"time\":\"<now>\"")
                .regex("; [\\d.]+ s, \\d+ lines/s$", "; <t> s, <n> lines/s");
    }

    @Test void goldenOnceOutputInEachParseMode() throws Exception {
        golden("none.log", "plain line\n  leading spaces and a\ttab\n\"quoted\" and back\\slash\ncrlf line\r\n\nunicode: h\u00e9llo \u2713\nlast line without newline",
                "--label", "env=test", "--label", "team=ops").check("logship.parse-none");
        golden("json.log", """
                {"time":"2001-02-03T04:05:06Z","level":"info","msg":"started","n":1,"ok":true,"tags":["a","b"],"nested":{"k":null}}
                {"time":"2001-02-03T04:05:07.250+02:00","level":"warn","msg":"an offset"}
                not json at all
                {"level":"error","msg":"cut short"
                [1,2,3]
                {"time":"yesterday","msg":"a bad timestamp"}
                {"msg":"no time field"}
                """, "--parse", "json", "--timestamp-field", "time").check("logship.parse-json");
        golden("logfmt.log", """
                ts=981173106 level=info msg="user logged in" user=alice
                ts=981173107.5 level=warn msg="a \\"quote\\" inside" retry
                level=debug msg=no-ts
                ts=notanumber msg=bad
                just some words
                """, "--parse", "logfmt", "--timestamp-field", "ts", "--timestamp-format", "unix").check("logship.parse-logfmt");
        golden("access.log", """
                192.0.2.1 - - [03/Feb/2001:04:05:06 +0000] "GET /index.html HTTP/1.1" 200 512
                192.0.2.2 - - [03/Feb/2001:06:05:07 +0200] "POST /api HTTP/1.1" 500 -
                garbage line
                """, "--parse", "regex:^(?<ip>\\S+) \\S+ \\S+ \\[(?<ts>[^\\]]+)\\] \"(?<method>\\S+) (?<path>\\S+)[^\"]*\" (?<status>\\d{3}) (?:(?<bytes>\\d+)|-)$",
                "--timestamp-field", "ts", "--timestamp-format", "dd/MMM/yyyy:HH:mm:ss Z").check("logship.parse-regex");
        golden("multi.log", """
                a continuation before any start
                2001-02-03 04:05:06 ERROR boom
                java.lang.IllegalStateException: x
                \tat A.b(A.java:1)
                \tat A.main(A.java:9)
                2001-02-03 04:05:07 DEBUG noise
                2001-02-03 04:05:08 INFO fine
                2001-02-03 04:05:09 WARN the last event
                  goes on, without a newline""",
                "--multiline-start", "^\\d{4}-", "--exclude", "DEBUG", "--parse", "regex:^(?<ts>\\S+ \\S+) (?<level>[A-Z]+)",
                "--timestamp-field", "ts", "--timestamp-format", "yyyy-MM-dd HH:mm:ss").check("logship.multiline");
    }
}
