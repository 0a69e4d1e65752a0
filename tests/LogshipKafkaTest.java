import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * logship's Kafka sink against a real Apache Kafka broker (KRaft, a child JVM on 127.34.0.1, one
 * for the class): every line read back with a consumer and checked against its sequence number,
 * in order per file, across a broker crash and restart and a logship kill -9; a missing topic and
 * a broker that is down pause the pipeline and say why; bad settings are input errors; --help
 * does not load the Kafka client.
 */
class LogshipKafkaTest {
    static final String HOST = "127.34.0.1";
    static final ObjectMapper JSON = new ObjectMapper();
    static Path brokerDir;
    static Kafka kafka;
    @TempDir Path tmp;

    @BeforeAll static void broker() throws Exception {
        brokerDir = Files.createTempDirectory("ops-kf-broker");
        kafka = Kafka.start(HOST, brokerDir);
    }

    @AfterAll static void stopBroker() throws Exception {
        if (kafka != null) kafka.close();
        if (brokerDir != null) Proc.sh("rm -rf " + brokerDir);
    }

    Process start(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(Proc.javaCommand("logship", "-Xmx128m", "--enable-native-access=ALL-UNNAMED"));   // as the script's JAVA_OPTIONS
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectOutput(tmp.resolve("logship.out").toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(tmp.resolve("logship.err").toFile())).start();
    }

