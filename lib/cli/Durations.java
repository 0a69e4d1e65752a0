package cli;

//DEPS info.picocli:picocli:4.7.7

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Durations as operators write them ("250ms", "3s", "2m", "14d") and read them ("2m05s"). */
public final class Durations {
    private Durations() {}

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)?");

    /** "250ms", "3s", "1.5s", "2m", "1h", "14d"; a bare number means seconds. */
    public static Duration parse(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("bad duration '" + text + "' (expected e.g. 500ms, 3s, 2m, 1h)");
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double ms = switch (unit) {
            case "ms" -> n;
            case "s" -> n * 1000;
            case "m" -> n * 60_000;
            case "h" -> n * 3_600_000;
            default -> n * 86_400_000;
        };
        return Duration.ofMillis(Math.round(ms));
    }

    /** picocli converter for Duration options. */
    public static final class Converter implements CommandLine.ITypeConverter<Duration> {
        @Override public Duration convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** "850ms", "3.1s", "2m05s", "1h30m", "3d". */
    public static String format(long ms) {
        if (ms < 1000) return ms + "ms";
        if (ms < 60_000) return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        if (ms < 3_600_000) return twoUnits(ms / 60_000, "m", (ms / 1000) % 60, "s");
        if (ms < 86_400_000) return twoUnits(ms / 3_600_000, "h", (ms / 60_000) % 60, "m");
        return twoUnits(ms / 86_400_000, "d", (ms / 3_600_000) % 24, "h");
    }

    /** "2m05s", "2m" (not "2m00s"), "1h30m", "3d". */
    private static String twoUnits(long big, String bigUnit, long small, String smallUnit) {
        return small == 0 ? big + bigUnit : String.format(Locale.ROOT, "%d%s%02d%s", big, bigUnit, small, smallUnit);
    }
}
