package ssh;

//SOURCES ../cli/InputError.java Algorithms.java ConfigLines.java HostConfig.java Patterns.java Tokens.java

import cli.InputError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * ~/.ssh/config (ssh_config(5)) read the way OpenSSH 9.2's ssh reads it, resolved per host into a
 * {@link HostConfig}: the first value found wins (IdentityFile and CertificateFile accumulate),
 * values from the command line (-l, -p) come before any in the file; {@code Host} patterns with
 * {@code !}negation; {@code Match} with host, originalhost, user, localuser, exec, all, canonical
 * and final, each negatable; {@code Include} (relative to ~/.ssh, glob patterns, conditional
 * inside Host/Match); the %-tokens and ~ of ssh_config's TOKENS where ssh expands them. Like ssh,
 * when a {@code Match final} is seen the file is read a second time with {@code Host} lines
 * compared with the resolved HostName and {@code Match final}/{@code canonical} true.
 *
 * Not done: CanonicalizeHostname (a warning; names are used as written), the system-wide
 * /etc/ssh/ssh_config (ssh -F skips it too), and keywords ops does not use (ignored).
 *
 * <pre>
 *   SshConfig c = SshConfig.userDefault(err::println);
 *   HostConfig h = c.resolve("web1", null, null);      // like `ssh -G web1`
 * </pre>
 */
public final class SshConfig {
    /** A line, or an Include's files (each a list of items), in file order. */
    private sealed interface Item permits LineItem, IncludeItem {}
    private record LineItem(ConfigLines.Line line, List<Criterion> match) implements Item {}
    private record IncludeItem(List<List<Item>> files) implements Item {}
    /** One Match criterion: {@code !attribute argument}; argument null for all/canonical/final. */
    private record Criterion(boolean negated, String attribute, String argument) {}

    private final List<Item> items;

    private SshConfig(List<Item> items) { this.items = items; }

    /** No config at all (-F none, or no ~/.ssh/config). */
    public static SshConfig none() { return new SshConfig(List.of()); }

    /** Parses {@code file} and what it includes; a bad line is an InputError naming file:line. */
    public static SshConfig load(Path file, Consumer<String> warn) {
        return new SshConfig(read(file, 0, warn));
    }

    /** The default: ~/.ssh/config when it exists. */
    public static SshConfig userDefault(Consumer<String> warn) {
        Path p = Path.of(Tokens.home(), ".ssh", "config");
        return Files.isRegularFile(p) ? load(p, warn) : none();
    }

    // ---- reading -------------------------------------------------------------------------------

