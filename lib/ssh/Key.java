package ssh;

//DEPS com.hierynomus:sshj:0.40.0

import java.nio.file.Path;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;

/** A loaded private key: where it came from and its public fingerprint. */
public record Key(String path, KeyProvider provider, String fingerprint) {
    String shortName() { return Path.of(path).getFileName() + " (" + fingerprint + ")"; }
}
