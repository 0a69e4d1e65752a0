package logs;

//SOURCES ../cli/InputError.java ../cli/Patterns.java Budget.java Parser.java
//SOURCES ParseNone.java ParseJson.java ParseLogfmt.java ParseRegex.java

import cli.InputError;
import cli.Patterns;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The --parse modes: a new one is a file implementing {@link Parser} plus a line in {@link #ALL}. */
public final class Parsers {
    private Parsers() {}

    /** One mode: its name, the name of its argument (regex:PATTERN; null for none), and how it is made from --parse's value. */
    interface Kind {
        String name();

        default String argument() { return null; }

        /** The parser for {@code argument} (null when the mode takes none); an InputError for a bad one. */
        Parser make(String argument, Budget budget);
    }

    /** Every mode, in the order --parse's error message lists them. */
    static final List<Kind> ALL = List.of(
            new ParseNone.Kind(),
            new ParseJson.Kind(),
            new ParseLogfmt.Kind(),
            new ParseRegex.Kind());

    /** The parser --parse {@code spec} names: "json", or "regex:PATTERN". */
    public static Parser of(String spec, Budget budget) {
        for (Kind k : ALL) {
            if (k.argument() == null && spec.equals(k.name())) return k.make(null, budget);
            if (k.argument() != null && spec.startsWith(k.name() + ":")) return k.make(spec.substring(k.name().length() + 1), budget);
        }
        List<String> modes = new ArrayList<>();
        for (Kind k : ALL) modes.add(k.argument() == null ? k.name() : k.name() + ":" + k.argument());
        throw new InputError("--parse '" + spec + "': expected " + String.join(", ", modes.subList(0, modes.size() - 1)) + " or " + modes.get(modes.size() - 1));
    }

    /** A regex from {@code option}, or an InputError that names the option ("--include: bad regex: ..."). */
    public static Pattern regex(String option, String text) {
        try {
            return Patterns.compile(text);
        } catch (IllegalArgumentException e) {
            throw new InputError(option + ": " + e.getMessage());
        }
    }
}
