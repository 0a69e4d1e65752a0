package ssh;

//SOURCES ../cli/InputError.java

import cli.InputError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The part of OpenSSH's client config (~/.ssh/config, ssh_config(5)) an operator relies on to name
 * hosts: {@code Host} patterns (with * ? and !negation), {@code HostName} (%h), {@code User},
 * {@code Port}, {@code IdentityFile} (~, %d %u %r %h), and {@code Include}. Like ssh, the first
 * value found for a keyword wins and IdentityFile accumulates. sshj has no config reader, and
 * pulling in a second SSH library (JSch, MINA) for these five keywords would be the larger cost.
 *
 * Not supported: {@code Match} blocks (skipped, with a warning) and every other keyword. Hosts that
 * a config sends through {@code ProxyJump}/{@code ProxyCommand} are flagged, so a caller can refuse
 * them rather than connect directly behind the user's back.
 */
public final class SshConfig {
    /** What the config says about one host; null fields mean "the config does not say". */
    public record HostSettings(String hostName, String user, Integer port, List<String> identityFiles, String unsupported) {}

    /** Keywords that change how a host is reached; we can't honour them, so we don't pretend to. */
    private static final List<String> ROUTING = List.of("proxyjump", "proxycommand");

    private record Block(List<String> patterns, Map<String, List<String>> values) {}

    private final List<Block> blocks = new ArrayList<>();

    private SshConfig() {}

    /** No config at all (-F none, or no ~/.ssh/config). */
    public static SshConfig none() { return new SshConfig(); }

    /** Parses {@code file} (and what it includes); bad lines are input errors naming file:line. */
    public static SshConfig load(Path file, Consumer<String> warn) {
        SshConfig c = new SshConfig();
        Block global = new Block(List.of("*"), new LinkedHashMap<>());
        c.blocks.add(global);
        c.parse(file, global, warn, 0);
        return c;
    }

    /** The default: ~/.ssh/config when it exists. */
    public static SshConfig userDefault(Consumer<String> warn) {
        Path p = Path.of(System.getProperty("user.home"), ".ssh", "config");
        return Files.isRegularFile(p) ? load(p, warn) : none();
    }

