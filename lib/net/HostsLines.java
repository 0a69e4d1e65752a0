package net;

//SOURCES ../cli/InputError.java Target.java Addresses.java
//SOURCES Targets.java

import cli.InputError;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lines of a hosts file, one at a time: comments, user@, host:port, [v6]:port, ranges and CIDR
 * expanded (capped before anything is expanded), duplicates said on stderr and kept once. A bad
 * line is an {@link InputError} naming {@code file:line}, the text and what is wrong.
 */
final class HostsLines {
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._][A-Za-z0-9._-]*");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?");
    private static final Pattern RANGE_GROUP = Pattern.compile("\\[([^\\[\\]]*)\\]");
    private static final Pattern RANGE_ITEM = Pattern.compile("(\\d+)(?:-(\\d+))?");

    final Targets.Options opts;
    final PrintStream warn;
    final List<Target> out = new ArrayList<>();
    final Map<String, String> seen = new HashMap<>();
    int accepted;   // targets named, duplicates included

    HostsLines(Targets.Options opts, PrintStream warn) { this.opts = opts; this.warn = warn; }

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
            throw new InputError(where + ": more than " + opts.maxTargets() + " targets in all (raise --max-targets)");
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
        byte[] bytes = Addresses.literal(addr).getAddress();
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
                hosts.add(Addresses.format(InetAddress.getByAddress(fixed)));
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
        if (!addr.matches("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?") || Addresses.literal(addr) == null) {
            throw bad(where, shown, "bad IPv6 address '" + addr + "'");
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
    private static InputError bad(String where, String text, String what) {
        String shown = text.length() <= 100 ? text : text.substring(0, 100) + "...' (" + text.length() + " characters";
        return new InputError(where + ": " + what + ": '" + shown + (text.length() <= 100 ? "'" : ")"));
    }
}
