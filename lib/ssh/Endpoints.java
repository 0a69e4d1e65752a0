package ssh;

//SOURCES ../cli/Errors.java ../cli/InputError.java ../net/Target.java ../net/Targets.java
//SOURCES HostConfig.java Identities.java Key.java Keys.java Ssh.java SshConfig.java

import cli.Errors;
import cli.InputError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import net.Target;
import net.Targets;

/**
 * Where and as whom to log in to each target, as ssh decides it: user@host:port in the hosts file,
 * then the command line's user and port, then ~/.ssh/config (resolved by {@link SshConfig} into a
 * {@link HostConfig}, as ssh -G shows it), then $USER and 22. Keys: those named on the command line (they must load), then the host's
 * IdentityFiles, else the default ~/.ssh/id_ed25519, id_ecdsa, id_rsa (those are skipped with a
 * warning when they do not load), each loaded once per run; the agent's keys and the certificates
 * come from {@link Identities}.
 *
 * <pre>
 *   Endpoints endpoints = new Endpoints(config, user, port, passphrase, err::println);
 *   for (Path p : identities) endpoints.identity(p);
 *   List&lt;Endpoints.Host&gt; hosts = endpoints.resolve(targets);
 * </pre>
 */
public final class Endpoints {
    private final SshConfig config;
    private final String user;
    private final Integer port;
    private final char[] passphrase;
    private final Consumer<String> warn;
    private final List<Key> explicit = new ArrayList<>();
    private final Map<String, Key> cache = new HashMap<>();
    private final List<Path> explicitPaths = new ArrayList<>();
    private final Identities identities;
    private List<Key> defaults;

    /**
     * One target resolved: its endpoint, everything ssh_config says about it, and {@code unsupported}
     * (why it cannot be reached directly) or null.
     */
    public record Host(Target target, Ssh.Endpoint endpoint, HostConfig config, String unsupported) {
        /** How the target reads in the input ({@code web01.dc1:2222}). */
        public String label() { return target.spec(); }
    }

    /**
     * @param user       the command line's user for targets that name none, or null
     * @param port       the command line's port for targets that name none, or null
     * @param passphrase for encrypted keys, or null
     * @param warn       gets each warning line (a default key that did not load)
     */
    public Endpoints(SshConfig config, String user, Integer port, char[] passphrase, Consumer<String> warn) {
        this.config = config;
        this.user = user;
        this.port = port;
        this.passphrase = passphrase;
        this.warn = warn;
        this.identities = new Identities(warn);
    }

    /** A key named on the command line (-i): offered to every host first; it must load (else InputError). */
    public void identity(Path p) {
        explicitPaths.add(p);
        Key k = key(p, !identities.heldByAgent(p));
        if (k != null) explicit.add(k);
    }

    /** Every target's endpoint, in input order. */
    public List<Host> resolve(List<Target> targets) {
        List<Host> hosts = new ArrayList<>();
        for (Target t : targets) {
            HostConfig s = config.resolve(t.host(), t.user() != null ? t.user() : user, t.port() != Targets.UNSET_PORT ? Integer.valueOf(t.port()) : port);
            hosts.add(new Host(t, endpoint(s), s, unsupported(s)));
        }
        return hosts;
    }

    /** ProxyJump/ProxyCommand: not done yet, so such a host is refused rather than reached directly. */
    private static String unsupported(HostConfig s) {
        if (s.proxyJump() != null) return "ssh config routes this host through ProxyJump (" + s.proxyJump() + "), which ops does not support";
        if (s.proxyCommand() != null) return "ssh config routes this host through ProxyCommand (" + s.proxyCommand() + "), which ops does not support";
        return null;
    }

    /** Where, as whom and with which keys (files, then those of the agent and the certificates, from Identities). */
    private Ssh.Endpoint endpoint(HostConfig s) {
        List<Key> keys = new ArrayList<>(explicit);
        List<Path> files = new ArrayList<>(explicitPaths);
        for (String f : s.identityFiles()) {
            if (Files.isRegularFile(Path.of(f))) {
                files.add(Path.of(f));
                Key k = key(Path.of(f), false);
                if (k != null && !keys.contains(k)) keys.add(k);
            }
        }
        if (explicit.isEmpty() && s.identityFiles().isEmpty()) {
            keys.addAll(defaultKeys());
            files.addAll(defaultPaths());
        }
        Identities.ForHost offer = identities.forHost(s, keys, files);
        return new Ssh.Endpoint(s.hostName(), s.port(), s.user(), offer.keys(), offer.agent(), offer.agentKeys());
    }

    private List<Key> defaultKeys() {
        if (defaults != null) return defaults;
        defaults = new ArrayList<>();
        for (Path p : defaultPaths()) {
            Key k = key(p, false);
            if (k != null) defaults.add(k);
        }
        return defaults;
    }

    private static List<Path> defaultPaths() {
        List<Path> paths = new ArrayList<>();
        for (String name : List.of("id_ed25519", "id_ecdsa", "id_rsa")) {
            Path p = Path.of(System.getProperty("user.home"), ".ssh", name);
            if (Files.isRegularFile(p)) paths.add(p);
        }
        return paths;
    }

    /** A key, loaded once with its KEY-cert.pub; an explicit one must load, another is skipped with a warning (null). */
    private Key key(Path p, boolean mustLoad) {
        String id = Identities.id(p);
        if (cache.containsKey(id)) return cache.get(id);
        Key k;
        try {
            k = Keys.load(p, passphrase);
            if (k == null && identities.heldByAgent(p)) {
                cache.put(id, null);                       // the agent signs for it: no passphrase needed
                return null;
            }
            if (k == null) {
                String why = p + ": key is encrypted; give its passphrase with --passphrase-env VAR or --passphrase-file FILE";
                if (mustLoad) throw new InputError(why);
                warn.accept("warning: skipping " + why);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof InputError ie) throw ie;
            String why = p + ": cannot load private key: " + Errors.message(e, e.getClass().getSimpleName());
            if (mustLoad) throw new InputError(why);
            warn.accept("warning: skipping " + why);
            k = null;
        }
        if (k != null) k = identities.loaded(p, k);
        cache.put(id, k);
        return k;
    }
}
