package dns;

//SOURCES ../cli/Durations.java Answer.java Direct.java Finding.java HostsFile.java NameCheck.java Names.java ResolvConf.java
//SOURCES SearchList.java StubWalk.java SystemLookup.java

import cli.Durations;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The findings for one name, in the order an operator reads them: the system resolver disagreeing
 * with what the stub's queries predict, /etc/hosts overriding DNS, nameservers that disagree or do
 * not answer (and the delay that costs), a short name answered through a search domain, ndots
 * wasting queries, NXDOMAIN versus NODATA; then the notes (A without AAAA, CNAME chains).
 */
public final class Findings {
    private Findings() {}

    public static List<Finding> of(String name, NameCheck.Setup s, SystemLookup system, List<HostsFile.Entry> hosts,
                                   boolean decides, List<SearchList.Candidate> candidates, StubWalk.Walk walk,
                                   Map<StubWalk.Query, Answer> got) {
        List<Finding> out = new ArrayList<>();
        ResolvConf conf = s.conf();
        List<String> dns = NameCheck.stubAddresses(walk, got);
        List<String> fromHosts = hosts.stream().map(HostsFile.Entry::address).distinct().toList();
        List<String> expected = decides ? fromHosts : dns;

        if (system != null) {
            if (system.resolved() && !new TreeSet<>(system.addresses()).equals(new TreeSet<>(expected))) {
                out.add(Finding.warn("system-differs", "the system resolver says " + list(system.addresses()) + ", but "
                        + (decides ? "/etc/hosts says " : "the stub's queries predict ") + list(expected)));
            } else if (!system.resolved() && !expected.isEmpty()) {
                out.add(Finding.warn("system-differs", "the system resolver found nothing (" + system.error() + "), but "
                        + (decides ? "/etc/hosts says " : "the stub's queries predict ") + list(expected)));
            }
        }
        if (decides && !new TreeSet<>(fromHosts).equals(new TreeSet<>(dns))) {
            out.add(Finding.warn("hosts-override", hosts.get(0).where() + " says " + list(fromHosts) + " and decides it ("
                    + s.nsswitch().source() + "); DNS " + (dns.isEmpty() ? "has no address for it" : "says " + list(dns))
                    + ": dig and nslookup show DNS's answer, getent and programs show the file's"));
        } else if (!hosts.isEmpty() && !decides) {
            out.add(Finding.note("hosts-ignored", hosts.get(0).where() + " names it, but nsswitch asks DNS first (" + s.nsswitch().source() + ")"));
        }

        // Nameservers that do not answer, and what that costs this lookup.
        for (int i = 0; i < s.servers().size(); i++) {
            int silent = 0, total = 0;
            for (var e : got.entrySet()) {
                if (e.getKey().server() != i) continue;
                total++;
                if (e.getValue().outcome() == Answer.Outcome.TIMEOUT) silent++;
            }
            if (silent == 0) continue;
            String label = s.servers().get(i).label();
            String next = i + 1 < s.servers().size() ? " before asking " + s.servers().get(i + 1).label() : "";
            out.add(Finding.warn("timeout", label + " did not answer " + silent + " of " + total + " queries within "
                    + Durations.format(s.timeout().toMillis())
                    + ": glibc waits " + Durations.format(StubWalk.waitMs(conf, i)) + " for it on every name it tries" + next
                    + (decides ? "; a DNS lookup of it is delayed " + Durations.format(walk.waitMs()) + " (here /etc/hosts answers first)"
                               : "; this lookup is delayed " + Durations.format(walk.waitMs()))
                    + " (worst case, every server silent: "
                    + Durations.format(walk.worstCaseMs()) + ")"));
        }
        String disagreement = disagreement(s, walk, got);
        if (disagreement != null) out.add(Finding.warn("disagree", disagreement));

        StubWalk.Step answered = walk.answered();
        if (answered != null && answered.candidate().kind() == SearchList.Kind.SEARCH) {
            var c = answered.candidate();
            List<String> before = new ArrayList<>();
            for (var st : walk.steps()) if (st != answered) before.add(st.candidate().fqdn() + " " + st.result());
            String asIs = Names.absolute(name);
            out.add(Finding.warn("search-domain", "'" + name + "' is answered only as " + c.fqdn() + ", through search domain "
                    + c.searchIndex() + " of " + conf.search().size() + " (" + c.domain() + ")"
                    + (before.isEmpty() ? "" : " after " + String.join(", ", before))
                    + ": tools that skip the search list (dig without +search, a resolver that ignores resolv.conf) ask " + asIs
                    + " and get " + asIsResult(got, asIs)));
        } else if (answered != null && walk.steps().size() > 1) {
            int wasted = walk.queries() - answered.queries().size();
            out.add(Finding.warn("ndots", "ndots:" + conf.ndots() + ": '" + name + "' has " + SearchList.dots(name) + " dot"
                    + (SearchList.dots(name) == 1 ? "" : "s") + ", fewer than " + conf.ndots() + ", so " + (walk.steps().size() - 1)
                    + " search domain" + (walk.steps().size() == 2 ? " was" : "s were") + " tried first: " + wasted + " of "
                    + walk.queries() + " queries wasted (write it with a trailing dot, or lower ndots)"));
        }
        if (answered == null) {
            StubWalk.Step nodata = walk.steps().stream().filter(st -> st.result().equals("NODATA")).findFirst().orElse(null);
            boolean allNx = !walk.steps().isEmpty() && walk.steps().stream().allMatch(st -> st.result().equals("NXDOMAIN"));
            if (nodata != null) {
                out.add(Finding.warn("nodata", nodata.candidate().fqdn() + " exists (NOERROR) but has no A or AAAA record: NODATA, not NXDOMAIN"
                        + " (the name is there, an address is not)"));
            } else if (allNx) {
                List<String> tried = walk.steps().stream().map(st -> st.candidate().fqdn()).toList();
                out.add(Finding.warn("nxdomain", "no such name: NXDOMAIN for " + String.join(", ", tried)));
            } else if (!decides) {
                out.add(Finding.warn("unresolved", "no answer: " + String.join(", ", walk.steps().stream()
                        .map(st -> st.candidate().fqdn() + " " + st.result()).toList())
                        + (walk.steps().stream().anyMatch(st -> st.result().equals(StubWalk.UNREACHABLE))
                                ? " (every nameserver's port is closed: ICMP port unreachable; glibc gives up at once)" : "")));
            }
        }
        if (answered != null) {
            Answer a = got.get(new StubWalk.Query(answered.server(), answered.candidate().fqdn(), "A"));
            Answer b = got.get(new StubWalk.Query(answered.server(), answered.candidate().fqdn(), "AAAA"));
            if (!a.records().isEmpty() && b.records().isEmpty()) out.add(Finding.note("a-only", "A without AAAA: IPv4 only (AAAA is " + b.shown() + ")"));
            if (a.records().isEmpty() && !b.records().isEmpty()) out.add(Finding.note("aaaa-only", "AAAA without A: IPv6 only (A is " + a.shown() + ")"));
            Answer chain = !a.cnames().isEmpty() ? a : b;
            if (!chain.cnames().isEmpty()) {
                out.add(Finding.note("cname", "CNAME chain: " + answered.candidate().fqdn() + " -> " + String.join(" -> ", chain.cnames())));
            }
        }
        if (conf.useVc()) out.add(Finding.note("use-vc", "options use-vc: glibc asks over TCP; dnscheck asked over UDP"));
        if (conf.rotate() && s.servers().size() > 1) {
            out.add(Finding.note("rotate", "options rotate: each lookup starts at another server; the sequence shows the first server first"));
        }
        return out;
    }

