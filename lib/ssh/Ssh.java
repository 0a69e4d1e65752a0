package ssh;

//DEPS com.hierynomus:sshj:0.40.0
//SOURCES ../cli/Durations.java ../cli/Errors.java ../net/Addresses.java ../net/Tcp.java ../run/Threads.java
//SOURCES Agent.java Algorithms.java Key.java Keys.java KnownHosts.java HostKeyCheck.java Publickey.java SshjConfigs.java Tunnel.java

import cli.Durations;
import cli.Errors;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.SocketFactory;
import net.Addresses;
import net.Tcp;
import run.Threads;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.method.AuthKeyboardInteractive;
import net.schmizz.sshj.userauth.method.AuthMethod;
import net.schmizz.sshj.userauth.method.AuthPassword;
import net.schmizz.sshj.userauth.method.PasswordResponseProvider;
import net.schmizz.sshj.userauth.password.PasswordFinder;
import net.schmizz.sshj.userauth.password.Resource;

/**
 * Opening authenticated SSH connections with sshj, and saying precisely why one failed: the TCP
 * outcome (refused, timeout, unreachable, unresolved), the host key (hostkey-mismatch with both
 * fingerprints, hostkey-unknown), key exchange (kex-failed with what the server offers),
 * authentication (auth-failed with what the server accepts and what we tried).
 *
 * <pre>
 *   Ssh.Login login = new Ssh.Login(knownHosts, Ssh.HostKeyPolicy.STRICT, password, Duration.ofSeconds(10));
 *   try (Ssh.Connection c = Ssh.connect(new Ssh.Endpoint("web01", "web01", 22, "root"), login)) { ... }
 *   catch (Ssh.Failure f) { f.status; f.detail; }
 * </pre>
 */
public final class Ssh {
    private Ssh() {}

    public enum HostKeyPolicy { STRICT, ACCEPT_NEW, OFF }

    /** OpenSSH's default algorithms, for a Login that names none (sshj's own defaults include SHA-1 kex and CBC). */
    static final Config CONFIG = SshjConfigs.opensshDefaults();

    /** Closes sockets whose handshake overruns the connect timeout; one daemon thread for the run. */
    private static final ScheduledExecutorService TIMER = Threads.timer("ssh-timer");

    /**
     * How a connection logs in and what it trusts. {@code password} may be null; {@code hostKeyAlias}
     * (null for none) is the name the host key is looked up under, port-less, as ssh does;
     * {@code keepAlive} zero for none, else a keepalive@openssh.com request that often, the
     * connection given up after {@code keepAliveCountMax} unanswered; {@code algorithms} sshj's
     * algorithm lists (see SshjConfigs), null for OpenSSH's defaults.
     */
    public record Login(KnownHosts knownHosts, HostKeyPolicy policy, char[] password, Duration connectTimeout,
                        String hostKeyAlias, Duration keepAlive, int keepAliveCountMax, Config algorithms) {
        /** The same for every host: no alias, no keep-alives, OpenSSH's default algorithms. */
        public Login(KnownHosts knownHosts, HostKeyPolicy policy, char[] password, Duration connectTimeout) {
            this(knownHosts, policy, password, connectTimeout, null, Duration.ZERO, 3, null);
        }
    }

    /**
     * Where to connect (after ~/.ssh/config), as whom, with which keys: {@code agentKeys} first (in
     * the agent's order, signed by {@code agent}), then {@code keys} that the agent does not hold.
     */
    public record Endpoint(String host, int port, String user, List<Key> keys, Agent agent, List<Agent.Identity> agentKeys) {
        public Endpoint(String host, int port, String user, List<Key> keys) { this(host, port, user, keys, null, List.of()); }

        /** Something to log in with, besides a password. */
        public boolean hasKeys() { return !keys.isEmpty() || !agentKeys.isEmpty(); }
    }

    /** Why a host could not be reached or logged in to; {@code status} is the row's status. */
    public static final class Failure extends Exception {
        public final String status;
        public final String detail;
        public final String address;

        public Failure(String status, String detail, String address) {
            super(status + ": " + detail, null, false, false);
            this.status = status;
            this.detail = detail;
            this.address = address;
        }
    }

    /** An authenticated connection and what was negotiated (kex, host key, cipher, mac, auth). */
    public record Connection(SSHClient client, String address, Map<String, String> negotiated) implements AutoCloseable {
        @Override public void close() {
            try {
                client.close();
            } catch (IOException | RuntimeException ignored) { }
        }
    }

    // ---- connecting ---------------------------------------------------------------------------

    public static Connection connect(Endpoint e, Login login) throws Failure {
        long timeoutMs = Math.max(1, login.connectTimeout().toMillis());
        return connect(e, login, new Direct(tcp(e, timeoutMs)));
    }

