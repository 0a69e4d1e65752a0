package ssh;

//SOURCES ../cli/Errors.java Agent.java HostConfig.java Key.java Keys.java

import cli.Errors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What a host is offered besides its key files, as ssh chooses it: the keys and certificates of
 * the ssh-agent that IdentityAgent names ($SSH_AUTH_SOCK by default; asked once a run; one that
 * does not answer is one warning line, then the files), narrowed by IdentitiesOnly to those that
 * are also identity files (matched by KEY.pub when the key file itself cannot be decrypted: the
 * agent signs for it), and the certificates: KEY-cert.pub next to a key, and CertificateFile
 * (attached to its key file, else to the agent key it certifies).
 */
final class Identities {
    private static final String DEFAULT_AGENT = "SSH_AUTH_SOCK";

    /** An agent and the keys it held when first asked; NONE when there is none or it did not answer. */
    private record AgentKeys(Agent agent, List<Agent.Identity> identities) {}
    private static final AgentKeys NONE = new AgentKeys(null, List.of());

    /** One host's offer: its key files (with certificates) and, signed by {@code agent}, {@code agentKeys}. */
    record ForHost(List<Key> keys, Agent agent, List<Agent.Identity> agentKeys) {}

    private final Consumer<String> warn;
    private final Map<String, AgentKeys> agents = new HashMap<>();
    private final Map<String, byte[]> certificateFiles = new HashMap<>();
    /** Each identity file's public key fingerprint, also of those whose private key did not load (from KEY.pub). */
    private final Map<String, String> publicKeys = new HashMap<>();

    Identities(Consumer<String> warn) { this.warn = warn; }

    static String id(Path p) { return p.toAbsolutePath().normalize().toString(); }

    /** For a host with these settings, key files and identity file paths (-i, IdentityFile or the defaults). */
    ForHost forHost(HostConfig s, List<Key> keys, List<Path> identityFiles) {
        AgentKeys agent = agent(s.identityAgent());
        List<Agent.Identity> agentKeys = new ArrayList<>(agent.identities());
        if (s.identitiesOnly()) {
            List<String> mine = identityFiles.stream().map(f -> publicKeys.get(id(f))).toList();
            agentKeys.removeIf(a -> !mine.contains(a.fingerprint()));
        }
        List<Key> withCerts = new ArrayList<>(keys);
        for (String c : s.certificateFiles()) {
            byte[] cert = certificateFile(Path.of(c));
            if (cert == null) continue;
            String fp = Keys.plainFingerprint(cert);
            int i = indexOf(withCerts, fp);
            if (i >= 0) {
                withCerts.set(i, withCerts.get(i).withCertificate(cert));
            } else if (agentKeys.stream().anyMatch(a -> a.fingerprint().equals(fp))) {
                agentKeys.add(new Agent.Identity(cert, c, fp, true));        // the agent signs for it
            } else {
                warn.accept("warning: CertificateFile " + c + ": no identity file or agent key for it (" + fp + "); not offered");
            }
        }
        return new ForHost(List.copyOf(withCerts), agent.agent(), List.copyOf(agentKeys));
    }

    /** The key file's public half (KEY.pub, or KEY-cert.pub's key) is held by $SSH_AUTH_SOCK's agent. */
    boolean heldByAgent(Path keyFile) {
        String fp = publicFromFile(keyFile);
        return fp != null && agent(DEFAULT_AGENT).identities().stream().anyMatch(a -> a.fingerprint().equals(fp));
    }

    /** A key file that loaded: remembered for IdentitiesOnly, and given its KEY-cert.pub if there is one. */
    Key loaded(Path keyFile, Key k) {
        publicKeys.put(id(keyFile), k.fingerprint());
        Path cert = Path.of(keyFile + "-cert.pub");
        if (!Files.isRegularFile(cert)) return k;
        try {
            return k.withCertificate(Keys.certificate(cert, k.fingerprint()));
        } catch (IOException | RuntimeException e) {
            warn.accept("warning: " + cert + ": not offering this certificate: " + Errors.message(e, e.getClass().getSimpleName()));
            return k;
        }
    }

    /**
     * The agent IdentityAgent names ("SSH_AUTH_SOCK", "$VAR", a socket path, "none"), asked for its
     * keys once a run.
     */
    private AgentKeys agent(String identityAgent) {
        String socket = identityAgent.equalsIgnoreCase("none") ? null
                : identityAgent.equals(DEFAULT_AGENT) ? System.getenv(DEFAULT_AGENT)
                : identityAgent.startsWith("$") ? System.getenv(identityAgent.substring(1))
                : identityAgent;                                  // SshConfig expanded ~ and %tokens
        if (socket == null || socket.isEmpty()) return NONE;
        return agents.computeIfAbsent(socket, path -> {
            Agent a = new Agent(Path.of(path));
            try {
                return new AgentKeys(a, a.identities());
            } catch (IOException | RuntimeException e) {
                String named = identityAgent.equals(DEFAULT_AGENT) ? "SSH_AUTH_SOCK=" + path : "IdentityAgent " + path;
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
        String id = id(p);
        if (certificateFiles.containsKey(id)) return certificateFiles.get(id);
        byte[] cert = null;
        try {
            byte[] blob = Base64.getDecoder().decode(field(Files.readString(p)));
            if (!Keys.isCertificate(blob)) throw new IOException("not an OpenSSH certificate");
            cert = blob;
        } catch (IOException | RuntimeException e) {
            warn.accept("warning: CertificateFile " + p + ": not offered: " + Errors.message(e, e.getClass().getSimpleName()));
        }
        certificateFiles.put(id, cert);
        return cert;
    }

    /** The fingerprint in KEY.pub (or KEY-cert.pub), as ssh reads it for a key it cannot decrypt; null if neither is readable. */
    private String publicFromFile(Path keyFile) {
        for (String suffix : List.of(".pub", "-cert.pub")) {
            try {
                String fp = Keys.plainFingerprint(Base64.getDecoder().decode(field(Files.readString(Path.of(keyFile + suffix)))));
                publicKeys.putIfAbsent(id(keyFile), fp);
                return fp;
            } catch (IOException | RuntimeException ignored) { }
        }
        return null;
    }

    /** The base64 field of a public key line ("TYPE BASE64 [comment]"). */
    private static String field(String line) {
        String[] f = line.strip().split("\\s+");
        return f.length > 1 ? f[1] : "";
    }
}
