package relay;

//SOURCES ../cli/Durations.java ../cli/InputError.java ../cli/Secrets.java ../yaml/Yaml.java
//SOURCES Config.java Matcher.java Notification.java Rate.java Robot.java Template.java

import cli.Secrets;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import yaml.Yaml;

/**
 * The config made runnable: robots with their URLs and secrets read (from env or files), routes
 * with parsed matchers. Every problem is one line naming file:line:col, before anything listens.
 * {@link #route} decides, per alert, which receivers get it: routes in order, the first that
 * matches wins unless it says continue: true; an alert that no route matches goes nowhere and is
 * counted (alertrelay_alerts_unrouted_total).
 */
public final class Routes {
    public record Route(List<Matcher> match, List<String> receivers, boolean continueMatching) {}

    public final Map<String, Robot> robots;
    public final List<Route> routes;

    private Routes(Map<String, Robot> robots, List<Route> routes) {
        this.robots = robots;
        this.routes = routes;
    }

    public static Routes compile(Yaml.Doc<Config> doc) {
        try {
            return build(doc.value());
        } catch (Yaml.Invalid e) {
            throw doc.error(e);
        }
    }

    private static Routes build(Config c) {
        if (c.receivers() == null || c.receivers().isEmpty()) throw new Yaml.Invalid("receivers", "no receivers (expected a list under 'receivers:')");
        Map<String, Robot> robots = new LinkedHashMap<>();
        for (int i = 0; i < c.receivers().size(); i++) {
            Config.Receiver r = c.receivers().get(i);
            String at = "receivers[" + i + "]";
            if (r == null) throw new Yaml.Invalid(at, "empty receiver (expected name:, kind: and url_env: or url_file:)");
            if (r.name() == null || r.name().isBlank()) throw new Yaml.Invalid(at, "missing name");
            if (!r.name().matches("[A-Za-z0-9_.-]{1,64}")) throw new Yaml.Invalid(at + ".name", "'" + r.name() + "': use letters, digits, _ . - (it names a queue directory)");
            if (robots.containsKey(r.name())) throw new Yaml.Invalid(at + ".name", "a second receiver named '" + r.name() + "'");
            if (r.kind() == null) throw new Yaml.Invalid(at, "missing kind (one of slack, mattermost, dingtalk, wecom, feishu, json)");
            Robot.Kind kind = Robot.kind(r.kind());
            if (kind == null) throw new Yaml.Invalid(at + ".kind", "'" + r.kind() + "' (expected one of slack, mattermost, dingtalk, wecom, feishu, json)");
            URI url = url(at, r);
            byte[] secret = secret(at, r);
            if (secret != null && kind != Robot.Kind.dingtalk && kind != Robot.Kind.feishu) {
                throw new Yaml.Invalid(at + (r.secretEnv() != null ? ".secret_env" : ".secret_file"), "only dingtalk and feishu robots sign their posts");
            }
            Rate rate;
            try {
                rate = Rate.parse(r.rate() == null ? kind.defaultRate : r.rate());
            } catch (IllegalArgumentException e) {
                throw new Yaml.Invalid(at + ".rate", e.getMessage());
            }
            boolean card = false;
            if (r.format() != null) {
                if (kind != Robot.Kind.feishu) throw new Yaml.Invalid(at + ".format", "only feishu robots have a format (text or card)");
                if (!r.format().equals("text") && !r.format().equals("card")) throw new Yaml.Invalid(at + ".format", "'" + r.format() + "' (expected text or card)");
                card = r.format().equals("card");
            }
            var template = r.template();
            if (template != null && kind != Robot.Kind.json) throw new Yaml.Invalid(at + ".template", "only json receivers take a template");
            if (kind == Robot.Kind.json) {
                try {
                    if (template == null) template = Notification.JSON.readTree(Template.DEFAULT);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
                String bad = Template.unknownPlaceholder(template);
                if (bad != null) throw new Yaml.Invalid(at + ".template", "unknown placeholder " + bad + " (known: {{title}} {{text}} {{status}} {{count}} {{receiver}} {{alerts}})");
            }
            Duration timeout;
            try {
                timeout = r.timeout() == null ? Duration.ofSeconds(10) : cli.Durations.parse(r.timeout());
            } catch (IllegalArgumentException e) {
                throw new Yaml.Invalid(at + ".timeout", e.getMessage());
            }
            robots.put(r.name(), new Robot(r.name(), kind, url, secret, rate, card, r.sendResolved() == null || r.sendResolved(), template, timeout));
        }
        if (c.routes() == null || c.routes().isEmpty()) throw new Yaml.Invalid("routes", "no routes (expected a list under 'routes:'; '- receivers: [NAME]' sends everything)");
        List<Route> routes = new ArrayList<>();
        for (int i = 0; i < c.routes().size(); i++) {
            Config.Route r = c.routes().get(i);
            String at = "routes[" + i + "]";
            if (r == null) throw new Yaml.Invalid(at, "empty route (expected receivers: and optionally match:)");
            List<Matcher> ms = new ArrayList<>();
            if (r.match() != null) {
                for (int j = 0; j < r.match().size(); j++) {
                    try {
                        ms.add(Matcher.parse(r.match().get(j)));
                    } catch (IllegalArgumentException e) {
                        throw new Yaml.Invalid(at + ".match[" + j + "]", e.getMessage());
                    }
                }
            }
            if (r.receivers() == null || r.receivers().isEmpty()) throw new Yaml.Invalid(at, "missing receivers (a list of receiver names)");
            for (int j = 0; j < r.receivers().size(); j++) {
                if (!robots.containsKey(r.receivers().get(j))) {
                    throw new Yaml.Invalid(at + ".receivers[" + j + "]", "no receiver named '" + r.receivers().get(j) + "' (receivers: " + String.join(", ", robots.keySet()) + ")");
                }
            }
            routes.add(new Route(ms, List.copyOf(r.receivers()), Boolean.TRUE.equals(r.continueMatching())));
        }
        return new Routes(robots, routes);
    }

    private static URI url(String at, Config.Receiver r) {
        if (r.urlEnv() == null && r.urlFile() == null) throw new Yaml.Invalid(at, "missing url_env or url_file (a robot's URL holds its token: never in this file)");
        String text;
        try {
            text = new String(Secrets.read(r.urlEnv(), r.urlFile() == null ? null : Path.of(r.urlFile()), "url")).strip();
        } catch (cli.InputError e) {
            throw new Yaml.Invalid(at + (r.urlEnv() != null ? ".url_env" : ".url_file"), e.getMessage().replaceFirst("^url-(env|file) \\S+: ", ""));
        }
        URI u;
        try {
            u = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new Yaml.Invalid(at + (r.urlEnv() != null ? ".url_env" : ".url_file"), "not a URL");     // never quote it: it holds the token
        }
        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
            throw new Yaml.Invalid(at + (r.urlEnv() != null ? ".url_env" : ".url_file"), "not an http(s) URL");
        }
        return u;
    }

