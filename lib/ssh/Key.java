package ssh;

//DEPS com.hierynomus:sshj:0.40.0

import java.nio.file.Path;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;

/**
 * A loaded private key: where it came from, its public fingerprint, and the OpenSSH certificate
 * offered with it (KEY-cert.pub next to it, or a CertificateFile), or null.
 */
public record Key(String path, KeyProvider provider, String fingerprint, byte[] certificate) {
    public Key(String path, KeyProvider provider, String fingerprint) { this(path, provider, fingerprint, null); }

    String shortName() { return Path.of(path).getFileName() + " (" + fingerprint + ")"; }

    /** This key offered with {@code cert} (an SSH certificate blob whose key is this one). */
    public Key withCertificate(byte[] cert) { return new Key(path, provider, fingerprint, cert); }

    @Override public boolean equals(Object o) {
        return o instanceof Key k && k.path.equals(path) && k.fingerprint.equals(fingerprint) && java.util.Arrays.equals(k.certificate, certificate);
    }

    @Override public int hashCode() { return path.hashCode() * 31 + fingerprint.hashCode(); }
}
