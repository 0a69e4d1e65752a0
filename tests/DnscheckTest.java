import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dnscheck as a real process inside network namespaces the tests create, each with its own
 * resolv.conf and /etc/hosts (bind-mounted by `ip netns exec`), against real dnsmasq servers that
 * answer only from their own records and log every query: so the system resolver path is real
 * glibc, and glibc's real query sequence can be compared with the one dnscheck predicts.
 */
class DnscheckTest {

    static ScriptRun.Result dnscheckIn(Netns ns, String... args) {
        List<String> cmd = new ArrayList<>(Proc.javaCommand("dnscheck"));
        cmd.addAll(List.of(args));
        return Proc.run(ns.exec(cmd), Duration.ofSeconds(60));
    }

    static JsonNode only(ScriptRun.Result r) {
        JsonNode results = r.json().get("results");
        assertEquals(1, results.size(), r.toString());
        return results.get(0);
    }

    static JsonNode finding(JsonNode row, String code) {
        for (JsonNode f : row.get("findings")) if (f.get("code").asText().equals(code)) return f;
        throw new AssertionError("no finding " + code + " in " + row.get("findings"));
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(x -> out.add(x.asText()));
        return out;
    }

    /** dnscheck's predicted wire sequence for one name, as dnsmasq logs it: "TYPE name" without the trailing dot. */
    static List<String> predicted(JsonNode row) {
        List<String> out = new ArrayList<>();
        for (String q : texts(row.get("stub").get("sequence"))) {
            String[] w = q.split(" ");
            out.add(w[1] + " " + w[2].substring(0, w[2].length() - 1));
        }
        return out;
    }

    @Test void shortNameOnlyThroughTheSecondSearchDomain(@TempDir Path dir) throws Exception {
        try (Netns ns = Netns.create(); Dnsmasq dns = Dnsmasq.start(ns, "127.0.0.1", dir, "--host-record=redis.b.test,10.0.0.2")) {
            ns.etc("resolv.conf", "nameserver 127.0.0.1\nsearch a.test b.test\noptions timeout:1 attempts:1\n");
            ns.etc("hosts", "127.0.0.1 localhost\n");
            var r = dnscheckIn(ns, "--format", "json", "redis");
            assertEquals(1, r.exit(), r.toString());
            JsonNode row = only(r);
            assertEquals("search-domain", row.get("status").asText(), r.out());
            assertEquals("redis.b.test.", row.get("stub").get("answered_by").asText());
            assertEquals(List.of("10.0.0.2"), texts(row.get("system").get("addresses")), "the real getaddrinfo found it too");
            String text = finding(row, "search-domain").get("text").asText();
            assertTrue(text.contains("through search domain 2 of 2 (b.test) after redis.a.test. NXDOMAIN"), text);
            assertTrue(text.contains("ask redis. and get NXDOMAIN"), text);
            assertEquals(List.of("NXDOMAIN", "answer"), row.get("stub").get("steps").findValuesAsText("result"));

            var table = dnscheckIn(ns, "redis");                          // the table block says the same
            assertTrue(table.out().contains("== redis  search-domain"), table.out());
            assertTrue(table.out().contains("dnscheck: 1 name, 0 ok, 1 failed (1 search-domain) in "), table.out());
        }
    }

