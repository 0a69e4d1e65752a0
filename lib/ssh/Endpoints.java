package ssh;

//SOURCES ../cli/Errors.java ../cli/InputError.java ../net/Target.java ../net/Targets.java
//SOURCES HostConfig.java Identities.java Jumps.java Key.java Keys.java Route.java Ssh.java SshConfig.java

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
 * Bastions come from -J ({@link #jump}, which overrides the config, as in ssh), else from the
 * host's ProxyJump, or its ProxyCommand when that is {@code ssh -W %h:%p bastion} ({@link Jumps}).
 * Each hop is resolved as ssh resolves it: by its own name in the config (HostName, User, Port,
 * IdentityFile, and its own ProxyJump for the first hop), without the command line's user and
 * port; keys named on the command line are offered to it too. Any other ProxyCommand leaves the
 * host {@code unsupported}: it is reported, never reached directly behind the config's back.
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
    private List<Jumps.Hop> jump;

    /**
     * One target resolved: its endpoint, everything ssh_config says about it, its route (the
     * endpoint and the bastions in front of it), and {@code unsupported} (why it is not run) or null.
     */
    public record Host(Target target, Ssh.Endpoint endpoint, HostConfig config, Route route, String unsupported) {
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

    /** The command line's bastions (-J) for every target, overriding the config's; empty for -J none. */
    public void jump(List<Jumps.Hop> hops) {
        this.jump = List.copyOf(hops);
    }

    /** Every target's endpoint, in input order. */
    public List<Host> resolve(List<Target> targets) {
        List<Host> hosts = new ArrayList<>();
        for (Target t : targets) {
            HostConfig s = config.resolve(t.host(), t.user() != null ? t.user() : user, t.port() != Targets.UNSET_PORT ? Integer.valueOf(t.port()) : port);
            Ssh.Endpoint e = endpoint(s);
            Route via = null;
            String unsupported = null;
            try {
                via = jump != null ? chain(jump, 0) : routeOf(s, 0);
            } catch (Unsupported u) {
                unsupported = u.getMessage();
            }
            hosts.add(new Host(t, e, s, new Route(e, s, via, t.spec()), unsupported));
        }
        return hosts;
    }

    /** A ProxyCommand ops cannot run as a jump; the host's row says so. */
    private static final class Unsupported extends Exception {
        Unsupported(String why) { super(why, null, false, false); }
    }

    /** ssh refuses deeper ProxyJump nesting than this as a loop; so do we. */
    private static final int MAX_HOPS = 16;

    /** The bastions in front of {@code s}'s host by its config: ProxyJump, or ProxyCommand ssh -W; null for none. */
    private Route routeOf(HostConfig s, int depth) throws Unsupported {
        if (s.proxyJump() != null) return chain(Jumps.parse(s.proxyJump(), "ssh config: ProxyJump of " + s.host()), depth);
        if (s.proxyCommand() == null) return null;
        Jumps.Hop hop = Jumps.fromProxyCommand(s.proxyCommand());
        if (hop == null) {
            throw new Unsupported("unsupported: " + (s.proxyWhere() != null ? s.proxyWhere() + ": " : "ssh config: ") + "ProxyCommand '" + s.proxyCommand() + "' for " + s.host()
                    + ": ops runs no local proxy commands, only ProxyJump and 'ssh -W %h:%p [user@]bastion': use ProxyJump (or -J)");
        }
        return chain(List.of(hop), depth);
    }

    /** The route to the last hop, through the ones before it (the first through its own config's). */
    private Route chain(List<Jumps.Hop> hops, int depth) throws Unsupported {
        if (hops.isEmpty()) return null;
        Jumps.Hop last = hops.get(hops.size() - 1);
        if (depth + hops.size() > MAX_HOPS) {
            throw new InputError("ssh config: more than " + MAX_HOPS + " jump hosts in a row before " + last.spec()
                    + " (a ProxyJump loop? give the bastion 'ProxyJump none')");
        }
        HostConfig s = config.resolve(last.host(), last.user(), last.port());
        Route before = hops.size() > 1 ? chain(hops.subList(0, hops.size() - 1), depth + 1) : routeOf(s, depth + 1);
        Ssh.Endpoint e = endpoint(s);
        return new Route(e, s, before, last.spec());
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
