package ssh;

//DEPS com.hierynomus:sshj:0.40.0
//SOURCES Keys.java Ssh.java

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

    synchronized Verdict check(String host, int port, PublicKey key, Ssh.HostKeyPolicy policy) {
        String name = hostPattern(host, port);
        KeyType type = KeyType.fromKey(key);
        String offered = type + " " + Keys.fingerprint(key);
        List<String> sameType = new ArrayList<>(), otherType = new ArrayList<>();
        try {
            // A key marked @revoked is refused whatever else lists it, as OpenSSH does.
            String offeredFingerprint = Keys.fingerprint(key);
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
        if (policy != Ssh.HostKeyPolicy.ACCEPT_NEW) {
            return new Verdict("hostkey-unknown", name + " is not in " + (userFile != null ? userFile : "any known_hosts file") + " (server offered " + offered
                    + "); add it, or use --accept-new to trust unknown hosts on first use");
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
