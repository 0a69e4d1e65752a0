package dns;

import java.util.Locale;

/**
 * Host names as a stub resolver takes them: labels of letters, digits, '-' and '_' separated by
 * dots, at most 63 characters a label and 253 in all, an optional trailing dot (absolute: no search
 * list). Anything else is refused before a query is sent.
 */
public final class Names {
    private Names() {}

    /** What is wrong with {@code name}, or null when it is a name we can ask for. */
    public static String problem(String name) {
        if (name.isEmpty()) return "empty name";
        if (name.equals(".")) return null;
        String body = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (body.length() > 253) return "longer than 253 characters";
        if (body.startsWith(".")) return "starts with a dot";
        String[] labels = body.split("\\.", -1);
        for (String l : labels) {
            if (l.isEmpty()) return "empty label (two dots in a row)";
            if (l.length() > 63) return "label '" + l.substring(0, 10) + "...' is longer than 63 characters";
            for (char c : l.toCharArray()) {
                if (!(Character.isLetterOrDigit(c) && c < 128) && c != '-' && c != '_') {
                    return "character '" + (c < 32 || c > 126 ? String.format("\\x%02x", (int) c) : String.valueOf(c))
                            + "' is not allowed (letters, digits, '-' and '_' between dots)";
                }
            }
            if (l.startsWith("-") || l.endsWith("-")) return "label '" + l + "' starts or ends with '-'";
        }
        return null;
    }

    /** The name as the resolver compares it: lower case, no trailing dot. */
    public static String key(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") && n.length() > 1 ? n.substring(0, n.length() - 1) : n;
    }

    /** {@code name} with one trailing dot: the form DNS answers and our query lists use. */
    public static String absolute(String name) {
        return name.endsWith(".") ? name.toLowerCase(Locale.ROOT) : name.toLowerCase(Locale.ROOT) + ".";
    }
}