    private void parse(Path file, Block context, Consumer<String> warn, int depth) {
        if (depth > 16) throw new InputError(file + ": Include nested too deeply (a loop?)");
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InputError(file + ": cannot read ssh config: " + e.getMessage());
        }
        Block current = context;
        boolean skipping = false;   // inside a Match block
        for (int i = 0; i < lines.size(); i++) {
            String where = file + ":" + (i + 1);
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            List<String> args = words(line, where);
            String keyword = args.remove(0);
            int eq = keyword.indexOf('=');                     // "User=dba"
            if (eq >= 0) {
                if (eq + 1 < keyword.length()) args.add(0, keyword.substring(eq + 1));
                keyword = keyword.substring(0, eq);
            } else if (!args.isEmpty() && args.get(0).startsWith("=")) {   // "User = dba", "User =dba"
                String rest = args.remove(0).substring(1);
                if (!rest.isEmpty()) args.add(0, rest);
            }
            if (!keyword.matches("[A-Za-z]+")) throw new InputError(where + ": expected 'Keyword value', got '" + line + "'");
            String key = keyword.toLowerCase(Locale.ROOT);
            if (args.isEmpty()) throw new InputError(where + ": " + keyword + " needs a value");
            switch (key) {
                case "host" -> {
                    current = new Block(args, new LinkedHashMap<>());
                    blocks.add(current);
                    skipping = false;
                }
                case "match" -> {
                    warn.accept("warning: " + where + ": Match blocks are not supported by ops; ignoring this block");
                    skipping = true;
                }
                case "include" -> {
                    if (!skipping) for (String pattern : args) include(pattern, current, warn, depth);
                }
                default -> {
                    if (skipping) continue;
                    if (key.equals("port")) checkPort(where, args.get(0));
                    current.values().computeIfAbsent(key, k -> new ArrayList<>()).add(args.get(0));
                }
            }
        }
    }

    private void include(String pattern, Block context, Consumer<String> warn, int depth) {
        String expanded = pattern.startsWith("~/") ? System.getProperty("user.home") + pattern.substring(1) : pattern;
        Path p = Path.of(expanded);
        if (!p.isAbsolute()) p = Path.of(System.getProperty("user.home"), ".ssh").resolve(p);
        Path dir = p.getParent();
        PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + p);
        if (!Files.isDirectory(dir)) return;   // like ssh: an Include that matches nothing is fine
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(glob::matches).sorted().toList()) {
                if (Files.isRegularFile(f)) parse(f, context, warn, depth + 1);
            }
        } catch (IOException e) {
            throw new InputError(dir + ": cannot list for Include: " + e.getMessage());
        }
    }

    private static void checkPort(String where, String value) {
        try {
            int p = Integer.parseInt(value);
            if (p >= 1 && p <= 65535) return;
        } catch (NumberFormatException ignored) { }
        throw new InputError(where + ": bad Port '" + value + "' (expected 1-65535)");
    }

    /** Splits on whitespace, honouring double quotes (as ssh does). */
    private static List<String> words(String text, String where) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean quoted = false, any = false;
        for (char ch : text.toCharArray()) {
            if (ch == '"') { quoted = !quoted; any = true; continue; }
            if (!quoted && Character.isWhitespace(ch)) {
                if (any) out.add(w.toString());
                w.setLength(0);
                any = false;
                continue;
            }
            if (!quoted && ch == '#' && !any) break;   // a trailing comment
            w.append(ch);
            any = true;
        }
        if (quoted) throw new InputError(where + ": unterminated quote");
        if (any) out.add(w.toString());
        return out;
    }

    /** What applies to {@code host} (the name as the user wrote it), first match winning. */
    public HostSettings lookup(String host, String remoteUserIfKnown) {
        String hostName = null, user = null, unsupported = null;
        Integer port = null;
        List<String> identities = new ArrayList<>();
        for (Block b : blocks) {
            if (!matches(b.patterns(), host)) continue;
            var v = b.values();
            if (hostName == null && v.containsKey("hostname")) hostName = v.get("hostname").get(0);
            if (user == null && v.containsKey("user")) user = v.get("user").get(0);
            if (port == null && v.containsKey("port")) port = Integer.parseInt(v.get("port").get(0));
            identities.addAll(v.getOrDefault("identityfile", List.of()));
            for (String k : ROUTING) {
                if (unsupported == null && v.containsKey(k) && !v.get(k).get(0).equalsIgnoreCase("none")) {
                    unsupported = "~/.ssh/config routes this host through " + (k.equals("proxyjump") ? "ProxyJump" : "ProxyCommand")
                            + " (" + v.get(k).get(0) + "), which ops does not support";
                }
            }
        }
        String remoteUser = remoteUserIfKnown != null ? remoteUserIfKnown : user != null ? user : System.getProperty("user.name");
        List<String> files = new ArrayList<>();
        for (String f : identities) {
            if (!f.equalsIgnoreCase("none")) files.add(expandTokens(f, host, remoteUser));
        }
        if (hostName != null) hostName = hostName.replace("%h", host).replace("%%", "%");
        return new HostSettings(hostName, user, port, files, unsupported);
    }

    private static String expandTokens(String path, String host, String remoteUser) {
        String home = System.getProperty("user.home");
        if (path.startsWith("~/")) path = home + path.substring(1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c != '%' || i + 1 == path.length()) { sb.append(c); continue; }
            char t = path.charAt(++i);
            switch (t) {
                case 'd' -> sb.append(home);
                case 'u' -> sb.append(System.getProperty("user.name"));
                case 'r' -> sb.append(remoteUser);
                case 'h' -> sb.append(host);
                case '%' -> sb.append('%');
                default -> sb.append('%').append(t);
            }
        }
        return sb.toString();
    }

    static boolean matches(List<String> patterns, String host) {
        String h = host.toLowerCase(Locale.ROOT);
        boolean positive = false;
        for (String p : patterns) {
            boolean negated = p.startsWith("!");
            String glob = (negated ? p.substring(1) : p).toLowerCase(Locale.ROOT);
            if (wildcard(glob, h)) {
                if (negated) return false;
                positive = true;
            }
        }
        return positive;
    }

    /** ssh's pattern syntax: * any run, ? one character, nothing else special. */
    private static boolean wildcard(String glob, String s) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*') re.append(".*");
            else if (c == '?') re.append('.');
            else re.append(Pattern.quote(String.valueOf(c)));
        }
        return s.matches(re.toString());
    }
}
