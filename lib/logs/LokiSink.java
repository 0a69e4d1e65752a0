package logs;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES ../cli/InputError.java Event.java HttpSink.java Json.java Parsed.java Sink.java Sinks.java

import cli.InputError;
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
        @Override public Sink open(String to, Sinks.Config c) {
            URI u = url(to, to.substring(5));
            if (u.getPath() == null || u.getPath().isEmpty() || u.getPath().equals("/")) u = u.resolve("/loki/api/v1/push");
            checkLabels(c.labels());
            return new LokiSink(u, c.timeout(), c.authorization());
        }
    }

    /** Loki's defaults (limits_config): more labels, or longer names or values, and it answers 400 to every push. */
    static final int MAX_LABELS = 15, MAX_NAME = 1024, MAX_VALUE = 2048;

    /**
     * The --label set checked against Loki's label rules before anything is read: a name matches
     * [a-zA-Z_][a-zA-Z0-9_]* and does not start with "__" (reserved), "filename" is ours, and the
     * series stays within Loki's default limits. Loki would reject every batch otherwise.
     */
    static void checkLabels(Map<String, String> labels) {
        for (var l : labels.entrySet()) {
            String k = l.getKey(), what = "--label '" + k + "=" + (l.getValue().length() > 40 ? l.getValue().substring(0, 40) + "..." : l.getValue()) + "': ";
            if (!k.matches("[a-zA-Z_][a-zA-Z0-9_]*")) throw new InputError(what + "a Loki label name must match [a-zA-Z_][a-zA-Z0-9_]*");
            if (k.startsWith("__")) throw new InputError(what + "label names starting with __ are reserved for Loki's internal use");
            if (k.equals("filename")) throw new InputError(what + "'filename' is the label logship sets to each file's path");
            if (k.length() > MAX_NAME) throw new InputError(what + "the name is longer than Loki's " + MAX_NAME + " characters (max_label_name_length)");
            if (l.getValue().isEmpty()) throw new InputError(what + "Loki drops a label with an empty value; leave the label out");
            if (l.getValue().length() > MAX_VALUE) throw new InputError(what + "the value is longer than Loki's " + MAX_VALUE + " characters (max_label_value_length)");
        }
        if (labels.size() + 1 > MAX_LABELS) {
            throw new InputError("--label: " + labels.size() + " labels plus filename is more than Loki's " + MAX_LABELS + " per stream (max_label_names_per_series)");
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
