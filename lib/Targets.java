import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hosts files: one target a line, every form an operator writes.
 *
 * <pre>
 *   # comment                     blank lines and '#' comments (also after a target) are ignored
 *   web01                         host, default port
 *   web01:2222                    host:port
 *   [2001:db8::1]:22  ::1         IPv6, bracketed when a port follows
 *   deploy@web01:2222             user@host[:port]
 *   web[01-20,25].dc1             ranges; leading zeros set the width; several groups multiply
 *   10.0.0.0/28                   CIDR; network and broadcast addresses skipped below /31
 * </pre>
 * A bad line is an {@link Cli.InputError} naming {@code file:line}, the text and what is wrong;
 * nothing is returned half-read. Expansion is capped ({@code maxTargets}) before anything is
 * expanded. Duplicates are reported on stderr and kept once, so every named target has one row.
 */
public final class Targets {
    public static final int DEFAULT_MAX_TARGETS = 65_536;

    /**
     * One target. {@code spec} is how it reads after range expansion ({@code web01.dc1:2222}),
     * {@code origin} where it came from ({@code hosts.txt:12}).
     */
    public record Target(String spec, String user, String host, int port, String origin) {
        /** host:port, with IPv6 addresses bracketed. */
        public String hostPort() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** A defaultPort meaning "the line named none": the caller decides later (fanout asks ~/.ssh/config). */
    public static final int UNSET_PORT = 0;

    /**
     * defaultPort applies to lines without a port (or {@link #UNSET_PORT}), defaultUser (may be
     * null) to lines without user@.
     */
    public record Options(int defaultPort, String defaultUser, int maxTargets) {
        public Options {
            if (defaultPort != UNSET_PORT && (defaultPort < 1 || defaultPort > 65535)) throw new Cli.InputError("bad port " + defaultPort + " (expected 1-65535)");
            if (maxTargets < 1) throw new Cli.InputError("--max-targets must be at least 1");
        }
    }

    private Targets() {}

    /**
     * Reads every source in order: hosts files ("-" is stdin), then inline targets (-H a,b,c).
     * Warnings (duplicates) go to {@code warn}.
     */
    public static List<Target> load(List<String> files, List<String> inline, Options opts, InputStream stdin, PrintStream warn) {
        List<String> names = new ArrayList<>();
        List<List<String>> contents = new ArrayList<>();
        boolean stdinUsed = false;
        for (String f : files) {
            if (f.equals("-")) {
                if (stdinUsed) throw new Cli.InputError("'-' (stdin) given twice");
                stdinUsed = true;
                names.add("<stdin>");
                contents.add(readLines("<stdin>", stdin));
            } else {
                names.add(f);
                contents.add(readFile(f));
            }
        }
        if (!inline.isEmpty()) {
            List<String> lines = new ArrayList<>();
            for (String group : inline) {
                for (String t : group.split(",", -1)) {
                    if (t.isBlank()) throw new Cli.InputError("-H: empty target in '" + group + "'");
                    lines.add(t.strip());
                }
            }
            names.add("-H");
            contents.add(lines);
        }
        if (names.isEmpty()) throw new Cli.InputError("no targets: give a hosts file, '-' for stdin, or -H host1,host2");

        Parser p = new Parser(opts, warn);
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            int before = p.accepted;
            int lineNo = 0;
            for (String line : contents.get(i)) {
                lineNo++;
                p.line(name.equals("-H") ? "-H" : name + ":" + lineNo, line, lineNo == 1);
            }
            if (p.accepted == before) {
                throw new Cli.InputError(name + ": no targets (the file is empty or has only comments)");
            }
        }
        return List.copyOf(p.out);
    }

    /** Parses lines as if they came from a file called {@code name}: handy for tests and -H. */
    public static List<Target> parse(String name, List<String> lines, Options opts, PrintStream warn) {
        Parser p = new Parser(opts, warn);
        int n = 0;
        for (String l : lines) { n++; p.line(name + ":" + n, l, n == 1); }
        return List.copyOf(p.out);
    }