    /**
     * As {@link #connect(Endpoint, Login)}, but through {@code via} (a bastion we are logged in to):
     * a direct-tcpip channel to e.host:e.port opened by the bastion, as ssh -J does. The host key is
     * checked under e's own name. A channel the bastion cannot open fails as refused, unreachable,
     * unresolved or timeout, with the bastion's reason (see {@link Tunnel}).
     */
    public static Connection connect(Endpoint e, Login login, Connection via, String viaName) throws Failure {
        return connect(e, login, Tunnel.open(via, viaName, e.host(), e.port()));
    }

    /** Where an SSH transport's bytes go: a TCP socket we connected, or a channel through a bastion. */
    interface Link {
        /** The address shown in rows: the peer's IP, or "host:port via bastion". */
        String address();
        /** Hands the link to sshj and runs the handshake. */
        void attach(SSHClient client, Endpoint e) throws IOException;
        /** Cuts the link (from the timeout guard); must not block. */
        void cut();
    }

    private record Direct(Socket socket) implements Link {
        @Override public String address() { return Addresses.format(socket.getInetAddress()); }
        @Override public void attach(SSHClient client, Endpoint e) throws IOException {
            client.setSocketFactory(new Connected(socket));
            client.connect(e.host(), e.port());
        }
        @Override public void cut() {
            try {
                socket.close();
            } catch (IOException ignored) { }
        }
    }

    private static Connection connect(Endpoint e, Login login, Link link) throws Failure {
        long timeoutMs = Math.max(1, login.connectTimeout().toMillis());
        long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        String address = link.address();
        AtomicBoolean timedOut = new AtomicBoolean();
        SSHClient client = new SSHClient(login.algorithms() != null ? login.algorithms() : CONFIG);
        ScheduledFuture<?> guard = TIMER.schedule(() -> {
            timedOut.set(true);
            link.cut();
        }, Math.max(1, (giveUp - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
        HostKeyCheck check = new HostKeyCheck(login.knownHosts(), login.policy(), login.hostKeyAlias());
        Map<String, String> negotiated = new LinkedHashMap<>();
        String stage = "SSH handshake";
        try {
            client.addHostKeyVerifier(check);
            client.addAlgorithmsVerifier(a -> {
                negotiated.put("kex", a.getKeyExchangeAlgorithm());
                negotiated.put("hostkey", a.getSignatureAlgorithm());
                negotiated.put("cipher", a.getClient2ServerCipherAlgorithm());
                String cipher = a.getClient2ServerCipherAlgorithm();
                boolean aead = cipher.contains("poly1305") || cipher.contains("gcm");   // the MAC is built in
                negotiated.put("mac", aead ? "implicit" : a.getClient2ServerMACAlgorithm());
                return true;
            });
            client.getTransport().setTimeoutMs((int) timeoutMs);     // kex and auth replies
            client.getConnection().setTimeoutMs((int) timeoutMs);    // channel open/close replies
            keepAlive(client, login);
            link.attach(client, e);
            if (check.fingerprint != null) negotiated.put("hostkey_fingerprint", check.fingerprint);
            negotiated.put("server", client.getTransport().getServerVersion());
            stage = "authentication";
            negotiated.put("auth", authenticate(client, e, login));
            guard.cancel(false);
            if (timedOut.get()) throw new IOException("closed by the connect timeout");
            return new Connection(client, address, negotiated);
        } catch (IOException | RuntimeException ex) {
            guard.cancel(false);
            closeQuietly(client, null);
            link.cut();
            if (check.verdict != null) throw new Failure(check.verdict.status(), check.verdict.detail(), address);
            if (timedOut.get()) {
                throw new Failure("timeout", stage + " did not finish within " + Durations.format(timeoutMs)
                        + (stage.equals("SSH handshake") && negotiated.isEmpty() ? " (no SSH banner? overloaded sshd?)" : ""), address);
            }
            if (Thread.currentThread().isInterrupted()) throw new Failure("interrupted", "interrupted during " + stage, address);
            throw classify(ex, e, login, client, address, stage);
        }
    }

    /** ServerAliveInterval/CountMax: sshj starts the keep-alive thread on connect when the interval is set. */
    private static void keepAlive(SSHClient client, Login login) {
        if (login.keepAlive() == null || login.keepAlive().isZero()) return;
        var k = client.getConnection().getKeepAlive();
        k.setKeepAliveInterval((int) Math.max(1, Math.min(Integer.MAX_VALUE, login.keepAlive().toSeconds())));
        if (k instanceof net.schmizz.keepalive.KeepAliveRunner r) r.setMaxAliveCount(Math.max(1, login.keepAliveCountMax()));
    }

    /** TCP connect to each of the host's addresses in turn, like ssh. */
    private static Socket tcp(Endpoint e, long timeoutMs) throws Failure {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(e.host());
        } catch (UnknownHostException ex) {
            throw new Failure("unresolved", "cannot resolve " + e.host(), null);
        }
        Failure last = null;
        for (InetAddress a : addresses) {
            String addr = Addresses.format(a);
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(a, e.port()), (int) timeoutMs);
                s.setTcpNoDelay(true);
                return s;
            } catch (IOException ex) {
                String m = Errors.message(ex, "");
                Tcp.Failure f = Tcp.connectFailure(ex, timeoutMs);
                // Out of descriptors is our limit, not the host's fault: the caller makes it exit 3.
                last = m.contains("Too many open files") ? new Failure("error", OUT_OF_FDS, addr) : new Failure(f.status(), f.detail(), addr);
            }
            closeQuietly(null, s);
        }
        throw last;
    }

