package ssh;

//DEPS com.hierynomus:sshj:0.40.0
//SOURCES Keys.java

import com.hierynomus.sshj.key.KeyAlgorithm;
import com.hierynomus.sshj.key.KeyAlgorithms;
import com.hierynomus.sshj.userauth.certificate.Certificate;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.signature.Signature;
import net.schmizz.sshj.signature.SignatureRSA;

/**
 * Whether an OpenSSH host certificate (PROTOCOL.certkeys) is good for the host it came from, once
 * its CA is trusted by an @cert-authority line: a host (not a user) certificate, one of its
 * principals matching the name the host was looked up under (HostName, or HostKeyAlias), valid now,
 * and signed by that CA. sshj can check this during key exchange, but only against the address it
 * connected to and with a message that becomes kex-failed; KnownHosts asks here instead.
 */
final class HostCertificate {
    private HostCertificate() {}

    static final long HOST_CERT = 2;

    /**
     * RSA host certificates with SHA-2 signatures, in OpenSSH's default HostKeyAlgorithms but not
     * in sshj 0.40 (whose only RSA certificate algorithm, ssh-rsa-cert-v01, is SHA-1, which OpenSSH
     * 8.8+ servers no longer use).
     */
    static final List<Factory.Named<KeyAlgorithm>> RSA_SHA2_ALGORITHMS = List.of(
            new KeyAlgorithms.Factory("rsa-sha2-512-cert-v01@openssh.com", rsaCert("rsa-sha2-512", "SHA512withRSA"), KeyType.RSA_CERT),
            new KeyAlgorithms.Factory("rsa-sha2-256-cert-v01@openssh.com", rsaCert("rsa-sha2-256", "SHA256withRSA"), KeyType.RSA_CERT));

    private static Factory.Named<Signature> rsaCert(String name, String jca) {
        return new Factory.Named<>() {
            @Override public Signature create() { return new SignatureRSA(jca, KeyType.RSA_CERT, name); }
            @Override public String getName() { return name; }
        };
    }

    /** The CA key's fingerprint (SHA256:...). */
    static String caFingerprint(Certificate<?> cert) { return Keys.fingerprint(cert.getSignatureKey()); }

    /** Why {@code cert} is not valid for {@code name} now, in words for the row; null if it is. */
    static String problem(Certificate<?> cert, String name) {
        if (cert.getType() != HOST_CERT) return "it is a user certificate, not a host certificate";
        var principals = cert.getValidPrincipals();
        if (principals != null && !principals.isEmpty()
                && principals.stream().noneMatch(p -> KeyType.CertUtils.matchPattern(name, p))) {
            return "its principals (" + String.join(", ", principals) + ") do not include " + name;
        }
        Date now = new Date();
        if (cert.getValidAfter() != null && now.before(cert.getValidAfter())) {
            return "it is not valid before " + when(cert.getValidAfter()) + " (check this machine's clock)";
        }
        if (cert.getValidBefore() != null && !now.before(cert.getValidBefore())) {
            return "it expired at " + when(cert.getValidBefore()) + "; the host needs a new one (ssh-keygen -s CA -h)";
        }
        try {
            byte[] raw = new Buffer.PlainBuffer().putPublicKey(cert).getCompactData();
            String bad = KeyType.CertUtils.verifyHostCertificate(raw, cert, name);
            return bad == null ? null : "its CA signature does not verify (" + bad + ")";
        } catch (Buffer.BufferException | RuntimeException e) {
            return "its CA signature cannot be checked (" + e.getMessage() + ")";
        }
    }

    private static String when(Date d) { return d.toInstant().truncatedTo(ChronoUnit.SECONDS).toString(); }

    /** "ssh-ed25519 SHA256:..." of the key inside, and the CA: what -v and the rows show for a certificate. */
    static String describe(Certificate<?> cert) {
        return KeyType.fromKey(cert.getKey()) + " " + Keys.fingerprint(cert.getKey()) + " (host certificate \"" + cert.getId()
                + "\" from CA " + caFingerprint(cert) + ")";
    }
}
