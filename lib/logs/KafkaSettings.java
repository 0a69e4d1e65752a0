package logs;

//DEPS org.apache.kafka:kafka-clients:4.1.1
//SOURCES ../cli/InputError.java ../cli/InputFile.java KafkaSink.java Sinks.java

import cli.InputError;
import cli.InputFile;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * What the Kafka producer is opened with, checked before anything is read: the brokers and topic
 * of --to kafka:BROKER[,BROKER...]/TOPIC, logship's producer defaults (acks=all, idempotence,
 * --kafka-compression, timeouts from --sink-timeout), and --kafka-properties FILE on top (TLS,
 * SASL, batch.size, linger.ms ...: secrets stay in the file, never in argv). A setting that is not
 * a producer setting, or one that would break the guarantee (acks other than all, idempotence
 * off), is an error naming FILE:LINE.
 */
record KafkaSettings(String name, List<InetSocketAddress> brokers, String topic, Properties producerProperties) {

    /** Settings logship owns: the guarantee and the record format depend on them. */
    private static final Set<String> OURS = Set.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    static final List<String> COMPRESSIONS = List.of("none", "gzip", "snappy", "lz4", "zstd");

    static KafkaSettings of(String to, Sinks.Config c) {
        String spec = to.substring("kafka:".length());
        int slash = spec.lastIndexOf('/');
        if (slash < 1 || slash == spec.length() - 1) throw new InputError("--to '" + to + "': expected kafka:BROKER[,BROKER...]/TOPIC, e.g. kafka:127.0.0.1:9092/logs");
        String topic = spec.substring(slash + 1);
        // Kafka's own rule for topic names (kafka.common.Topic): at most 249 of [a-zA-Z0-9._-], not "." or "..".
        if (!topic.matches("[a-zA-Z0-9._-]{1,249}") || topic.equals(".") || topic.equals("..")) {
            throw new InputError("--to '" + to + "': topic '" + topic + "' is not a valid Kafka topic name (up to 249 of a-z A-Z 0-9 . _ -)");
        }
        List<InetSocketAddress> brokers = new ArrayList<>();
        for (String b : spec.substring(0, slash).split(",")) brokers.add(broker(to, b.strip()));
        List<String> hostPorts = new ArrayList<>();
        for (InetSocketAddress a : brokers) hostPorts.add(hostPort(a));

        if (!COMPRESSIONS.contains(c.kafkaCompression())) {
            throw new InputError("--kafka-compression '" + c.kafkaCompression() + "': expected one of " + String.join(", ", COMPRESSIONS));
        }
        Properties p = new Properties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");                                 // acknowledged by every in-sync replica
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");                  // the producer's own retries add no duplicates
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, c.kafkaCompression());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));   // a partition's records per request
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(32L << 20));    // a logship batch (--batch-bytes, 4M) fits many times
        long timeout = Math.max(1000, c.timeout().toMillis());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeout));        // waiting for metadata (broker down, topic missing)
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeout));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(timeout + 1000));
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "2000");            // back quickly after a broker restart
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "logship");
        if (c.kafkaProperties() != null) p.putAll(load(c.kafkaProperties()));
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", hostPorts));
        return new KafkaSettings("kafka:" + String.join(",", hostPorts) + "/" + topic, brokers, topic, p);
    }

    /** The brokers, as bootstrap.servers has them. */
    String brokersText() {
        return (String) producerProperties.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG);
    }

    boolean anyBrokerListening() {
        return KafkaSink.listening(brokers);
    }

    /** "host:port" (port 9092 when not given), "[v6]:port". */
    private static InetSocketAddress broker(String to, String b) {
        String host = b;
        int port = 9092;
        int colon = b.lastIndexOf(':');
        if (b.startsWith("[")) {
            int close = b.indexOf(']');
            if (close < 0) throw new InputError("--to '" + to + "': broker '" + b + "': expected [V6ADDR]:PORT");
            host = b.substring(1, close);
            if (close + 1 < b.length()) {
                if (b.charAt(close + 1) != ':') throw new InputError("--to '" + to + "': broker '" + b + "': expected [V6ADDR]:PORT");
                port = port(to, b, b.substring(close + 2));
            }
        } else if (colon >= 0) {
            host = b.substring(0, colon);
            port = port(to, b, b.substring(colon + 1));
        }
        if (host.isEmpty()) throw new InputError("--to '" + to + "': broker '" + b + "' has no host");
        return InetSocketAddress.createUnresolved(host, port);
    }

    private static int port(String to, String b, String text) {
        if (!text.matches("\\d{1,5}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 65535) {
            throw new InputError("--to '" + to + "': broker '" + b + "': the port must be 1-65535");
        }
        return Integer.parseInt(text);
    }

    private static String hostPort(InetSocketAddress a) {
        return (a.getHostString().contains(":") ? "[" + a.getHostString() + "]" : a.getHostString()) + ":" + a.getPort();
    }

    /**
     * --kafka-properties FILE: Java properties, each key a producer setting. Read line by line for the
     * line numbers of errors, then as a whole by {@link Properties#load} (continuations, escapes).
     */
    static Properties load(Path file) {
        InputFile.readable(file, "--kafka-properties");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InputError("--kafka-properties " + file + ": cannot read it (" + e.getMessage() + ")");
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new InputError(file + ": not a properties file (" + e.getMessage() + ")");
        }
        Set<String> known = ProducerConfig.configNames();
        String[] lines = text.split("\n", -1);
        boolean continued = false;
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip(), where = file + ":" + (i + 1) + ": ";
            boolean wasContinued = continued;
            continued = l.endsWith("\\") && !l.endsWith("\\\\");
            if (wasContinued || l.isEmpty() || l.startsWith("#") || l.startsWith("!")) continue;
            String key = l.split("\\s*[=:\\s]", 2)[0];
            if (OURS.contains(key)) {
                throw new InputError(where + "'" + key + "' is set by logship (" + (key.equals(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)
                        ? "the brokers come from --to kafka:BROKERS/TOPIC" : "records are the JSON event, keyed by file, without transactions") + ")");
            }
            if (!known.contains(key)) throw new InputError(where + "'" + key + "' is not a Kafka producer setting");
            String value = p.getProperty(key, "").strip().toLowerCase(Locale.ROOT);
            if (key.equals(ProducerConfig.ACKS_CONFIG) && !value.equals("all") && !value.equals("-1")) {
                throw new InputError(where + "acks=" + value + ": logship needs acks=all (a line counts as shipped only once every in-sync replica has it)");
            }
            if (key.equals(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG) && !value.equals("true")) {
                throw new InputError(where + "enable.idempotence must stay true (the producer's own retries would add duplicates and reorder a file's lines)");
            }
        }
        return p;
    }
}