    String err() throws Exception {
        Path f = tmp.resolve("logship.err");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    @Test void everyLineArrivesInOrderAcrossABrokerCrashAndALogshipKill9() throws Exception {
        String topic = "kf-restart";
        kafka.createTopic(topic, 3);
        Path logs = Files.createDirectories(tmp.resolve("logs"));
        String[] names = {"a.log", "b.log", "c.log"};
        for (String n : names) Files.writeString(logs.resolve(n), "");
        String[] args = {"--path", logs + "/*.log", "--from-beginning", "--state", tmp.resolve("state").toString(), "--to", "kafka:" + kafka.bootstrap() + "/" + topic,
            "--batch-lines", "300", "--batch-wait", "50ms", "--sink-timeout", "3s", "--stats-interval", "0"};
        AtomicInteger[] written = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
        Process p = start(args);
        awaitErr("logship: following 3 files", p);
        // 1. the broker is up: lines written now arrive
        write(logs, names, written, 200);
        awaitCount(topic, total(written), "lines written while the broker is up");
        // 2. the broker crashes, then lines are written: logship must hold them and retry, and say why
        kafka.stop();
        write(logs, names, written, 200);
        awaitErr("did not accept", p);
        assertTrue(err().matches("(?s).*did not accept \\d+ lines: no broker reachable at " + java.util.regex.Pattern.quote(kafka.bootstrap()) + ".*"),
                "the outage is said: " + err());
        assertTrue(p.isAlive(), "logship keeps running while the broker is down");
        // 3. the broker is back: the held lines arrive; lines keep coming, and logship is killed -9 among them
        kafka.start();
        int held = total(written);
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                while (writing.get()) {
                    write(logs, names, written, 40);
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try {
            awaitCount(topic, held, "the lines held during the outage, once the broker is back");
            long before = kafka.count(topic);
            awaitCount(topic, before + 120, "lines written after the broker came back");
            p.destroyForcibly().waitFor();                     // kill -9 logship while lines are written and shipped
            int announced = count(err(), "logship: following 3 files");
            p = start(args);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (count(err(), "logship: following 3 files") == announced && System.nanoTime() < end) Thread.sleep(50);
            before = kafka.count(topic);
            awaitCount(topic, before + 120, "lines shipped by the restarted logship");
        } finally {
            writing.set(false);
            writer.join();
        }
        awaitCount(topic, total(written), "every line written");
        p.destroy();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "SIGTERM with everything delivered: exit 0\n" + err());

        Map<String, List<Integer>> seqs = new HashMap<>();
        Map<String, Integer> partitionOf = new HashMap<>();
        for (var part : kafka.readAll(topic, Duration.ofSeconds(15)).entrySet()) {
            for (var rec : part.getValue()) {
                JsonNode ev = JSON.readTree(rec.value());
                String file = ev.get("file").asText(), line = ev.get("line").asText();
                assertEquals(file, new String(rec.key(), StandardCharsets.UTF_8), "the record key is the file's path");
                String[] w = line.split(" ");
                assertEquals(Path.of(file).getFileName().toString(), w[0], "a line comes from its own file: " + line);
                assertEquals("payload-" + "x".repeat(Integer.parseInt(w[1]) % 40), w[2], "the line arrives as written: " + line);
                Integer before = partitionOf.put(file, part.getKey());
                assertTrue(before == null || before == part.getKey(), file + " is in partitions " + before + " and " + part.getKey());
                seqs.computeIfAbsent(w[0], k -> new ArrayList<>()).add(Integer.parseInt(w[1]));
            }
        }
        int dups = 0;
        for (int f = 0; f < names.length; f++) {
            List<Integer> got = seqs.getOrDefault(names[f], List.of());
            TreeSet<Integer> distinct = new TreeSet<>(got);
            List<Integer> missing = new ArrayList<>();
            for (int i = 0; i < written[f].get() && missing.size() < 10; i++) if (!distinct.contains(i)) missing.add(i);
            assertTrue(missing.isEmpty(), names[f] + ": lines lost (first ones): " + missing + " of " + written[f].get() + "\n" + err());
            assertEquals(written[f].get(), distinct.size(), names[f] + ": lines that were never written");
            dups += got.size() - distinct.size();
            // In order within the partition: a sequence number only goes back where a batch was sent again
            // (after the broker crash or the kill -9), and then to a line it had already delivered.
            int high = -1;
            for (int s : got) {
                assertTrue(s <= high + 1, names[f] + ": " + s + " arrived before " + (high + 1));
                high = Math.max(high, s);
            }
        }
        String e = err();
        assertFalse(e.contains("WARNING"), "no JVM or library warnings: " + e);
        assertTrue(dups <= 3 * 2 * 300 * 2, "duplicates only from batches in flight at the crashes: " + dups);
    }

    /** {@code n} more lines to each file: "a.log 17 payload-xxx..." (the payload's length follows from the number). */
    static void write(Path logs, String[] names, AtomicInteger[] written, int n) throws Exception {
        for (int f = 0; f < names.length; f++) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < n; i++) {
                int seq = written[f].get() + i;
                b.append(names[f]).append(' ').append(seq).append(" payload-").append("x".repeat(seq % 40)).append('\n');
            }
            Files.writeString(logs.resolve(names[f]), b, StandardOpenOption.APPEND);
            written[f].addAndGet(n);                           // counted once on disk
        }
    }

    static int total(AtomicInteger[] written) {
        int t = 0;
        for (AtomicInteger w : written) t += w.get();
        return t;
    }

    static int count(String text, String what) {
        return text.split(java.util.regex.Pattern.quote(what), -1).length - 1;
    }

    /** Waits (60 s at most: a busy 2-core box) until the topic holds {@code n} records. */
    void awaitCount(String topic, long n, String what) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60), c = kafka.count(topic);
        while (c < n && System.nanoTime() < end) {
            Thread.sleep(100);
            c = kafka.count(topic);
        }
        assertTrue(c >= n, what + ": " + c + " of " + n + " records in " + topic + "\n" + err());
    }

    /** Waits (60 s at most) until logship's stderr holds {@code text}. */
    void awaitErr(String text, Process p) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!err().contains(text) && System.nanoTime() < end && p.isAlive()) Thread.sleep(50);
        assertTrue(err().contains(text), "logship says '" + text + "': " + err());
    }

    @Test void aMissingTopicPausesTheShipperAndSaysWhyUntilItExists() throws Exception {
        String topic = "kf-later";
        Path log = tmp.resolve("app.log");
        Files.writeString(log, "one\ntwo\n");
        Process p = start("--path", log.toString(), "--from-beginning", "--state", tmp.resolve("st").toString(),
                "--to", "kafka:" + kafka.bootstrap() + "/" + topic, "--sink-timeout", "1s", "--batch-wait", "50ms", "--stats-interval", "0");
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!err().contains("does not exist") && System.nanoTime() < end) Thread.sleep(100);
            assertTrue(err().contains("topic '" + topic + "' does not exist on " + kafka.bootstrap()), err());
            kafka.createTopic(topic, 1);
            end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (kafka.count(topic) < 2 && System.nanoTime() < end) Thread.sleep(200);
            assertEquals(2, kafka.count(topic), "the lines arrive once the topic exists\n" + err());
        } finally {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
        }
        assertEquals(0, p.exitValue(), err());
    }

    @Test void aBrokerThatIsNotThereIsNamedAndNothingIsCheckpointed() throws Exception {
        Path log = tmp.resolve("app.log");
        Files.writeString(log, "one\n");
        int dead = Kafka.freePort(HOST);
        Path state = tmp.resolve("st");
        Process p = start("--path", log.toString(), "--from-beginning", "--state", state.toString(), "--to", "kafka:" + HOST + ":" + dead + "/t",
                "--sink-timeout", "1s", "--shutdown-timeout", "1s", "--stats-interval", "0");
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!err().contains("no broker reachable") && System.nanoTime() < end) Thread.sleep(100);
        } finally {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
        }
        assertTrue(err().contains("did not accept 1 lines: no broker reachable at " + HOST + ":" + dead), err());
        assertEquals(1, p.exitValue(), "stopped with a line not delivered: exit 1\n" + err());
        JsonNode cp = JSON.readTree(state.resolve("checkpoints.json").toFile()).get("files").get(0);
        assertEquals(0, cp.get("offset").asLong(), "the checkpoint did not move: " + cp);
    }

    @Test void badKafkaSettingsAreInputErrorsNamingFileAndLine() throws Exception {
        Path log = tmp.resolve("app.log");
        Files.writeString(log, "one\n");
        Path props = tmp.resolve("kafka.properties");
        Files.writeString(props, "# TLS to the brokers\nsecurity.protocol=PLAINTEXT\nacks=1\n");
        var r = ScriptRun.run(logship::main, "--once", "--path", log.toString(), "--to", "kafka:" + kafka.bootstrap() + "/t", "--kafka-properties", props.toString());
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains(props + ":3: acks=1: logship needs acks=all"), r.err());
        Files.writeString(props, "linger.ms=10\nsasl.jass.config=secret\n");
        r = ScriptRun.run(logship::main, "--once", "--path", log.toString(), "--to", "kafka:" + kafka.bootstrap() + "/t", "--kafka-properties", props.toString());
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains(props + ":2: 'sasl.jass.config' is not a Kafka producer setting"), r.err());
        assertFalse(r.err().contains("secret"), "a value is never shown: " + r.err());
        r = ScriptRun.run(logship::main, "--once", "--path", log.toString(), "--to", "kafka:" + kafka.bootstrap() + "/bad topic");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("'bad topic' is not a valid Kafka topic name"), r.err());
        r = ScriptRun.run(logship::main, "--once", "--path", log.toString(), "--to", "kafka:" + kafka.bootstrap() + "/t", "--kafka-key", "host");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("--kafka-key 'host': expected 'file' or the name of a --label"), r.err());
        r = ScriptRun.run(logship::main, "--once", "--path", log.toString(), "--kafka-compression", "zstd");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("go with a kafka: sink"), r.err());
    }

    @Test void keyByLabelAndCompressionAreHonoured() throws Exception {
        String topic = "kf-label";
        kafka.createTopic(topic, 3);
        Path log = tmp.resolve("x.log"), log2 = tmp.resolve("y.log");
        Files.writeString(log, "a1\na2\n");
        Files.writeString(log2, "b1\n");
        var r = ScriptRun.run(logship::main, "--once", "--path", tmp + "/*.log", "--to", "kafka:" + kafka.bootstrap() + "/" + topic,
                "--label", "host=web1", "--kafka-key", "host", "--kafka-compression", "zstd");
        assertEquals(0, r.exit(), r.toString());
        var parts = kafka.readAll(topic, Duration.ofSeconds(10));
        assertEquals(1, parts.size(), "one key, one partition: " + parts.keySet());
        var recs = parts.values().iterator().next();
        assertEquals(3, recs.size());
        for (var rec : recs) assertEquals("web1", new String(rec.key(), StandardCharsets.UTF_8));
    }

    @Test void helpDoesNotLoadTheKafkaClient() throws Exception {
        List<String> cmd = new ArrayList<>(Proc.javaCommand("logship", "-Xlog:class+load=info"));
        cmd.add("--help");
        var r = Proc.run(cmd, Duration.ofSeconds(30));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("kafka:BROKER"), "the help names the sink");
        assertFalse(r.out().contains("org.apache.kafka"), "no Kafka class is loaded for --help");
        assertFalse(r.out().contains("logs.KafkaSink "), "nor logship's Kafka sink");
    }
}
