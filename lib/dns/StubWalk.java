package dns;

//SOURCES Answer.java ResolvConf.java SearchList.java

import java.util.ArrayList;
import java.util.List;

/**
 * What glibc's stub resolver does for one getaddrinfo(AF_UNSPEC) lookup, replayed over the answers
 * each nameserver gave us directly (glibc 2.36: res_query.c's search loop, res_send.c's server
 * loop):
 * <ul>
 *   <li>each candidate name (see {@link SearchList}) is one A and one AAAA query, sent together on
 *       one socket (one after the other with single-request), to the first server; the pair is
 *       sent to the next server when neither reply came within the wait, or the replies were
 *       SERVFAIL, REFUSED or NOTIMP; all servers, {@code attempts} times;</li>
 *   <li>the wait for server i (0-based) of n is {@code timeout << i}, divided by n when i &gt; 0, at
 *       least 1 s: with timeout:5 and two servers, 5 s then 5 s; with three, 5, 3 and 6 s;</li>
 *   <li>a reply that is NOERROR with any answer record (a CNAME counts) ends the lookup; NXDOMAIN,
 *       NODATA and SERVFAIL go on to the next candidate; a timeout of every server or REFUSED
 *       ends the search list, but the name as is is still tried if it was not yet; every server
 *       refusing the socket (ICMP port unreachable) ends the lookup at once.</li>
 * </ul>
 * rotate starts each lookup at a different server; the walk shows the first server first and
 * says so.
 */
public final class StubWalk {
    /** Looks up the answer one server gave to one query. */
    public interface Answers {
        Answer get(int server, String fqdn, String type);
    }

    /** One query on the wire, as the server sees it. */
    public record Query(int server, String fqdn, String type) {}

    /** One candidate tried: who decided it (or -1), what it came to, the time spent waiting for silent servers. */
    public record Step(SearchList.Candidate candidate, int server, String result, long waitMs, List<Query> queries) {
        public boolean answered() { return result.equals("answer"); }
    }

    /** The whole lookup: the steps in order, the answering step (or null) and the totals. */
    public record Walk(List<Step> steps, Step answered, int queries, long waitMs, long worstCaseMs, List<Query> wire) {}

    private StubWalk() {}

    /** Seconds glibc waits for server {@code i} (send_dg: "retrans << ns", divided by nscount when ns &gt; 0, at least 1). */
    public static long waitMs(ResolvConf c, int i) {
        int n = c.nameservers().size();
        long s = ((long) c.timeoutSeconds()) << i;
        if (i > 0) s /= n;
        return Math.max(1, s) * 1000;
    }

    /** How long one candidate takes when no server ever answers: every server, every attempt. */
    public static long silentMs(ResolvConf c) {
        long one = 0;
        for (int i = 0; i < c.nameservers().size(); i++) one += waitMs(c, i);
        return one * c.attempts();
    }

    /**
     * The longest this lookup can take: every server silent. The first candidate times out, which
     * ends the search list; then the name as is, if it was not the first (so at most two).
     */
    public static long worstCaseMs(ResolvConf c, List<SearchList.Candidate> candidates) {
        return silentMs(c) * Math.min(2, candidates.size());
    }

    public static Walk walk(ResolvConf c, String name, List<SearchList.Candidate> candidates, Answers answers) {
        List<Step> steps = new ArrayList<>();
        boolean trailing = name.endsWith(".");
        int dots = SearchList.dots(name);
        SearchList.Candidate asIs = null;
        for (var cand : candidates) if (cand.kind() == SearchList.Kind.AS_IS) asIs = cand;
        boolean triedAsIs = false;
        Step answered = null;
        int i = 0;
        if (trailing || dots >= c.ndots()) {
            Step s = step(c, candidates.get(i++), answers);
            steps.add(s);
            triedAsIs = true;
            if (s.answered() || trailing || s.result().equals(UNREACHABLE)) return totals(c, candidates, steps, s.answered() ? s : null);
        }
        for (; i < candidates.size(); i++) {
            var cand = candidates.get(i);
            if (cand.kind() == SearchList.Kind.AS_IS) { if (!triedAsIs) break; continue; }   // the as-is name after the list
            Step s = step(c, cand, answers);
            steps.add(s);
            if (s.answered() || s.result().equals(UNREACHABLE)) return totals(c, candidates, steps, s.answered() ? s : null);
            if (!s.result().equals("NXDOMAIN") && !s.result().equals("NODATA") && !s.result().equals("SERVFAIL")) break;
        }
        if (!triedAsIs && asIs != null) {
            Step s = step(c, asIs, answers);
            steps.add(s);
            if (s.answered()) answered = s;
        }
        return totals(c, candidates, steps, answered);
    }

    private static Walk totals(ResolvConf c, List<SearchList.Candidate> candidates, List<Step> steps, Step answered) {
        int q = 0;
        long wait = 0;
        List<Query> wire = new ArrayList<>();
        for (Step s : steps) { q += s.queries().size(); wait += s.waitMs(); wire.addAll(s.queries()); }
        return new Walk(List.copyOf(steps), answered, q, wait, worstCaseMs(c, candidates), List.copyOf(wire));
    }

    /** One candidate: the A+AAAA pair to each server in turn, as res_send does. */
    static Step step(ResolvConf c, SearchList.Candidate cand, Answers answers) {
        List<Query> sent = new ArrayList<>();
        long wait = 0;
        String last = "timeout";
        boolean anyReply = false, anySilent = false;
        int n = c.nameservers().size();
        for (int attempt = 0; attempt < c.attempts(); attempt++) {
            for (int ns = 0; ns < n; ns++) {
                Answer a = answers.get(ns, cand.fqdn(), "A"), b = answers.get(ns, cand.fqdn(), "AAAA");
                sent.add(new Query(ns, cand.fqdn(), "A"));
                sent.add(new Query(ns, cand.fqdn(), "AAAA"));
                boolean silent = a.outcome() == Answer.Outcome.TIMEOUT || b.outcome() == Answer.Outcome.TIMEOUT;
                if (silent) { wait += waitMs(c, ns); anySilent = true; }          // glibc waits for the missing reply
                if (a.nextServer() && b.nextServer()) {
                    if (a.replied() || b.replied()) { last = a.replied() ? a.outcome().text() : b.outcome().text(); anyReply = true; }
                    continue;
                }
                return new Step(cand, ns, result(a, b), wait, List.copyOf(sent));
            }
        }
        // No server ever replied and none was silent: ICMP port unreachable from all (ECONNREFUSED).
        if (!anyReply && !anySilent) last = UNREACHABLE;
        return new Step(cand, -1, last, wait, List.copyOf(sent));
    }

    /** Every server refused the socket (ICMP port unreachable): glibc gives up the whole lookup at once. */
    public static final String UNREACHABLE = "unreachable";

    /** The pair's result as res_query sees it: positive if either is; else the first reply's rcode that is not NOERROR. */
    static String result(Answer a, Answer b) {
        if (a.positive() || b.positive()) return "answer";
        for (Answer x : List.of(a, b)) {
            if (x.replied() && !"NOERROR".equals(x.rcode())) return x.rcode();
        }
        return "NODATA";
    }
}