    /**
     * The Kubernetes case: ndots:5 and three search domains. For each name, glibc's real query
     * sequence (getent ahosts, i.e. getaddrinfo AF_UNSPEC, as dnsmasq logs it) must be exactly the
     * sequence dnscheck predicts: the same names, the same types, the same order and count.
     */
    @Test void ndotsFiveQuerySequenceIsWhatGlibcSends(@TempDir Path dir) throws Exception {
        try (Netns ns = Netns.create();
             Dnsmasq dns = Dnsmasq.start(ns, "127.0.0.1", dir, "--host-record=api.example.com,192.0.2.7",
                     "--host-record=redis.svc.cluster.local,10.96.0.9", "--host-record=v6.example.com,2001:db8::7")) {
            ns.etc("resolv.conf", "nameserver 127.0.0.1\nsearch default.svc.cluster.local svc.cluster.local cluster.local\n"
                    + "options ndots:5 timeout:1 attempts:2\n");
            ns.etc("hosts", "127.0.0.1 localhost\n");
            for (String name : List.of("api.example.com", "redis", "nope.example.com", "v6.example.com", "api.example.com.")) {
                dns.mark();
                Proc.sh("ip netns exec " + ns.name + " getent ahosts " + name + " || true");
                List<String> glibc = dns.sinceMark();
                var r = dnscheckIn(ns, "--format", "json", name);
                JsonNode row = only(r);
                assertEquals(glibc, predicted(row), name + ": glibc sent (left) vs dnscheck predicted (right)\n" + r.out());
                assertEquals(glibc.size(), row.get("stub").get("queries").asInt(), name);
            }
            JsonNode api = only(dnscheckIn(ns, "--format", "json", "api.example.com"));
            assertEquals("ndots", api.get("status").asText());
            String text = finding(api, "ndots").get("text").asText();
            assertTrue(text.contains("ndots:5: 'api.example.com' has 2 dots, fewer than 5, so 3 search domains were tried first: 6 of 8 queries wasted"), text);
            assertEquals(4000, api.get("stub").get("worst_case_ms").asLong(), "2 attempts x 1s, then the name as is: 2 x 2s");
            JsonNode absolute = only(dnscheckIn(ns, "--format", "json", "api.example.com."));
            assertEquals("ok", absolute.get("status").asText(), "a trailing dot: one name, two queries");
            assertEquals(2, absolute.get("stub").get("queries").asInt());
        }
    }

    /** "Why is it slow in the pod?": another machine's resolv.conf, evaluated against a reachable server. */
    @Test void aPodsResolvConfAgainstAReachableServer(@TempDir Path dir) throws Exception {
        Path pod = dir.resolve("pod-resolv.conf");
        Files.writeString(pod, "nameserver 10.96.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\n"
                + "options ndots:5\n");
        try (Netns ns = Netns.create(); Dnsmasq dns = Dnsmasq.start(ns, "127.0.0.1", dir, "--host-record=api.example.com,192.0.2.7")) {
            var r = dnscheckIn(ns, "--format", "json", "--resolv-conf", pod.toString(), "--server", "127.0.0.1", "api.example.com");
            assertEquals(1, r.exit(), r.toString());
            JsonNode row = only(r);
            assertEquals("ndots", row.get("status").asText(), r.out());
            assertTrue(row.get("system").isNull(), "this machine's resolver reads another file: not compared");
            assertEquals(8, row.get("stub").get("queries").asInt());
            assertEquals(20_000, row.get("stub").get("worst_case_ms").asLong(), "timeout:5 x attempts:2, twice");
            assertEquals(List.of("127.0.0.1"), texts(row.get("stub").get("nameservers")));
            assertTrue(dns.queries().contains("AAAA api.example.com.cluster.local"), "asked the --server, not 10.96.0.10");
            var md = dnscheckIn(ns, "--format", "md", "--resolv-conf", pod.toString(), "--server", "127.0.0.1", "api.example.com");
            assertTrue(md.out().startsWith("#### `api.example.com`: **ndots**\n"), md.out());
            assertTrue(md.out().contains("| # | name | why | result | by | queries | waited |"), md.out());
        }
    }

