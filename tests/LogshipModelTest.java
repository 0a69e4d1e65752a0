import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A randomized model test of logship's guarantee. A generator applies a random sequence of
 * operations to real files while logship (a real process, shipping to a real HTTP receiver) runs:
 * append, append without newline (half a line, the rest later), rename rotation, copytruncate,
 * delete and recreate, gzip of a rotated file, delete of an old rotation, kill -9 and restart of
 * logship, and sink outages (the receiver answers 503). A model of what was written predicts what
 * must arrive. The assertions: every line arrives at least once; a line arrives twice only in
 * different lives of logship (it was in flight at a kill -9), and never more than --batch-lines
 * per kill, or in one life when logship said it sent a batch again after --sink-timeout; the lines of one file arrive in order within a life; nothing arrives that was never
 * written (a .gz rotation is not shipped again).
 *
 * Operations that destroy data (delete, truncate, gzip, removing an old rotation) happen, as a
 * careful logrotate configuration makes them happen, only to files whose lines have all arrived:
 * what is destroyed before any agent could read it is lost for every agent. Copytruncate's copy is
 * named outside --path (a copy is a new file: an agent following it ships its lines again).
 *
 * Each run replays a few fixed seeds (see below), or tries OPS_MODEL_SEEDS random ones and reports every
 * seed that failed; a failure prints the seed, the sequence, logship's stderr and the checkpoints each
 * life started from, and OPS_MODEL_SEED=N replays that one seed.
 */
class LogshipModelTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int BATCH = 20;
    @TempDir Path tmp;

    @Test void randomSequencesOfRotationsTruncationsCrashesAndOutagesLoseNoLine() throws Exception {
        String replay = System.getenv("OPS_MODEL_SEED");
        List<Long> seeds = new ArrayList<>();
        if (replay != null) {
            for (String r : replay.split(",")) seeds.add(Long.parseLong(r.strip()));       // one seed, or several: 1,2,3
        } else {
            // CI replays fixed seeds, each one that once failed: 2965558418 (a kill -9 before the first checkpoint
            // was on disk, then a half line rotated out of the glob), 3750123785 (a half line in a file first seen
            // under a rotated name), 3485471486 (a deleted file's inode reused by a .gz rotation), 2924078240 (a kill -9
            // during the start, after the first scan's save and before the rotations found while down were saved;
            // it needs that timing, so it fails only now and then without the fix); a random search runs with
            // OPS_MODEL_SEEDS=N.
            if (System.getenv("OPS_MODEL_SEEDS") == null) seeds.addAll(List.of(42L, 1346111734L, 2965558418L, 3750123785L, 3485471486L, 2924078240L));
            int n = Integer.parseInt(System.getenv().getOrDefault("OPS_MODEL_SEEDS", "0"));
            Random r = new Random();
            for (int i = 0; i < n; i++) seeds.add(r.nextLong() & 0xFFFF_FFFFL);
        }
        List<AssertionError> failed = new ArrayList<>();           // every seed runs: a search reports all its failures
        for (long seed : seeds) {
            Model m = new Model(seed, Files.createDirectories(tmp.resolve("seed-" + seed)));
            try {
                m.run();
            } catch (Throwable t) {
                failed.add(new AssertionError("model test failed for seed " + seed + " (replay: OPS_MODEL_SEED=" + seed
                        + " ./jbang tests/run.java LogshipModelTest): " + t.getMessage() + "\nsequence:\n  " + String.join("\n  ", m.ops)
                        + "\nlogship's stderr (last 40 lines):\n" + m.errTail() + "\n" + m.stateTail(), t));
                System.err.println(failed.get(failed.size() - 1).getMessage());
            } finally {
                m.close();
            }
        }
        if (!failed.isEmpty()) {
            List<String> which = new ArrayList<>();
            for (AssertionError e : failed) which.add(e.getMessage().split(" \\(replay", 2)[0]);
            AssertionError all = new AssertionError(failed.size() + " of " + seeds.size() + " seeds failed: " + which, failed.get(0));
            throw all;
        }
    }

    // ---- the edge cases other agents got wrong, one by one -------------------------------------------

    Process logship(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(Proc.javaCommand("logship", "-Xmx128m"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectOutput(dir.resolve("out").toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("err").toFile())).start();
    }

    static List<String> lines(Path out) throws Exception {
        List<String> l = new ArrayList<>();
        if (!Files.exists(out)) return l;
        for (String s : Files.readAllLines(out)) if (!s.isBlank()) l.add(JSON.readTree(s).get("line").asText());
        return l;
    }

    static List<String> await(Path out, int n) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        List<String> l = lines(out);
        while (l.size() < n && System.nanoTime() < end) {
            Thread.sleep(50);
            l = lines(out);
        }
        return l;
    }

    /**
     * Vector #7990 (gzip'd rotations shipped again), #2701 (files smaller than the fingerprint never
     * read), and two files with the same first bytes (a header every restart of the app writes) told
     * apart, across a restart: one logship run with --path 'app*.log*'.
     */
    @Test void gzRotationsEmptyAndTinyFilesAndTwinFirstBytes() throws Exception {
        Path logs = Files.createDirectories(tmp.resolve("edge")), out = tmp.resolve("edge.jsonl"), state = tmp.resolve("edge-state");
        String header = "=== app 1.2.3 starting: config /etc/app.yaml, " + "x".repeat(300) + "\n";   // longer than the 256-byte fingerprint
        Files.writeString(logs.resolve("app.log"), header + "first file 1\n");
        Files.writeString(logs.resolve("app-empty.log"), "");
        Files.writeString(logs.resolve("app-tiny.log"), "t");                                     // one byte, no newline yet
        String[] args = {"--path", logs + "/app*.log*", "--from-beginning", "--state", state.toString(), "--to", "file:" + out,
            "--batch-wait", "50ms", "--rotate-wait", "500ms", "--stats-interval", "0"};
        Process p = logship(tmp, args);
        try {
            assertEquals(List.of(header.strip(), "first file 1"), await(out, 2).subList(0, 2));
            Files.writeString(logs.resolve("app-tiny.log"), "1\n", StandardOpenOption.APPEND);     // the tiny file's line completes
            Files.writeString(logs.resolve("app-empty.log"), "e\n", StandardOpenOption.APPEND);    // the empty file gets one
            await(out, 4);
            // logrotate with compress: app.log -> app.log.1, the app writes the same header to a new app.log, then app.log.1 -> app.log.1.gz
            Files.move(logs.resolve("app.log"), logs.resolve("app.log.1"));
            Files.writeString(logs.resolve("app.log"), header + "second file 1\n");
            await(out, 6);
            try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(logs.resolve("app.log.1.gz")))) {
                Files.copy(logs.resolve("app.log.1"), gz);
            }
            Files.delete(logs.resolve("app.log.1"));
            Thread.sleep(1500);                                                                    // a scan or two
        } finally {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
        }
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("err")));
        // while stopped: the app restarts and writes its header to yet another new app.log, the tiny file grows
        Files.move(logs.resolve("app.log"), logs.resolve("app.log.2"));
        Files.writeString(logs.resolve("app.log"), header + "third file 1\n");
        Files.writeString(logs.resolve("app-tiny.log"), "t2\n", StandardOpenOption.APPEND);
        p = logship(tmp, args);
        try {
            await(out, 9);
            Thread.sleep(1500);
        } finally {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
        }
        List<String> got = lines(out);
        List<String> want = List.of(header.strip(), "first file 1", "t1", "e", header.strip(), "second file 1", header.strip(), "third file 1", "t2");
        assertEquals(new java.util.TreeMap<>(count(want)), new java.util.TreeMap<>(count(got)),
                "every line once: the .gz not shipped, the tiny and empty files read, each twin-header file read whole\n" + Files.readString(tmp.resolve("err")));
    }

    static Map<String, Integer> count(List<String> l) {
        Map<String, Integer> m = new HashMap<>();
        for (String s : l) m.merge(s, 1, Integer::sum);
        return m;
    }

    /** One live file name and its history: the lines written, by id. */
    static final class Stream {
        final String name;
        int gen;                                   // the live file's generation: a new file or a truncation starts one
        String pendingHalf;                        // the second half of a line written without its newline, or null
        final List<String> rotated = new ArrayList<>();  // names of rotations still on disk, oldest first
        Stream(String name) { this.name = name; }
    }

    final class Model implements AutoCloseable {
        final long seed;
        final Random rnd;
        final Path dir, logs, state;
        final String glob;
        final List<String> ops = new ArrayList<>();
        final Map<String, String> written = new LinkedHashMap<>();            // id -> full line text
        final Map<String, List<String>> inFile = new HashMap<>();             // file name -> ids of its lines (complete or pending)
        final List<Stream> streams = new ArrayList<>();
        final Map<String, List<Integer>> arrivals = new ConcurrentHashMap<>(); // id -> the lives it arrived in
        final List<String> arrivedInOrder = new CopyOnWriteArrayList<>();     // "life id" as received
        final AtomicBoolean outage = new AtomicBoolean();
        volatile int life;
        int kills, seq, copies;
        final HttpServer server;
        Process proc;

        Model(long seed, Path dir) throws Exception {
            this.seed = seed;
            this.rnd = new Random(seed);
            this.dir = dir;
            this.logs = Files.createDirectories(dir.resolve("logs"));
            this.state = dir.resolve("state");
            // Half the seeds match the rotated names too (app.log.3, app.log.3.gz): the rotations must be recognised, the .gz never shipped.
            this.glob = rnd.nextBoolean() ? logs + "/*.log" : logs + "/*.log*";
            ops.add("seed " + seed + ", --path " + glob);
            server = TestHttp.http();
            TestHttp.route(server, "/logs", ex -> {
                byte[] body = ex.getRequestBody().readAllBytes();
                if (outage.get()) { TestHttp.reply(ex, 503, "outage"); return; }
                for (JsonNode e : JSON.readTree(body)) {
                    int l = e.get("labels").get("life").asInt();   // the life that sent it (a request can be dispatched after its sender died)
                    String id = id(e.get("line").asText());
                    arrivals.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(l);
                    arrivedInOrder.add(l + " " + e.get("file").asText() + " " + e.get("line").asText());
                }
                TestHttp.reply(ex, 200, "");
            });
            server.start();
            for (String n : List.of("app.log", "web.log")) {
                Stream s = new Stream(n);
                streams.add(s);
                Files.writeString(logs.resolve(n), "");
            }
        }

        /** "app 12 0 xxx" -> "app 12": the stream and sequence number identify a line. */
        String id(String line) {
            String[] w = line.split(" ", 4);
            return w.length < 2 ? line : w[0] + " " + w[1];
        }

        void start() throws Exception {
            states.add("life " + life + " starts with " + (Files.exists(state.resolve("checkpoints.json")) ? Files.readString(state.resolve("checkpoints.json")) : "no checkpoints")
                    + "\n  files: " + inodes());
            List<String> cmd = new ArrayList<>(Proc.javaCommand("logship", "-Xmx128m"));
            cmd.addAll(List.of("--path", glob, "--from-beginning", "--state", state.toString(), "--to", "http:" + TestHttp.base(server) + "/logs",
                    "--batch-lines", Integer.toString(BATCH), "--batch-wait", "50ms", "--rotate-wait", "1s", "--stats-interval", "0",
                    "--sink-timeout", "2s", "--label", "life=" + life));
            int before = announcements();
            proc = new ProcessBuilder(cmd).redirectOutput(dir.resolve("out").toFile())
                    .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("err").toFile())).start();
            awaitFirstScan(before);
        }

        /**
         * Every start: the sequence goes on once this logship says what it follows (it says so once their
         * checkpoints are on disk). Until then it is still starting (a JVM on a busy 2-core box takes a
         * second or more) and follows nothing: lines written and rotated out of the glob then, with the
         * rotation that the checkpoints knew deleted too, are beyond any agent (tail -F, Filebeat between
         * scans), and a kill -9 then is no different from not starting. Rotations while logship is down
         * are the checkpoints' job, and the model checks them.
         */
        void awaitFirstScan(int before) throws Exception {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);          // generous: a niced search on a loaded box
            while (announcements() <= before) {
                if (System.nanoTime() > end || !proc.isAlive()) throw new AssertionError("logship did not start: " + Files.readString(dir.resolve("err")));
                Thread.sleep(10);
            }
        }

        /** How many times logship said what it follows (once a start: the model uses one --path). */
        int announcements() throws Exception {
            Path err = dir.resolve("err");
            if (!Files.exists(err)) return 0;
            return (int) Files.readString(err).lines().filter(l -> l.matches("logship: (following \\d+ files? for --path|warning: --path) .*")).count();
        }

        void run() throws Exception {
            start();
            int steps = 18 + rnd.nextInt(10);
            for (int i = 0; i < steps; i++) {
                step();
                Thread.sleep(rnd.nextInt(150));
            }
            finish();
        }

        void step() throws Exception {
            Stream s = streams.get(rnd.nextInt(streams.size()));
            int op = rnd.nextInt(100);
            boolean up = proc != null;
            if (op < 30) append(s, 1 + rnd.nextInt(rnd.nextBoolean() ? 5 : 60));
            else if (op < 40) appendHalf(s);
            else if (op < 55) rotate(s);
            else if (op < 62) copytruncate(s);
            else if (op < 69) deleteAndRecreate(s);
            else if (op < 76) gzipRotated(s);
            else if (op < 86) {
                if (up) kill();
                else restart();
            } else if (op < 94) {
                outage.set(!outage.get());
                ops.add(outage.get() ? "sink outage starts" : "sink outage ends");
            } else if (!up) restart();
            else append(s, 1);
        }

        String line(Stream s) {
            String id = s.name.substring(0, 3) + " " + (seq++);
            int pad = rnd.nextInt(10) < 2 ? 0 : rnd.nextInt(rnd.nextInt(10) < 1 ? 600 : 80);
            String text = id + " " + s.gen + " " + "p".repeat(pad);
            written.put(id, text);
            inFile.computeIfAbsent(s.name, k -> new ArrayList<>()).add(id);
            return text;
        }

        void write(Stream s, String text) throws Exception {
            Files.writeString(logs.resolve(s.name), text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }

        void append(Stream s, int n) throws Exception {
            StringBuilder b = new StringBuilder();
            if (s.pendingHalf != null) {
                b.append(s.pendingHalf).append('\n');
                s.pendingHalf = null;
            }
            for (int i = 0; i < n; i++) b.append(line(s)).append('\n');
            write(s, b.toString());
            ops.add("append " + n + " lines to " + s.name);
        }

        void appendHalf(Stream s) throws Exception {
            if (s.pendingHalf != null) {
                append(s, 0);
                return;
            }
            String text = line(s);
            int header = text.indexOf(' ', text.indexOf(' ', text.indexOf(' ') + 1) + 1) + 1;   // "app 12 0 " is always written whole
            int cut = header + rnd.nextInt(text.length() - header + 1);
            write(s, text.substring(0, cut));
            s.pendingHalf = text.substring(cut);
            ops.add("append half a line (" + cut + " of " + text.length() + " bytes, no newline) to " + s.name);
        }

        /** The rest of a half-written line (a line at the end of a file it leaves keeps what it has: that is what was written). */
        void endHalfLine(Stream s) {
            if (s.pendingHalf == null) return;
            List<String> ids = inFile.get(s.name);
            String id = ids.get(ids.size() - 1), full = written.get(id);     // the half line is the file's last
            written.put(id, full.substring(0, full.length() - s.pendingHalf.length()));
            s.pendingHalf = null;
        }

        /** logrotate's default: rename to NAME.N, the application opens a new NAME. */
        void rotate(Stream s) throws Exception {
            endHalfLine(s);
            String to = s.name + "." + (++copies);
            Files.move(logs.resolve(s.name), logs.resolve(to));
            List<String> ids = inFile.remove(s.name);
            inFile.put(to, ids == null ? new ArrayList<>() : ids);
            s.rotated.add(to);
            s.gen++;
            Files.writeString(logs.resolve(s.name), "");
            ops.add("rename-rotate " + s.name + " -> " + to + (proc == null ? " (logship down)" : ""));
            if (s.rotated.size() > 2) dropOldest(s);
        }

        void dropOldest(Stream s) throws Exception {
            String old = s.rotated.get(0);
            if (!allArrived(old)) {
                ops.add("(keep " + old + ": not all its lines arrived yet)");
                return;
            }
            s.rotated.remove(0);
            Files.deleteIfExists(logs.resolve(old));
            Files.deleteIfExists(logs.resolve(old + ".gz"));
            ops.add("delete old rotation " + old);
        }

        /** logrotate's copytruncate: copy (named outside --path), then truncate the live file in place. */
        void copytruncate(Stream s) throws Exception {
            if (s.pendingHalf != null) append(s, 0);
            if (!caughtUp(s.name)) return;
            Path copy = logs.resolve(s.name.replace(".log", "") + "." + (++copies) + ".copy");
            Files.copy(logs.resolve(s.name), copy);
            try (var ch = java.nio.channels.FileChannel.open(logs.resolve(s.name), StandardOpenOption.WRITE)) {
                ch.truncate(0);
            }
            inFile.put(s.name, new ArrayList<>());
            s.gen++;
            ops.add("copytruncate " + s.name + " (copy " + copy.getFileName() + ")" + (proc == null ? " (logship down)" : ""));
        }

        void deleteAndRecreate(Stream s) throws Exception {
            if (s.pendingHalf != null) append(s, 0);
            if (!caughtUp(s.name)) return;
            Files.delete(logs.resolve(s.name));
            inFile.put(s.name, new ArrayList<>());
            s.gen++;
            ops.add("delete " + s.name + (proc == null ? " (logship down)" : ""));
            append(s, rnd.nextInt(4));
        }

        /** gzip NAME.N (as logrotate's compress does: NAME.N.gz written, NAME.N removed). */
        void gzipRotated(Stream s) throws Exception {
            String r = null;
            for (String n : s.rotated) if (Files.exists(logs.resolve(n))) { r = n; break; }
            if (r == null) return;
            if (!allArrived(r) && !caughtUp(r)) return;
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(logs.resolve(r + ".gz")))) {
                Files.copy(logs.resolve(r), out);
            }
            Files.delete(logs.resolve(r));
            ops.add("gzip " + r + (proc == null ? " (logship down)" : ""));
        }

        void kill() throws Exception {
            proc.destroyForcibly().waitFor();
            proc = null;
            life++;
            kills++;
            ops.add("kill -9 logship");
        }

        void restart() throws Exception {
            start();
            ops.add("restart logship");
        }

        boolean allArrived(String file) {
            for (String id : inFile.getOrDefault(file, List.of())) if (written.containsKey(id) && !arrivals.containsKey(id)) return false;
            return true;
        }

        /**
         * Waits (logship up, sink up) until every line of {@code file} arrived; false (and the op is skipped)
         * when logship is down or the sink is out: destroying those lines then would lose them for any agent.
         */
        boolean caughtUp(String file) throws Exception {
            if (allArrived(file)) return true;
            if (proc == null || outage.get()) {
                ops.add("(skip destroying " + file + ": lines not arrived yet, logship " + (proc == null ? "down" : "up, sink out") + ")");
                return false;
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!allArrived(file)) {
                if (System.nanoTime() > end) throw new AssertionError("logship running and the sink up, yet lines of " + file + " did not arrive in 10 s: " + missing(5));
                Thread.sleep(20);
            }
            return true;
        }

        List<String> missing(int max) {
            List<String> l = new ArrayList<>();
            for (String id : written.keySet()) if (!arrivals.containsKey(id) && l.size() < max) l.add(id);
            return l;
        }

        void finish() throws Exception {
            outage.set(false);
            if (proc == null) restart();
            for (Stream s : streams) if (s.pendingHalf != null) append(s, 0);
            ops.add("end: sink up, logship up, every half line completed");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!missing(1).isEmpty() && System.nanoTime() < end) Thread.sleep(50);
            Thread.sleep(300);                                 // anything that would arrive twice or unasked for arrives now
            proc.destroy();
            assertTrue(proc.waitFor(20, TimeUnit.SECONDS), "logship ends on SIGTERM");
            int exit = proc.exitValue();
            proc = null;
            check();
            assertEquals(0, exit, "SIGTERM with everything delivered: exit 0");
        }

        void check() {
            List<String> lost = missing(10);
            assertTrue(lost.isEmpty(), "lines written and never arrived (first 10): " + lost);
            // A batch the receiver took longer than --sink-timeout to answer was sent again: its lines may arrive twice in one life.
            int timedOut = 0, inLife = 0;
            var said = java.util.regex.Pattern.compile("did not accept (\\d+) lines: no answer within").matcher(errAll());
            while (said.find()) timedOut += Integer.parseInt(said.group(1));
            int dups = 0;
            for (var e : arrivals.entrySet()) {
                List<Integer> lives = e.getValue();
                if (lives.size() > 1) {
                    dups += lives.size() - 1;
                    inLife += lives.size() - Set.copyOf(lives).size();
                    if (lives.size() != Set.copyOf(lives).size() && inLife > timedOut) {
                        List<String> from = new ArrayList<>();
                        for (String a : arrivedInOrder) if (id(a.split(" ", 3)[2]).equals(e.getKey())) from.add(a.split(" ", 3)[1]);
                        assertEquals(lives.size(), Set.copyOf(lives).size(), e.getKey() + " arrived twice in one life of logship: " + lives + ", from " + from);
                    }
                }
            }
            assertTrue(dups <= kills * BATCH + timedOut, dups + " duplicates for " + kills + " kills and " + timedOut
                    + " lines sent again after a sink timeout: more than the batch in flight at each");
            Map<String, Integer> lastSeq = new HashMap<>();
            for (String a : arrivedInOrder) {
                String[] w = a.split(" ", 3);
                String text = w[2], id = id(text);
                String want = written.get(id);
                assertTrue(want != null, "arrived but never written: '" + text + "' (from " + w[1] + ")");
                assertEquals(want, text, "arrived other than written");
                String[] t = text.split(" ", 4);
                String key = w[0] + " " + t[0] + " " + t[2];          // life, stream, generation: one file's lines
                int sq = Integer.parseInt(t[1]);
                Integer before = lastSeq.put(key, sq);
                assertTrue(before == null || before < sq, "out of order within " + key + ": " + sq + " after " + before);
            }
        }

        final List<String> states = new ArrayList<>();

        /** The files in logs/ by inode and size: what a checkpoint's dev:ino stands for. */
        String inodes() throws Exception {
            List<String> l = new ArrayList<>();
            try (var files = Files.list(logs)) {
                for (Path p : files.sorted().toList()) l.add(p.getFileName() + "=" + Files.getAttribute(p, "unix:ino") + "/" + Files.size(p));
            }
            return String.join(" ", l);
        }

        /** The checkpoints each life of logship started from, and the files then. */
        String stateTail() {
            try {
                return String.join("\n", states) + "\nat the end: " + inodes() + "\n" + Files.readString(state.resolve("checkpoints.json"));
            } catch (Exception e) {
                return String.join("\n", states);
            }
        }

        String errAll() {
            try {
                return Files.readString(dir.resolve("err"));
            } catch (Exception e) {
                return "";
            }
        }

        String errTail() {
            try {
                List<String> l = Files.readAllLines(dir.resolve("err"));
                return String.join("\n", l.subList(Math.max(0, l.size() - 40), l.size()));
            } catch (Exception e) {
                return "(none)";
            }
        }

        @Override public void close() {
            if (proc != null) Proc.kill(proc);
            server.stop(0);
        }
    }
}
