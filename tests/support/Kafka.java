//DEPS org.apache.kafka:kafka-clients:4.1.1

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A real Apache Kafka broker (Maven Central's kafka_2.13, the same code as the release tarball's
 * kafka-server-start.sh) in KRaft combined mode (broker and controller in one process), as a child
 * JVM on loopback: its own data dir, formatted once by kafka.tools.StorageTool, then `kafka.Kafka
 * server.properties`, both run by the JBang script support/KafkaBroker.java (so the broker's jars are
 * neither on the harness's classpath nor in logship; this class needs only kafka-clients, for the
 * admin client and the consumer). {@link #stop} kills it (SIGKILL, as a crash), {@link #start} starts
 * it again on the same ports and data.
 */
public final class Kafka implements AutoCloseable {
    public final String host;
    public final int port, controllerPort;
    public final Path dir;
    private Process proc;

    private Kafka(String host, Path dir) throws IOException {
        this.host = host;
        this.dir = dir;
        this.port = freePort(host);
        this.controllerPort = freePort(host);
    }

    /** host:port for clients. */
    public String bootstrap() { return host + ":" + port; }

    /** Formats a data dir under {@code dir} and starts the broker; waits until it answers. */
    public static Kafka start(String host, Path dir) throws Exception {
        Kafka k = new Kafka(host, Files.createDirectories(dir));
        k.configure();
        k.start();
        return k;
    }

    private void configure() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("server.properties"), String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + host + ":" + controllerPort,
                "listeners=PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort,
                "advertised.listeners=PLAINTEXT://" + host + ":" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + data,
                "num.partitions=3",
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "group.initial.rebalance.delay.ms=0",
                "") + "\n");
        // The first run builds the script and resolves the broker's jars: generous on a busy box.
        var r = Proc.run(broker("storage", "format", "-t", Uuid.randomUuid().toString(), "-c", dir.resolve("server.properties").toString()),
                Duration.ofSeconds(180));
        if (r.exit() != 0) throw new AssertionError("kafka-storage format failed: " + r);
    }

    /** ./jbang support/KafkaBroker.java ARGS, with this JVM's Java (the launcher picks it up from JAVA_HOME). */
    private static List<String> broker(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Proc.REPO.resolve("jbang").toString(), Proc.REPO.resolve("tests/support/KafkaBroker.java").toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts (or starts again) the broker on the same ports and data; waits until a client gets metadata. */
    public void start() throws Exception {
        proc = new ProcessBuilder(broker(dir.resolve("server.properties").toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile())).start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            if (!proc.isAlive()) throw new AssertionError("the Kafka broker exited " + proc.exitValue() + ":\n" + tail());
            if (listening()) {
                try (Admin a = admin()) {
                    a.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (Exception notYet) {
                    // the listener is up before the broker is ready
                }
            }
            if (System.nanoTime() > end) throw new AssertionError("the Kafka broker did not start within 60 s:\n" + tail());
            Thread.sleep(100);
        }
    }

    /** SIGKILL, as a crash or a pulled cable; {@link #start} brings it back. */
    public void stop() {
        if (proc != null) Proc.kill(proc);
        proc = null;
    }

    public boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(p);
    }

    public void createTopic(String name, int partitions) throws Exception {
        try (Admin a = admin()) {
            a.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Every record of {@code topic} from the beginning, partition by partition in offset order (key and value as UTF-8). */
    public Map<Integer, List<ConsumerRecord<byte[], byte[]>>> readAll(String topic, Duration max) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(8 << 20));
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> out = new HashMap<>();
        try (var c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (var info : c.partitionsFor(topic, Duration.ofSeconds(10))) parts.add(new TopicPartition(topic, info.partition()));
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> ends = c.endOffsets(parts, Duration.ofSeconds(10));
            long deadline = System.nanoTime() + max.toNanos();
            while (System.nanoTime() < deadline) {
                boolean done = true;
                for (TopicPartition tp : parts) if (c.position(tp) < ends.get(tp)) done = false;
                if (done) break;
                for (var rec : c.poll(Duration.ofMillis(200))) out.computeIfAbsent(rec.partition(), k -> new ArrayList<>()).add(rec);
            }
        }
        return out;
    }

    /** The sum of the end offsets of {@code topic}'s partitions: how many records it holds. */
    public long count(String topic) throws Exception {
        try (Admin a = admin()) {
            return count(a, topic);
        }
    }

    /** {@link #count(String)} through an open admin client (a poll loop that should cost the machine little). */
    public static long count(Admin a, String topic) throws Exception {
        var d = a.describeTopics(Set.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
        Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> q = new HashMap<>();
        for (var pi : d.partitions()) q.put(new TopicPartition(topic, pi.partition()), org.apache.kafka.clients.admin.OffsetSpec.latest());
        long n = 0;
        for (var v : a.listOffsets(q).all().get(10, TimeUnit.SECONDS).values()) n += v.offset();
        return n;
    }

    public String tail() {
        try {
            List<String> l = Files.readAllLines(dir.resolve("broker.log"));
            return String.join("\n", l.subList(Math.max(0, l.size() - 40), l.size()));
        } catch (IOException e) {
            return "(no broker.log)";
        }
    }

    @Override public void close() {
        stop();
    }

    /** A free TCP port on {@code host} (an address in the test's own 127.x range). */
    static int freePort(String host) throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }
}
