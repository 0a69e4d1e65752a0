package ssh;

import java.util.List;
import java.util.Locale;

/**
 * OpenSSH's patterns (ssh_config(5) PATTERNS): {@code *} any run, {@code ?} one character,
 * nothing else special; a pattern list is comma-separated and an entry starting with {@code !}
 * that matches makes the whole list fail, whatever else matched.
 */
final class Patterns {
    private Patterns() {}

    /** One pattern against one string, case-sensitively (as ssh's match_pattern). */
    static boolean wildcard(String pattern, String s) {
        return wildcard(pattern, 0, s, 0);
    }

    private static boolean wildcard(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '*') {
                while (pi < p.length() && p.charAt(pi) == '*') pi++;
                if (pi == p.length()) return true;
                for (int k = si; k <= s.length(); k++) {
                    if (wildcard(p, pi, s, k)) return true;
                }
                return false;
            }
            if (si == s.length() || (c != '?' && c != s.charAt(si))) return false;
            pi++;
            si++;
        }
        return si == s.length();
    }

    /**
     * A {@code Host} line: each word is one pattern (may start with !), compared case-sensitively
     * with the name; true when some positive pattern matches and no negated one does.
     */
    static boolean hostLine(List<String> patterns, String host) {
        boolean positive = false;
        for (String p : patterns) {
            boolean negated = p.startsWith("!");
            if (wildcard(negated ? p.substring(1) : p, host)) {
                if (negated) return false;
                positive = true;
            }
        }
        return positive;
    }

    /** A comma-separated pattern list (Match host, user, ...); host names compare in lower case. */
    static boolean list(String patternList, String s, boolean lowerCase) {
        String subject = lowerCase ? s.toLowerCase(Locale.ROOT) : s;
        boolean positive = false;
        for (String p : patternList.split(",")) {
            boolean negated = p.startsWith("!");
            String glob = negated ? p.substring(1) : p;
            if (lowerCase) glob = glob.toLowerCase(Locale.ROOT);
            if (wildcard(glob, subject)) {
                if (negated) return false;
                positive = true;
            }
        }
        return positive;
    }
}
