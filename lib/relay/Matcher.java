package relay;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One label matcher in Alertmanager's syntax: {@code name="value"}, {@code name!="value"},
 * {@code name=~"regex"}, {@code name!~"regex"} (regexes anchored at both ends, as Alertmanager
 * does; quotes optional for simple values). A label that is absent matches as the empty string.
 */
public record Matcher(String name, String op, String value, Pattern regex) {
    private static final Pattern SYNTAX = Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^\"\\s]*))\\s*");

    /** Parses {@code text}; the IllegalArgumentException's message says what is wrong. */
    public static Matcher parse(String text) {
        var m = SYNTAX.matcher(text);
        if (!m.matches()) throw new IllegalArgumentException("'" + text + "' is not a matcher (expected name=\"value\", name!=\"value\", name=~\"regex\" or name!~\"regex\")");
        String value = m.group(3) != null ? m.group(3).replaceAll("\\\\(.)", "$1") : m.group(4);
        Pattern regex = null;
        if (m.group(2).contains("~")) {
            try {
                regex = Pattern.compile("^(?:" + value + ")$");
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("'" + text + "': bad regex: " + e.getDescription());
            }
        }
        return new Matcher(m.group(1), m.group(2), value, regex);
    }

    public boolean matches(java.util.Map<String, String> labels) {
        String v = labels.getOrDefault(name, "");
        return switch (op) {
            case "=" -> v.equals(value);
            case "!=" -> !v.equals(value);
            case "=~" -> regex.matcher(v).matches();
            default -> !regex.matcher(v).matches();
        };
    }

    @Override public String toString() { return name + op + "\"" + value + "\""; }
}
