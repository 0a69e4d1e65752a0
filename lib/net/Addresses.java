package net;

import java.io.IOException;
import java.net.InetAddress;

/** IP addresses as people write them, and IP literals read without asking DNS. */
public final class Addresses {
    private Addresses() {}

    /** An address as people write it: IPv6 compressed per RFC 5952 ("fd00::1", not "fd00:0:0:0:0:0:0:1"). */
    public static String format(InetAddress a) {
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
}
