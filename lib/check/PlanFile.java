package check;

//SOURCES Check.java

import java.time.Duration;
import java.util.List;

/** A check plan as written in its YAML file; {@link Validate#plan} makes it runnable {@link Task}s. */
public record PlanFile(String title, Defaults defaults, List<Check> checks) {
    public record Defaults(Duration timeout) {}
}
