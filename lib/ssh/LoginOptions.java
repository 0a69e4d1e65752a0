package ssh;

//DEPS info.picocli:picocli:4.7.7
//SOURCES ../cli/InputError.java ../cli/InputFile.java ../net/Target.java Connections.java Endpoints.java Jumps.java SshConfig.java

import cli.InputError;
import cli.InputFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import net.Target;
import picocli.CommandLine.Option;

/**
 * The picocli options of every script that logs in to a fleet over SSH (fanout, rollout): who and
 * where (-l, -p), with which keys (-i), through which bastions (-J, --jump-channels), read from
 * which ssh_config (-F) and trusted against which known_hosts (--known-hosts); and turning them,
 * with the targets, into each host's endpoint and route ({@link #resolve}). Secrets and the
 * host-key policy flags stay with each script, since they differ.
 */
public class LoginOptions {
    @Option(names = {"-l", "--user"}, paramLabel = "USER", description = "Remote user for targets that name none (default: ~/.ssh/config, then $USER).")
    public String user;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "Port for targets that name none (default: ~/.ssh/config, then 22).")
    public Integer port;

    @Option(names = {"-i", "--identity"}, paramLabel = "KEY_FILE",
            description = "Private key to log in with (repeatable; OpenSSH, PEM or PuTTY format; KEY-cert.pub next to it is offered too), after the keys in ssh-agent. Default: IdentityFile from ~/.ssh/config, else ~/.ssh/id_ed25519, id_ecdsa, id_rsa.")
    public List<Path> identities = new ArrayList<>();

    @Option(names = {"-J", "--jump"}, paramLabel = "[USER@]HOST[:PORT][,...]",
            description = "Reach every host through these bastions (ProxyJump; 'none' for direct): one login per bastion, shared by the hosts behind it.")
    public String jump;

    @Option(names = "--jump-channels", paramLabel = "N", defaultValue = "" + Connections.DEFAULT_CHANNELS,
            description = "Hosts tunnelled at once through one bastion login; more wait their turn (default: ${DEFAULT-VALUE}, sshd's MaxSessions default).")
    public int jumpChannels;

    @Option(names = {"-F", "--ssh-config"}, paramLabel = "FILE", description = "ssh client config to read, or 'none' (default: ~/.ssh/config if it exists).")
    public String sshConfig;

    @Option(names = "--known-hosts", paramLabel = "FILE", description = "known_hosts file to use for every host, instead of its UserKnownHostsFile and GlobalKnownHostsFile from ssh_config (by default known_hosts and known_hosts2 in ~/.ssh, ssh_known_hosts and ssh_known_hosts2 in /etc/ssh).")
    public Path knownHosts;

    /**
     * Every target's endpoint, settings and route, in input order: ssh_config read (-F), keys
     * named with -i loaded (they must), bastions from -J. Bad options and files are InputErrors.
     *
     * @param passphrase for encrypted keys, or null
     * @param warn       gets each warning line (a Match keyword we only warn about, a default key that did not load)
     */
    public List<Endpoints.Host> resolve(List<Target> targets, char[] passphrase, Consumer<String> warn) {
        if (port != null && (port < 1 || port > 65535)) throw new InputError("--port " + port + ": expected 1-65535");
        if (user != null && !user.matches("[A-Za-z0-9._][A-Za-z0-9._-]*\\$?")) throw new InputError("-l '" + user + "': not a valid user name");
        if (jumpChannels < 1) throw new InputError("--jump-channels must be at least 1");
        if (knownHosts != null && Files.isDirectory(knownHosts)) throw new InputError(knownHosts + ": is a directory, expected a known_hosts file");
        SshConfig config = sshConfig == null ? SshConfig.userDefault(warn)
                : sshConfig.equals("none") ? SshConfig.none() : SshConfig.load(InputFile.readable(Path.of(sshConfig), "-F"), warn);
        Endpoints endpoints = new Endpoints(config, user, port, passphrase, warn);
        for (Path p : identities) endpoints.identity(InputFile.readable(p, "-i"));
        if (jump != null) endpoints.jump(Jumps.parse(jump, "-J"));
        return endpoints.resolve(targets);
    }
}
