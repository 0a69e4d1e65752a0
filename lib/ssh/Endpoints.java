package ssh;

//SOURCES ../cli/Errors.java ../cli/InputError.java ../net/Target.java ../net/Targets.java
//SOURCES Jumps.java Key.java Keys.java Route.java Ssh.java SshConfig.java

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
 * then the command line's user and port, then ~/.ssh/config (HostName, User, Port, IdentityFile),
 * then $USER and 22. Keys: those named on the command line (they must load), then the host's
 * IdentityFiles, else the default ~/.ssh/id_ed25519, id_ecdsa, id_rsa (those are skipped with a
 * warning when they do not load). Each key file is loaded once per run.
 *
 * Bastions (-J, as {@link #jump}) are resolved like ssh resolves them: each hop by its own name in
 * the config (HostName, User, Port, IdentityFile), without the command line's user and port; keys
 * named on the command line are offered to them too. The route of a host is its endpoint and the
 * chain of hop endpoints in front of it.
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
    private List<Key> defaults;
    private List<Jumps.Hop> jump;

    /**
     * One target resolved: its endpoint, its route (the endpoint and the bastions in front of it),
     * and {@code unsupported} (why it cannot be reached as configured) or null.
     */
    public record Host(Target target, Ssh.Endpoint endpoint, Route route, String unsupported) {
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
    }

    /** A key named on the command line (-i): offered to every host first; it must load (else InputError). */
    public void identity(Path p) {
        explicit.add(key(p, true));
    }

    /** The command line's bastions (-J) for every target, overriding the config's; empty for -J none. */
    public void jump(List<Jumps.Hop> hops) {
        this.jump = List.copyOf(hops);
    }

    /** Every target's endpoint, in input order. */
    public List<Host> resolve(List<Target> targets) {
        List<Host> hosts = new ArrayList<>();
        for (Target t : targets) {
            SshConfig.HostSettings s = config.lookup(t.host(), t.user() != null ? t.user() : user);
            Ssh.Endpoint e = endpoint(t.host(), s, t.user() != null ? t.user() : user,
                    t.port() != Targets.UNSET_PORT ? Integer.valueOf(t.port()) : port);
            String unsupported = jump != null ? null : s.unsupported();
            hosts.add(new Host(t, e, new Route(e, jump == null ? null : via(jump), t.spec()), unsupported));
        }
        return hosts;
    }

    /** The route to the last hop, through the ones before it; null for none. */
    private Route via(List<Jumps.Hop> hops) {
        if (hops.isEmpty()) return null;
        Jumps.Hop last = hops.get(hops.size() - 1);
        SshConfig.HostSettings s = config.lookup(last.host(), last.user());
        return new Route(endpoint(last.host(), s, last.user(), last.port()), via(hops.subList(0, hops.size() - 1)), last.spec());
    }

    /** Where {@code name} is reached as whom with which keys; {@code u} and {@code p} (may be null) beat the config. */
    private Ssh.Endpoint endpoint(String name, SshConfig.HostSettings s, String u, Integer p) {
        List<Key> keys = new ArrayList<>(explicit);
        for (String f : s.identityFiles()) {
            if (Files.isRegularFile(Path.of(f))) {
                Key k = key(Path.of(f), false);
                if (k != null && !keys.contains(k)) keys.add(k);
            }
        }
        if (explicit.isEmpty() && s.identityFiles().isEmpty()) keys.addAll(defaultKeys());
        String host = s.hostName() != null ? s.hostName() : name;
        String remoteUser = u != null ? u : s.user() != null ? s.user() : System.getProperty("user.name");
        return new Ssh.Endpoint(host, p != null ? p : s.port() != null ? s.port() : 22, remoteUser, List.copyOf(keys));
    }

    private List<Key> defaultKeys() {
        if (defaults != null) return defaults;
        defaults = new ArrayList<>();
        for (String name : List.of("id_ed25519", "id_ecdsa", "id_rsa")) {
            Path p = Path.of(System.getProperty("user.home"), ".ssh", name);
            if (Files.isRegularFile(p)) {
                Key k = key(p, false);
                if (k != null) defaults.add(k);
            }
        }
        return defaults;
    }

    /** A key, loaded once; an explicit one must load, another is skipped with a warning (null). */
    private Key key(Path p, boolean mustLoad) {
        String id = p.toAbsolutePath().normalize().toString();
        if (cache.containsKey(id)) return cache.get(id);
        Key k;
        try {
            k = Keys.load(p, passphrase);
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
        cache.put(id, k);
        return k;
    }
}