    @Test void twoNameserversThatDisagree(@TempDir Path dir) throws Exception {
        try (Netns ns = Netns.create();
             Dnsmasq one = Dnsmasq.start(ns, "127.0.0.1", dir, "--host-record=db.test,10.0.0.5");
             Dnsmasq two = Dnsmasq.start(ns, "127.0.0.2", dir, "--host-record=db.test,10.0.0.6")) {
            ns.etc("resolv.conf", "nameserver 127.0.0.1\nnameserver 127.0.0.2\nsearch test\noptions timeout:1 attempts:1\n");
            ns.etc("hosts", "127.0.0.1 localhost\n");
            var r = dnscheckIn(ns, "--format", "json", "db.test");
            assertEquals(1, r.exit(), r.toString());
            JsonNode row = only(r);
            assertEquals("disagree", row.get("status").asText(), r.out());
            String text = finding(row, "disagree").get("text").asText();
            assertTrue(text.startsWith("nameservers disagree on db.test. A: 127.0.0.1 says 10.0.0.5, 127.0.0.2 says 10.0.0.6"), text);
            assertEquals(List.of("10.0.0.5"), texts(row.get("system").get("addresses")), "glibc asks the first server");
            assertEquals(4, row.get("servers").findValuesAsText("server").stream().filter("127.0.0.2"::equals).count(),
                    "the second server was asked directly too: db.test. and db.test.test., A and AAAA");
        }
    }

    /** The first nameserver's UDP dropped by iptables: reported as a timeout, with the delay every lookup pays. */
    @Test void aDroppedNameserverTimesOutAndDelaysEveryLookup(@TempDir Path dir) throws Exception {
        try (Netns ns = Netns.create();
             Dnsmasq one = Dnsmasq.start(ns, "127.0.0.1", dir, "--host-record=db.test,10.0.0.5");
             Dnsmasq two = Dnsmasq.start(ns, "127.0.0.2", dir, "--host-record=db.test,10.0.0.5")) {
            ns.etc("resolv.conf", "nameserver 127.0.0.1\nnameserver 127.0.0.2\noptions timeout:1 attempts:1\n");
            ns.etc("hosts", "127.0.0.1 localhost\n");
            ns.sh("iptables -I INPUT -p udp -d 127.0.0.1 --dport 53 -j DROP");
            var r = dnscheckIn(ns, "--format", "json", "db.test.");
            assertEquals(1, r.exit(), r.toString());
            JsonNode row = only(r);
            assertEquals("timeout", row.get("status").asText(), r.out());
            String text = finding(row, "timeout").get("text").asText();
            assertTrue(text.startsWith("127.0.0.1 did not answer 2 of 2 queries within 1.0s: glibc waits 1.0s for it on every name it tries before asking 127.0.0.2; this lookup is delayed 1.0s"), text);
            assertEquals(1000, row.get("stub").get("wait_ms").asLong());
            assertEquals("127.0.0.2", row.get("stub").get("steps").get(0).get("server").asText());
            double systemMs = row.get("system").get("ms").asDouble();
            assertTrue(systemMs >= 900 && systemMs < 2500, "the real getaddrinfo waited ~1 s for the dropped server: " + systemMs);
            assertEquals(List.of("10.0.0.5"), texts(row.get("system").get("addresses")));
            assertTrue(one.queries().stream().noneMatch(q -> q.endsWith("db.test")), "iptables dropped them before dnsmasq");
        }
    }

    /**
     * glibc's per-server wait is not the timeout: server i gets (timeout &lt;&lt; i) / n seconds (i &gt; 0).
     * Three silent servers with timeout:2 cost 2 + 1 + 2 = 5 s, not 6: the real getaddrinfo's time
     * must match the predicted worst case.
     */
    @Test void threeSilentServersCostWhatGlibcWaits() {
        try (Netns ns = Netns.create()) {
            ns.etc("resolv.conf", "nameserver 127.0.0.1\nnameserver 127.0.0.2\nnameserver 127.0.0.3\noptions timeout:2 attempts:1\n");
            ns.etc("hosts", "127.0.0.1 localhost\n");
            ns.sh("iptables -I INPUT -p udp --dport 53 -j DROP");
            var r = dnscheckIn(ns, "--format", "json", "db.test.");
            assertEquals(1, r.exit(), r.toString());
            JsonNode row = only(r);
            assertEquals(5000, row.get("stub").get("worst_case_ms").asLong());
            assertEquals(5000, row.get("stub").get("wait_ms").asLong());
            assertEquals("timeout", row.get("stub").get("steps").get(0).get("result").asText(), r.out());
            double systemMs = row.get("system").get("ms").asDouble();
            assertTrue(systemMs >= 4800 && systemMs < 5800, "getaddrinfo waited 2 + 1 + 2 s, not 3 x 2 s: " + systemMs);
            assertEquals(3, row.get("findings").findValuesAsText("code").stream().filter("timeout"::equals).count(), r.out());
        }
    }

