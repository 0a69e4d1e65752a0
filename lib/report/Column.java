package report;

import java.util.Map;
import java.util.function.Function;

/** A visible column: its key, header, alignment, and how to read it from a row. */
public record Column(String key, String header, boolean right, Function<Map<String, Object>, Object> value) {
    public static Column left(String key, String header) { return new Column(key, header, false, r -> r.get(key)); }
    public static Column right(String key, String header) { return new Column(key, header, true, r -> r.get(key)); }
    /** A column shown in table/md/csv but not a JSON key, e.g. banner-or-error. */
    public static Column computed(String key, String header, Function<Map<String, Object>, Object> value) {
        return new Column(key, header, false, value);
    }
}
