///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//JAVA_OPTIONS -Xmx1g --enable-native-access=ALL-UNNAMED
//DEPS org.junit.jupiter:junit-jupiter-api:5.13.4
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//DEPS org.slf4j:slf4j-nop:2.0.17
//SOURCES ../support/Kafka.java ../support/Proc.java ../support/ScriptRun.java ../../lib/cli/Jvm.java logship_vs_rsyslog.java

/*
 * logship vs rsyslog (imfile -> omkafka, Debian's rsyslog-kafka), file to Kafka, on the same
 * broker and the same file in one run.
 *
 *   ./jbang tests/bench/logship_kafka_vs_rsyslog.java [LINES] [ROUNDS]     (defaults: 2000000 lines, 3 rounds)
 *
 * Starts a real Kafka broker (KRaft, a child JVM on 127.34.0.1, as the tests do), generates LINES
 * nginx-style access-log lines (about 267 MB for 2M), then per round and tool a fresh topic of 3
 * partitions and:
 *   rsyslog: its own rsyslogd -n (own config, pid file and work directory; never the system one)
 *     with imfile reading the file from the start and omkafka sending each line as a JSON event
 *     ({"time","file","line"}, like logship's) with acks=all, idempotence and lz4 (librdkafka),
 *     and resubmitOnFailure="on" (without it omkafka drops what librdkafka's full local queue
 *     refuses: "Local: Queue full", lines lost); timed from start until the topic holds every line;
 *   logship: `./jbang logship@ops --once --from-beginning --to kafka:...` (acks=all, idempotence,
 *     lz4), timed as a process, JBang and JVM start-up included.
 * Every topic is then read back and checked to hold every line exactly (count, and an
 * order-independent checksum of the lines). Prints the medians and the ratio against the goal
 * (logship at most 0.7x rsyslog's wall time). Needs rsyslog and rsyslog-kafka.
 */

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

public class logship_kafka_vs_rsyslog {
    static final ObjectMapper JSON = new ObjectMapper();

    record Sum(long lines, long crc) {}