    private static byte[] secret(String at, Config.Receiver r) {
        try {
            char[] s = Secrets.read(r.secretEnv(), r.secretFile() == null ? null : Path.of(r.secretFile()), "secret");
            return s == null ? null : new String(s).getBytes(StandardCharsets.UTF_8);
        } catch (cli.InputError e) {
            throw new Yaml.Invalid(at + (r.secretEnv() != null ? ".secret_env" : ".secret_file"), e.getMessage().replaceFirst("^secret-(env|file) \\S+: ", ""));
        }
    }

    private static boolean matches(Route r, Notification.Alert a) {
        for (Matcher m : r.match()) if (!m.matches(a.labels())) return false;
        return true;
    }

    /** Which receivers get which of the group's alerts: each receiver's share as a group of its own. */
    public Map<String, Notification> route(Notification n) {
        Map<String, Notification> out = new LinkedHashMap<>();
        routeIndexes(n).forEach((name, idx) -> {
            List<Notification.Alert> some = new ArrayList<>(idx.length);
            for (int i : idx) some.add(n.alerts().get(i));
            out.put(name, n.with(some));
        });
        return out;
    }

    /** The same decision as {@link #route}, as the positions in {@code n.alerts()} of each receiver's share (ascending). */
    public Map<String, int[]> routeIndexes(Notification n) {
        Map<String, int[]> share = new LinkedHashMap<>();
        Map<String, Integer> used = new java.util.HashMap<>();
        int size = n.alerts().size();
        List<String> given = new ArrayList<>(4);                     // receiver names this alert already went to
        for (int i = 0; i < size; i++) {
            Notification.Alert a = n.alerts().get(i);
            given.clear();
            for (Route r : routes) {
                if (!matches(r, a)) continue;
                for (String name : r.receivers()) {
                    if (!a.firing() && !robots.get(name).sendResolved) continue;
                    if (given.contains(name)) continue;
                    given.add(name);
                    int[] idx = share.computeIfAbsent(name, k -> new int[size]);
                    int k = used.merge(name, 1, Integer::sum);
                    idx[k - 1] = i;
                }
                if (!r.continueMatching()) break;
            }
        }
        share.replaceAll((name, idx) -> java.util.Arrays.copyOf(idx, used.get(name)));
        return share;
    }
}
