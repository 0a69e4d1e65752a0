package check;

//SOURCES ../cli/Durations.java ../cli/Sizes.java ../yaml/Yaml.java Check.java Findings.java Limit.java LocalFacts.java Probe.java Severity.java Validate.java

import cli.Durations;
import cli.Sizes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import yaml.Yaml;

/** {@code kind: file}: a path exists (or, with {@code exists: false}, does not), how old it is, how big (one stat). */
public record FileCheck(String name, String group, Severity severity, String path, Boolean exists, Limit<Duration> age,
                        Limit<Yaml.Size> size, Yaml.Size minSize) implements Check {

    @Override public String defaultGroup() { return "files"; }

    @Override public Probe probe(String at, Duration defaultTimeout) {
        String p = Validate.required(at, "path", path);
        if (p.indexOf('\0') >= 0) throw new Yaml.Invalid(at + ".path", "a path cannot hold a NUL character");
        Validate.absolute(at + ".path", p, "a relative one would depend on where inspect runs");
        if (Boolean.FALSE.equals(exists) && (age != null || size != null || minSize != null)) {
            throw new Yaml.Invalid(at + ".exists", "exists: false contradicts age/size thresholds (they need the file)");
        }
        Validate.above(at + ".age", age, Duration::toMillis);
        Validate.above(at + ".size", size, Yaml.Size::bytes);
        return new Stat(this, (Boolean.FALSE.equals(exists) ? "no file " : "file ") + p);
    }

    private record Stat(FileCheck c, String name) implements Probe {
        @Override public void run(LocalFacts local, Findings o) throws IOException {
            boolean absent = Boolean.FALSE.equals(c.exists());
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(Path.of(c.path()), BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
                if (absent) {
                    o.value("absent");
                    o.expect("absent");
                    o.note("no such file, as expected");
                } else {
                    o.value("missing");
                    o.expect("exists");
                    o.fail("no such file");
                }
                return;
            }
            if (absent) {
                o.value("present");
                o.expect("absent");
                o.fail("exists (modified " + a.lastModifiedTime().toInstant().truncatedTo(ChronoUnit.SECONDS) + "), expected no such file");
                return;
            }
            Instant mtime = a.lastModifiedTime().toInstant();
            long ageMs = Math.max(0, Duration.between(mtime, Instant.now()).toMillis());
            o.measure("age", ageMs, "ms", Durations.format(ageMs), c.age(), Duration::toMillis, false);
            if (c.size() != null || c.minSize() != null) {
                if (!a.isRegularFile()) {
                    o.fail(c.path() + " is not a regular file, so it has no size to check");
                } else {
                    o.measure("size", a.size(), "bytes", Sizes.format(a.size()), c.size(), Yaml.Size::bytes, false);
                    if (c.minSize() != null) {
                        o.expect("size >=" + c.minSize());
                        if (a.size() < c.minSize().bytes()) o.fail("size " + Sizes.format(a.size()) + ", under min_size " + c.minSize());
                    }
                }
            }
            o.note((a.isDirectory() ? "directory" : a.isRegularFile() ? Sizes.format(a.size()) : "special file") + ", modified "
                    + mtime.truncatedTo(ChronoUnit.SECONDS));
        }
    }
}
