package ssh;

//SOURCES Patterns.java

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The algorithm lists of OpenSSH 9.2's client (Debian 12's ssh), and ssh_config's way of changing
 * them: "a,b" replaces the list, "+a,b" appends, "-a,b" removes, "^a,b" puts in front; names may
 * be patterns (* and ?) and are matched against what OpenSSH implements. The constants are what
 * `ssh -G` (DEFAULT_*) and `ssh -Q kex|cipher|mac|HostKeyAlgorithms` (ALL_*) print on Debian
 * 12 with OpenSSH_9.2p1 Debian-2+deb12u10; SshConfigTest checks them against the ssh installed.
 * What sshj can actually do is a narrower set: see SshjConfigs.
 */
public final class Algorithms {
    private Algorithms() {}

    /** One category: its ssh_config keyword, OpenSSH's default list, and every name OpenSSH knows. */
    public enum Kind {
        KEX("KexAlgorithms", DEFAULT_KEX, ALL_KEX),
        HOST_KEY("HostKeyAlgorithms", DEFAULT_HOST_KEY, ALL_HOST_KEY),
        CIPHER("Ciphers", DEFAULT_CIPHERS, ALL_CIPHERS),
        MAC("MACs", DEFAULT_MACS, ALL_MACS);

        public final String keyword;
        public final List<String> defaults;
        public final List<String> all;

        Kind(String keyword, String defaults, String all) {
            this.keyword = keyword;
            this.defaults = List.of(defaults.split(","));
            this.all = List.of(all.split(","));
        }
    }

    static final String DEFAULT_KEX = "sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,"
            + "curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,"
            + "diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,"
            + "diffie-hellman-group14-sha256";
    static final String ALL_KEX = "diffie-hellman-group1-sha1,diffie-hellman-group14-sha1,diffie-hellman-group14-sha256,"
            + "diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group-exchange-sha1,"
            + "diffie-hellman-group-exchange-sha256,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,"
            + "curve25519-sha256,curve25519-sha256@libssh.org,sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com";

    static final String DEFAULT_HOST_KEY = "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,"
            + "ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,"
            + "sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,"
            + "rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,"
            + "ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,"
            + "rsa-sha2-512,rsa-sha2-256";
    static final String ALL_HOST_KEY = "ssh-ed25519,ssh-ed25519-cert-v01@openssh.com,sk-ssh-ed25519@openssh.com,"
            + "sk-ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256,ecdsa-sha2-nistp256-cert-v01@openssh.com,"
            + "ecdsa-sha2-nistp384,ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521,"
            + "ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,"
            + "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,webauthn-sk-ecdsa-sha2-nistp256@openssh.com,ssh-dss,"
            + "ssh-dss-cert-v01@openssh.com,ssh-rsa,ssh-rsa-cert-v01@openssh.com,rsa-sha2-256,"
            + "rsa-sha2-256-cert-v01@openssh.com,rsa-sha2-512,rsa-sha2-512-cert-v01@openssh.com";

    static final String DEFAULT_CIPHERS = "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,"
            + "aes128-gcm@openssh.com,aes256-gcm@openssh.com";
    static final String ALL_CIPHERS = "3des-cbc,aes128-cbc,aes192-cbc,aes256-cbc,aes128-ctr,aes192-ctr,aes256-ctr,"
            + "aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com";

    static final String DEFAULT_MACS = "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"
            + "hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,"
            + "hmac-sha2-256,hmac-sha2-512,hmac-sha1";
    static final String ALL_MACS = "hmac-sha1,hmac-sha1-96,hmac-sha2-256,hmac-sha2-512,hmac-md5,hmac-md5-96,"
            + "umac-64@openssh.com,umac-128@openssh.com,hmac-sha1-etm@openssh.com,hmac-sha1-96-etm@openssh.com,"
            + "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-md5-etm@openssh.com,"
            + "hmac-md5-96-etm@openssh.com,umac-64-etm@openssh.com,umac-128-etm@openssh.com";

    /**
     * The list a config value gives (null: the defaults), as OpenSSH's kex_assemble_names builds
     * it: the +/-/^ edit applied to the defaults, each pattern then expanded over the names OpenSSH
     * knows (in their order), duplicates dropped. Throws with a message saying what is wrong.
     */
    public static List<String> assemble(Kind kind, String value) throws IllegalArgumentException {
        if (value == null) return kind.defaults;
        if (value.isEmpty()) throw new IllegalArgumentException("empty " + kind.keyword + " list");
        char op = value.charAt(0);
        String rest = "+-^".indexOf(op) >= 0 ? value.substring(1) : value;
        List<String> names = Arrays.asList(rest.split(",", -1));
        // ssh checks every name of a list that adds; a removal may name anything. Only host key
        // algorithms may be patterns there (kex, ciphers and MACs must be spelled out).
        if (op != '-') {
            for (String n : names) {
                if (isPattern(n) && kind != Kind.HOST_KEY) {
                    throw new IllegalArgumentException("Bad " + kind.keyword + " '" + value + "': '" + n
                            + "': patterns are allowed only in a -list (as in ssh); name each algorithm");
                }
                boolean known = isPattern(n) ? kind.all.stream().anyMatch(a -> Patterns.wildcard(n, a)) : kind.all.contains(n);
                if (!known) {
                    throw new IllegalArgumentException("Bad " + kind.keyword + " '" + value + "': '" + n
                            + "' is not an algorithm OpenSSH knows (ssh -Q " + query(kind) + " lists them)");
                }
            }
        }
        List<String> edited = new ArrayList<>();
        switch (op) {
            case '+' -> { edited.addAll(kind.defaults); edited.addAll(names); }
            case '^' -> { edited.addAll(names); edited.addAll(kind.defaults); }
            case '-' -> kind.defaults.stream().filter(d -> names.stream().noneMatch(n -> Patterns.wildcard(n, d))).forEach(edited::add);
            default -> edited.addAll(names);
        }
        List<String> out = new ArrayList<>();
        for (String pattern : edited) {
            for (String a : kind.all) {
                if (Patterns.wildcard(pattern, a) && !out.contains(a)) out.add(a);
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException(kind.keyword + " '" + value + "' leaves no algorithm");
        return List.copyOf(out);
    }

    private static boolean isPattern(String n) { return n.indexOf('*') >= 0 || n.indexOf('?') >= 0; }

    private static String query(Kind kind) {
        return switch (kind) {
            case KEX -> "kex";
            case HOST_KEY -> "HostKeyAlgorithms";
            case CIPHER -> "cipher";
            case MAC -> "mac";
        };
    }
}
