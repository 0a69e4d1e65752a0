package ssh;

import java.time.Duration;
import java.util.List;

/**
 * Everything that decides how one host is reached and trusted, resolved the way ssh(1) resolves it
 * (ssh -G shows the same settings under the same names, in lower case): ~/.ssh/config first (first
 * value wins, Match and Include honoured), then the defaults OpenSSH's client uses. Command-line
 * options of a script override these where the script says so (fanout's -l, -p, -i, -J,
 * --known-hosts, --accept-new, --connect-timeout).
 *
 * @param host                  the name as the user wrote it (what Host and Match host compare)
 * @param hostName              where to connect (HostName, %h expanded), never null
 * @param user                  the remote user, never null
 * @param port                  1-65535
 * @param identityFiles         IdentityFile, tokens and ~ expanded, in order; empty means the defaults
 * @param certificateFiles      CertificateFile, expanded
 * @param identitiesOnly        IdentitiesOnly: offer only the identity files (and their agent keys)
 * @param identityAgent         IdentityAgent: a socket path, "SSH_AUTH_SOCK" (the default) or "none"
 * @param proxyJump             ProxyJump: "[user@]host[:port][,...]", or null for none
 * @param proxyCommand          ProxyCommand, or null for none
 * @param userKnownHostsFiles   UserKnownHostsFile (default ~/.ssh/known_hosts ~/.ssh/known_hosts2)
 * @param globalKnownHostsFiles GlobalKnownHostsFile (default /etc/ssh/ssh_known_hosts ...2)
 * @param strictHostKeyChecking StrictHostKeyChecking
 * @param hostKeyAlias          HostKeyAlias: the name to look the host key up under, or null
 * @param connectTimeout        ConnectTimeout, or null for the caller's default
 * @param serverAliveInterval   ServerAliveInterval; zero means none
 * @param serverAliveCountMax   ServerAliveCountMax
 * @param kexAlgorithms         KexAlgorithms, the +/-/^ syntax applied to OpenSSH's defaults
 * @param hostKeyAlgorithms     HostKeyAlgorithms, likewise
 * @param ciphers               Ciphers, likewise
 * @param macs                  MACs, likewise
 * @param proxyWhere            "file:line" of the ProxyJump or ProxyCommand line that applies, or null
 */
public record HostConfig(String host, String hostName, String user, int port,
                         List<String> identityFiles, List<String> certificateFiles, boolean identitiesOnly, String identityAgent,
                         String proxyJump, String proxyCommand,
                         List<String> userKnownHostsFiles, List<String> globalKnownHostsFiles,
                         StrictHostKeyChecking strictHostKeyChecking, String hostKeyAlias,
                         Duration connectTimeout, Duration serverAliveInterval, int serverAliveCountMax,
                         List<String> kexAlgorithms, List<String> hostKeyAlgorithms, List<String> ciphers, List<String> macs,
                         String proxyWhere) {

    /** StrictHostKeyChecking's values; "ask" is treated as yes (no one is there to ask). */
    public enum StrictHostKeyChecking { YES, ACCEPT_NEW, NO, ASK }
}
