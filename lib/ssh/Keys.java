package ssh;

//DEPS com.hierynomus:sshj:0.40.0
//SOURCES ../cli/Errors.java Key.java Ssh.java

import cli.Errors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.Base64;
import com.hierynomus.sshj.userauth.certificate.Certificate;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.userauth.keyprovider.KeyPairWrapper;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;

/** Private keys read as OpenSSH reads them, and key fingerprints in OpenSSH's form. */
public final class Keys {
    private Keys() {}

    /**
     * Loads and decrypts a private key (OpenSSH, PEM/PKCS#8, PuTTY), once per run. Returns null
     * for an encrypted key without a passphrase; throws IOException when it cannot be read or
     * decrypted.
     */
    public static Key load(Path path, char[] passphrase) throws IOException {
        String text = Files.readString(path, StandardCharsets.ISO_8859_1);
        if (text.startsWith("ssh-") || text.startsWith("ecdsa-") || text.startsWith("sk-")) {
            throw new IOException("this is a public key; give the private key (usually the same name without .pub)");
        }
        boolean encrypted = text.contains("ENCRYPTED")                               // PEM and PKCS#8
                || (text.contains("\nEncryption: ") && !text.contains("\nEncryption: none"))   // PuTTY
                || openSshV1Encrypted(text);
        if (encrypted && passphrase == null) return null;
        KeyProvider raw;
        try (SSHClient loader = new SSHClient(Ssh.CONFIG)) {
            raw = loader.loadKeys(path.toString(), passphrase == null ? null : Ssh.finder(passphrase));
        }
        try {
            PublicKey pub = raw.getPublic();
            if (pub instanceof Certificate<?> c) pub = c.getKey();     // sshj reads KEY-cert.pub in place of KEY.pub
            var kp = new KeyPairWrapper(pub, raw.getPrivate());
            return new Key(path.toString(), kp, fingerprint(pub));
        } catch (IOException | RuntimeException e) {
            String m = Errors.message(e, e.getClass().getSimpleName());
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

    /**
     * The certificate in an OpenSSH public key file ("TYPE-cert-v01@openssh.com BASE64 [comment]",
     * as ssh-keygen -s writes it) as a blob; {@code key} is the fingerprint it must certify.
     */
    public static byte[] certificate(Path file, String key) throws IOException {
        String[] f = Files.readString(file, StandardCharsets.UTF_8).strip().split("\\s+");
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(f.length > 1 ? f[1] : "");
        } catch (IllegalArgumentException e) {
            throw new IOException("not an OpenSSH public key file");
        }
        if (f.length < 2 || !f[0].endsWith(CERT_SUFFIX) || !isCertificate(blob)) throw new IOException("not an OpenSSH certificate");
        String certified = plainFingerprint(blob);
        if (!certified.equals(key)) throw new IOException("certifies " + certified + ", not this key (" + key + ")");
        return blob;
    }

    static final String CERT_SUFFIX = "-cert-v01@openssh.com";

    /** The key type a blob names first ("ssh-ed25519", "ssh-ed25519-cert-v01@openssh.com", ...). */
    static String blobType(byte[] blob) {
        try {
            return new Buffer.PlainBuffer(blob).readString();
        } catch (Buffer.BufferException e) {
            return "(unreadable)";
        }
    }

    static boolean isCertificate(byte[] blob) { return blobType(blob).endsWith(CERT_SUFFIX); }

    /** The fingerprint of a key blob, or of the key inside a certificate blob (what ssh-add -l shows for both). */
    static String plainFingerprint(byte[] blob) {
        if (isCertificate(blob)) {
            try {
                if (new Buffer.PlainBuffer(blob).readPublicKey() instanceof Certificate<?> c) return fingerprint(c.getKey());
            } catch (Buffer.BufferException | RuntimeException e) {
                // a certificate type sshj cannot read: its own blob's fingerprint is the best we have
            }
        }
        return fingerprint(blob);
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
}
