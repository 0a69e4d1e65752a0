package logs;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES Event.java Parsed.java

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Where batches go. A new sink is one file implementing this (and {@link Sinks.Kind}) plus a line
 * in {@link Sinks#ALL}. A batch counts as delivered, and its offsets are checkpointed, only when
 * {@link #deliver} returns.
 */
public interface Sink {
    /** How messages name it ("file:/tmp/out.jsonl", "loki:http://host:3100"); never with credentials. */
    String name();

    /** One event as this sink sends it (called in the parse pool). */
    void encode(JsonGenerator g, Event e, Map<String, String> labels) throws IOException;

    /** Sends the encoded events; returns the bytes sent, or throws if the sink did not take them. */
    long deliver(List<Parsed.Slice> batch, Map<String, String> labels) throws IOException;

    /**
     * The sink answered that this batch is wrong and will stay wrong (HTTP 400): retrying the same
     * bytes would stop the pipeline for good. Its lines are counted as rejected, logged, and the
     * checkpoint moves past them (and counts them per file).
     */
    final class Rejected extends IOException {
        public Rejected(String message) { super(message); }
    }

    /** Not accepted now, try again; {@code afterMs}: how long the sink asked us to wait (Retry-After), 0 for our own backoff. */
    final class Retry extends IOException {
        final long afterMs;

        public Retry(String message, long afterMs) {
            super(message);
            this.afterMs = afterMs;
        }
    }
}
