import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Golden outputs: what a script printed (exit code, stdout, stderr) on fixed inputs, kept in
 * tests/golden/NAME.txt and compared byte for byte after the parts that differ from run to run
 * (times, ports, temporary paths) are replaced by placeholders. A refactoring must leave every
 * golden file as it is.
 *
 *   Golden.of(result).literal(tmp.toString(), "<tmp>").times().check("probe.table");
 *
 * {@code OPS_GOLDEN=update ./jbang tests/run.java GoldenTest} writes the files instead of comparing
 * (then read the diff before committing it). A missing file is a failure, never written silently.
 */
public final class Golden {
    public static final Path DIR = Proc.REPO.resolve("tests/golden");

    private String text;

    private Golden(String text) { this.text = text; }

    /** A script's result as "exit N", then stdout and stderr, each under its own marker. */
    public static Golden of(ScriptRun.Result r) {
        return new Golden("exit " + r.exit() + "\n--- stdout\n" + r.out() + "--- stderr\n" + r.err());
    }

    public static Golden ofText(String text) { return new Golden(text); }

    /** Every occurrence of {@code what} (taken literally) becomes {@code placeholder}. */
    public Golden literal(String what, String placeholder) {
        if (what != null && !what.isEmpty()) text = text.replace(what, placeholder);
        return this;
    }

    /** Every match of {@code regex} becomes {@code replacement} (with $1-style groups). */
    public Golden regex(String regex, String replacement) {
        text = Pattern.compile(regex, Pattern.MULTILINE).matcher(text).replaceAll(replacement);
        return this;
    }

    /**
     * Times that differ between runs, in the forms the scripts print them: "12ms", "3.1s", "2m05s"
     * and "1h30m" become "<t>"; JSON keys ending in _ms or _seconds get "<t>" as their value; a
     * latency column's "0.4" stays a number but becomes "<n>". Columns are not re-padded: a table
     * keeps its layout only as long as the placeholder and the old text are compared alike.
     */
    public Golden times() {
        regex("(\"[a-z_]*_(?:ms|seconds)\"\\s*:\\s*)-?[0-9][0-9.eE+-]*", "$1<t>");
        regex("(?<![A-Za-z0-9_.])\\d+(?:\\.\\d+)?(?:ms|s)\\b", "<t>");
        regex("(?<![A-Za-z0-9_.])\\d+[mhd]\\d{2}[smh]\\b", "<t>");
        return this;
    }

    /**
     * Runs of two or more spaces become two: a table whose column widths follow a varying value (a
     * latency, a port) compares alike while every cell's text is still checked.
     */
    public Golden columns() {
        return regex("(?<=\\S)  +", "  ");
    }

    public String text() { return text; }

    /** Compares with tests/golden/{@code name}.txt, or writes it under OPS_GOLDEN=update. */
    public void check(String name) {
        Path file = DIR.resolve(name + ".txt");
        try {
            if ("update".equals(System.getenv("OPS_GOLDEN"))) {
                Files.createDirectories(DIR);
                Files.writeString(file, text, StandardCharsets.UTF_8);
                return;
            }
            if (!Files.exists(file)) fail("no golden file " + Proc.REPO.relativize(file) + "; make it with OPS_GOLDEN=update and read it\n" + text);
            String want = Files.readString(file, StandardCharsets.UTF_8);
            if (!want.equals(text)) assertEquals(want, text, "golden " + name + " differs (first difference at line " + firstDifference(want, text) + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int firstDifference(String a, String b) {
        List<String> x = a.lines().toList(), y = b.lines().toList();
        for (int i = 0; i < Math.min(x.size(), y.size()); i++) if (!x.get(i).equals(y.get(i))) return i + 1;
        return Math.min(x.size(), y.size()) + 1;
    }
}