    /** The first query on the stub's path that two servers answer differently, in words; null if none. */
    static String disagreement(NameCheck.Setup s, StubWalk.Walk walk, Map<StubWalk.Query, Answer> got) {
        if (s.servers().size() < 2) return null;
        Set<String> seen = new LinkedHashSet<>();
        for (var st : walk.steps()) {
            for (String type : List.of("A", "AAAA")) {
                String fqdn = st.candidate().fqdn();
                if (!seen.add(fqdn + " " + type)) continue;
                List<String> says = new ArrayList<>();
                String first = null;
                boolean differ = false;
                for (int i = 0; i < s.servers().size(); i++) {
                    Answer a = got.get(new StubWalk.Query(i, fqdn, type));
                    if (a == null || !a.replied()) continue;
                    String sig = a.outcome().text() + " " + new TreeSet<>(a.records());
                    if (first == null) first = sig;
                    else if (!Objects.equals(first, sig)) differ = true;
                    says.add(a.server() + " says " + a.shown());
                }
                if (differ) return "nameservers disagree on " + fqdn + " " + type + ": " + String.join(", ", says)
                        + " (which one a lookup gets depends on which answers first in resolv.conf order)";
            }
        }
        return null;
    }

    private static String asIsResult(Map<StubWalk.Query, Answer> got, String asIs) {
        Answer a = got.get(new StubWalk.Query(0, asIs, "A"));
        return a == null ? "no query made" : a.shown();
    }

    private static String list(List<String> addresses) {
        return addresses.isEmpty() ? "nothing" : String.join(" ", addresses);
    }
}
