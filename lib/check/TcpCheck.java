package check;

//SOURCES ../cli/Durations.java ../net/Addresses.java ../net/Tcp.java Check.java Findings.java Limit.java LocalFacts.java Probe.java Severity.java Validate.java

import cli.Durations;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import net.Addresses;
import net.Tcp;

/** {@code kind: tcp}: host:port accepts a connection within the timeout, and how fast. */
public record TcpCheck(String name, String group, Severity severity, String host, Integer port, Duration timeout,
                       Limit<Duration> latency) implements Check {

    @Override public String defaultGroup() { return "services"; }

    @Override public Probe probe(String at, Duration defaultTimeout) {
        String h = Validate.required(at, "host", host);
        int p = Validate.port(at + ".port", port);
        Duration t = Validate.timeout(at + ".timeout", timeout, defaultTimeout);
        Validate.above(at + ".latency", latency, Duration::toMillis);
        return new Connect(this, (h.contains(":") ? "[" + h + "]" : h) + ":" + p, t);
    }

    private record Connect(TcpCheck c, String name, Duration timeout) implements Probe {
        @Override public void run(LocalFacts local, Findings o) {
            long timeoutMs = timeout.toMillis();
            InetAddress addr;
            try {
                addr = InetAddress.getByName(c.host().strip());
            } catch (UnknownHostException e) {
                o.value("unresolved");
                o.fail("cannot resolve " + c.host());
                return;
            }
            o.expect("connect within " + Durations.format(timeoutMs));
            long t0 = System.nanoTime();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(addr, c.port()), (int) Math.min(Integer.MAX_VALUE, timeoutMs));
            } catch (IOException e) {
                Tcp.Failure f = Tcp.connectFailure(e, timeoutMs);
                o.value(f.status());
                o.fail(f.detail() + " (" + Addresses.format(addr) + ":" + c.port() + ")");
                return;
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            o.measure("connect", ms, "ms", String.format(Locale.ROOT, "%.1fms", ms), c.latency(), Duration::toMillis, false);
            o.note("connected to " + Addresses.format(addr) + ":" + c.port());
        }
    }
}
