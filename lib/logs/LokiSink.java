package logs;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES Event.java HttpSink.java Json.java Parsed.java Sink.java Sinks.java

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * --to loki:URL: Loki's push API (POST /loki/api/v1/push when the URL has no path), one stream
 * per file labelled with --label plus filename; sent, retried and named like {@link HttpSink}.
 */
final class LokiSink extends HttpSink {

    LokiSink(URI url, Duration timeout, String authorization) {
        super(url, timeout, authorization);
    }

    static final class Kind implements Sinks.Kind {
        @Override public String usage() { return "loki:URL"; }
        @Override public boolean accepts(String to) { return to.startsWith("loki:"); }
        @Override public boolean takesAuth(String to) { return to.startsWith("loki:"); }
        @Override public Sink open(String to, Duration timeout, String authorization) {
            URI u = url(to, to.substring(5));
            if (u.getPath() == null || u.getPath().isEmpty() || u.getPath().equals("/")) u = u.resolve("/loki/api/v1/push");
            return new LokiSink(u, timeout, authorization);
        }
    }

    @Override public String name() { return "loki:" + super.name(); }

    /** The event's ["ns", "line"] pair. */
    @Override public void encode(JsonGenerator g, Event e, Map<String, String> labels) throws IOException {
        g.writeStartArray();
        g.writeString(Long.toString(e.timeNs()));
        g.writeString(e.line());
        g.writeEndArray();
    }

    /** {"streams":[{"stream":{labels, filename},"values":[["<ns>","<line>"],...]}]}, one stream per file. */
    @Override void body(ByteArrayOutputStream buf, List<Parsed.Slice> batch, Map<String, String> labels) throws IOException {
        Map<String, List<Parsed.Slice>> byFile = new LinkedHashMap<>();
        for (Parsed.Slice s : batch) byFile.computeIfAbsent(s.p().path(), k -> new ArrayList<>()).add(s);
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
