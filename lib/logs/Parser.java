package logs;

import java.util.Map;

/**
 * A --parse mode: the fields of one line (called in the parse pool, on many threads at once). A
 * line that does not parse still ships, with its parse error. One file per mode, listed in
 * {@link Parsers#ALL}.
 */
public interface Parser {

    /** The line's fields (null: none) and why it did not parse (null: it did). */
    record Result(Map<String, Object> fields, String error) {
        static final Result NONE = new Result(null, null);
    }

    Result parse(String line);

    /** Whether lines get fields at all (--timestamp-field needs some). */
    default boolean givesFields() { return true; }
}
