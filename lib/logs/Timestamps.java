package logs;

//SOURCES ../cli/InputError.java

import cli.InputError;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.List;
import java.util.Locale;

/** --timestamp-field and --timestamp-format: which parsed field holds the event time, and how to read it. */
public final class Timestamps {
    final String field;
    private final String format;
    private final DateTimeFormatter formatter;       // iso8601 or a pattern; null for unix and unix_ms

    private Timestamps(String field, String format, DateTimeFormatter formatter) {
        this.field = field;
        this.format = format;
        this.formatter = formatter;
    }

    /** iso8601, unix, unix_ms, or a java.time pattern; an InputError for a pattern java.time rejects. */
    public static Timestamps of(String field, String format) {
        DateTimeFormatter f = null;
        if (format.equals("iso8601")) {
            f = DateTimeFormatter.ISO_DATE_TIME;
        } else if (!List.of("unix", "unix_ms").contains(format)) {
            try {
                f = DateTimeFormatter.ofPattern(format, Locale.ROOT);
            } catch (IllegalArgumentException e) {
                throw new InputError("--timestamp-format '" + format + "': " + e.getMessage());
            }
        }
        return new Timestamps(field, format, f);
    }

    /** The time {@code s} says, in ns since the epoch; a RuntimeException when it says none. */
    long parse(String s) {
        return switch (format) {
            case "unix" -> Math.round(Double.parseDouble(s) * 1e9);
            case "unix_ms" -> Math.round(Double.parseDouble(s) * 1e6);
            default -> {                                             // iso8601 or a pattern; without an offset, UTC
                TemporalAccessor t = formatter.parse(s);
                Instant i = t.isSupported(ChronoField.OFFSET_SECONDS) ? Instant.from(t) : LocalDateTime.from(t).toInstant(ZoneOffset.UTC);
                yield i.getEpochSecond() * 1_000_000_000L + i.getNano();
            }
        };
    }
}