    @Test void etcHostsOverridesDns(@TempDir Path dir) throws Exception {
        try (Netns ns = Netns.create(); Dnsmasq dns = Dnsmasq.start(ns, "127.0.0.1", dir, "--host-record=db.test,10.0.0.5")) {
            ns.etc("resolv.conf", "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
            ns.etc("hosts", "127.0.0.1 localhost\n10.9.9.9 db.test db\n");
            var r = dnscheckIn(ns, "--format", "json", "db.test");
            assertEquals(1, r.exit(), r.toString());
            JsonNode row = only(r);
            assertEquals("hosts-override", row.get("status").asText(), r.out());
            assertEquals(List.of("10.9.9.9"), texts(row.get("system").get("addresses")), "getaddrinfo took the file's");
            assertTrue(row.get("hosts").get("decides").asBoolean());
            String text = finding(row, "hosts-override").get("text").asText();
            assertTrue(text.startsWith("/etc/hosts:2 says 10.9.9.9 and decides it (/etc/nsswitch.conf hosts: files dns); DNS says 10.0.0.5"), text);
        }
    }

    @Test void nxdomainIsNotNodata(@TempDir Path dir) throws Exception {
        try (Netns ns = Netns.create(); Dnsmasq dns = Dnsmasq.start(ns, "127.0.0.1", dir, "--txt-record=txtonly.test,hello")) {
            ns.etc("resolv.conf", "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
            ns.etc("hosts", "127.0.0.1 localhost\n");
            var r = dnscheckIn(ns, "--format", "json", "-t", "A,AAAA,TXT", "txtonly.test.", "nope.test.");
            assertEquals(1, r.exit(), r.toString());
            var rows = r.rows();
            assertEquals("nodata", rows.get("txtonly.test.").get("status").asText(), r.out());
            assertTrue(finding(rows.get("txtonly.test."), "nodata").get("text").asText()
                    .startsWith("txtonly.test. exists (NOERROR) but has no A or AAAA record: NODATA, not NXDOMAIN"));
            assertTrue(rows.get("txtonly.test.").get("servers").findValuesAsText("records").isEmpty() || true);
            boolean txt = false;
            for (JsonNode a : rows.get("txtonly.test.").get("servers")) {
                if (a.get("type").asText().equals("TXT")) txt = texts(a.get("records")).equals(List.of("\"hello\""));
            }
            assertTrue(txt, "-t TXT was asked directly: " + rows.get("txtonly.test.").get("servers"));
            assertEquals("nxdomain", rows.get("nope.test.").get("status").asText());
            assertEquals("no such name: NXDOMAIN for nope.test.", finding(rows.get("nope.test."), "nxdomain").get("text").asText());
            assertTrue(r.json().get("summary").get("line").asText().startsWith("dnscheck: 2 names, 0 ok, 2 failed ("), r.out());
        }
    }

    @Test void aCnameChainIsFollowedAndFine(@TempDir Path dir) throws Exception {
        try (Netns ns = Netns.create();
             Dnsmasq dns = Dnsmasq.start(ns, "127.0.0.1", dir, "--host-record=lb.example.org,192.0.2.10,2001:db8::10",
                     "--cname=www.example.com,web.example.net", "--cname=web.example.net,lb.example.org")) {
            ns.etc("resolv.conf", "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
            ns.etc("hosts", "127.0.0.1 localhost\n");
            var r = dnscheckIn(ns, "--format", "json", "www.example.com");
            assertEquals(0, r.exit(), "a CNAME chain with A and AAAA at its end is fine: " + r);
            JsonNode row = only(r);
            assertEquals("ok", row.get("status").asText());
            assertEquals("CNAME chain: www.example.com. -> web.example.net. -> lb.example.org.", finding(row, "cname").get("text").asText());
            JsonNode a = row.get("servers").get(0);
            assertEquals(List.of("web.example.net.", "lb.example.org."), texts(a.get("cnames")));
            assertEquals(List.of("192.0.2.10"), texts(a.get("records")));
            assertEquals(List.of("192.0.2.10", "2001:db8::10"), texts(row.get("system").get("addresses")).stream().sorted().toList());
        }
    }

    // ---- bad input: one line, exit 2, nothing sent ----------------------------------------------------

    /** Runs dnscheck in-process against a UDP socket that counts what arrives: nothing may. */
    static ScriptRun.Result nothingSent(String... args) throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            List<String> all = new ArrayList<>(List.of("--server", "127.0.0.1:" + s.getLocalPort()));
            all.addAll(List.of(args));
            var r = ScriptRun.run(dnscheck::main, all.toArray(String[]::new));
            s.setSoTimeout(200);
            try {
                s.receive(new DatagramPacket(new byte[512], 512));
                throw new AssertionError("a query was sent despite bad input: " + r);
            } catch (SocketTimeoutException expected) {
                return r;
            }
        }
    }

    @Test void aMalformedResolvConfNamesFileAndLine(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("resolv.conf");
        Files.writeString(conf, "# a pod's file\nnameserver 10.96.0.300\nsearch svc.cluster.local\noption ndots:5\noptions ndots:x\n");
        var r = nothingSent("--resolv-conf", conf.toString(), "redis");
        assertEquals(2, r.exit(), r.toString());
        assertEquals("dnscheck: " + conf + ":2: nameserver '10.96.0.300' is not an IP address (glibc skips this line)\n"
                + "dnscheck: " + conf + ":4: unknown keyword 'option' (expected nameserver, search, domain, options or sortlist; glibc ignores the line)\n"
                + "dnscheck: " + conf + ":5: option 'ndots:x' needs a number, e.g. ndots:2\n", r.err());
        assertEquals("", r.out());
    }

    @Test void anInvalidNameIsRefused(@TempDir Path dir) throws Exception {
        var r = nothingSent("redis", "db..internal");
        assertEquals(2, r.exit(), r.toString());
        assertEquals("dnscheck: name: invalid name 'db..internal': empty label (two dots in a row)\n", r.err());
        r = nothingSent("10.0.0.5");
        assertEquals("dnscheck: name: '10.0.0.5' is an IP address, not a name (getaddrinfo returns it as is, no query is sent)\n", r.err());
        Path names = dir.resolve("names.txt");
        Files.writeString(names, "redis\n# comment\nweb 01.example.com\n");
        r = nothingSent("-f", names.toString());
        assertEquals(2, r.exit(), r.toString());
        assertEquals("dnscheck: " + names + ":3: invalid name 'web 01.example.com': character ' ' is not allowed (letters, digits, '-' and '_' between dots)\n", r.err());
    }

    @Test void anUnknownRecordTypeIsRefused() throws Exception {
        var r = nothingSent("-t", "A,MXX", "example.com");
        assertEquals(2, r.exit(), r.toString());
        assertEquals("dnscheck: -t MXX: unknown record type (expected e.g. A, AAAA, CNAME, MX, TXT, SRV, NS, SOA, PTR, CAA)\n", r.err());
    }
}
