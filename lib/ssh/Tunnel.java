package ssh;

//DEPS com.hierynomus:sshj:0.40.0
//SOURCES ../cli/Durations.java ../cli/Errors.java Ssh.java

import cli.Durations;
import cli.Errors;
import java.io.IOException;
import java.util.Locale;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.ConnectionException;
import net.schmizz.sshj.connection.channel.OpenFailException;
import net.schmizz.sshj.connection.channel.direct.DirectConnection;

/**
 * The transport of a host reached through a bastion: a direct-tcpip channel the bastion opens to
 * host:port (what ssh -J and ssh -W do), handed to sshj as the next connection's byte stream.
 *
 * When the bastion cannot open it, the row says so with the bastion's own words: OpenSSH's sshd
 * answers "connect failed" with strerror ("Connection refused", "No route to host") or the
 * resolver's message, and "administratively prohibited" when AllowTcpForwarding or PermitOpen
 * forbid it. Those become refused, unreachable, unresolved, timeout or error, each "via BASTION".
 */
final class Tunnel implements Ssh.Link {
    private final DirectConnection channel;
    private final String address;

    private Tunnel(DirectConnection channel, String address) {
        this.channel = channel;
        this.address = address;
    }

    /** Asks {@code via} (named {@code viaName} in messages) to connect to host:port for us. */
    static Tunnel open(Ssh.Connection via, String viaName, String host, int port) throws Ssh.Failure {
        String where = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        String address = where + " via " + viaName;
        try {
            return new Tunnel(via.client().newDirectConnection(host, port), address);
        } catch (OpenFailException e) {
            throw failure(e, viaName, where, address);
        } catch (ConnectionException e) {
            String m = Errors.message(e, e.getClass().getSimpleName());
            if (m.toLowerCase(Locale.ROOT).contains("timeout")) {
                throw new Ssh.Failure("timeout", "via " + viaName + ": the bastion did not connect to " + where + " within "
                        + Durations.format(via.client().getConnection().getTimeoutMs()) + " (no answer from there?)", address);
            }
            throw new Ssh.Failure("error", "via " + viaName + ": could not open a channel to " + where + ": " + m, address);
        } catch (IOException | RuntimeException e) {
            throw new Ssh.Failure("error", "via " + viaName + ": connection to the bastion lost while opening a channel to "
                    + where + ": " + Errors.message(e, e.getClass().getSimpleName()), address);
        }
    }

    private static Ssh.Failure failure(OpenFailException e, String viaName, String where, String address) {
        String said = e.getMessage() == null ? "" : e.getMessage();
        String reason = String.valueOf(e.getReason()).toLowerCase(Locale.ROOT).replace('_', ' ');
        String text = said.replaceFirst("(?s)^Opening `direct-tcpip` channel failed: ", "").strip();   // then the server's text
        String m = text.toLowerCase(Locale.ROOT);
        String head = "via " + viaName + ": the bastion could not connect to " + where + " (" + text + ")";
        if (e.getReason() == OpenFailException.Reason.ADMINISTRATIVELY_PROHIBITED) {
            return new Ssh.Failure("error", "via " + viaName + ": the bastion refuses to forward to " + where + " (" + reason
                    + (text.isEmpty() ? "" : ": " + text) + "; AllowTcpForwarding or PermitOpen in its sshd_config?)", address);
        }
        if (m.contains("refused")) return new Ssh.Failure("refused", head, address);
        if (m.contains("no route") || m.contains("unreachable")) return new Ssh.Failure("unreachable", head, address);
        if (m.equals("open failed")) {   // sshd's words when its connect() failed at once: no route from there, in practice
            return new Ssh.Failure("unreachable", "via " + viaName + ": the bastion could not connect to " + where
                    + " (it says only \"open failed\": no route from the bastion?)", address);
        }
        if (m.contains("timed out")) return new Ssh.Failure("timeout", head, address);
        if (m.contains("name or service") || m.contains("name resolution") || m.contains("unknown host") || m.contains("nodename")) {
            return new Ssh.Failure("unresolved", "via " + viaName + ": the bastion cannot resolve " + where + " (" + text + ")", address);
        }
        return new Ssh.Failure("error", "via " + viaName + ": the bastion could not open a channel to " + where + " ("
                + reason + (text.isEmpty() ? "" : ": " + text) + ")", address);
    }

    @Override public String address() { return address; }

    @Override public void attach(SSHClient client, Ssh.Endpoint e) throws IOException {
        client.connectVia(channel);
    }

    /** Closes the channel from another thread: close() waits for the bastion's reply. */
    @Override public void cut() {
        Thread.ofVirtual().start(() -> {
            try {
                channel.close();
            } catch (IOException | RuntimeException ignored) { }
        });
    }
}
