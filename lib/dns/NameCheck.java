package dns;

//SOURCES Answer.java Direct.java Finding.java Findings.java HostsFile.java NsSwitch.java ResolvConf.java
//SOURCES SearchList.java StubWalk.java SystemLookup.java

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Everything dnscheck learns about one name: the system resolver's answer, /etc/hosts, the stub's
 * query sequence replayed over each nameserver's direct answers, and the findings; as one JSON
 * result ({@link #toMap}) that the table and Markdown blocks are printed from.
 */
public record NameCheck(String name, SystemLookup system, List<HostsFile.Entry> hosts, boolean hostsDecides,
                        List<SearchList.Candidate> candidates, StubWalk.Walk walk, List<Answer> answers,
                        List<Finding> findings) {

    /** What the run shares: the resolver settings, the files, one client per nameserver, the extra types. */
    public record Setup(ResolvConf conf, HostsFile hostsFile, NsSwitch nsswitch, List<Direct> servers, List<String> extraTypes,
                        java.time.Duration timeout, boolean systemPath) {}

    public static NameCheck run(String name, Setup s) {
        List<SearchList.Candidate> candidates = SearchList.of(name, s.conf());
        Map<StubWalk.Query, CompletableFuture<Answer>> asked = new LinkedHashMap<>();
        for (var c : candidates) {
            for (String type : List.of("A", "AAAA")) {
                for (int i = 0; i < s.servers().size(); i++) {
                    asked.put(new StubWalk.Query(i, c.fqdn(), type), s.servers().get(i).ask(c.fqdn(), type));
                }
            }
        }
        // The system path runs while the direct queries are in flight (each on its own clock).
        SystemLookup system = s.systemPath() ? SystemLookup.of(name) : null;
        Map<StubWalk.Query, Answer> got = new HashMap<>();
        asked.forEach((k, f) -> got.put(k, f.join()));
        StubWalk.Walk walk = StubWalk.walk(s.conf(), name, candidates, (i, fqdn, type) -> got.get(new StubWalk.Query(i, fqdn, type)));
        List<Answer> answers = new ArrayList<>();
        for (var c : candidates) {
            for (String type : List.of("A", "AAAA")) {
                for (int i = 0; i < s.servers().size(); i++) answers.add(got.get(new StubWalk.Query(i, c.fqdn(), type)));
            }
        }
        if (!s.extraTypes().isEmpty()) {
            String fqdn = walk.answered() != null ? walk.answered().candidate().fqdn() : candidates.get(0).fqdn();
            List<CompletableFuture<Answer>> extra = new ArrayList<>();
            for (String type : s.extraTypes()) for (Direct d : s.servers()) extra.add(d.ask(fqdn, type));
            extra.forEach(f -> answers.add(f.join()));
        }
        List<HostsFile.Entry> hosts = s.nsswitch().usesFiles() ? s.hostsFile().lookup(name) : List.of();
        boolean decides = !hosts.isEmpty() && s.nsswitch().filesFirst();
        List<Finding> findings = Findings.of(name, s, system, hosts, decides, candidates, walk, got);
        return new NameCheck(name, system, hosts, decides, candidates, walk, answers, findings);
    }

    /** The first WARN finding's code, or "ok". */
    public String status() {
        for (Finding f : findings) if (f.severity() == Finding.Severity.WARN) return f.code();
        return "ok";
    }

    /** Addresses the stub's answering step got (A then AAAA, from the server that decided), empty if none. */
    public static List<String> stubAddresses(StubWalk.Walk walk, Map<StubWalk.Query, Answer> got) {
        List<String> out = new ArrayList<>();
        if (walk.answered() == null) return out;
        var s = walk.answered();
        for (String type : List.of("A", "AAAA")) {
            Answer a = got.get(new StubWalk.Query(s.server(), s.candidate().fqdn(), type));
            if (a != null) out.addAll(a.records());
        }
        return out;
    }

    public Map<String, Object> toMap(Setup s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", name);
        m.put("name", name);
        m.put("status", status());
        if (system != null) {
            Map<String, Object> sys = new LinkedHashMap<>();
            sys.put("addresses", system.addresses());
            sys.put("ms", system.ms());
            sys.put("error", system.error());
            m.put("system", sys);
        } else {
            m.put("system", null);
        }
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("file", s.hostsFile().source());
        h.put("nsswitch", s.nsswitch().source());
        h.put("entries", hosts.stream().map(e -> map("address", e.address(), "line", e.where())).toList());
        h.put("decides", hostsDecides);
        m.put("hosts", h);
        Map<String, Object> stub = new LinkedHashMap<>();
        stub.put("resolv_conf", s.conf().source());
        stub.put("options", s.conf().optionsText());
        stub.put("search", s.conf().search());
        stub.put("nameservers", s.servers().stream().map(Direct::label).toList());
        stub.put("candidates", candidates.stream().map(c -> map("name", c.fqdn(), "why", c.why())).toList());
        List<Map<String, Object>> steps = new ArrayList<>();
        for (var st : walk.steps()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", st.candidate().fqdn());
            x.put("why", st.candidate().why());
            x.put("result", st.result());
            x.put("server", st.server() < 0 ? null : s.servers().get(st.server()).label());
            x.put("queries", st.queries().size());
            x.put("wait_ms", st.waitMs());
            steps.add(x);
        }
        stub.put("steps", steps);
        stub.put("answered_by", walk.answered() == null ? null : walk.answered().candidate().fqdn());
        stub.put("queries", walk.queries());
        stub.put("sequence", walk.wire().stream().map(q -> s.servers().get(q.server()).label() + " " + q.type() + " " + q.fqdn()).toList());
        stub.put("wait_ms", walk.waitMs());
        stub.put("worst_case_ms", walk.worstCaseMs());
        m.put("stub", stub);
        List<Map<String, Object>> servers = new ArrayList<>();
        for (Answer a : answers) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("server", a.server());
            x.put("name", a.name());
            x.put("type", a.type());
            x.put("result", a.outcome().text());
            x.put("rcode", a.rcode());
            x.put("records", a.records());
            x.put("cnames", a.cnames());
            x.put("ttl", a.ttl());
            x.put("ms", a.ms());
            x.put("error", a.error());
            servers.add(x);
        }
        m.put("servers", servers);
        m.put("findings", findings.stream().map(f -> map("code", f.code(), "severity", f.severity().name().toLowerCase(java.util.Locale.ROOT), "text", f.text())).toList());
        return m;
    }

    /** A JSON object with its keys in the order given. */
    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
