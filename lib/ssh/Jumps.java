package ssh;

//SOURCES ../cli/InputError.java

import cli.InputError;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bastions a host is reached through, as written by the user: ssh's {@code -J} and
 * {@code ProxyJump} syntax ({@code [user@]host[:port][,...]}, or {@code none}), and the one
 * {@code ProxyCommand} form that is a jump in disguise, {@code ssh -W %h:%p [user@]bastion}
 * (also {@code [%h]:%p}, with {@code exec} before it and {@code -q -T -a -x -p PORT -l USER}).
 * Any other ProxyCommand (nc, connect-proxy, a script) would need a local process per host; it is
 * reported, not run.
 *
 * <pre>
 *   List&lt;Jumps.Hop&gt; hops = Jumps.parse("admin@bastion1:2222,bastion2", "-J");   // bad: InputError naming -J
 *   Jumps.Hop hop = Jumps.fromProxyCommand("ssh -W %h:%p -q jump");           // null: not that form
 * </pre>
 */
public final class Jumps {
    private Jumps() {}

    /** One bastion: user and port are null where the spec names none (the hop's config decides). */
    public record Hop(String user, String host, Integer port) {
        /** As the user wrote it: admin@bastion1:2222. */
        public String spec() {
            String h = host.contains(":") ? "[" + host + "]" : host;
            return (user == null ? "" : user + "@") + h + (port == null ? "" : ":" + port);
        }
    }

    private static final Pattern HOP = Pattern.compile("(?:([^@\\s]+)@)?(\\[[0-9A-Fa-f:.]+]|[^\\[\\]@:,\\s]+)(?::(\\d+))?");
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._][A-Za-z0-9._-]*\\$?");

    /**
     * Parses a -J / ProxyJump value; an empty list for {@code none}. {@code where} names the
     * option or file:line for the error message.
     */
    public static List<Hop> parse(String value, String where) {
        String v = value.strip();
        if (v.equalsIgnoreCase("none")) return List.of();
        if (v.isEmpty()) throw new InputError(where + ": empty jump host list (give [user@]host[:port][,...] or none)");
        List<Hop> hops = new ArrayList<>();
        for (String part : v.split(",", -1)) {
            String p = part.strip();
            if (p.startsWith("ssh://")) p = p.substring(6);
            Matcher m = HOP.matcher(p);
            if (!m.matches()) {
                throw new InputError(where + ": bad jump host '" + part + "' in '" + value + "' (expected [user@]host[:port], hops separated by commas)");
            }
            String user = m.group(1), host = m.group(2), port = m.group(3);
            if (user != null && !USER.matcher(user).matches()) throw new InputError(where + ": bad user '" + user + "' in jump host '" + part + "'");
            if (host.startsWith("[")) host = host.substring(1, host.length() - 1);
            Integer n = null;
            if (port != null) {
                n = port.length() > 5 ? -1 : Integer.parseInt(port);
                if (n < 1 || n > 65535) throw new InputError(where + ": bad port '" + port + "' in jump host '" + part + "' (expected 1-65535)");
            }
            hops.add(new Hop(user, host, n));
        }
        return List.copyOf(hops);
    }

    /**
     * The bastion of a {@code ssh -W %h:%p [opts] [user@]host} ProxyCommand, or null when the
     * command is anything else (then the caller refuses the host, naming where it was set).
     */
    public static Hop fromProxyCommand(String command) {
        List<String> w = new ArrayList<>(List.of(command.strip().split("\\s+")));
        if (!w.isEmpty() && w.get(0).equals("exec")) w.remove(0);
        if (w.isEmpty() || !(w.get(0).equals("ssh") || w.get(0).endsWith("/ssh"))) return null;
        String user = null, target = null, forward = null;
        Integer port = null;
        for (int i = 1; i < w.size(); i++) {
            String a = w.get(i);
            switch (a) {
                case "-q", "-T", "-a", "-x" -> { }                       // quiet, no tty, no agent or X11 forwarding
                case "-W", "-p", "-l" -> {
                    if (++i == w.size()) return null;
                    String arg = w.get(i);
                    if (a.equals("-W")) forward = arg;
                    else if (a.equals("-l")) user = arg;
                    else if (arg.matches("\\d{1,5}") && Integer.parseInt(arg) >= 1 && Integer.parseInt(arg) <= 65535) port = Integer.parseInt(arg);
                    else return null;
                }
                default -> {
                    if (a.startsWith("-") || target != null) return null;   // another option, or a remote command
                    target = a;
                }
            }
        }
        if (target == null || forward == null || !(forward.equals("%h:%p") || forward.equals("[%h]:%p"))) return null;
        Hop hop;
        try {
            List<Hop> hops = parse(target, "ProxyCommand");
            if (hops.size() != 1) return null;
            hop = hops.get(0);
        } catch (InputError e) {
            return null;
        }
        if (hop.port() != null && port != null) return null;
        if (user != null && !USER.matcher(user).matches()) return null;
        return new Hop(hop.user() != null ? hop.user() : user, hop.host(), hop.port() != null ? hop.port() : port);
    }
}
