package netconf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A device's hello capabilities: the URIs as announced, the NETCONF ones by short name
 * ({@code :candidate}, {@code :xpath}, ...) and the YANG modules (RFC 6020 section 5.6.4's
 * {@code NS?module=NAME&revision=DATE} form).
 */
public record Capabilities(List<String> uris) {
    public static final String BASE_10 = "urn:ietf:params:netconf:base:1.0";
    public static final String BASE_11 = "urn:ietf:params:netconf:base:1.1";
    private static final String PREFIX = "urn:ietf:params:netconf:capability:";

    /** A module the device announced: its name, revision (or null) and namespace. */
    public record Module(String name, String revision, String namespace) {
        @Override public String toString() { return revision == null ? name : name + "@" + revision; }
    }

    public boolean base11() { return uris.contains(BASE_11); }

    /** Whether the device announces {@code :name} (e.g. "candidate", "xpath", "confirmed-commit:1.1"), any version unless named. */
    public boolean has(String name) {
        String n = name.startsWith(":") ? name.substring(1) : name;
        for (String u : uris) {
            if (!u.startsWith(PREFIX)) continue;
            String rest = u.substring(PREFIX.length());
            int q = rest.indexOf('?');
            if (q >= 0) rest = rest.substring(0, q);
            if (rest.equals(n) || rest.startsWith(n + ":")) return true;
        }
        return false;
    }

    /** The NETCONF capabilities by short name, as ":candidate", ":xpath", ":with-defaults" (versions after 1.0 kept: ":validate:1.1"). */
    public List<String> netconf() {
        List<String> out = new ArrayList<>();
        for (String u : uris) {
            if (u.equals(BASE_10) || u.equals(BASE_11)) out.add(u.substring("urn:ietf:params:netconf:".length()));
            else if (u.startsWith(PREFIX)) {
                String rest = u.substring(PREFIX.length());
                int q = rest.indexOf('?');
                if (q >= 0) rest = rest.substring(0, q);
                out.add(":" + (rest.endsWith(":1.0") ? rest.substring(0, rest.length() - 4) : rest));
            }
        }
        return out;
    }

    public List<Module> modules() {
        List<Module> out = new ArrayList<>();
        for (String u : uris) {
            int q = u.indexOf('?');
            if (q < 0) continue;
            Map<String, String> params = new LinkedHashMap<>();
            for (String p : u.substring(q + 1).split("&")) {
                int eq = p.indexOf('=');
                if (eq > 0) params.put(p.substring(0, eq), p.substring(eq + 1));
            }
            if (params.containsKey("module")) out.add(new Module(params.get("module"), params.get("revision"), u.substring(0, q)));
        }
        return out;
    }

    /** Namespace to module name, for JSON member names. */
    public Map<String, String> namespaces() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Module mod : modules()) m.putIfAbsent(mod.namespace(), mod.name());
        return m;
    }
}
