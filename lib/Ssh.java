//DEPS com.hierynomus:sshj:0.40.0

import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.SocketFactory;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyPairWrapper;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.method.AuthKeyboardInteractive;
import net.schmizz.sshj.userauth.method.AuthMethod;
import net.schmizz.sshj.userauth.method.AuthPassword;
import net.schmizz.sshj.userauth.method.AuthPublickey;
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
 *   Ssh.Login login = new Ssh.Login(knownHosts, Ssh.HostKeyPolicy.STRICT, keys, password, Duration.ofSeconds(10));
 *   try (Ssh.Connection c = Ssh.connect(new Ssh.Endpoint("web01", "web01", 22, "root"), login)) { ... }
 *   catch (Ssh.Failure f) { f.status; f.detail; }
 * </pre>
 */
public final class Ssh {
    private Ssh() {}

    public enum HostKeyPolicy { STRICT, ACCEPT_NEW, OFF }

    /** One sshj algorithm configuration for every connection (building it is not free). */
    static final Config CONFIG = new DefaultConfig();

    /** Closes sockets whose handshake overruns the connect timeout; one daemon thread for the run. */
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ssh-timer");
        t.setDaemon(true);
        return t;
    });

    /** A loaded private key: where it came from and its public fingerprint. */
    public record Key(String path, KeyProvider provider, String fingerprint) {
        String shortName() { return Path.of(path).getFileName() + " (" + fingerprint + ")"; }
    }

    /** How every connection of a run logs in. {@code password} may be null. */
    public record Login(KnownHosts knownHosts, HostKeyPolicy policy, char[] password, Duration connectTimeout) {}

    /** Where to connect (after ~/.ssh/config), as whom, with which keys. */
    public record Endpoint(String host, int port, String user, List<Key> keys) {}

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
        long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Socket socket = tcp(e, timeoutMs);
        String address = Targets.formatAddress(socket.getInetAddress());
        AtomicBoolean timedOut = new AtomicBoolean();
        SSHClient client = new SSHClient(CONFIG);
        ScheduledFuture<?> guard = TIMER.schedule(() -> {
            timedOut.set(true);
            try {
                socket.close();
            } catch (IOException ignored) { }
        }, Math.max(1, (giveUp - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
        HostKeyCheck check = new HostKeyCheck(login.knownHosts(), login.policy());
        Map<String, String> negotiated = new LinkedHashMap<>();
        String stage = "SSH handshake";
        try {
            client.setSocketFactory(new Connected(socket));
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
            client.connect(e.host(), e.port());
            if (check.fingerprint != null) negotiated.put("hostkey_fingerprint", check.fingerprint);
            negotiated.put("server", client.getTransport().getServerVersion());
            stage = "authentication";
            negotiated.put("auth", authenticate(client, e, login));
            guard.cancel(false);
            if (timedOut.get()) throw new IOException("closed by the connect timeout");
            return new Connection(client, address, negotiated);
        } catch (IOException | RuntimeException ex) {
            guard.cancel(false);
            closeQuietly(client, socket);
            if (check.verdict != null) throw new Failure(check.verdict.status(), check.verdict.detail(), address);
            if (timedOut.get()) {
                throw new Failure("timeout", stage + " did not finish within " + Cli.formatDuration(timeoutMs)
                        + (stage.equals("SSH handshake") && negotiated.isEmpty() ? " (no SSH banner? overloaded sshd?)" : ""), address);
            }
            if (Thread.currentThread().isInterrupted()) throw new Failure("interrupted", "interrupted during " + stage, address);
            throw classify(ex, e, login, client, address, stage);
        }
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
            String addr = Targets.formatAddress(a);
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(a, e.port()), (int) timeoutMs);
                s.setTcpNoDelay(true);
                return s;
            } catch (IOException ex) {
                String m = Cli.message(ex, "");
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
            for (Key k : e.keys()) tried.add("key " + k.shortName());
            if (login.password() != null) tried.add("password");
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
                return new Failure("kex-failed", "no common " + what + ": server offers " + m.group(3)
                        + "; we support " + m.group(2), address);
            }
        }
        String m = Cli.message(ex, ex.getClass().getSimpleName());
        if (ex instanceof TransportException && m.contains("Broken transport")) m = "connection closed by the server during " + stage;
        return new Failure("error", stage + " failed: " + m, address);
    }

    /** Keys in order, then the password (as "password", then "keyboard-interactive"); returns what worked. */
    private static String authenticate(SSHClient client, Endpoint e, Login login) throws IOException {
        Map<String, AuthMethod> methods = new LinkedHashMap<>();
        for (Key k : e.keys()) methods.put("publickey " + k.shortName(), new AuthPublickey(k.provider()));
        if (login.password() != null) {
            methods.put("password", new AuthPassword(finder(login.password())));
            methods.put("keyboard-interactive", new AuthKeyboardInteractive(new PasswordResponseProvider(finder(login.password()))));
        }
        // Nothing to offer: ask with "none", which tells what the server accepts (and logs in if it
        // accepts none at all), so the failure can say it.
        if (methods.isEmpty()) methods.put("none", new net.schmizz.sshj.userauth.method.AuthNone());
        UserAuthException last = new UserAuthException("no authentication method to try");
        for (var m : methods.entrySet()) {
            try {
                client.auth(e.user(), List.of(m.getValue()));
                return m.getKey();
            } catch (UserAuthException ex) {
                last = ex;
            }
        }
        throw last;
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
            socket.close();
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

    // ---- keys ----------------------------------------------------------------------------------

    /**
     * Loads and decrypts a private key (OpenSSH, PEM/PKCS#8, PuTTY), once per run. Returns null
     * for an encrypted key without a passphrase; throws IOException when it cannot be read or
     * decrypted.
     */
    public static Key loadKey(Path path, char[] passphrase) throws IOException {
        String text = Files.readString(path, StandardCharsets.ISO_8859_1);
        if (text.startsWith("ssh-") || text.startsWith("ecdsa-") || text.startsWith("sk-")) {
            throw new IOException("this is a public key; give the private key (usually the same name without .pub)");
        }
        boolean encrypted = text.contains("ENCRYPTED")                               // PEM and PKCS#8
                || (text.contains("\nEncryption: ") && !text.contains("\nEncryption: none"))   // PuTTY
                || openSshV1Encrypted(text);
        if (encrypted && passphrase == null) return null;
        KeyProvider raw;
        try (SSHClient loader = new SSHClient(CONFIG)) {
            raw = loader.loadKeys(path.toString(), passphrase == null ? null : finder(passphrase));
        }
        try {
            PublicKey pub = raw.getPublic();
            var kp = new KeyPairWrapper(pub, raw.getPrivate());
            return new Key(path.toString(), kp, fingerprint(pub));
        } catch (IOException | RuntimeException e) {
            String m = Cli.message(e, e.getClass().getSimpleName());
            if (encrypted) m = "cannot decrypt it (wrong passphrase?): " + m;
            throw new IOException(m, e);
        }
    }

    /** OpenSSH's own key format names its cipher in the clear: "none" means unencrypted. */
    private static boolean openSshV1Encrypted(String text) {
        if (!text.contains("BEGIN OPENSSH PRIVATE KEY")) return false;
        String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            byte[] raw = Base64.getDecoder().decode(body);
            Buffer.PlainBuffer b = new Buffer.PlainBuffer(raw);
            b.rpos("openssh-key-v1\0".length());
            return !b.readString().equals("none");
        } catch (IllegalArgumentException | Buffer.BufferException e) {
            return false;                                // let sshj report what is wrong with it
        }
    }

    /** OpenSSH's fingerprint form: "SHA256:" + unpadded base64 of the key blob's SHA-256. */
    public static String fingerprint(PublicKey key) {
        return fingerprint(new Buffer.PlainBuffer().putPublicKey(key).getCompactData());
    }

    static String fingerprint(byte[] blob) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- host keys -----------------------------------------------------------------------------

    /** The outcome of checking a host key; null status means accepted. */
    record Verdict(String status, String detail) {}

    /**
     * known_hosts as OpenSSH keeps it: the user's file (hashed entries too, appended to by
     * --accept-new) and the system-wide /etc/ssh/ssh_known_hosts (read only). Thread-safe.
     */
    public static final class KnownHosts {
        private final Path userFile;
        private final List<OpenSSHKnownHosts.KnownHostEntry> entries = new ArrayList<>();
        private int recorded;

        private KnownHosts(Path userFile) { this.userFile = userFile; }

        public static KnownHosts load(Path userFile, Path systemFile) throws IOException {
            KnownHosts k = new KnownHosts(userFile);
            for (Path p : new Path[] {userFile, systemFile}) {
                if (p != null && Files.isRegularFile(p)) {
                    k.entries.addAll(new OpenSSHKnownHosts(new StringReader(Files.readString(p, StandardCharsets.UTF_8))).entries());
                }
            }
            return k;
        }

        private java.util.function.Consumer<String> onRecord = line -> { };

        public Path userFile() { return userFile; }
        /** Told "[host]:port ssh-ed25519 SHA256:..." for every key --accept-new records, as it is written. */
        public KnownHosts onRecord(java.util.function.Consumer<String> listener) { this.onRecord = listener; return this; }
        /** Keys written by --accept-new in this run. */
        public synchronized int recorded() { return recorded; }

        synchronized List<String> algorithms(String host, int port) {
            String name = hostPattern(host, port);
            List<String> known = new ArrayList<>();
            for (var e : entries) {
                try {
                    if (e.appliesTo(name) && e.getType() != KeyType.UNKNOWN) known.add(e.getType().toString());
                } catch (IOException ignored) { }
            }
            return known;
        }

        synchronized Verdict check(String host, int port, PublicKey key, HostKeyPolicy policy) {
            String name = hostPattern(host, port);
            KeyType type = KeyType.fromKey(key);
            String offered = type + " " + fingerprint(key);
            List<String> sameType = new ArrayList<>(), otherType = new ArrayList<>();
            try {
                // A key marked @revoked is refused whatever else lists it, as OpenSSH does.
                String offeredFingerprint = fingerprint(key);
                for (var e : entries) {
                    if (marker(e).equals("@revoked") && e.appliesTo(name) && offeredFingerprint.equals(entryFingerprint(e))) {
                        return new Verdict("hostkey-revoked", "REVOKED HOST KEY for " + name + ": the server offered " + offered
                                + ", which known_hosts marks @revoked; refusing to connect");
                    }
                }
                for (var e : entries) {
                    if (!marker(e).isEmpty() || !e.appliesTo(name)) continue;     // @revoked and @cert-authority lines are no host keys
                    if (e.getType() == type && e.verify(key)) return new Verdict(null, null);
                    (e.getType() == type ? sameType : otherType).add(e.getType() + " " + entryFingerprint(e));
                }
            } catch (IOException ex) {
                return new Verdict("error", "cannot check the host key against known_hosts: " + ex.getMessage());
            }
            if (!sameType.isEmpty()) {
                return new Verdict("hostkey-mismatch", "HOST KEY CHANGED for " + name + ": known_hosts has " + String.join(", ", sameType)
                        + ", server offered " + offered);
            }
            if (!otherType.isEmpty()) {
                return new Verdict("hostkey-mismatch", "known_hosts has " + String.join(", ", otherType) + " for " + name
                        + " but the server offered only " + offered + "; not trusting it automatically");
            }
            if (policy != HostKeyPolicy.ACCEPT_NEW) {
                return new Verdict("hostkey-unknown", name + " is not in " + userFile + " (server offered " + offered
                        + "); add it, or use --accept-new to trust unknown hosts on first use");
            }
            try {
                var entry = new OpenSSHKnownHosts.HostEntry(null, name, type, key);
                Path dir = userFile.getParent();
                if (dir != null && !Files.isDirectory(dir)) {            // ~/.ssh as OpenSSH makes it: 0700
                    Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
                }
                Files.writeString(userFile, entry.getLine() + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                entries.add(entry);
                recorded++;
                onRecord.accept(name + " " + offered);
                return new Verdict(null, null);
            } catch (IOException ex) {
                return new Verdict("error", "cannot record the new host key in " + userFile + ": " + ex.getMessage());
            }
        }

        /** "@revoked", "@cert-authority", or "" for a plain host key line. */
        private static String marker(OpenSSHKnownHosts.KnownHostEntry e) {
            String line = e.getLine() == null ? "" : e.getLine().trim();
            return line.startsWith("@") ? line.split("\\s+", 2)[0] : "";
        }

        /** The fingerprint of a known_hosts line's key: "[@marker] hosts type base64 [comment]". */
        private static String entryFingerprint(OpenSSHKnownHosts.KnownHostEntry e) {
            String[] f = e.getLine().trim().split("\\s+");
            int keyField = f[0].startsWith("@") ? 3 : 2;
            try {
                return fingerprint(Base64.getDecoder().decode(f[keyField]));
            } catch (RuntimeException ex) {
                return "(unreadable)";
            }
        }

        private static String hostPattern(String host, int port) {
            String h = host.toLowerCase(Locale.ROOT);
            return port == 22 ? h : "[" + h + "]:" + port;
        }
    }

    /** Per connection: asks the shared KnownHosts and remembers why it said no. */
    private static final class HostKeyCheck implements HostKeyVerifier {
        private final KnownHosts known;
        private final HostKeyPolicy policy;
        volatile Verdict verdict;
        volatile String fingerprint;

        HostKeyCheck(KnownHosts known, HostKeyPolicy policy) { this.known = known; this.policy = policy; }

        @Override public boolean verify(String hostname, int port, PublicKey key) {
            fingerprint = KeyType.fromKey(key) + " " + Ssh.fingerprint(key);
            if (policy == HostKeyPolicy.OFF) return true;
            Verdict v = known.check(hostname, port, key, policy);
            if (v.status() == null) return true;
            verdict = v;
            return false;
        }

        @Override public List<String> findExistingAlgorithms(String hostname, int port) {
            return policy == HostKeyPolicy.OFF ? List.of() : known.algorithms(hostname, port);
        }
    }
}
