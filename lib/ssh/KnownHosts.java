package ssh;

//DEPS com.hierynomus:sshj:0.40.0
//SOURCES HostCertificate.java Keys.java Ssh.java

import com.hierynomus.sshj.userauth.certificate.Certificate;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;

/**
 * known_hosts as OpenSSH keeps it: the user's files (UserKnownHostsFile, hashed entries too; new
 * keys accepted with accept-new are appended to the first) and the system-wide ones
 * (GlobalKnownHostsFile, read only). Files that do not exist are skipped. Thread-safe.
 *
 * As in ssh: a key marked {@code @revoked} (a host key, a certificate's key or the CA that signed
 * it) is refused before anything else. A host certificate whose CA an {@code @cert-authority} line
 * for the host names is trusted if it is valid (HostCertificate); an invalid one is refused unless
 * its plain key is listed, and one from an unknown CA is checked as its plain key.
 */
public final class KnownHosts {
    private final Path userFile;
    private final List<OpenSSHKnownHosts.KnownHostEntry> entries = new ArrayList<>();
    private int recorded;

    private KnownHosts(Path userFile) { this.userFile = userFile; }

    /** One user file (may be null) and one system file (may be null). */
    public static KnownHosts load(Path userFile, Path systemFile) throws IOException {
        return load(userFile == null ? List.of() : List.of(userFile), systemFile == null ? List.of() : List.of(systemFile));
    }

    /** The user's files (the first is where new keys go; may be empty: then none are recorded) and the global ones. */
    public static KnownHosts load(List<Path> userFiles, List<Path> globalFiles) throws IOException {
        KnownHosts k = new KnownHosts(userFiles.isEmpty() ? null : userFiles.get(0));
        List<Path> all = new ArrayList<>(userFiles);
        all.addAll(globalFiles);
        for (Path p : all) {
            if (!Files.isRegularFile(p)) continue;
            try {
                k.entries.addAll(new OpenSSHKnownHosts(new StringReader(Files.readString(p, StandardCharsets.UTF_8))).entries());
            } catch (IOException e) {
                throw new IOException(p + ": cannot read known_hosts: " + e.getMessage(), e);
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

    /** The host key algorithms to prefer for a host: the types known_hosts lists for it, and certificates if a CA is trusted for it. */
    synchronized List<String> algorithms(String host, int port) {
        String name = hostPattern(host, port);
        List<String> known = new ArrayList<>();
        for (var e : entries) {
            try {
                if (!e.appliesTo(name) || e.getType() == KeyType.UNKNOWN || marker(e).equals("@revoked")) continue;
                if (marker(e).equals("@cert-authority")) {
                    for (KeyType t : KeyType.values()) if (t.getParent() != null) known.add(t.toString());
                    for (var a : HostCertificate.RSA_SHA2_ALGORITHMS) known.add(a.getName());
                } else {
                    known.add(e.getType().toString());
                }
            } catch (IOException ignored) { }
        }
        return known;
    }

    /** {@code host} is the name certificates' principals must match; known_hosts is searched for it with :port if not 22. */
    synchronized Verdict check(String host, int port, PublicKey offeredKey, Ssh.HostKeyPolicy policy) {
        String name = hostPattern(host, port);
        Certificate<?> cert = offeredKey instanceof Certificate<?> c ? c : null;
        PublicKey key = cert != null ? cert.getKey() : offeredKey;
        String note = "";
        try {
            Verdict revoked = revoked(name, key, cert);
            if (revoked != null) return revoked;
            if (cert != null) {
                String ca = HostCertificate.caFingerprint(cert);
                if (trustsCa(name, ca)) {
                    String problem = HostCertificate.problem(cert, host.toLowerCase(Locale.ROOT));
                    if (problem == null) return new Verdict(null, null);
                    // ssh then tries the plain key: one listed for the host still works; nothing is recorded.
                    if (listed(name, key)) return new Verdict(null, null);
                    return new Verdict("hostkey-mismatch", "HOST CERTIFICATE NOT VALID for " + name + ": the server's certificate from the trusted CA "
                            + ca + " is not good: " + problem + "; refusing to connect");
                }
                note = "; its host certificate is from CA " + ca + ", which no @cert-authority line for " + name + " trusts";
            }
        } catch (IOException ex) {
            return new Verdict("error", "cannot check the host key against known_hosts: " + ex.getMessage());
        }
        return plain(name, key, policy, note);
    }

    /** A key marked @revoked (or a certificate whose key or CA is) is refused whatever else lists it, as OpenSSH does. */
    private Verdict revoked(String name, PublicKey key, Certificate<?> cert) throws IOException {
        String fp = Keys.fingerprint(key), ca = cert == null ? null : HostCertificate.caFingerprint(cert);
        for (var e : entries) {
            if (!marker(e).equals("@revoked") || !e.appliesTo(name)) continue;
            String listed = entryFingerprint(e);
            if (listed.equals(fp)) {
                return new Verdict("hostkey-revoked", "REVOKED HOST KEY for " + name + ": the server offered " + KeyType.fromKey(key) + " " + fp
                        + (cert != null ? " (in a host certificate)" : "") + ", which known_hosts marks @revoked; refusing to connect");
            }
            if (listed.equals(ca)) {
                return new Verdict("hostkey-revoked", "REVOKED CA for " + name + ": the server's host certificate is signed by CA " + ca
                        + ", which known_hosts marks @revoked; refusing to connect");
            }
        }
        return null;
    }

    private boolean trustsCa(String name, String caFingerprint) throws IOException {
        for (var e : entries) {
            if (marker(e).equals("@cert-authority") && e.appliesTo(name) && caFingerprint.equals(entryFingerprint(e))) return true;
        }
        return false;
    }

    private boolean listed(String name, PublicKey key) throws IOException {
        for (var e : entries) {
            if (marker(e).isEmpty() && e.appliesTo(name) && e.getType() == KeyType.fromKey(key) && e.verify(key)) return true;
        }
        return false;
    }

    /** A plain host key against the host's plain lines; {@code note} is added to a refusal (why a certificate did not do). */
    private Verdict plain(String name, PublicKey key, Ssh.HostKeyPolicy policy, String note) {
        KeyType type = KeyType.fromKey(key);
        String offered = type + " " + Keys.fingerprint(key);
        List<String> sameType = new ArrayList<>(), otherType = new ArrayList<>();
        try {
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
                    + ", server offered " + offered + note);
        }
        if (!otherType.isEmpty()) {
            return new Verdict("hostkey-mismatch", "known_hosts has " + String.join(", ", otherType) + " for " + name
                    + " but the server offered only " + offered + note + "; not trusting it automatically");
        }
        if (policy != Ssh.HostKeyPolicy.ACCEPT_NEW) {
            return new Verdict("hostkey-unknown", name + " is not in " + (userFile != null ? userFile : "any known_hosts file") + " (server offered " + offered
                    + note + "); add it, or use --accept-new to trust unknown hosts on first use");
        }
        if (userFile == null) {
            return new Verdict("hostkey-unknown", name + " is not known (server offered " + offered
                    + ") and UserKnownHostsFile is none, so accept-new has nowhere to record it");
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
            return Keys.fingerprint(Base64.getDecoder().decode(f[keyField]));
        } catch (RuntimeException ex) {
            return "(unreadable)";
        }
    }

    private static String hostPattern(String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        return port == 22 ? h : "[" + h + "]:" + port;
    }

    /** The outcome of checking a host key; null status means accepted. */
    record Verdict(String status, String detail) {}
}
