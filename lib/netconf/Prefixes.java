package netconf;

//SOURCES Capabilities.java RpcError.java Session.java Xml.java

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.w3c.dom.Element;

/**
 * The namespace prefixes of an --xpath expression, as xmlns declarations for its {@code <filter>}
 * (RFC 6241 8.9: the select expression's prefixes are resolved by the filter element's xmlns).
 * In order: --ns; a prefix that is an announced module's name; else a YANG module's own prefix
 * ({@code if} for ietf-interfaces), read from the module's schema with get-schema (RFC 6022, when
 * the device announces ietf-netconf-monitoring), most likely modules first and only until every
 * prefix of the expression is found. Some servers (yuma123's netconfd) accept only the YANG
 * prefixes, whatever the xmlns say. Schemas read are remembered for the run by module@revision,
 * so a fleet of alike devices costs one look-up per module, not one per device.
 */
public final class Prefixes {
    private Prefixes() {}

    static final String MONITORING = "urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring";
    private static final Pattern QUOTED = Pattern.compile("'[^']*'|\"[^\"]*\"");
    private static final Pattern PREFIX = Pattern.compile("(?<![\\w.:-])([A-Za-z_][\\w.-]*):(?![:=])");
    private static final Pattern YANG_PREFIX = Pattern.compile("(?m)^\\s*prefix\\s+[\"']?([A-Za-z_][\\w.-]*)[\"']?\\s*;");
    /** module@revision to its YANG prefix ("" when the device would not say). */
    private static final Map<String, String> LEARNED = new ConcurrentHashMap<>();

    /** The prefixes {@code xpath} uses, in order of appearance (not inside string literals, not axes). */
    static Set<String> used(String xpath) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = PREFIX.matcher(QUOTED.matcher(xpath).replaceAll("''"));
        while (m.find()) out.add(m.group(1));
        return out;
    }

    /** prefix to namespace for every prefix {@code xpath} uses that can be resolved, plus all of {@code given}. */
    public static Map<String, String> resolve(Session s, String xpath, Map<String, String> given) throws Session.Failed {
        Map<String, String> out = new LinkedHashMap<>(given);
        List<Capabilities.Module> modules = s.capabilities().modules();
        List<String> missing = new ArrayList<>();
        for (String p : used(xpath)) {
            if (out.containsKey(p)) continue;
            modules.stream().filter(mod -> mod.name().equals(p)).findFirst().ifPresentOrElse(mod -> out.put(p, mod.namespace()), () -> missing.add(p));
        }
        if (missing.isEmpty() || modules.stream().noneMatch(mod -> mod.namespace().equals(MONITORING))) return out;
        List<Capabilities.Module> order = new ArrayList<>(modules);
        order.sort((a, b) -> Boolean.compare(!likely(a.name(), missing), !likely(b.name(), missing)));
        for (Capabilities.Module mod : order) {
            if (missing.isEmpty()) break;
            String prefix = yangPrefix(s, mod);
            if (missing.remove(prefix)) out.put(prefix, mod.namespace());
        }
        return out;
    }

    /** Whether one of {@code prefixes} reads as an abbreviation of {@code module} (its letters in order: "if" in "ietf-interfaces"). */
    static boolean likely(String module, List<String> prefixes) {
        for (String p : prefixes) {
            int i = 0;
            for (int j = 0; j < module.length() && i < p.length(); j++) if (module.charAt(j) == p.charAt(i)) i++;
            if (i == p.length()) return true;
        }
        return false;
    }

    private static String yangPrefix(Session s, Capabilities.Module mod) throws Session.Failed {
        String key = mod.toString();
        String known = LEARNED.get(key);
        if (known != null) return known;
        String op = "<get-schema xmlns=\"" + MONITORING + "\"><identifier>" + Xml.escape(mod.name()) + "</identifier>"
                + (mod.revision() == null ? "" : "<version>" + Xml.escape(mod.revision()) + "</version>") + "<format>yang</format></get-schema>";
        Session.Reply r = s.rpc(op);
        String prefix = "";
        Element data = r.ok() ? r.data() : null;
        if (data != null) {
            Matcher m = YANG_PREFIX.matcher(data.getTextContent());
            if (m.find()) prefix = m.group(1);
        }
        LEARNED.put(key, prefix);
        return prefix;
    }
}
