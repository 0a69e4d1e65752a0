package net;

//SOURCES ../cli/Durations.java ../cli/Errors.java

import cli.Durations;
import cli.Errors;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;

/**
 * What a failed TCP connect means for the target, in the words every script reports: timeout
 * (SYN dropped), refused (RST), unreachable (ICMP or no route), or error. probe and fanout's SSH
 * connections classify the same way, so a host is "refused" in both.
 */
public final class Tcp {
    private Tcp() {}

    /** A row's status and the detail that explains it. */
    public record Failure(String status, String detail) {}

    /**
     * One connect over loopback to a listener of our own, before any timed connect: the first
     * connect of a JVM costs it a few ms of class loading and linking that are not the target's.
     * Sends nothing anywhere else.
     */
    public static void warmUp() {
        try (var server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             var client = new java.net.Socket()) {
            client.connect(server.getLocalSocketAddress(), 1000);
            server.accept().close();
        } catch (IOException ignored) {
            // no loopback: the first timed connect pays, as before
        }
    }

    /** Classifies what {@code Socket.connect} threw; {@code timeoutMs} is the connect timeout it was given. */
    public static Failure connectFailure(IOException e, long timeoutMs) {
        if (e instanceof SocketTimeoutException) return new Failure("timeout", "no answer to connect within " + Durations.format(timeoutMs));
        if (e instanceof NoRouteToHostException) return new Failure("unreachable", Errors.message(e, "no route to host"));
        String m = Errors.message(e, e instanceof ConnectException ? "" : e.getClass().getSimpleName());
        if (e instanceof ConnectException && m.contains("refused")) return new Failure("refused", "connection refused");
        if (m.contains("unreachable")) return new Failure("unreachable", m);
        if (e instanceof ConnectException && m.contains("timed out")) return new Failure("timeout", m);
        return new Failure("error", m);
    }
}
