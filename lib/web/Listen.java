package web;

//SOURCES ../cli/InputError.java ../net/Addresses.java

import cli.InputError;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.Addresses;

/**
 * Where a server listens, as an operator writes it: "127.0.0.1:9101", "[::1]:9101", "0.0.0.0:9101",
 * "localhost:9101". A bare ":9101" is refused as ambiguous (every interface, or this host only?):
 * an address that reaches beyond this host is always written out.
 */
public final class Listen {
    private Listen() {}

    private static final Pattern HOST_PORT = Pattern.compile("^(\\[[^\\]]+\\]|[^:\\[\\]]+):(\\d{1,5})$");

    /** HOST:PORT for {@code option} (named in the error); {@code defaultHost} for a bare PORT, or null to refuse one. */
    public static InetSocketAddress address(String option, String text, String defaultHost) {
        String t = text.trim();
        if (t.startsWith(":")) {
            throw new InputError(option + " " + text + ": give the address too: 127.0.0.1" + t + " for this host only, 0.0.0.0" + t + " for every interface");
        }
        if (defaultHost != null && t.matches("\\d{1,5}")) t = defaultHost + ":" + t;
        Matcher m = HOST_PORT.matcher(t);
        if (!m.matches()) {
            throw new InputError(option + " " + text + ": expected " + (defaultHost != null ? "PORT or " : "") + "HOST:PORT, like 127.0.0.1:9101 or [::1]:9101");
        }
        int port = Integer.parseInt(m.group(2));
        if (port > 65535) throw new InputError(option + " " + text + ": port " + port + " is out of range (0-65535)");
        String host = m.group(1).replaceAll("^\\[|\\]$", "");
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new InputError(option + " " + text + ": cannot resolve '" + host + "'");
        }
    }

    /** "127.0.0.1:9101", "[::1]:9101": the address as a URL writes it. */
    public static String hostPort(InetSocketAddress a) {
        String host = Addresses.format(a.getAddress());
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
