package ssh;

//DEPS com.hierynomus:sshj:0.40.0
//SOURCES KnownHosts.java Keys.java Ssh.java

import java.security.PublicKey;
import java.util.List;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;

/**
 * Per connection: asks the shared KnownHosts and remembers why it said no. With a HostKeyAlias the
 * key is looked up (and recorded) under the alias alone, without the port, as ssh does.
 */
final class HostKeyCheck implements HostKeyVerifier {
    private final KnownHosts known;
    private final Ssh.HostKeyPolicy policy;
    volatile KnownHosts.Verdict verdict;
    volatile String fingerprint;
    private final String alias;

    HostKeyCheck(KnownHosts known, Ssh.HostKeyPolicy policy, String alias) { this.known = known; this.policy = policy; this.alias = alias; }

    @Override public boolean verify(String hostname, int port, PublicKey key) {
        fingerprint = KeyType.fromKey(key) + " " + Keys.fingerprint(key);
        if (policy == Ssh.HostKeyPolicy.OFF) return true;
        KnownHosts.Verdict v = alias != null ? known.check(alias, 22, key, policy) : known.check(hostname, port, key, policy);
        if (v.status() == null) return true;
        verdict = v;
        return false;
    }

    @Override public List<String> findExistingAlgorithms(String hostname, int port) {
        if (policy == Ssh.HostKeyPolicy.OFF) return List.of();
        return alias != null ? known.algorithms(alias, 22) : known.algorithms(hostname, port);
    }
}