    private static List<String> readFile(String f) {
        Path path = Path.of(f);
        if (Files.isDirectory(path)) throw new Cli.InputError(f + ": is a directory, not a hosts file");
        try (InputStream in = Files.newInputStream(path)) {
            return readLines(f, in);
        } catch (NoSuchFileException e) {
            throw new Cli.InputError(f + ": no such file");
        } catch (IOException e) {
            throw new Cli.InputError(f + ": cannot read: " + e.getMessage());
        }
    }

    private static List<String> readLines(String name, InputStream in) {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, decoder))) {
            String l;
            while ((l = r.readLine()) != null) lines.add(l);
        } catch (CharacterCodingException e) {
            throw new Cli.InputError(name + ":" + (lines.size() + 1) + ": not UTF-8 text (is this really a hosts file?)");
        } catch (IOException e) {
            throw new Cli.InputError(name + ": cannot read: " + e.getMessage());
        }
        return lines;
    }

    // ---- the parser ---------------------------------------------------------------------------

    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._][A-Za-z0-9._-]*");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?");
    private static final Pattern RANGE_GROUP = Pattern.compile("\\[([^\\[\\]]*)\\]");
    private static final Pattern RANGE_ITEM = Pattern.compile("(\\d+)(?:-(\\d+))?");

    private static final class Parser {
        final Options opts;
        final PrintStream warn;
        final List<Target> out = new ArrayList<>();
        final Map<String, String> seen = new HashMap<>();
        int accepted;   // targets named, duplicates included

        Parser(Options opts, PrintStream warn) { this.opts = opts; this.warn = warn; }

        void line(String where, String raw, boolean first) {
            String text = raw;
            if (first && text.startsWith("\uFEFF")) text = text.substring(1);
            int hash = text.indexOf('#');
            if (hash >= 0) text = text.substring(0, hash);
            text = text.strip();
            if (text.isEmpty()) return;
            String shown = text;
            if (text.chars().anyMatch(Character::isWhitespace)) {
                throw bad(where, shown, "more than one word; put one target per line");
            }
            if (text.contains("://")) throw bad(where, shown, "looks like a URL; write host, host:port or user@host:port");
            if (text.replaceAll("\\[[^\\]]*]", "").contains(",")) {      // a comma outside a range: a list of targets
                throw bad(where, shown, "one target a line (commas separate targets only after -H)");
            }

            String user = opts.defaultUser();
            int at = text.lastIndexOf('@');
            if (at >= 0) {
                user = text.substring(0, at);
                text = text.substring(at + 1);
                if (!USER.matcher(user).matches()) throw bad(where, shown, "bad user name '" + user + "'");
                if (text.isEmpty()) throw bad(where, shown, "missing host after '@'");
            }

            String host;
            String portText = null;
            boolean v6 = false;
            if (text.startsWith("[") && text.indexOf(']') > 0 && text.substring(1, text.indexOf(']')).contains(":")) {
                int close = text.indexOf(']');
                host = text.substring(1, close);
                String rest = text.substring(close + 1);
                if (!rest.isEmpty()) {
                    if (!rest.startsWith(":")) throw bad(where, shown, "unexpected '" + rest + "' after ']' (expected ':PORT')");
                    portText = rest.substring(1);
                }
                v6 = true;
            } else if (text.indexOf(':') != text.lastIndexOf(':')) {
                if (text.contains("[") || text.contains("]")) throw bad(where, shown, "bad IPv6 address; write [addr]:port");
                host = text;              // bare IPv6 address, no port (as ssh reads it)
                v6 = true;
            } else {
                int colon = text.indexOf(':');
                host = colon >= 0 ? text.substring(0, colon) : text;
                portText = colon >= 0 ? text.substring(colon + 1) : null;
            }
            if (host.isEmpty()) throw bad(where, shown, "missing host");
            int port = portText == null ? opts.defaultPort() : parsePort(where, shown, portText);

            List<String> hosts;
            if (host.contains("/")) {
                hosts = expandCidr(where, shown, host);
            } else if (v6) {
                checkIpv6(where, shown, host);
                hosts = List.of(host);
            } else if (host.contains("[") || host.contains("]")) {
                hosts = expandRanges(where, shown, host);
            } else {
                hosts = List.of(host);
            }
            boolean expanded = hosts.size() > 1 || !hosts.get(0).equals(host);
            for (String h : hosts) {
                if (h.indexOf(':') < 0) checkHostname(where, shown, h);
                String spec = expanded ? specOf(user, at >= 0, h, portText != null ? port : -1) : shown;
                add(where, new Target(spec, user, h, port, where));
            }
        }

        void add(String where, Target t) {
            String key = (t.user() == null ? "" : t.user()) + "@" + t.host().toLowerCase(Locale.ROOT) + ":" + t.port();
            String prev = seen.putIfAbsent(key, where);
            accepted++;
            if (prev != null) {
                warn.println("warning: " + where + ": " + t.spec() + " duplicates " + prev + "; checked once");
                return;
            }
            if (out.size() >= opts.maxTargets()) {
                throw new Cli.InputError(where + ": more than " + opts.maxTargets() + " targets in all (raise --max-targets)");
            }
            out.add(t);
        }

        int remaining() { return opts.maxTargets() - out.size(); }

        List<String> expandRanges(String where, String shown, String host) {
            // Check the brackets first so that "web[01-03" is named as what it is.
            int depth = 0;
            for (char c : host.toCharArray()) {
                if (c == '[' && ++depth > 1) throw bad(where, shown, "nested '[' in range");
                if (c == ']' && --depth < 0) throw bad(where, shown, "']' without '['");
            }
            if (depth != 0) throw bad(where, shown, "unclosed '[' in range");
            List<String> results = new ArrayList<>(List.of(""));
            Matcher m = RANGE_GROUP.matcher(host);
            int last = 0;
            while (m.find()) {
                List<String> values = rangeValues(where, shown, m.group(1));
                String literal = host.substring(last, m.start());
                long total = (long) results.size() * values.size();
                if (total > remaining()) {
                    throw bad(where, shown, "expands to " + total + "+ targets, over the limit of " + opts.maxTargets() + " (raise --max-targets)");
                }
                List<String> next = new ArrayList<>((int) total);
                for (String r : results) for (String v : values) next.add(r + literal + v);
                results = next;
                last = m.end();
            }
            String tail = host.substring(last);
            results.replaceAll(r -> r + tail);
            return results;
        }

        List<String> rangeValues(String where, String shown, String body) {
            if (body.isEmpty()) throw bad(where, shown, "empty range '[]'");
            List<String> values = new ArrayList<>();
            for (String item : body.split(",", -1)) {
                Matcher m = RANGE_ITEM.matcher(item);
                if (!m.matches()) throw bad(where, shown, "bad range item '" + item + "' (expected N or N-M, e.g. [01-20,25])");
                String a = m.group(1), b = m.group(2) == null ? a : m.group(2);
                if (a.length() > 9 || b.length() > 9) throw bad(where, shown, "range number too long in '" + item + "'");
                int from = Integer.parseInt(a), to = Integer.parseInt(b);
                if (from > to) throw bad(where, shown, "range '" + item + "' runs backwards");
                int width = a.length() > 1 && a.startsWith("0") ? a.length() : 0;
                if ((long) values.size() + (to - from + 1) > remaining()) {
                    throw bad(where, shown, "expands to more than " + opts.maxTargets() + " targets (raise --max-targets)");
                }
                for (int i = from; i <= to; i++) values.add(width > 0 ? String.format("%0" + width + "d", i) : Integer.toString(i));
            }
            return values;
        }

        List<String> expandCidr(String where, String shown, String text) {
            int slash = text.indexOf('/');
            String addr = text.substring(0, slash), bits = text.substring(slash + 1);
            boolean v6 = addr.contains(":");
            int max = v6 ? 128 : 32;
            int prefix;
            try {
                prefix = Integer.parseInt(bits);
            } catch (NumberFormatException e) {
                throw bad(where, shown, "bad prefix length '/" + bits + "' (expected 0-" + max + ")");
            }
            if (prefix < 0 || prefix > max || !bits.matches("\\d+")) throw bad(where, shown, "bad prefix length '/" + bits + "' (expected 0-" + max + ")");
            if (v6) checkIpv6(where, shown, addr);
            else checkIpv4(where, shown, addr);
            byte[] bytes = literal(addr).getAddress();
            BigInteger size = BigInteger.ONE.shiftLeft(max - prefix);
            BigInteger first = new BigInteger(1, bytes).shiftRight(max - prefix).shiftLeft(max - prefix);
            // Skip addresses that are not hosts: IPv4 network + broadcast, IPv6 subnet-router anycast.
            long skipStart = (!v6 && prefix <= 30) || (v6 && prefix <= 126) ? 1 : 0;
            long skipEnd = !v6 && prefix <= 30 ? 1 : 0;
            BigInteger count = size.subtract(BigInteger.valueOf(skipStart + skipEnd));
            if (count.compareTo(BigInteger.valueOf(remaining())) > 0) {
                throw bad(where, shown, "expands to " + count + " addresses, over the limit of " + opts.maxTargets() + " (raise --max-targets)");
            }
            List<String> hosts = new ArrayList<>(count.intValue());
            for (long i = skipStart; i < skipStart + count.longValue(); i++) {
                byte[] raw = first.add(BigInteger.valueOf(i)).toByteArray();
                byte[] fixed = new byte[max / 8];
                int copy = Math.min(raw.length, fixed.length);
                System.arraycopy(raw, raw.length - copy, fixed, fixed.length - copy, copy);
                try {
                    hosts.add(formatAddress(InetAddress.getByAddress(fixed)));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            return hosts;
        }

        void checkHostname(String where, String shown, String host) {
            String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
            if (h.matches("[0-9.]+")) { checkIpv4(where, shown, h); return; }
            if (h.length() > 253) throw bad(where, shown, "host name longer than 253 characters");
            for (String label : h.split("\\.", -1)) {
                if (label.isEmpty()) throw bad(where, shown, "empty label in host name '" + host + "'");
                if (label.length() > 63 || !LABEL.matcher(label).matches()) {
                    throw bad(where, shown, "bad host name '" + host + "' (letters, digits, '-', '_' and '.' only)");
                }
            }
        }

        void checkIpv4(String where, String shown, String addr) {
            String[] parts = addr.split("\\.", -1);
            boolean ok = parts.length == 4;
            for (String p : parts) ok &= p.matches("\\d{1,3}") && Integer.parseInt(p) <= 255;
            if (!ok) throw bad(where, shown, "bad IPv4 address '" + addr + "'");
        }

        void checkIpv6(String where, String shown, String addr) {
            if (!addr.matches("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?") || literal(addr) == null) {
                throw bad(where, shown, "bad IPv6 address '" + addr + "'");
            }
        }
    }

    private static final Pattern NUMBER = Pattern.compile("\\d{1,9}");

    /**
     * The inverse of range expansion, for showing host lists: {@code [web01, web02, web03, web05]}
     * becomes {@code web[01-03,05]}, and {@code 10.0.0.1:22, 10.0.0.2:22} becomes
     * {@code 10.0.0.[1-2]:22}. Names with the same text around their numbers are folded on the
     * number that varies; zero padding is kept; groups keep first-seen order and are joined by ",".
     */
    public static String fold(List<String> names) {
        // Shape = the text between numbers ("web", ".dc", ""); names of one shape may fold together.
        Map<List<String>, List<List<String>>> byShape = new LinkedHashMap<>();
        List<Object> order = new ArrayList<>();        // a shape, or a name that can't fold, in first-seen order
        for (String n : names) {
            if (n.contains("[") || n.contains("]") || n.contains(",") || !NUMBER.matcher(n).find()) { order.add(n); continue; }
            List<String> text = new ArrayList<>(), numbers = new ArrayList<>();
            Matcher m = NUMBER.matcher(n);
            int last = 0;
            while (m.find()) {
                text.add(n.substring(last, m.start()));
                numbers.add(m.group());
                last = m.end();
            }
            text.add(n.substring(last));
            byShape.computeIfAbsent(text, k -> { order.add(k); return new ArrayList<>(); }).add(numbers);
        }
        List<String> parts = new ArrayList<>();
        for (Object o : order) {
            if (o instanceof String literal) { parts.add(literal); continue; }
            @SuppressWarnings("unchecked") List<String> text = (List<String>) o;
            parts.addAll(foldShape(text, byShape.get(text)));
        }
        return String.join(",", parts);
    }

    /** Folds names of one shape on the number position that leaves the fewest groups (the last, on ties). */
    private static List<String> foldShape(List<String> text, List<List<String>> members) {
        int positions = text.size() - 1;
        Map<List<String>, List<String>> best = null;
        int bestPos = -1;
        for (int pos = positions - 1; pos >= 0; pos--) {
            Map<List<String>, List<String>> groups = new LinkedHashMap<>();
            for (List<String> nums : members) {
                List<String> rest = new ArrayList<>(nums);
                rest.set(pos, "");
                groups.computeIfAbsent(rest, k -> new ArrayList<>()).add(nums.get(pos));
            }
            if (best == null || groups.size() < best.size()) { best = groups; bestPos = pos; }
        }
        List<String> out = new ArrayList<>();
        for (var g : best.entrySet()) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < positions; i++) {
                sb.append(text.get(i));
                if (i != bestPos) sb.append(g.getKey().get(i));
                else if (g.getValue().size() == 1) sb.append(g.getValue().get(0));
                else sb.append('[').append(foldNumbers(g.getValue())).append(']');
            }
            out.add(sb.append(text.get(positions)).toString());
        }
        return out;
    }

    /** "01","02","03","05","7" -> "01-03,05,7": padded widths are kept apart, runs joined. */
    private static String foldNumbers(List<String> numbers) {
        Set<Integer> paddedWidths = new TreeSet<>();
        for (String n : numbers) if (n.length() > 1 && n.startsWith("0")) paddedWidths.add(n.length());
        Map<Integer, TreeSet<Integer>> byWidth = new TreeMap<>();  // width 0 = unpadded
        for (String n : numbers) {
            int width = paddedWidths.contains(n.length()) ? n.length() : 0;
            byWidth.computeIfAbsent(width, w -> new TreeSet<>()).add(Integer.parseInt(n));
        }
        List<String> items = new ArrayList<>();
        byWidth.forEach((width, values) -> {
            String fmt = width == 0 ? "%d" : "%0" + width + "d";
            Integer start = null, prev = null;
            for (int v : values) {
                if (start == null) { start = prev = v; continue; }
                if (v == prev + 1) { prev = v; continue; }
                items.add(run(fmt, start, prev));
                start = prev = v;
            }
            items.add(run(fmt, start, prev));
        });
        return String.join(",", items);
    }

    private static String run(String fmt, int from, int to) {
        return from == to ? String.format(fmt, from) : String.format(fmt, from) + "-" + String.format(fmt, to);
    }

    /** An address as people write it: IPv6 compressed per RFC 5952 ("fd00::1", not "fd00:0:0:0:0:0:0:1"). */
    public static String formatAddress(InetAddress a) {
        if (!(a instanceof java.net.Inet6Address)) return a.getHostAddress();
        byte[] b = a.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        int bestStart = -1, bestLen = 1;           // only runs of two or more zero groups
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) { sb.append("::"); i += bestLen - 1; continue; }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(g[i]));
        }
        String full = a.getHostAddress();                    // keeps a zone id such as "%eth0"
        return full.indexOf('%') >= 0 ? sb + full.substring(full.indexOf('%')) : sb.toString();
    }

    /**
     * Parses an IP literal without touching DNS; null if it does not parse. Callers check first that
     * the text looks like one: a host name here would be resolved.
     */
    public static InetAddress literal(String addr) {
        try {
            return InetAddress.getByName(addr.contains(":") ? "[" + addr + "]" : addr);
        } catch (IOException e) {
            return null;
        }
    }

    private static int parsePort(String where, String shown, String text) {
        if (text.isEmpty()) throw bad(where, shown, "missing port after ':'");
        if (!text.matches("\\d{1,5}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 65535) {
            throw bad(where, shown, "bad port '" + text + "' (expected 1-65535)");
        }
        return Integer.parseInt(text);
    }

    private static String specOf(String user, boolean userWritten, String host, int port) {
        String h = port > 0 && host.contains(":") ? "[" + host + "]" : host;
        return (userWritten ? user + "@" : "") + h + (port > 0 ? ":" + port : "");
    }

    /** "file:line: what: 'text'", the text cut at 100 characters (a 1 MB line is not echoed whole). */
    private static Cli.InputError bad(String where, String text, String what) {
        String shown = text.length() <= 100 ? text : text.substring(0, 100) + "...' (" + text.length() + " characters";
        return new Cli.InputError(where + ": " + what + ": '" + shown + (text.length() <= 100 ? "'" : ")"));
    }
}
