package logs;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES Json.java

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;

/**
 * One event as the sinks see it. {@code end}: the offset the checkpoint may advance to once this
 * event (and those before it) are delivered. As JSON: {"time", "file", "line", "fields",
 * "labels", "parse_error", "truncated"}; keys without a value are left out.
 */
record Event(String path, long timeNs, String line, Map<String, Object> fields, String parseError, boolean truncated, long end) {

    /**
     * This event with its line cut (and marked truncated) so that the line's JSON encoding stays within
     * {@code max} bytes: a control character takes 6 bytes escaped, so a 1 MiB line of them would
     * otherwise become a 6 MB request.
     */
    Event encodedWithin(long max) {
        if (line.length() <= max / 6) return this;                 // even all escaped it fits
        long size = 0;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            size += ch < 0x20 ? 6 : ch == '"' || ch == '\\' ? 2 : ch < 0x80 ? 1 : ch < 0x800 ? 2 : 3;
            if (size > max) {
                return new Event(path, timeNs, line.substring(0, i), fields, parseError, true, end);
            }
        }
        return this;
    }

    /** The event object (stdout, file and http sinks). */
    void write(JsonGenerator g, Map<String, String> labels) throws IOException {
        g.writeStartObject();
        g.writeStringField("time", isoTime(timeNs));
        g.writeStringField("file", path);
        g.writeStringField("line", line);
        if (fields != null) {
            g.writeObjectFieldStart("fields");
            for (var f : fields.entrySet()) {
                g.writeFieldName(f.getKey());
                if (f.getValue() instanceof JsonNode n) Json.MAPPER.writeTree(g, n);
                else g.writeString(String.valueOf(f.getValue()));
            }
            g.writeEndObject();
        }
        if (!labels.isEmpty()) {
            g.writeObjectFieldStart("labels");
            for (var l : labels.entrySet()) g.writeStringField(l.getKey(), l.getValue());
            g.writeEndObject();
        }
        if (parseError != null) g.writeStringField("parse_error", parseError);
        if (truncated) g.writeBooleanField("truncated", true);
        g.writeEndObject();
    }

    /** The last time formatted, per thread: the events of a chunk share their read time. */
    private static final ThreadLocal<Object[]> LAST_TIME = ThreadLocal.withInitial(() -> new Object[] {Long.MIN_VALUE, ""});

    static String isoTime(long ns) {
        Object[] last = LAST_TIME.get();
        if ((Long) last[0] != ns) {
            last[0] = ns;
            last[1] = Instant.ofEpochSecond(0, ns).toString();
        }
        return (String) last[1];
    }
}