    public static void main(String... args) throws Exception {
        long want = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        if (!new File("/usr/sbin/rsyslogd").canExecute() || !new File("/usr/lib/x86_64-linux-gnu/rsyslog/omkafka.so").exists()) {
            System.err.println("needs rsyslogd and omkafka: apt-get install rsyslog rsyslog-kafka");
            System.exit(2);
        }
        Path dir = Files.createTempDirectory("logship-kafka-bench");
        Kafka kafka = null;
        try {
            Path log = dir.resolve("access.log");
            logship_vs_rsyslog.generate(log, want * 1335 / 10);               // nginx lines average about 133.5 bytes
            Sum input = sum(log);
            System.out.printf(Locale.ROOT, "input: %,d lines, %.0f MB (%s)%n", input.lines(), Files.size(log) / 1e6, log);
            kafka = Kafka.start("127.34.0.1", dir.resolve("broker"));
            System.out.println("broker: Apache Kafka 4.1.1 (KRaft) at " + kafka.bootstrap());
            Path repo = Path.of("").toAbsolutePath();
            logship_vs_rsyslog.run(List.of(repo + "/jbang", "logship@ops", "--help"), dir);   // build once, outside the timing

            List<Double> rs = new ArrayList<>(), ls = new ArrayList<>();
            for (int r = 1; r <= rounds; r++) {
                rs.add(rsyslog(kafka, dir, log, input, "rs-" + r));
                ls.add(logship(kafka, repo, dir, log, input, "ls-" + r));
                System.out.printf(Locale.ROOT, "round %d: rsyslog %.2f s, logship %.2f s (every line present in both topics), load average %s%n", r, rs.get(r - 1), ls.get(r - 1),
                        Files.readString(Path.of("/proc/loadavg")).split(" (?=\\d+/)")[0]);
            }
            double rm = median(rs), lm = median(ls);
            System.out.println();
            System.out.println("| tool | median wall | lines/s | MB/s |");
            System.out.println("|---|---:|---:|---:|");
            long bytes = Files.size(log);
            System.out.printf(Locale.ROOT, "| rsyslog imfile -> omkafka (JSON event) | %.2f s | %,.0f | %.1f |%n", rm, input.lines() / rm, bytes / 1e6 / rm);
            System.out.printf(Locale.ROOT, "| logship --to kafka: | %.2f s | %,.0f | %.1f |%n", lm, input.lines() / lm, bytes / 1e6 / lm);
            System.out.println();
            System.out.printf(Locale.ROOT, "logship / rsyslog: %.2f (goal <= 0.70)  %s%n", lm / rm, lm / rm <= 0.7 ? "met" : "NOT met");
        } finally {
            if (kafka != null) kafka.close();
            try (var w = Files.walk(dir)) {
                w.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static double median(List<Double> l) {
        List<Double> s = new ArrayList<>(l);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    /** The lines of a file: how many, and the sum of their CRC32s (order-independent). */
    static Sum sum(Path f) throws Exception {
        long n = 0, crc = 0;
        try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            for (String l; (l = r.readLine()) != null; ) {
                n++;
                crc += crc(l);
            }
        }
        return new Sum(n, crc);
    }

    static long crc(String s) {
        CRC32 c = new CRC32();
        c.update(s.getBytes(StandardCharsets.UTF_8));
        return c.getValue();
    }

    /** Every record of the topic read back: the "line" of each JSON event, counted and summed. */
    static void check(Kafka kafka, String topic, Sum input, String tool) throws Exception {
        long n = 0, crc = 0;
        for (var part : kafka.readAll(topic, Duration.ofMinutes(5)).values()) {
            for (var rec : part) {
                n++;
                crc += crc(JSON.readTree(rec.value()).get("line").asText());
            }
        }
        if (n != input.lines() || crc != input.crc()) {
            throw new IllegalStateException(tool + ": topic " + topic + " holds " + n + " records (checksum " + (crc == input.crc() ? "equal" : "differs")
                    + "), the file " + input.lines() + " lines");
        }
    }

    static double rsyslog(Kafka kafka, Path dir, Path log, Sum input, String topic) throws Exception {
        kafka.createTopic(topic, 3);
        Path work = Files.createDirectories(dir.resolve("rswork-" + topic)), conf = dir.resolve("rs-" + topic + ".conf");
        Files.writeString(conf, "global(workDirectory=\"" + work + "\" maxMessageSize=\"64k\")\n"
                + "module(load=\"imfile\")\n"
                + "module(load=\"omkafka\")\n"
                + "template(name=\"event\" type=\"list\") {\n"
                + "  constant(value=\"{\\\"time\\\":\\\"\") property(name=\"timegenerated\" dateFormat=\"rfc3339\")\n"
                + "  constant(value=\"\\\",\\\"file\\\":\\\"\") property(name=\"$!metadata!filename\" format=\"json\")\n"
                + "  constant(value=\"\\\",\\\"line\\\":\\\"\") property(name=\"rawmsg\" format=\"json\")\n"
                + "  constant(value=\"\\\"}\")\n"
                + "}\n"
                + "input(type=\"imfile\" File=\"" + log + "\" Tag=\"app\" freshStartTail=\"off\" addMetadata=\"on\" ruleset=\"out\")\n"
                + "ruleset(name=\"out\") { action(type=\"omkafka\" broker=[\"" + kafka.bootstrap() + "\"] topic=\"" + topic + "\" template=\"event\"\n"
                + "  partitions.auto=\"on\" resubmitOnFailure=\"on\" action.resumeRetryCount=\"-1\"\n"
                + "  confParam=[\"enable.idempotence=true\", \"acks=all\", \"compression.codec=lz4\", \"queue.buffering.max.ms=5\"]) }\n");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("/usr/sbin/rsyslogd", "-n", "-f", conf.toString(), "-i", dir.resolve("rs-" + topic + ".pid").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("rs-" + topic + ".log").toFile()).start();
        try (var admin = kafka.admin()) {                      // one client for the poll: its cost is not rsyslog's
            long last = -1, lastChange = System.nanoTime();
            for (long n; (n = Kafka.count(admin, topic)) < input.lines(); ) {
                if (!p.isAlive()) throw new IllegalStateException("rsyslogd exited: " + Files.readString(dir.resolve("rs-" + topic + ".log")));
                if (n != last) {
                    last = n;
                    lastChange = System.nanoTime();
                } else if (System.nanoTime() - lastChange > TimeUnit.SECONDS.toNanos(60)) {
                    throw new IllegalStateException("rsyslog stalled at " + n + " of " + input.lines() + " records for 60 s: "
                            + tail(dir.resolve("rs-" + topic + ".log")));
                }
                Thread.sleep(50);
            }
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) Proc.kill(p);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        check(kafka, topic, input, "rsyslog");
        return s;
    }

    static String tail(Path f) throws Exception {
        List<String> l = Files.readAllLines(f);
        return String.join("\n", l.subList(Math.max(0, l.size() - 5), l.size()));
    }

    static double logship(Kafka kafka, Path repo, Path dir, Path log, Sum input, String topic) throws Exception {
        kafka.createTopic(topic, 3);
        long t0 = System.nanoTime();
        logship_vs_rsyslog.run(List.of(repo + "/jbang", "logship@ops", "--once", "--from-beginning", "--path", log.toString(),
                "--stats-interval", "0", "--to", "kafka:" + kafka.bootstrap() + "/" + topic), dir);
        double s = (System.nanoTime() - t0) / 1e9;
        check(kafka, topic, input, "logship");
        return s;
    }
}
