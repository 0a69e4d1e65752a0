package ssh;

//DEPS com.hierynomus:sshj:0.40.0
//SOURCES ../cli/InputError.java HostConfig.java KnownHosts.java Ssh.java SshjConfigs.java

import cli.InputError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Each host's {@link Ssh.Login} from its {@link HostConfig}, the command line overriding where it
 * names something: known_hosts files (--known-hosts FILE replaces UserKnownHostsFile and
 * GlobalKnownHostsFile), StrictHostKeyChecking (--accept-new, --no-host-key-check), ConnectTimeout
 * (--connect-timeout), plus HostKeyAlias, ServerAliveInterval/CountMax and the algorithm lists.
 * StrictHostKeyChecking ask is treated as yes (nobody is there to ask) and no as accept-new: a
 * key that changed is always refused; only --no-host-key-check turns checking off. One
 * KnownHosts per distinct list of files and one sshj Config per distinct algorithm lists per run.
 *
 * <pre>
 *   HostLogins logins = new HostLogins(new HostLogins.Overrides(null, false, false, null, Duration.ofSeconds(10)), password, onRecord);
 *   Ssh.Login login = logins.login(host.config());
 * </pre>
 */
public final class HostLogins {
    /**
     * What the command line says for every host; null / false where it says nothing.
     * @param defaultTimeout the connect timeout when neither the command line nor the config gives one
     */
    public record Overrides(Path knownHosts, boolean acceptNew, boolean noHostKeyCheck, Duration connectTimeout, Duration defaultTimeout) {}

    private final Overrides overrides;
    private final char[] password;
    private final BiConsumer<KnownHosts, String> onRecord;
    private final Map<List<List<String>>, KnownHosts> knownHosts = new LinkedHashMap<>();

    /** @param onRecord told (the file set, "[host]:port type fingerprint") for each key --accept-new records */
    public HostLogins(Overrides overrides, char[] password, BiConsumer<KnownHosts, String> onRecord) {
        this.overrides = overrides;
        this.password = password;
        this.onRecord = onRecord;
    }

    private boolean gcmFirst;

    /** OpenSSH's default Ciphers with AES-GCM first (tools that move bulk data; see SshjConfigs). */
    public HostLogins preferGcm() {
        gcmFirst = true;
        return this;
    }

    /** The host's Login; a known_hosts file that cannot be read, or algorithms sshj lacks, are InputErrors. */
    public synchronized Ssh.Login login(HostConfig h) {
        Ssh.HostKeyPolicy policy = overrides.noHostKeyCheck() ? Ssh.HostKeyPolicy.OFF
                : overrides.acceptNew() ? Ssh.HostKeyPolicy.ACCEPT_NEW
                : switch (h.strictHostKeyChecking()) {
                    case YES, ASK -> Ssh.HostKeyPolicy.STRICT;
                    case ACCEPT_NEW, NO -> Ssh.HostKeyPolicy.ACCEPT_NEW;
                };
        Duration timeout = overrides.connectTimeout() != null ? overrides.connectTimeout()
                : h.connectTimeout() != null ? h.connectTimeout() : overrides.defaultTimeout();
        net.schmizz.sshj.Config algorithms;
        try {
            algorithms = SshjConfigs.forHost(h, gcmFirst);
        } catch (IllegalArgumentException e) {
            throw new InputError(e.getMessage());
        }
        return new Ssh.Login(knownHosts(h), policy, password, timeout, h.hostKeyAlias(), h.serverAliveInterval(), h.serverAliveCountMax(), algorithms);
    }

    /** Keys recorded by --accept-new (or StrictHostKeyChecking accept-new) in this run, in every file. */
    public synchronized int recorded() {
        return knownHosts.values().stream().mapToInt(KnownHosts::recorded).sum();
    }

    private KnownHosts knownHosts(HostConfig h) {
        List<String> user = overrides.knownHosts() != null ? List.of(overrides.knownHosts().toString()) : h.userKnownHostsFiles();
        List<String> global = overrides.knownHosts() != null ? List.of() : h.globalKnownHostsFiles();
        List<List<String>> key = List.of(user, global);
        KnownHosts k = knownHosts.get(key);
        if (k != null) return k;
        List<Path> userFiles = new ArrayList<>(), globalFiles = new ArrayList<>();
        for (String f : user) userFiles.add(Path.of(f));
        for (String f : global) globalFiles.add(Path.of(f));
        for (Path p : userFiles) {
            if (Files.isDirectory(p)) throw new InputError(p + ": is a directory, expected a known_hosts file");
        }
        try {
            k = KnownHosts.load(userFiles, globalFiles);
        } catch (IOException e) {
            throw new InputError(e.getMessage());
        }
        KnownHosts loaded = k;
        k.onRecord(line -> onRecord.accept(loaded, line));
        knownHosts.put(key, k);
        return k;
    }
}
