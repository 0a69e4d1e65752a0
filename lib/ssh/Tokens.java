package ssh;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * ssh_config(5)'s TOKENS section: %-tokens, a leading ~ and ${ENV} in the keywords that take them
 * (IdentityFile, CertificateFile, IdentityAgent, UserKnownHostsFile, GlobalKnownHostsFile, Match
 * exec). HostName takes only %h and %%. An unknown %x or an unset ${VAR} is an error, as in ssh.
 *
 * <pre>
 *   Tokens t = Tokens.forHost("web1", "web1.example", 22, "deploy", null);
 *   t.path("~/.ssh/known_hosts_%h")   // "/home/me/.ssh/known_hosts_web1.example"
 * </pre>
 */
final class Tokens {
    /** The local host's name, once: %l (full) and %L (up to the first dot), as ssh's gethostname(). */
    private static final String THIS_HOST = localHostName();

    private final Map<Character, String> values;

    private Tokens(Map<Character, String> values) { this.values = values; }

    /**
     * @param original the name as the user wrote it (%n)
     * @param hostName the host to connect to (%h)
     * @param alias    HostKeyAlias or null (%k falls back to the original name)
     */
    static Tokens forHost(String original, String hostName, int port, String remoteUser, String alias) {
        String home = home(), local = localUser(), p = Integer.toString(port);
        return new Tokens(Map.ofEntries(
                Map.entry('%', "%"), Map.entry('C', connectionHash(hostName, p, remoteUser)), Map.entry('d', home),
                Map.entry('h', hostName), Map.entry('i', uid()), Map.entry('k', alias != null ? alias : original),
                Map.entry('L', THIS_HOST.contains(".") ? THIS_HOST.substring(0, THIS_HOST.indexOf('.')) : THIS_HOST),
                Map.entry('l', THIS_HOST), Map.entry('n', original), Map.entry('p', p), Map.entry('r', remoteUser),
                Map.entry('u', local)));
    }

    static String home() { return System.getProperty("user.home"); }

    static String localUser() { return System.getProperty("user.name"); }

    /** %C: SHA-1 of %l%h%p%r in hex, as OpenSSH 9.2 computes it. */
    private static String connectionHash(String host, String port, String user) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest((THIS_HOST + host + port + user).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A leading ~ or ~/ (the local user's home), then ${VAR}, then %-tokens. */
    String path(String s) throws BadToken {
        String written = s;
        if (s.equals("~")) s = home();
        else if (s.startsWith("~/")) s = home() + s.substring(1);
        return percent(env(s, written), written);
    }

    /** %-tokens only (Match exec). */
    String percent(String s) throws BadToken { return percent(s, s); }

    /** {@code written} is the value as the config has it, for messages. */
    private String percent(String s, String written) throws BadToken {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%') { sb.append(c); continue; }
            if (i + 1 == s.length()) throw new BadToken("a lone % at the end of '" + written + "' (write %% for a percent sign)");
            String v = values.get(s.charAt(++i));
            if (v == null) throw new BadToken("unknown token %" + s.charAt(i) + " in '" + written + "'");
            sb.append(v);
        }
        return sb.toString();
    }

    /** HostName's expansion: %h is the name as written, %% a percent sign, nothing else. */
    static String hostName(String value, String original) throws BadToken {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '%') { sb.append(c); continue; }
            char t = i + 1 < value.length() ? value.charAt(++i) : ' ';
            if (t == 'h') sb.append(original);
            else if (t == '%') sb.append('%');
            else throw new BadToken("HostName takes only the tokens %h and %%, not %" + t);
        }
        return sb.toString();
    }

    private static String env(String s, String written) throws BadToken {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            int at = s.indexOf("${", i);
            if (at < 0) break;
            int end = s.indexOf('}', at);
            if (end < 0) throw new BadToken("unterminated ${ in '" + written + "'");
            String name = s.substring(at + 2, end);
            String v = System.getenv(name);
            if (v == null) throw new BadToken("environment variable " + name + " is not set (used in '" + written + "')");
            sb.append(s, i, at).append(v);
            i = end + 1;
        }
        return sb.append(s.substring(i)).toString();
    }

    private static String uid() {
        try {
            Object u = java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"), "unix:uid");
            return String.valueOf(u);
        } catch (Exception e) {
            return "0";
        }
    }

    /** gethostname(2), as ssh reads it (the kernel's name, not what DNS says). */
    private static String localHostName() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (Exception e) {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (Exception e2) {
                return "localhost";
            }
        }
    }

    /** A token ssh would refuse; the caller adds file:line. */
    static final class BadToken extends Exception {
        BadToken(String message) { super(message, null, false, false); }
    }
}