    /** The detail of a host we could not even try: the caller must treat it as its own failure (exit 3). */
    public static final String OUT_OF_FDS = "not run: this machine ran out of file descriptors";

    private static final Pattern SETTLEMENT = Pattern.compile("Unable to reach a settlement of (\\w+): \\[(.*)] and \\[(.*)]");

    private static Failure classify(Exception ex, Endpoint e, Login login, SSHClient client, String address, String stage) {
        if (ex instanceof UserAuthException) {
            List<String> tried = new ArrayList<>();
            for (Publickey k : offers(e)) tried.add(k.description);
            if (login.password() != null) tried.add("password");
            if (ex instanceof HungUp h) {
                int n = Math.min(h.attempts, tried.size());
                return new Failure("auth-failed", "as " + e.user() + ": the server closed the connection after " + n
                        + " refused logins (sshd's MaxAuthTries, 6 by default); tried " + String.join(", ", tried.subList(0, n))
                        + (n < tried.size() ? "; not tried " + String.join(", ", tried.subList(n, tried.size())) : "")
                        + "; offer fewer keys: IdentitiesOnly yes with this host's IdentityFile in ssh_config, or ssh-add -d", address);
            }
            var allowed = client.getUserAuth() == null ? List.<String>of() : client.getUserAuth().getAllowedMethods();
            String accepts = allowed.isEmpty() ? "the server did not say which methods it accepts" : "server accepts " + String.join(",", allowed);
            return new Failure("auth-failed", "as " + e.user() + ": " + (tried.isEmpty()
                    ? "no key or password to offer (" + accepts + "); use -i KEY or --password-file"
                    : accepts + "; tried " + String.join(", ", tried)), address);
        }
        for (Throwable t = ex; t != null; t = t.getCause()) {
            Matcher m = SETTLEMENT.matcher(String.valueOf(t.getMessage()));
            if (t instanceof TransportException && m.find()) {
                String what = m.group(1).replace("Client2Server", "").replace("Server2Client", "");
                return new Failure("kex-failed", "no common " + what + ": server offers " + offered(m.group(3))
                        + "; we offer " + offered(m.group(2)) + hint(what, offered(m.group(3))), address);
            }
        }
        String m = Errors.message(ex, ex.getClass().getSimpleName());
        if (ex instanceof TransportException && m.contains("Broken transport")) m = "connection closed by the server during " + stage;
        return new Failure("error", stage + " failed: " + m, address);
    }

    /**
     * What publickey offers, in ssh's order: the agent's keys and certificates (already narrowed to
     * the identity files with IdentitiesOnly), then each key file the agent does not hold, followed
     * by its certificate.
     */
    static List<Publickey> offers(Endpoint e) {
        List<Publickey> offers = new ArrayList<>();
        List<String> inAgent = new ArrayList<>();
        for (Agent.Identity id : e.agentKeys()) {
            offers.add(Publickey.of(e.agent(), id));
            inAgent.add(java.util.Base64.getEncoder().encodeToString(id.blob()));
        }
        for (Key k : e.keys()) {
            try {
                Publickey plain = Publickey.of(k);
                if (!inAgent.contains(java.util.Base64.getEncoder().encodeToString(plain.blob()))) offers.add(plain);
            } catch (IOException ex) {
                continue;
            }
            if (k.certificate() != null && !inAgent.contains(java.util.Base64.getEncoder().encodeToString(k.certificate()))) {
                offers.add(Publickey.certificate(k));
            }
        }
        return offers;
    }

    /** A proposal without the pseudo-algorithms that only signal extensions (ext-info-c, kex-strict-c-v00@openssh.com). */
    private static String offered(String list) {
        List<String> out = new ArrayList<>();
        for (String a : list.split(",\\s*")) if (!a.startsWith("ext-info-") && !a.startsWith("kex-strict-")) out.add(a.trim());
        return String.join(", ", out);
    }

