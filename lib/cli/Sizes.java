package cli;

//DEPS info.picocli:picocli:4.7.7

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Sizes as operators write them ("64k", "16M", "1.5GiB": binary multiples) and read them ("1.5 MiB"). */
public final class Sizes {
    private Sizes() {}

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");

    /** "512", "64k", "16M", "1.5GiB": binary multiples (k = 1024), a bare number means bytes. */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) throw new IllegalArgumentException("bad size '" + text + "' (expected e.g. 512k, 16M, 1G)");
        String unit = m.group(2) == null ? "b" : m.group(2).substring(0, 1);
        long mult = switch (unit) {
            case "k" -> 1L << 10;
            case "m" -> 1L << 20;
            case "g" -> 1L << 30;
            default -> 1;
        };
        return Math.round(Double.parseDouble(m.group(1)) * mult);
    }

    /** picocli converter for size options. */
    public static final class Converter implements CommandLine.ITypeConverter<Long> {
        @Override public Long convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** "512 B", "1.5 KiB", "16.0 MiB", "1.2 GiB". */
    public static String format(long bytes) {
        if (bytes < 1024) return bytes + " B";
        if (bytes < 1L << 20) return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        if (bytes < 1L << 30) return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
        return String.format(Locale.ROOT, "%.1f GiB", bytes / 1073741824.0);
    }
}
