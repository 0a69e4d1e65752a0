package logs;

//DEPS org.apache.kafka:kafka-clients:4.1.1
//SOURCES ../cli/Errors.java ../cli/InputError.java Event.java KafkaSettings.java Parsed.java Sink.java Sinks.java

import cli.Errors;
import cli.InputError;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * --to kafka:BROKER[,BROKER...]/TOPIC: each event one record (the JSON event as value, the file's
 * path or a --label's value as key, so one file's lines stay in order in one partition), sent with
 * the official producer, acks=all and idempotence. A batch counts as delivered when every record
 * of it was acknowledged (flush, then the callbacks); a failure throws, and the Shipper retries the
 * whole batch with a fresh producer (so a line may arrive twice after a failure, never not at all).
 * While it waits for the broker, the Shipper does not take more: reading pauses with the buffer.
 *
 * This class is the only one that names kafka-clients: it is loaded only for a kafka: sink, so
 * `--help` and the other sinks never load the client.
 */
final class KafkaSink implements Sink {
    private final KafkaSettings s;
    private final String keyLabel;                  // null: the file's path is the key
    private KafkaProducer<byte[], byte[]> producer; // null after a failure: the next try opens a new one

    private KafkaSink(KafkaSettings s, String keyLabel) {
        this.s = s;
        this.keyLabel = keyLabel;
        this.producer = open();
    }

    static final class Kind implements Sinks.Kind {
        @Override public String usage() { return "kafka:BROKERS/TOPIC"; }
        @Override public boolean accepts(String to) { return to.startsWith("kafka:"); }
        @Override public Sink open(String to, Sinks.Config c) {
            String key = c.kafkaKey() == null || c.kafkaKey().equals("file") ? null : c.kafkaKey();
            if (key != null && !c.labels().containsKey(key)) {
                throw new InputError("--kafka-key '" + key + "': expected 'file' or the name of a --label (labels: " + c.labels().keySet() + ")");
            }
            return new KafkaSink(KafkaSettings.of(to, c), key);
        }
    }

    private KafkaProducer<byte[], byte[]> open() {
        Properties p = s.producerProperties();
        try {
            return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        } catch (KafkaException e) {                // an unresolvable broker, a bad setting in --kafka-properties, an unreadable keystore
            throw new InputError("--to " + s.name() + ": cannot set up the Kafka producer: " + causes(e));
        }
    }

    @Override public String name() { return s.name(); }

    /** The event object, as the file and http sinks write it. */
    @Override public void encode(JsonGenerator g, Event e, Map<String, String> labels) throws IOException {
        e.write(g, labels);
    }

    @Override public long deliver(List<Parsed.Slice> batch, Map<String, String> labels) throws IOException {
        AtomicReference<Exception> failed = new AtomicReference<>();
        AtomicLong acked = new AtomicLong();
        long bytes = 0;
        byte[] labelKey = keyLabel == null ? null : labels.get(keyLabel).getBytes(StandardCharsets.UTF_8);
        try {
            if (producer == null) producer = open();
            for (Parsed.Slice sl : batch) {
                Parsed p = sl.p();
                byte[] key = labelKey != null ? labelKey : p.path().getBytes(StandardCharsets.UTF_8);
                for (int i = sl.from(); i < sl.to(); i++) {
                    int from = p.starts()[i], len = p.starts()[i + 1] - from;
                    byte[] value = new byte[len];
                    System.arraycopy(p.bytes(), from, value, 0, len);
                    bytes += len;
                    producer.send(new ProducerRecord<>(s.topic(), null, key, value), (md, e) -> {
                        if (e != null) failed.compareAndSet(null, e);
                        else acked.incrementAndGet();
                    });
                    if (failed.get() != null) break;     // the broker already refused one: the batch is sent again anyway
                }
                if (failed.get() != null) break;
            }
            producer.flush();                            // every record sent is acknowledged or failed when this returns
        } catch (InterruptException e) {                 // a stop past --shutdown-timeout
            Thread.currentThread().interrupt();
            reset();
            throw new IOException("interrupted");
        } catch (KafkaException e) {
            failed.compareAndSet(null, e);
        }
        Exception e = failed.get();
        if (e != null) {
            reset();                                     // a fresh producer: nothing of this batch lingers in the old one's buffer
            throw new IOException(why(e));
        }
        return bytes;
    }

    /** Drops the producer after a failure (its buffered records go with it); the next try opens a new one. */
    private void reset() {
        if (producer == null) return;
        try {
            producer.close(Duration.ZERO);
        } catch (RuntimeException ignored) {
            // closing a broken producer: nothing to save
        }
        producer = null;
    }

    /** The broker's refusal in words an operator acts on. */
    private String why(Exception e) {
        if (e instanceof RecordTooLargeException) {
            return "a record is larger than the broker or producer accepts (" + e.getMessage() + "); lower --max-line, or raise max.request.size"
                    + " in --kafka-properties and message.max.bytes on the topic";
        }
        if (e instanceof UnknownTopicOrPartitionException || e instanceof TimeoutException) {
            if (!s.anyBrokerListening()) return "no broker reachable at " + s.brokersText() + " (" + e.getMessage() + ")";
            if (String.valueOf(e.getMessage()).contains("not present in metadata") || e instanceof UnknownTopicOrPartitionException) {
                return "topic '" + s.topic() + "' does not exist on " + s.brokersText() + " (create it, or allow auto.create.topics.enable)";
            }
            return "not acknowledged in time (" + e.getMessage() + ")";
        }
        return causes(e);
    }

    /** "X: Y" down the causes, without repeats. */
    static String causes(Throwable e) {
        StringBuilder b = new StringBuilder(Errors.message(e instanceof Exception x ? x : new Exception(e), e.getClass().getSimpleName()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !b.toString().contains(c.getMessage())) b.append(": ").append(c.getMessage());
        }
        return b.toString();
    }

    /** Plain TCP: is anything listening at one of the brokers (tells "broker down" from "topic missing"). */
    static boolean listening(List<InetSocketAddress> brokers) {
        for (InetSocketAddress a : brokers) {
            try (Socket sock = new Socket()) {
                sock.connect(new InetSocketAddress(a.getHostString(), a.getPort()), 1000);
                return true;
            } catch (IOException ignored) {
                // the next one
            }
        }
        return false;
    }
}