    /**
     * How to allow what the server offers (as ssh_config's "+name"), when sshj implements one of its
     * algorithms; else that none of them can be used.
     */
    private static String hint(String what, String serverOffers) {
        Algorithms.Kind kind = switch (what) {
            case "KeyExchangeAlgorithms" -> Algorithms.Kind.KEX;
            case "HostKeyAlgorithms" -> Algorithms.Kind.HOST_KEY;
            case "CipherAlgorithms" -> Algorithms.Kind.CIPHER;
            case "MACAlgorithms" -> Algorithms.Kind.MAC;
            default -> null;
        };
        if (kind == null) return "";
        List<String> usable = SshjConfigs.implemented(kind);
        for (String a : serverOffers.split(",\\s*")) {
            if (usable.contains(a.trim())) return " (if you must reach it, allow it for this host in ssh_config: " + kind.keyword + " +" + a.trim() + ")";
        }
        return " (ops' SSH library, sshj, implements none of the server's)";
    }

    /** Keys in order, then the password (as "password", then "keyboard-interactive"); returns what worked. */
    private static String authenticate(SSHClient client, Endpoint e, Login login) throws IOException {
        Map<String, AuthMethod> methods = new LinkedHashMap<>();
        for (Publickey k : offers(e)) methods.put(k.login, k);
        if (login.password() != null) {
            methods.put("password", new AuthPassword(finder(login.password())));
            methods.put("keyboard-interactive", new AuthKeyboardInteractive(new PasswordResponseProvider(finder(login.password()))));
        }
        // Nothing to offer: ask with "none", which tells what the server accepts (and logs in if it
        // accepts none at all), so the failure can say it.
        if (methods.isEmpty()) methods.put("none", new net.schmizz.sshj.userauth.method.AuthNone());
        UserAuthException last = new UserAuthException("no authentication method to try");
        int attempts = 0;
        for (var m : methods.entrySet()) {
            if (!client.isConnected()) throw closed(attempts, last);
            try {
                client.auth(e.user(), List.of(m.getValue()));
                return m.getKey();
            } catch (UserAuthException ex) {
                last = ex;
            } catch (TransportException ex) {
                // After refused logins, a broken transport is sshd's MaxAuthTries: it disconnects instead
                // of saying no. Not asked: whether sshj already counts the client as disconnected (a race
                // with its reader thread, which CI lost as "authentication failed: Socket closed").
                if (attempts == 0) throw ex;
                throw new HungUp(attempts, ex);
            } catch (IllegalStateException ex) {
                // sshj's "Not connected": the server's close landed between the check above and this attempt.
                if (client.isConnected()) throw ex;
                throw closed(attempts, last);
            }
            attempts++;
        }
        throw last;
    }

    /** The server closed the connection before login attempt {@code attempts} + 1. */
    private static IOException closed(int attempts, UserAuthException last) {
        return attempts == 0 ? new TransportException("Broken transport: closed before any login was tried") : new HungUp(attempts, last);
    }

    /** The server closed the connection after {@code attempts} refused logins (sshd's MaxAuthTries, 6 by default). */
    private static final class HungUp extends UserAuthException {
        final int attempts;

        HungUp(int attempts, Throwable cause) {
            super("the server closed the connection after " + attempts + " refused logins", cause);
            this.attempts = attempts;
        }
    }

    static PasswordFinder finder(char[] secret) {
        return new PasswordFinder() {
            @Override public char[] reqPassword(Resource<?> resource) { return secret.clone(); }
            @Override public boolean shouldRetry(Resource<?> resource) { return false; }
        };
    }

    private static void closeQuietly(SSHClient client, Socket socket) {
        try {
            if (client != null) client.close();
        } catch (IOException | RuntimeException ignored) { }
        try {
            if (socket != null) socket.close();
        } catch (IOException ignored) { }
    }

    /** Hands sshj the socket we connected ourselves (so we could classify the TCP outcome). */
    private static final class Connected extends SocketFactory {
        private final Socket socket;
        Connected(Socket socket) { this.socket = socket; }
        @Override public Socket createSocket() { return socket; }
        @Override public Socket createSocket(String h, int p) { throw new UnsupportedOperationException(); }
        @Override public Socket createSocket(String h, int p, InetAddress a, int lp) { throw new UnsupportedOperationException(); }
        @Override public Socket createSocket(InetAddress h, int p) { throw new UnsupportedOperationException(); }
        @Override public Socket createSocket(InetAddress h, int p, InetAddress a, int lp) { throw new UnsupportedOperationException(); }
    }

}
