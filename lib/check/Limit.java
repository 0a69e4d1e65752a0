package check;

//SOURCES ../cli/Durations.java ../yaml/Yaml.java

import cli.Durations;
import java.time.Duration;
import yaml.Yaml;

/** Thresholds: WARN when the value reaches warn, CRIT when it reaches crit (or falls to them, for "lower is worse"). */
@Yaml.Expect("thresholds like {warn: 80, crit: 90} (either or both)")
public record Limit<T>(T warn, T crit) {
    /** A threshold as the report shows it: "5.0s", "80%", "1.0 MiB", "40" (a whole double without ".0"). */
    public static String show(Object v) {
        if (v instanceof Duration d) return Durations.format(d.toMillis());
        if (v instanceof Double d) return d == Math.rint(d) ? String.valueOf(d.longValue()) : String.valueOf(d);
        return String.valueOf(v);
    }
}
