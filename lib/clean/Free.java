package clean;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES ../cli/Sizes.java ../yaml/Yaml.java

import cli.Sizes;
import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;
import yaml.Yaml;

/** How much free space --until-free asks for: a share of the filesystem ("20%") or bytes ("5G"). */
@Yaml.Expect("a percentage like 20% or a size like 5G")
public record Free(Double percent, Long bytes) {

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Free parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.endsWith("%")) {
            double p;
            try {
                p = Double.parseDouble(t.substring(0, t.length() - 1).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad percentage '" + text + "' (expected e.g. 20%)");
            }
            if (!(p > 0 && p < 100)) throw new IllegalArgumentException("'" + text + "': expected more than 0% and less than 100%");
            return new Free(p, null);
        }
        long b = Sizes.parse(t);          // "bad size ... (expected e.g. 512k, 16M, 1G)"
        if (b <= 0) throw new IllegalArgumentException("'" + text + "': expected more than 0 bytes");
        return new Free(null, b);
    }

    /** The bytes free (to non-root users, as df's Avail) that satisfy this, on a filesystem of {@code size} bytes. */
    public long target(long size) {
        return bytes != null ? bytes : (long) Math.ceil(size * percent / 100.0);
    }

    @Override public String toString() {
        return bytes != null ? Sizes.format(bytes) : (percent == Math.rint(percent) ? String.valueOf(percent.longValue()) : String.valueOf(percent)) + "%";
    }
}
