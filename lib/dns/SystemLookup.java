package dns;

//SOURCES ../net/Addresses.java

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import net.Addresses;

/**
 * The system resolver's answer, as every program on this machine gets it: the JDK's
 * InetAddress.getAllByName, which calls glibc's getaddrinfo (nsswitch.conf, /etc/hosts, then the
 * stub resolver with resolv.conf), timed. The JDK caches answers for the life of the process (30 s
 * for a positive one), so each name is asked once a run. Duplicate addresses are shown once.
 */
public record SystemLookup(List<String> addresses, double ms, String error) {

    public boolean resolved() { return error == null; }

    public static SystemLookup of(String name) {
        long t0 = System.nanoTime();
        try {
            InetAddress[] all = InetAddress.getAllByName(name);
            LinkedHashSet<String> seen = new LinkedHashSet<>();
            for (InetAddress a : all) seen.add(Addresses.format(a));
            return new SystemLookup(new ArrayList<>(seen), ms(t0), null);
        } catch (UnknownHostException e) {
            String m = e.getMessage() == null ? "" : e.getMessage();
            String why = m.contains("Temporary failure") ? "temporary failure (a server timed out or said SERVFAIL)"
                    : "not found (getaddrinfo: " + (m.contains(": ") ? m.substring(m.indexOf(": ") + 2) : "unknown host") + ")";
            return new SystemLookup(List.of(), ms(t0), why);
        } catch (RuntimeException e) {
            return new SystemLookup(List.of(), ms(t0), e.toString());
        }
    }

    /** The first getaddrinfo of a JVM loads NSS modules: done once, off any name's clock. */
    public static void warmUp() {
        try {
            InetAddress.getAllByName("localhost");
        } catch (UnknownHostException ignored) {
            // nothing to warm
        }
    }

    private static double ms(long t0) { return Math.round((System.nanoTime() - t0) / 1e5) / 10.0; }
}
