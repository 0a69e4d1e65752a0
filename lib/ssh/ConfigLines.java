package ssh;

//SOURCES ../cli/InputError.java Algorithms.java HostConfig.java

import cli.InputError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One ssh_config line as ssh(1) reads it: the keyword (case-insensitive, followed by whitespace or
 * one {@code =}), then words split like a shell's (double or single quotes, backslash escapes, a
 * word starting with {@code #} ends the line). Values of the keywords ops honours are checked
 * here, wherever the line sits (as ssh does, even in a block that applies to no host): a bad one
 * is an InputError naming file:line. Other keywords are kept unparsed and ignored.
 */
final class ConfigLines {
    private ConfigLines() {}

    /**
     * A line: {@code key} in lower case, {@code args} its words, {@code value} the typed value of a
     * keyword ops honours (String, Integer, Boolean, Duration, List of String, or null).
     */
    record Line(String where, String key, List<String> args, Object value) {}

    /** Keywords whose value accumulates over every matching line instead of first-wins. */
    static final Set<String> ACCUMULATE = Set.of("identityfile", "certificatefile");

    /** The line, or null for a blank line or a comment. */
    static Line parse(String text, String where) {
        String line = text.strip();
        if (line.isEmpty() || line.startsWith("#")) return null;
        int[] pos = {0};
        String keyword = keyword(line, pos, where);
        if (keyword.isEmpty()) return null;
        String rest = line.substring(pos[0]).strip();
        String key = keyword.toLowerCase(Locale.ROOT);
        if (rest.isEmpty()) throw new InputError(where + ": no argument after keyword \"" + keyword + "\"");
        // ProxyCommand is the rest of the line, verbatim (ssh hands it to the shell).
        if (key.equals("proxycommand")) return new Line(where, key, List.of(rest), rest.equalsIgnoreCase("none") ? "none" : rest);
        List<String> args = words(rest, where);
        if (args.isEmpty()) throw new InputError(where + ": no argument after keyword \"" + keyword + "\"");
        return new Line(where, key, args, value(key, keyword, args, where));
    }

    /** The keyword: up to whitespace or '=' (one '=' may follow, with blanks around it), quotes allowed. */
    private static String keyword(String line, int[] pos, String where) {
        StringBuilder k = new StringBuilder();
        int i = 0;
        boolean quoted = line.charAt(0) == '"';
        if (quoted) i++;
        for (; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted ? c == '"' : (Character.isWhitespace(c) || c == '=')) break;
            k.append(c);
        }
        if (quoted) {
            if (i == line.length()) throw new InputError(where + ": unterminated quote in the keyword");
            i++;
        }
        while (i < line.length() && Character.isWhitespace(line.charAt(i))) i++;
        if (i < line.length() && line.charAt(i) == '=') i++;
        pos[0] = i;
        return k.toString();
    }

    /** Shell-like words: "..." and '...' quoting, \ escapes, a word beginning with # ends the line. */
    static List<String> words(String text, String where) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        char quote = 0;
        boolean any = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quote == 0 && Character.isWhitespace(ch)) {
                if (any) out.add(w.toString());
                w.setLength(0);
                any = false;
                continue;
            }
            if (quote == 0 && ch == '#' && !any) break;
            if (ch == '\\' && quote != '\'' && i + 1 < text.length()) {
                char next = text.charAt(i + 1);
                if (next == '\\' || next == '"' || next == '\'' || (quote == 0 && next == ' ')) {   // as ssh's argv_split
                    w.append(next);
                    i++;
                    any = true;
                    continue;
                }
            }
            if (ch == '"' || ch == '\'') {
                if (quote == 0) { quote = ch; any = true; continue; }
                if (quote == ch) { quote = 0; continue; }
            }
            w.append(ch);
            any = true;
        }
        if (quote != 0) throw new InputError(where + ": unterminated quote");
        if (any) out.add(w.toString());
        return out;
    }

    private static Object value(String key, String keyword, List<String> args, String where) {
        switch (key) {
            case "host", "match", "include", "userknownhostsfile", "globalknownhostsfile" -> { return List.copyOf(args); }
            default -> { }
        }
        if (!Set.of("hostname", "user", "port", "identityfile", "certificatefile", "identitiesonly", "identityagent", "proxyjump",
                "stricthostkeychecking", "hostkeyalias", "connecttimeout", "serveraliveinterval", "serveralivecountmax",
                "kexalgorithms", "hostkeyalgorithms", "ciphers", "macs", "canonicalizehostname").contains(key)) {
            return null;                                   // a keyword ops does not use: ignored, as ssh would use it
        }
        if (args.size() > 1) throw new InputError(where + ": " + keyword + " takes one value, got " + args.size() + " (" + String.join(" ", args) + ")");
        String v = args.get(0);
        return switch (key) {
            case "port" -> port(v, where);
            case "identitiesonly" -> flag(keyword, v, where);
            case "stricthostkeychecking" -> strict(v, where);
            case "connecttimeout", "serveraliveinterval" -> v.equalsIgnoreCase("none") ? null : time(keyword, v, where);   // none: as if unset
            case "serveralivecountmax" -> count(keyword, v, where);
            case "hostkeyalias" -> v.toLowerCase(Locale.ROOT);     // ssh -G shows it in lower case, and so it is looked up
            case "proxyjump" -> jump(v, where);
            case "kexalgorithms" -> algorithms(Algorithms.Kind.KEX, v, where);
            case "hostkeyalgorithms" -> algorithms(Algorithms.Kind.HOST_KEY, v, where);
            case "ciphers" -> algorithms(Algorithms.Kind.CIPHER, v, where);
            case "macs" -> algorithms(Algorithms.Kind.MAC, v, where);
            default -> v;
        };
    }

    private static int port(String v, String where) {
        try {
            int p = Integer.parseInt(v);
            if (p >= 1 && p <= 65535) return p;
        } catch (NumberFormatException ignored) { }
        throw new InputError(where + ": bad Port '" + v + "' (expected 1-65535)");
    }

    private static boolean flag(String keyword, String v, String where) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "yes", "true" -> true;
            case "no", "false" -> false;
            default -> throw new InputError(where + ": bad " + keyword + " '" + v + "' (expected yes or no)");
        };
    }

    private static HostConfig.StrictHostKeyChecking strict(String v, String where) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "yes", "true" -> HostConfig.StrictHostKeyChecking.YES;
            case "no", "false", "off" -> HostConfig.StrictHostKeyChecking.NO;
            case "accept-new" -> HostConfig.StrictHostKeyChecking.ACCEPT_NEW;
            case "ask" -> HostConfig.StrictHostKeyChecking.ASK;
            default -> throw new InputError(where + ": bad StrictHostKeyChecking '" + v + "' (expected yes, accept-new, no, off or ask)");
        };
    }

    /** ssh's time format: 30, 30s, 10m, 1h30m (s m h d w, any case); at most 2^31-1 seconds. */
    static Duration time(String keyword, String v, String where) {
        long total = 0, n = -1;
        for (char c : v.toCharArray()) {
            if (Character.isDigit(c)) {
                n = (n < 0 ? 0 : n) * 10 + (c - '0');
                if (n > Integer.MAX_VALUE) n = Long.MAX_VALUE / 2;
                continue;
            }
            long unit = switch (Character.toLowerCase(c)) {
                case 's' -> 1;
                case 'm' -> 60;
                case 'h' -> 3600;
                case 'd' -> 86400;
                case 'w' -> 604800;
                default -> -1;
            };
            if (unit < 0 || n < 0) throw new InputError(where + ": bad " + keyword + " '" + v + "' (a time: 30, 30s, 10m, 1h30m)");
            total += n * unit;
            n = -1;
        }
        if (n >= 0) total += n;
        if (v.isEmpty() || total > Integer.MAX_VALUE) throw new InputError(where + ": bad " + keyword + " '" + v + "' (a time: 30, 30s, 10m, 1h30m)");
        return Duration.ofSeconds(total);
    }

    private static int count(String keyword, String v, String where) {
        try {
            int n = Integer.parseInt(v);
            if (n >= 0) return n;
        } catch (NumberFormatException ignored) { }
        throw new InputError(where + ": bad " + keyword + " '" + v + "' (expected a whole number)");
    }

    /** "none" or [user@]host[:port] hops, comma-separated; kept as written (or "none"). */
    private static String jump(String v, String where) {
        if (v.equalsIgnoreCase("none")) return "none";
        for (String hop : v.split(",", -1)) {
            String h = hop.startsWith("ssh://") ? hop.substring(6) : hop;
            int at = h.lastIndexOf('@');
            if (at == 0) throw new InputError(where + ": bad ProxyJump '" + v + "': empty user in '" + hop + "'");
            h = h.substring(at + 1);
            String port = null;
            if (h.startsWith("[")) {
                int close = h.indexOf(']');
                if (close < 0) throw new InputError(where + ": bad ProxyJump '" + v + "': unclosed [ in '" + hop + "'");
                if (close + 1 < h.length()) {
                    if (h.charAt(close + 1) != ':') throw new InputError(where + ": bad ProxyJump '" + v + "': junk after ] in '" + hop + "'");
                    port = h.substring(close + 2);
                }
                h = h.substring(1, close);
            } else if (h.indexOf(':') >= 0 && h.indexOf(':') == h.lastIndexOf(':')) {
                port = h.substring(h.indexOf(':') + 1);
                h = h.substring(0, h.indexOf(':'));
            }
            if (h.isEmpty()) throw new InputError(where + ": bad ProxyJump '" + v + "': no host in '" + hop + "'");
            if (port != null) port(port, where);
        }
        return v;
    }

    /** Checked now (a bad name is an error wherever it stands); kept as written, assembled when resolved. */
    private static String algorithms(Algorithms.Kind kind, String v, String where) {
        try {
            Algorithms.assemble(kind, v);
        } catch (IllegalArgumentException e) {
            throw new InputError(where + ": " + e.getMessage());
        }
        return v;
    }
}
