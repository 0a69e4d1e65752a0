package logs;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES ../run/Threads.java
//SOURCES Chunk.java Event.java Parsed.java Parser.java Pipeline.java Sink.java Stats.java Timestamps.java

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import run.Threads;

/**
 * The parse pool, one thread per CPU: each chunk's lines are parsed, timed (--timestamp-field)
 * and encoded as the sink sends them, so the shipper only copies bytes. Chunks complete in any
 * order; the shipper takes their futures in the order they were read.
 */
final class ParsePool {
    private static final JsonFactory FACTORY = new JsonFactory();
    private final ExecutorService pool;
    private final Pipeline.Settings s;               // the parser, --timestamp-field (null: events carry their read time), labels, --max-line
    private final Sink sink;
    private final Stats stats;

    ParsePool(Pipeline.Settings s, Sink sink, Stats stats) {
        this.s = s;
        this.sink = sink;
        this.stats = stats;
        pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), Threads.daemons("logship-parse"));
    }

    CompletableFuture<Parsed> submit(Chunk c) {
        return CompletableFuture.supplyAsync(() -> parse(c), pool);
    }

    void shutdownNow() {
        pool.shutdownNow();
    }

    private Parsed parse(Chunk c) {
        List<Event> out = new ArrayList<>(c.lines().text.size());
        Timestamps timestamps = s.timestamps();
        for (int i = 0; i < c.lines().text.size(); i++) {
            String line = c.lines().text.get(i);
            Parser.Result r = s.parser().parse(line);
            Map<String, Object> fields = r.fields();
            String error = r.error();
            if (error != null) stats.parseErrors.incrementAndGet();
            long ts = c.readNs();
            if (timestamps != null && fields != null && fields.get(timestamps.field) != null) {
                try {
                    Object v = fields.get(timestamps.field);
                    ts = timestamps.parse(v instanceof JsonNode n ? n.asText() : String.valueOf(v));
                } catch (RuntimeException e) {
                    error = (error == null ? "" : error + "; ") + "bad timestamp '" + fields.get(timestamps.field) + "'";
                }
            }
            out.add(new Event(c.path(), ts, line, fields, error, c.lines().cut.get(i), c.lines().ends.get(i)));
        }
        return encode(c, out);
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
                Event ev = events.get(i).encodedWithin(s.maxLine());
                if (ev != events.get(i)) stats.truncatedLines.incrementAndGet();
                sink.encode(g, ev, s.labels());
                ends[i] = events.get(i).end();
            }
            g.flush();
            starts[events.size()] = buf.size();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new Parsed(c.file(), c.path(), c.fp(), buf.toByteArray(), starts, ends, c.end());
    }
}
