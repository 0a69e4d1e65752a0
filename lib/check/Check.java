package check;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES Probe.java Severity.java
//SOURCES TcpCheck.java HttpCheck.java ProcessCheck.java DiskCheck.java MemoryCheck.java LoadCheck.java CommandCheck.java FileCheck.java

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Duration;

/**
 * One entry of a plan's {@code checks:} as written in YAML, bound by its {@code kind:}. Every kind
 * is one record in its own file named KIND{@code Check.java} (its YAML keys, its validation, how it
 * runs) plus its line in the registry below, which is also what "unknown kind (expected one of:
 * ...)" lists, and its name in the //SOURCES line above (listed, not globbed: a script fetched by
 * URL gets no globs).
 *
 * <p>Every kind's record starts with {@code name, group, severity} (YAML lists a record's keys in
 * that order when it names an unknown key), then its own keys.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({                                                     // the registry of check kinds
    @JsonSubTypes.Type(value = TcpCheck.class, name = "tcp"),
    @JsonSubTypes.Type(value = HttpCheck.class, name = "http"),
    @JsonSubTypes.Type(value = ProcessCheck.class, name = "process"),
    @JsonSubTypes.Type(value = DiskCheck.class, name = "disk"),
    @JsonSubTypes.Type(value = MemoryCheck.class, name = "memory"),
    @JsonSubTypes.Type(value = LoadCheck.class, name = "load"),
    @JsonSubTypes.Type(value = CommandCheck.class, name = "command"),
    @JsonSubTypes.Type(value = FileCheck.class, name = "file")})
public interface Check {
    String name();
    String group();
    Severity severity();

    /**
     * This entry checked and made ready to run, with the name it gets when the plan gives none;
     * a {@link yaml.Yaml.Invalid} under {@code at} ("checks[3]") says what is wrong with it.
     *
     * @param defaultTimeout the plan's {@code defaults.timeout} (or 10s), for kinds that time out
     */
    Probe probe(String at, Duration defaultTimeout);

    /** The group a check of this kind is in when the plan names none. */
    String defaultGroup();

    /** The kind's name in the plan ("tcp", "process"), from the registry. */
    static String kind(Check c) {
        for (JsonSubTypes.Type t : Check.class.getAnnotation(JsonSubTypes.class).value()) {
            if (t.value() == c.getClass()) return t.name();
        }
        throw new IllegalStateException(c.getClass().getName() + " is not in the registry of check kinds");
    }
}
