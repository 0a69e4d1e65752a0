package dns;

//SOURCES Names.java ResolvConf.java

import java.util.ArrayList;
import java.util.List;

/**
 * The names a glibc stub tries for one lookup, in order (res_search in glibc 2.36's res_query.c):
 * <pre>
 *   trailing dot                 the name as is, nothing else
 *   dots &gt;= ndots                the name as is first, then each search domain
 *   dots &lt; ndots                 each search domain, then the name as is (unless no-tld-query
 *                                and the name has no dot)
 * </pre>
 * How far down the list a lookup goes depends on the answers: see {@link StubWalk}.
 */
public final class SearchList {
    private SearchList() {}

    public enum Kind { AS_IS, SEARCH }

    /** One name to try: the absolute query name, whether it is the name as given, and which search domain (1-based) made it. */
    public record Candidate(String fqdn, Kind kind, int searchIndex, String domain) {
        public String why() {
            return kind == Kind.AS_IS ? "as is" : "search " + searchIndex;
        }
    }

    public static int dots(String name) {
        String body = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        return (int) body.chars().filter(c -> c == '.').count();
    }

    public static List<Candidate> of(String name, ResolvConf conf) {
        List<Candidate> out = new ArrayList<>();
        Candidate asIs = new Candidate(Names.absolute(name), Kind.AS_IS, 0, null);
        if (name.endsWith(".")) return List.of(asIs);
        int dots = dots(name);
        boolean triedAsIs = false, rootOnList = false;
        if (dots >= conf.ndots()) { out.add(asIs); triedAsIs = true; }
        for (int i = 0; i < conf.search().size(); i++) {
            String d = conf.search().get(i);
            if (d.equals(".") || d.isEmpty()) { rootOnList = true; if (!triedAsIs) out.add(asIs); triedAsIs = true; continue; }
            out.add(new Candidate(Names.absolute(name + "." + d), Kind.SEARCH, i + 1, d));
        }
        boolean searched = !conf.search().isEmpty();
        if ((dots > 0 || !searched || !conf.noTldQuery()) && !(triedAsIs || rootOnList)) out.add(asIs);
        return out;
    }
}
