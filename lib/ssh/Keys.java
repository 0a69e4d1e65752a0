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
