package net;

//SOURCES ../cli/InputError.java Addresses.java

import cli.InputError;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A server's listen address as operators write it; exporter's --listen and alertrelay's listen:. */
public final class Listen {
    private Listen() {}

    /**
     * "127.0.0.1:9101", "[::1]:9101", "0.0.0.0:9101", "localhost:9101"; a bare ":9101" is refused as
     * ambiguous. {@code option} ("--listen") starts every error message.
     */
    public static InetSocketAddress parse(String option, String text) {
        Matcher m = Pattern.compile("^(\\[[^\\]]+\\]|[^:\\[\\]]+):(\\d{1,5})$").matcher(text.trim());
        if (text.trim().startsWith(":")) {
            throw new InputError(option + " " + text + ": give the address too: 127.0.0.1" + text.trim() + " for this host only, 0.0.0.0" + text.trim() + " for every interface");
        }
        if (!m.matches()) throw new InputError(option + " " + text + ": expected HOST:PORT, like 127.0.0.1:9101 or [::1]:9101");
        int port = Integer.parseInt(m.group(2));
        if (port > 65535) throw new InputError(option + " " + text + ": port " + port + " is out of range (0-65535)");
        String host = m.group(1).replaceAll("^\\[|\\]$", "");
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new InputError(option + " " + text + ": cannot resolve '" + host + "'");
        }
    }

    /** "127.0.0.1:9101", "[::1]:9101": for a log line. */
    public static String hostPort(InetSocketAddress a) {
        String host = Addresses.format(a.getAddress());
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
