package cli;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Regexes the user writes (filters, body matches, parsers). */
public final class Patterns {
    private Patterns() {}

    /** A compiled Java regex; otherwise an IllegalArgumentException "bad regex: Unclosed group near index 6". */
    public static Pattern compile(String text) {
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("bad regex: " + e.getDescription() + " near index " + e.getIndex());
        }
    }
}