    private static List<Item> read(Path file, int depth, Consumer<String> warn) {
        if (depth > 16) throw new InputError(file + ": Include nested too deeply (a loop?)");
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InputError(file + ": cannot read ssh config: " + e.getMessage());
        }
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String where = file + ":" + (i + 1);
            ConfigLines.Line l = ConfigLines.parse(lines.get(i), where);
            if (l == null) continue;
            switch (l.key()) {
                case "include" -> {
                    List<List<Item>> files = new ArrayList<>();
                    for (String pattern : l.args()) {
                        for (Path f : glob(pattern, where)) files.add(read(f, depth + 1, warn));
                    }
                    items.add(new IncludeItem(files));
                }
                case "match" -> items.add(new LineItem(l, criteria(l)));
                case "canonicalizehostname" -> {
                    if (!List.of("no", "false").contains(String.valueOf(l.value()).toLowerCase(Locale.ROOT))) {
                        warn.accept("warning: " + where + ": CanonicalizeHostname is not supported by ops; host names are used as written");
                    }
                }
                default -> items.add(new LineItem(l, null));
            }
        }
        return items;
    }

    /** Include's files: ~ expanded, relative to ~/.ssh, glob patterns in sorted order; none is fine. */
    private static List<Path> glob(String pattern, String where) {
        String expanded = pattern.startsWith("~/") ? Tokens.home() + pattern.substring(1) : pattern;
        Path p = Path.of(expanded);
        if (!p.isAbsolute()) p = Path.of(Tokens.home(), ".ssh").resolve(p);
        if (!expanded.contains("*") && !expanded.contains("?") && !expanded.contains("[")) {
            return Files.isRegularFile(p) ? List.of(p) : List.of();
        }
        // Patterns may sit in directory names too (conf.d/*/ssh.conf): walk the parts.
        List<Path> found = List.of(p.getRoot());
        for (Path part : p.getRoot().relativize(p)) {
            List<Path> next = new ArrayList<>();
            String name = part.toString();
            if (!name.contains("*") && !name.contains("?") && !name.contains("[")) {
                for (Path dir : found) next.add(dir.resolve(name));
                found = next;
                continue;
            }
            PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + name);
            boolean dotFiles = name.startsWith(".");            // as glob(3): a wildcard does not match a leading dot
            for (Path dir : found) {
                if (!Files.isDirectory(dir)) continue;
                try (var list = Files.list(dir)) {
                    list.filter(f -> m.matches(f.getFileName()) && (dotFiles || !f.getFileName().toString().startsWith("."))).sorted().forEach(next::add);
                } catch (IOException e) {
                    throw new InputError(where + ": Include " + pattern + ": cannot list " + dir + ": " + e.getMessage());
                }
            }
            found = next;
        }
        return found.stream().filter(Files::isRegularFile).toList();
    }

    private static List<Criterion> criteria(ConfigLines.Line l) {
        List<Criterion> out = new ArrayList<>();
        List<String> a = l.args();
        for (int i = 0; i < a.size(); i++) {
            String word = a.get(i);
            boolean negated = word.startsWith("!");
            String attr = (negated ? word.substring(1) : word).toLowerCase(Locale.ROOT);
            switch (attr) {
                case "all", "canonical", "final" -> {
                    if (attr.equals("all") && (a.size() > (i + 1) || out.stream().anyMatch(c -> !c.attribute().equals("canonical") && !c.attribute().equals("final")))) {
                        throw new InputError(l.where() + ": Match all must stand alone (or after canonical/final)");
                    }
                    out.add(new Criterion(negated, attr, null));
                }
                case "host", "originalhost", "user", "localuser", "exec" -> {
                    if (i + 1 == a.size()) throw new InputError(l.where() + ": Match " + attr + " needs an argument");
                    out.add(new Criterion(negated, attr, a.get(++i)));
                }
                default -> throw new InputError(l.where() + ": unsupported Match attribute '" + word
                        + "' (ops knows all, canonical, final, exec, host, originalhost, user, localuser)");
            }
        }
        return out;
    }

    // ---- resolving -----------------------------------------------------------------------------

    /** The values set so far in one resolution (ssh's Options), first value winning. */
    private static final class State {
        final String original;
        final Map<String, Object> first = new HashMap<>();
        final Map<String, String> where = new HashMap<>();
        final Map<String, List<String[]>> accumulated = new HashMap<>();   // value, where
        boolean finalPass, wantFinal;
        String hostForHostLines;

        State(String original) { this.original = original; this.hostForHostLines = original; }
    }

    /**
     * What applies to {@code host} (the name as the user wrote it), as {@code ssh -G [-l user]
     * [-p port] host} resolves it. A user or port from the command line (or the hosts file) wins
     * over the config, and Match user sees it. Bad tokens are InputErrors naming file:line.
     */
    public HostConfig resolve(String host, String user, Integer port) {
        State s = new State(host);
        if (user != null) s.first.put("user", user);
        if (port != null) s.first.put("port", port);
        apply(items, s, new boolean[] {true}, false);
        if (s.wantFinal) {
            s.finalPass = true;
            String name = hostName(s);
            s.first.put("hostname", name);            // as ssh: the resolved name now, Host lines compare with it
            s.where.put("hostname", "final pass");
            s.hostForHostLines = name;
            apply(items, s, new boolean[] {true}, false);
        }
        return build(s);
    }

    private void apply(List<Item> list, State s, boolean[] active, boolean neverMatch) {
        for (Item item : list) {
            if (item instanceof IncludeItem inc) {
                boolean outer = active[0];
                for (List<Item> file : inc.files()) {
                    apply(file, s, active, neverMatch || !outer);
                    active[0] = outer;
                }
                continue;
            }
            LineItem li = (LineItem) item;
            ConfigLines.Line l = li.line();
            switch (l.key()) {
                case "host" -> active[0] = !neverMatch && Patterns.hostLine(l.args(), s.hostForHostLines);
                case "match" -> active[0] = !neverMatch & match(li.match(), l.where(), s);
                default -> {
                    if (!active[0] || l.value() == null) continue;
                    if (ConfigLines.ACCUMULATE.contains(l.key())) {
                        List<String[]> files = s.accumulated.computeIfAbsent(l.key(), k -> new ArrayList<>());
                        // ssh drops a file named twice (the final pass reads every line again).
                        if (files.stream().noneMatch(f -> f[0].equals(l.value()))) files.add(new String[] {(String) l.value(), l.where()});
                    } else if (isProxy(l.key()) && (s.first.containsKey("proxyjump") || s.first.containsKey("proxycommand"))) {
                        continue;                      // ProxyJump and ProxyCommand: whichever comes first wins
                    } else if (!s.first.containsKey(l.key())) {
                        s.first.put(l.key(), l.value());
                        s.where.put(l.key(), l.where());
                    }
                }
            }
        }
    }

    private static boolean isProxy(String key) { return key.equals("proxyjump") || key.equals("proxycommand"); }

    /** Every criterion must hold; exec is not run once an earlier one failed (as ssh). */
    private boolean match(List<Criterion> criteria, String where, State s) {
        boolean result = true;
        String remoteUser = (String) s.first.getOrDefault("user", Tokens.localUser());
        for (Criterion c : criteria) {
            boolean r = switch (c.attribute()) {
                case "all" -> true;
                case "canonical" -> s.finalPass;
                case "final" -> {
                    s.wantFinal = true;
                    yield s.finalPass;
                }
                case "host" -> Patterns.list(c.argument(), matchHost(s, where), true);
                case "originalhost" -> Patterns.list(c.argument(), s.original, true);
                case "user" -> Patterns.list(c.argument(), remoteUser, false);
                case "localuser" -> Patterns.list(c.argument(), Tokens.localUser(), false);
                case "exec" -> {
                    if (!result) yield false;
                    yield exec(c.argument(), where, s, remoteUser);
                }
                default -> throw new IllegalStateException(c.attribute());
            };
            if (r == c.negated()) result = false;
        }
        return result;
    }

    /** What Match host compares: the HostName so far (%h expanded), else the name as written. */
    private static String matchHost(State s, String where) {
        Object h = s.first.get("hostname");
        if (h == null) return s.original;
        if (s.finalPass) return (String) h;
        try {
            return Tokens.hostName((String) h, s.original);
        } catch (Tokens.BadToken e) {
            throw new InputError(s.where.get("hostname") + ": " + e.getMessage());
        }
    }

    /** Match exec: the command through /bin/sh -c, tokens expanded; true when it exits 0. */
    private boolean exec(String command, String where, State s, String remoteUser) {
        String cmd;
        try {
            cmd = Tokens.forHost(s.original, matchHost(s, where), (Integer) s.first.getOrDefault("port", 22), remoteUser, null).percent(command);
        } catch (Tokens.BadToken e) {
            throw new InputError(where + ": Match exec: " + e.getMessage());
        }
        try {
            Process p = new ProcessBuilder("/bin/sh", "-c", cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new InputError(where + ": Match exec \"" + cmd + "\" did not finish within 30s");
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            throw new InputError(where + ": Match exec \"" + cmd + "\": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InputError(where + ": Match exec \"" + cmd + "\": interrupted");
        }
    }

    private static String hostName(State s) {
        Object h = s.first.get("hostname");
        String name;
        try {
            name = h == null ? s.original : s.finalPass ? (String) h : Tokens.hostName((String) h, s.original);
        } catch (Tokens.BadToken e) {
            throw new InputError(s.where.get("hostname") + ": " + e.getMessage());
        }
        return name.toLowerCase(Locale.ROOT);
    }

    private HostConfig build(State s) {
        String hostName = hostName(s);
        String user = (String) s.first.getOrDefault("user", Tokens.localUser());
        int port = (Integer) s.first.getOrDefault("port", 22);
        String alias = (String) s.first.get("hostkeyalias");
        Tokens t = Tokens.forHost(s.original, hostName, port, user, alias);
        List<String> identities = new ArrayList<>(), certificates = new ArrayList<>();
        for (String[] v : s.accumulated.getOrDefault("identityfile", List.of())) {
            if (!v[0].equalsIgnoreCase("none")) identities.add(expand(t, v[0], v[1]));
        }
        for (String[] v : s.accumulated.getOrDefault("certificatefile", List.of())) {
            if (!v[0].equalsIgnoreCase("none")) certificates.add(expand(t, v[0], v[1]));
        }
        String agent = (String) s.first.getOrDefault("identityagent", "SSH_AUTH_SOCK");
        if (!agent.equals("SSH_AUTH_SOCK") && !agent.equalsIgnoreCase("none") && !agent.startsWith("$")) agent = expand(t, agent, s.where.get("identityagent"));
        return new HostConfig(s.original, hostName, user, port, List.copyOf(identities), List.copyOf(certificates),
                (Boolean) s.first.getOrDefault("identitiesonly", false), agent,
                notNone((String) s.first.get("proxyjump")), notNone((String) s.first.get("proxycommand")),
                files(s, t, "userknownhostsfile", List.of("~/.ssh/known_hosts", "~/.ssh/known_hosts2")),
                files(s, t, "globalknownhostsfile", List.of("/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2")),
                (HostConfig.StrictHostKeyChecking) s.first.getOrDefault("stricthostkeychecking", HostConfig.StrictHostKeyChecking.ASK),
                alias, positive((Duration) s.first.get("connecttimeout")),
                (Duration) s.first.getOrDefault("serveraliveinterval", Duration.ZERO), (Integer) s.first.getOrDefault("serveralivecountmax", 3),
                algorithms(s, Algorithms.Kind.KEX, "kexalgorithms"), algorithms(s, Algorithms.Kind.HOST_KEY, "hostkeyalgorithms"),
                algorithms(s, Algorithms.Kind.CIPHER, "ciphers"), algorithms(s, Algorithms.Kind.MAC, "macs"),
                s.where.containsKey("proxyjump") ? s.where.get("proxyjump") : s.where.get("proxycommand"));
    }

    private static String notNone(String v) { return v == null || v.equalsIgnoreCase("none") ? null : v; }

    /** ConnectTimeout none or 0: the caller's default (ssh would wait for the kernel's). */
    private static Duration positive(Duration d) { return d == null || d.isZero() ? null : d; }

    private static String expand(Tokens t, String value, String where) {
        try {
            return t.path(value);
        } catch (Tokens.BadToken e) {
            throw new InputError(where + ": " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> files(State s, Tokens t, String key, List<String> defaults) {
        List<String> raw = (List<String>) s.first.getOrDefault(key, defaults);
        String where = s.where.getOrDefault(key, "the default " + key);
        List<String> out = new ArrayList<>();
        for (String f : raw) {
            if (!f.equalsIgnoreCase("none")) out.add(expand(t, f, where));
        }
        return List.copyOf(out);
    }

    private static List<String> algorithms(State s, Algorithms.Kind kind, String key) {
        return Algorithms.assemble(kind, (String) s.first.get(key));    // checked when read: cannot fail here
    }
}
