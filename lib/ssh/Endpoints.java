package ssh;

//SOURCES ../cli/Errors.java ../cli/InputError.java ../net/Target.java ../net/Targets.java
//SOURCES Agent.java HostConfig.java Key.java Keys.java Ssh.java SshConfig.java

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
 * warning when they do not load). Each key file is loaded once per run, with the certificate
 * KEY-cert.pub next to it if there is one. ssh-agent ($SSH_AUTH_SOCK) is asked for its keys once
 * per run; they are offered first, as ssh does. With IdentitiesOnly only the agent keys that are
 * also identity files are (an encrypted key file then needs no passphrase when the agent holds it).
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
    /** Each identity file's public key fingerprint, also of those whose private key did not load (from KEY.pub). */
    private final Map<String, String> publicKeys = new HashMap<>();
    private final Map<String, AgentKeys> agents = new HashMap<>();
    private final Map<String, byte[]> certificates = new HashMap<>();
    private final List<Path> explicitPaths = new ArrayList<>();
    private List<Key> defaults;

    /** An agent and the keys it held when first asked; NONE when there is none or it did not answer. */
    private record AgentKeys(Agent agent, List<Agent.Identity> identities) {}
    private static final AgentKeys NONE = new AgentKeys(null, List.of());

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
    }

    /** A key named on the command line (-i): offered to every host first; it must load (else InputError). */
    public void identity(Path p) {
        explicitPaths.add(p);
        Key k = key(p, !heldByAgent(p));
        if (k != null) explicit.add(k);
    }

    /** Every target's endpoint, in input order. */
    public List<Host> resolve(List<Target> targets) {
        List<Host> hosts = new ArrayList<>();
        for (Target t : targets) {
            HostConfig s = config.resolve(t.host(), t.user() != null ? t.user() : user, t.port() != Targets.UNSET_PORT ? Integer.valueOf(t.port()) : port);
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
            AgentKeys agent = agent(s.identityAgent());
            List<Agent.Identity> agentKeys = agent.identities();
            if (s.identitiesOnly()) {
                List<String> mine = files.stream().map(f -> publicKeys.get(id(f))).toList();
                agentKeys = agentKeys.stream().filter(a -> mine.contains(a.fingerprint())).toList();
            }
            for (String c : s.certificateFiles()) {
                byte[] cert = certificateFile(Path.of(c));
                if (cert == null) continue;
                String fp = Keys.plainFingerprint(cert);
                int i = indexOf(keys, fp);
                if (i >= 0) {
                    keys.set(i, keys.get(i).withCertificate(cert));
                } else if (agentKeys.stream().anyMatch(a -> a.fingerprint().equals(fp))) {      // the agent signs for it
                    agentKeys = new ArrayList<>(agentKeys);
                    agentKeys.add(new Agent.Identity(cert, c, fp, true));
                } else {
                    warn.accept("warning: CertificateFile " + c + ": no identity file or agent key for it (" + fp + "); not offered");
                }
            }
            hosts.add(new Host(t, new Ssh.Endpoint(s.hostName(), s.port(), s.user(), List.copyOf(keys), agent.agent(), agentKeys), s, unsupported(s)));
        }
        return hosts;
    }

    /** ProxyJump/ProxyCommand: not done yet, so such a host is refused rather than reached directly. */
    private static String unsupported(HostConfig s) {
        if (s.proxyJump() != null) return "ssh config routes this host through ProxyJump (" + s.proxyJump() + "), which ops does not support";
        if (s.proxyCommand() != null) return "ssh config routes this host through ProxyCommand (" + s.proxyCommand() + "), which ops does not support";
        return null;
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

    private static final String IDENTITY_AGENT_DEFAULT = "SSH_AUTH_SOCK";

    private static String id(Path p) { return p.toAbsolutePath().normalize().toString(); }

    /**
     * The agent IdentityAgent names ("SSH_AUTH_SOCK", the default; "$VAR"; a socket path; "none"),
     * asked for its keys once a run. One that does not answer is one warning line, then the files.
     */
    private AgentKeys agent(String identityAgent) {
        String socket = identityAgent.equalsIgnoreCase("none") ? null
                : identityAgent.equals("SSH_AUTH_SOCK") ? System.getenv("SSH_AUTH_SOCK")
                : identityAgent.startsWith("$") ? System.getenv(identityAgent.substring(1))
                : identityAgent;                                  // SshConfig expanded ~ and %tokens
        if (socket == null || socket.isEmpty()) return NONE;
        return agents.computeIfAbsent(socket, path -> {
            Agent a = new Agent(Path.of(path));
            try {
                return new AgentKeys(a, a.identities());
            } catch (IOException | RuntimeException e) {
                String named = identityAgent.equals("SSH_AUTH_SOCK") ? "SSH_AUTH_SOCK=" + path : "IdentityAgent " + path;
                warn.accept("warning: ssh-agent at " + named + " did not answer (" + Errors.message(e, e.getClass().getSimpleName())
                        + "); going on without it (key files only)");
                return NONE;
            }
        });
    }

    private static int indexOf(List<Key> keys, String fingerprint) {
        for (int i = 0; i < keys.size(); i++) if (keys.get(i).fingerprint().equals(fingerprint)) return i;
        return -1;
    }

    /** A CertificateFile's certificate, read once; null (warned once) if it cannot be. */
    private byte[] certificateFile(Path p) {
        String id = "cert:" + id(p);
        if (certificates.containsKey(id)) return certificates.get(id);
        byte[] cert = null;
        try {
            String[] f = Files.readString(p).strip().split("\\s+");
            cert = java.util.Base64.getDecoder().decode(f.length > 1 ? f[1] : "");
            if (!Keys.isCertificate(cert)) throw new IOException("not an OpenSSH certificate");
        } catch (IOException | RuntimeException e) {
            warn.accept("warning: CertificateFile " + p + ": not offered: " + Errors.message(e, e.getClass().getSimpleName()));
            cert = null;
        }
        certificates.put(id, cert);
        return cert;
    }

    /** The key file's public half (KEY.pub, or KEY-cert.pub's key) is in the default agent. */
    private boolean heldByAgent(Path p) {
        String fp = publicFromFile(p);
        return fp != null && agent(IDENTITY_AGENT_DEFAULT).identities().stream().anyMatch(a -> a.fingerprint().equals(fp));
    }

    /** The fingerprint in KEY.pub (or KEY-cert.pub), as ssh reads it for a key it cannot decrypt; null if neither is readable. */
    private String publicFromFile(Path p) {
        for (String suffix : List.of(".pub", "-cert.pub")) {
            try {
                String[] f = Files.readString(Path.of(p + suffix)).strip().split("\\s+");
                String fp = Keys.plainFingerprint(java.util.Base64.getDecoder().decode(f[1]));
                publicKeys.putIfAbsent(id(p), fp);
                return fp;
            } catch (IOException | RuntimeException ignored) { }
        }
        return null;
    }

    /** A key, loaded once with its KEY-cert.pub; an explicit one must load, another is skipped with a warning (null). */
    private Key key(Path p, boolean mustLoad) {
        String id = id(p);
        if (cache.containsKey(id)) return cache.get(id);
        Key k;
        try {
            k = Keys.load(p, passphrase);
            if (k == null && publicFromFile(p) != null && heldByAgent(p)) {
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
        if (k != null) {
            publicKeys.put(id, k.fingerprint());
            Path cert = Path.of(p + "-cert.pub");
            if (Files.isRegularFile(cert)) {
                try {
                    k = k.withCertificate(Keys.certificate(cert, k.fingerprint()));
                } catch (IOException | RuntimeException e) {
                    warn.accept("warning: " + cert + ": not offering this certificate: " + Errors.message(e, e.getClass().getSimpleName()));
                }
            }
        }
        cache.put(id, k);
        return k;
    }
}
