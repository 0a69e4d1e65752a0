package dns;

//SOURCES ../cli/InputError.java ../net/Addresses.java Names.java

import cli.InputError;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import net.Addresses;

/**
 * A resolv.conf as glibc's stub resolver reads it (resolv.conf(5), glibc 2.36): nameserver (at most
 * 3 are used), search and domain (the last of them wins), options ndots/timeout/attempts (capped at
 * 15, 30 and 5 as glibc caps them), rotate, single-request, single-request-reopen, no-tld-query,
 * use-vc. glibc ignores what it does not understand; we do not: a line it would skip silently
 * (a typo such as "option ndots:5" or "nameserver 10.0.0.300") is an {@link InputError} naming
 * file:line, because that line is what the operator thinks is in effect. Options that do not
 * change which queries are sent (edns0, trust-ad, ...) are accepted and listed.
 */
public record ResolvConf(String source, List<InetSocketAddress> nameservers, List<String> search, int ndots,
                         int timeoutSeconds, int attempts, boolean rotate, boolean singleRequest, boolean noTldQuery,
                         boolean useVc, List<String> notes) {

    public static final int MAXNS = 3;
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final List<String> PASSIVE_OPTIONS = List.of("edns0", "trust-ad", "no-aaaa", "inet6", "debug",
            "ip6-bytestring", "ip6-dotint", "no-ip6-dotint", "no-check-names", "no-reload", "insecure1", "insecure2");

    /** Reads {@code file}; a missing file means glibc's defaults (nameserver 127.0.0.1), as glibc does. */
    public static ResolvConf read(Path file, String localHostname) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            lines = List.of();
        } catch (IOException e) {
            throw new InputError(file + ": cannot read: " + e.getMessage());
        }
        return parse(file.toString(), lines, localHostname);
    }

    public static ResolvConf parse(String source, List<String> lines, String localHostname) {
        List<InetSocketAddress> servers = new ArrayList<>();
        List<String> search = null;
        List<String> notes = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        int ndots = 1, timeout = 5, attempts = 2;
        boolean rotate = false, single = false, noTld = false, vc = false;
        for (int i = 0; i < lines.size(); i++) {
            String where = source + ":" + (i + 1);
            String line = lines.get(i);
            int hash = indexOfComment(line);
            if (hash >= 0) line = line.substring(0, hash);
            String[] w = line.trim().split("[ \\t]+");
            if (w.length == 0 || w[0].isEmpty()) continue;
            switch (w[0]) {
                case "nameserver" -> {
                    if (w.length < 2) { errors.add(where + ": nameserver without an address"); continue; }
                    InetAddress a = ipLiteral(w[1]);
                    if (a == null) { errors.add(where + ": nameserver '" + w[1] + "' is not an IP address (glibc skips this line)"); continue; }
                    if (servers.size() == MAXNS) { notes.add(where + ": nameserver " + w[1] + " ignored: glibc uses the first " + MAXNS); continue; }
                    servers.add(new InetSocketAddress(a, 53));
                }
                case "search", "domain" -> {
                    if (w.length < 2) { errors.add(where + ": " + w[0] + " without a domain"); continue; }
                    List<String> domains = new ArrayList<>();
                    for (int k = 1; k < (w[0].equals("domain") ? 2 : w.length); k++) {
                        String d = w[k].toLowerCase(Locale.ROOT);
                        String bad = Names.problem(d);
                        if (bad != null) { errors.add(where + ": " + w[0] + " '" + w[k] + "': " + bad); continue; }
                        domains.add(d.endsWith(".") && d.length() > 1 ? d.substring(0, d.length() - 1) : d);
                    }
                    if (search != null) notes.add(where + ": " + w[0] + " replaces the search list given before (the last search/domain line wins)");
                    search = domains;
                }
                case "options" -> {
                    for (int k = 1; k < w.length; k++) {
                        String o = w[k];
                        int colon = o.indexOf(':');
                        String key = colon < 0 ? o : o.substring(0, colon);
                        switch (key) {
                            case "ndots" -> ndots = number(errors, where, o, colon, 15, ndots);
                            case "timeout" -> timeout = Math.max(1, number(errors, where, o, colon, 30, timeout));
                            case "attempts" -> attempts = Math.max(1, number(errors, where, o, colon, 5, attempts));
                            case "rotate" -> rotate = true;
                            case "single-request" -> single = true;
                            case "single-request-reopen" -> single = true;
                            case "no-tld-query" -> noTld = true;
                            case "use-vc" -> vc = true;
                            default -> {
                                if (!PASSIVE_OPTIONS.contains(key)) errors.add(where + ": unknown option '" + o + "' (glibc ignores it silently)");
                            }
                        }
                    }
                }
                case "sortlist", "lookup", "family" -> notes.add(where + ": '" + w[0] + "' does not change which queries are sent");
                default -> errors.add(where + ": unknown keyword '" + w[0] + "' (expected nameserver, search, domain, options or sortlist; glibc ignores the line)");
            }
        }
        if (!errors.isEmpty()) throw new InputError(String.join("\n", errors));
        if (servers.isEmpty()) {
            servers.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), 53));
            notes.add(source + ": no nameserver line: glibc asks 127.0.0.1");
        }
        if (search == null) {
            int dot = localHostname == null ? -1 : localHostname.indexOf('.');
            search = dot > 0 && dot < localHostname.length() - 1 ? List.of(localHostname.substring(dot + 1).toLowerCase(Locale.ROOT)) : List.of();
            if (!search.isEmpty()) notes.add(source + ": no search or domain line: glibc searches the host name's domain " + search.get(0));
        }
        return new ResolvConf(source, List.copyOf(servers), List.copyOf(search), ndots, timeout, attempts, rotate, single, noTld, vc, List.copyOf(notes));
    }

    /** The same settings, asking {@code servers} instead (--server). */
    public ResolvConf withServers(List<InetSocketAddress> servers) {
        return new ResolvConf(source, List.copyOf(servers), search, ndots, timeoutSeconds, attempts, rotate, singleRequest, noTldQuery, useVc, notes);
    }

    /** "ndots:1 timeout:5 attempts:2" and the flags that are set. */
    public String optionsText() {
        StringBuilder sb = new StringBuilder("ndots:" + ndots + " timeout:" + timeoutSeconds + " attempts:" + attempts);
        if (rotate) sb.append(" rotate");
        if (singleRequest) sb.append(" single-request");
        if (noTldQuery) sb.append(" no-tld-query");
        if (useVc) sb.append(" use-vc");
        return sb.toString();
    }

    /** An IPv4 or IPv6 literal (no DNS asked), or null. */
    public static InetAddress ipLiteral(String text) {
        if (IPV4.matcher(text).matches()) return Addresses.literal(text);
        if (text.indexOf(':') >= 0 && text.matches("[0-9A-Fa-f:.%a-zA-Z0-9]+")) return Addresses.literal(text);
        return null;
    }

    /** glibc treats '#' and ';' in the first column or after white space as a comment. */
    private static int indexOfComment(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if ((c == '#' || c == ';') && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) return i;
        }
        return -1;
    }

    private static int number(List<String> errors, String where, String option, int colon, int cap, int keep) {
        String v = colon < 0 ? "" : option.substring(colon + 1);
        if (!v.matches("\\d{1,6}")) {
            errors.add(where + ": option '" + option + "' needs a number, e.g. " + option.substring(0, colon < 0 ? option.length() : colon) + ":2");
            return keep;
        }
        return Math.min(cap, Integer.parseInt(v));
    }
}
