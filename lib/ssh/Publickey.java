package ssh;

//DEPS com.hierynomus:sshj:0.40.0
//SOURCES Agent.java Key.java Keys.java

import java.io.IOException;
import java.security.PrivateKey;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.common.Message;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.signature.Signature;
import net.schmizz.sshj.signature.SignatureECDSA;
import com.hierynomus.sshj.signature.SignatureEdDSA;
import net.schmizz.sshj.signature.SignatureRSA;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.method.AbstractAuthMethod;

/**
 * One "publickey" login attempt (RFC 4252 section 7) for a key blob, plain or an OpenSSH
 * certificate, signed by a private key file or by ssh-agent. sshj's AuthPublickey needs the private
 * key in hand and signs RSA certificates only with SHA-1 (ssh-rsa-cert-v01, refused by OpenSSH 8.8+),
 * so this sends the blob as it is and asks for rsa-sha2-512, then rsa-sha2-256, for RSA keys and
 * certificates, as ssh does.
 *
 * <pre>
 *   client.auth(user, List.of(Publickey.of(key)));                         // a key file (with its certificate: Publickey.certificate(key))
 *   client.auth(user, List.of(Publickey.of(agent, identity)));             // a key or certificate held by ssh-agent
 * </pre>
 */
final class Publickey extends AbstractAuthMethod {
    /** Signs the data for {@code algorithm}, giving the SSH signature blob (string name, string signature). */
    interface Signer { byte[] sign(String algorithm, byte[] data) throws IOException; }

    /** What auth-failed says was tried ("key id_ed25519 (SHA256:...)", "agent key ops (SHA256:...)"). */
    final String description;
    /** What a login with it reports ("publickey id_ed25519 (SHA256:...)", "publickey agent key ..."). */
    final String login;
    private final byte[] blob;
    private final Signer signer;
    private final Deque<String> algorithms;

    /** The key or certificate offered, in SSH wire form. */
    byte[] blob() { return blob; }

    private Publickey(String description, String login, byte[] blob, Signer signer) {
        super("publickey");
        this.description = description;
        this.login = "publickey " + login;
        this.blob = blob;
        this.signer = signer;
        this.algorithms = new ArrayDeque<>(algorithms(Keys.blobType(blob)));
    }

    /** The key file's plain public key. */
    static Publickey of(Key k) throws IOException {
        return new Publickey("key " + k.shortName(), k.shortName(), new Buffer.PlainBuffer().putPublicKey(k.provider().getPublic()).getCompactData(), local(k));
    }

    /** The key file's certificate (k.certificate() must not be null). */
    static Publickey certificate(Key k) {
        return new Publickey("certificate " + k.shortName(), "certificate " + k.shortName(), k.certificate(), local(k));
    }

    static Publickey of(Agent agent, Agent.Identity id) {
        return new Publickey(id.describe(), id.describe(), id.blob(), (alg, data) -> agent.sign(id.blob(), data, alg));
    }

    /** ssh's choice of signature algorithms for a key type: SHA-2 for RSA, else the type itself. */
    static List<String> algorithms(String type) {
        return switch (type) {
            case "ssh-rsa" -> List.of("rsa-sha2-512", "rsa-sha2-256");
            case "ssh-rsa-cert-v01@openssh.com" -> List.of("rsa-sha2-512-cert-v01@openssh.com", "rsa-sha2-256-cert-v01@openssh.com");
            default -> List.of(type);
        };
    }

    private static Signer local(Key k) {
        return (algorithm, data) -> {
            PrivateKey priv = k.provider().getPrivate();
            Signature s = Factory.Named.Util.create(SIGNATURES, algorithm.replace(Keys.CERT_SUFFIX, ""));
            if (s == null) throw new IOException("cannot sign with " + algorithm);
            s.initSign(priv);
            s.update(data);
            return new Buffer.PlainBuffer().putString(s.getSignatureName()).putBytes(s.encode(s.sign())).getCompactData();
        };
    }

    private static final List<Factory.Named<Signature>> SIGNATURES = List.of(new SignatureEdDSA.Factory(),
            new SignatureECDSA.Factory256(), new SignatureECDSA.Factory384(), new SignatureECDSA.Factory521(),
            new SignatureRSA.FactoryRSASHA512(), new SignatureRSA.FactoryRSASHA256());

    private SSHPacket request(boolean signed) throws UserAuthException {
        return super.buildReq().putBoolean(signed).putString(algorithms.peek()).putString(blob);
    }

    @Override protected SSHPacket buildReq() throws UserAuthException { return request(false); }

    /** The server accepts this key (USERAUTH_PK_OK, 60): send the signed request. */
    @Override public void handle(Message cmd, SSHPacket buf) throws UserAuthException, TransportException {
        if (cmd != Message.USERAUTH_60) {
            super.handle(cmd, buf);
            return;
        }
        SSHPacket req = request(true);
        byte[] data = new Buffer.PlainBuffer().putString(params.getTransport().getSessionID()).putBuffer(req).getCompactData();
        try {
            req.putString(signer.sign(algorithms.peek(), data));
        } catch (IOException e) {
            throw new UserAuthException(description + ": could not sign: " + e.getMessage(), e);
        }
        params.getTransport().write(req);
    }

    /** Refused with this signature algorithm: try the key's next one (rsa-sha2-256 after -512). */
    @Override public boolean shouldRetry() {
        algorithms.poll();
        return !algorithms.isEmpty();
    }
}
