import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import snmp.Credentials;
import snmp.Keys;
import org.junit.jupiter.api.io.TempDir;

/**
 * snmp against a real net-snmp snmpd started by the test (support/Snmpd.java): values compared
 * with net-snmp's own snmpget/snmpbulkwalk, each USM failure its own status, a dropped address in
 * a netns, and the credentials never in ps, any format, or an error message.
 */
class SnmpTest {
    @TempDir Path tmp;

    static ScriptRun.Result snmp(String... args) {
        return ScriptRun.run(snmp::main, args);
    }

    Path file(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, text + "\n");
        return p;
    }

    /** --auth-file/--priv-file for alice (or bob) of this agent. */
    List<String> v3(String user, String auth, String priv, String authProto, String privProto) throws Exception {
        return List.of("-u", user, "-a", authProto, "-x", privProto, "--auth-file", file(user + "-auth-" + auth.hashCode(), auth).toString(),
                "--priv-file", file(user + "-priv-" + priv.hashCode(), priv).toString());
    }

    static String[] args(List<String> a, String... more) {
        List<String> all = new ArrayList<>(a);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    static int port() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** net-snmp -Oq value to ours: quotes off, hex "C6 0C " to c6:0c, leading dot of an OID off. */
    static String netSnmpValue(String v) {
        if (v.startsWith("\"") && v.endsWith("\"")) {
            String in = v.substring(1, v.length() - 1);
            if (in.matches("([0-9A-F]{2} )+")) return String.join(":", in.trim().toLowerCase().split(" "));
            return in;
        }
        return v.startsWith(".") ? v.substring(1) : v;
    }

    @Test void getMatchesSnmpgetForBothUsers() throws Exception {
        int port = port();
        try (Snmpd agent = Snmpd.start(tmp.resolve("a"), null, List.of("127.0.0.1:" + port), Snmpd.Users.random())) {
            String addr = "127.0.0.1:" + port;
            var u = agent.users;
            List<String> theirs = agent.netSnmp("snmpget", addr, "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.3.0");
            var r = snmp(args(v3("alice", u.aliceAuth(), u.alicePriv(), "SHA-256", "AES"), "--format", "json", "get", "-H", addr, "sysDescr.0", "sysUpTime.0", "sysName.0"));
            assertEquals(0, r.exit(), r.toString());
            JsonNode values = r.json().get("results").get(0).get("values");
            assertEquals(netSnmpValue(theirs.get(0).split(" ", 2)[1]), values.get("sysDescr.0").asText());
            long ticks = Long.parseLong(theirs.get(1).split(" ", 2)[1]);
            long ours = values.get("sysUpTime.0").asLong();
            assertTrue(ours >= ticks && ours - ticks < 1000, "sysUpTime " + ours + " vs snmpget's " + ticks);
            assertEquals("ops-test-agent", values.get("sysName.0").asText());
            // bob: SHA-1 auth, AES-256 privacy (net-snmp's Blumenthal key extension)
            var b = snmp(args(v3("bob", u.bobAuth(), u.bobPriv(), "SHA", "AES-256"), "--format", "json", "get", "-H", addr, "sysDescr.0"));
            assertEquals(0, b.exit(), b.toString());
            assertEquals(values.get("sysDescr.0").asText(), b.json().get("results").get(0).get("values").get("sysDescr.0").asText());
            // v2c with the community from a file
            var c = snmp("--snmp", "v2c", "--community-file", file("community", u.community()).toString(), "--format", "json",
                    "get", "-H", addr, "sysName.0");
            assertEquals("ok", c.json().get("results").get(0).get("status").asText(), c.toString());
            var wrong = snmp("--snmp", "v2c", "--community-file", file("bad-community", "nope-" + u.community()).toString(), "--format", "json",
                    "-t", "300ms", "-r", "0", "get", "-H", addr, "sysName.0");
            assertEquals(1, wrong.exit(), wrong.toString());
            assertEquals("timeout", wrong.json().get("results").get(0).get("status").asText());
        }
    }

    @Test void walkIfTableMatchesSnmpbulkwalkRowForRow() throws Exception {
        int port = port();
        try (Snmpd agent = Snmpd.start(tmp.resolve("a"), null, List.of("127.0.0.1:" + port), Snmpd.Users.random())) {
            String addr = "127.0.0.1:" + port;
            var u = agent.users;
            List<String> theirs = agent.netSnmp("snmpbulkwalk", addr, "1.3.6.1.2.1.2.2");
            var r = snmp(args(v3("alice", u.aliceAuth(), u.alicePriv(), "SHA-256", "AES"), "--format", "json", "walk", "-H", addr, "ifTable"));
            assertEquals(0, r.exit(), r.toString());
            JsonNode rows = r.json().get("results");
            assertEquals(theirs.size(), rows.size(), r.out());
            for (int i = 0; i < theirs.size(); i++) {
                String[] t = theirs.get(i).split(" ", 2);
                JsonNode row = rows.get(i);
                assertEquals(t[0].substring(1), row.get("oid").asText(), "row " + i);
                int column = Integer.parseInt(row.get("oid").asText().split("\\.")[9]);
                // octet and packet counters (10-21) move with this very test's traffic on lo
                if (column < 10 || column > 21) assertEquals(netSnmpValue(t.length > 1 ? t[1] : ""), row.get("value").asText(), "row " + i + ": " + t[0]);
                else assertTrue(row.get("value").isNumber(), row.toString());
            }
            // table: one row per interface, named columns
            var table = snmp(args(v3("alice", u.aliceAuth(), u.alicePriv(), "SHA-256", "AES"), "--format", "json", "table", "-H", addr,
                    "ifDescr", "ifOperStatus", "ifHCInOctets"));
            assertEquals(0, table.exit(), table.toString());
            long interfaces = theirs.stream().filter(l -> l.startsWith(".1.3.6.1.2.1.2.2.1.1.")).count();
            assertEquals(interfaces, table.json().get("results").size(), table.out());
            JsonNode first = table.json().get("results").get(0);
            assertEquals("1", first.get("index").asText());
            assertEquals("lo", first.get("values").get("ifDescr").asText());
            assertTrue(first.get("values").get("ifHCInOctets").isNumber(), first.toString());
            var md = snmp(args(v3("alice", u.aliceAuth(), u.alicePriv(), "SHA-256", "AES"), "--format", "md", "table", "-H", addr, "ifDescr"));
            assertTrue(md.out().contains("| " + addr + " | 1 | ok | lo |"), md.out());
        }
    }

    /**
     * A MAC whose bytes are also valid, printable UTF-8 (5a c9 a8 09 43 65 reads "Zɨ\tCe") is
     * still shown as hex, as snmpbulkwalk shows it: the benchmark's random veth MACs once hit this.
     */
    @Test void aMacThatIsValidUtf8IsShownAsHex() throws Exception {
        Snmpd.require();
        Snmpd.Users u = Snmpd.Users.random();
        try (Netns ns = Netns.create()) {
            ns.sh("ip link add ops-m0 address 5a:c9:a8:09:43:65 type veth peer name ops-m1 && ip link set ops-m0 up && ip link set ops-m1 up");
            try (Snmpd a = Snmpd.start(tmp.resolve("a"), ns.name, List.of("127.0.0.1:161"), u)) {
                List<String> cmd = new ArrayList<>(Proc.javaCommand("snmp"));
                cmd.addAll(List.of("table", "-u", "alice", "--auth-env", "SNMP_AUTH", "--priv-env", "SNMP_PRIV", "--format", "json",
                        "-H", "127.0.0.1", "ifDescr", "ifPhysAddress"));
                var r = Proc.run(ns.exec(cmd), Duration.ofSeconds(60), Map.of("SNMP_AUTH", u.aliceAuth(), "SNMP_PRIV", u.alicePriv()), null);
                assertEquals(0, r.exit(), r.toString());
                JsonNode mac = null;
                for (JsonNode row : r.json().get("results")) {
                    if (row.get("values").get("ifDescr").asText().equals("ops-m0")) mac = row.get("values").get("ifPhysAddress");
                }
                assertNotNull(mac, r.out());
                assertEquals("5a:c9:a8:09:43:65", mac.asText(), r.out());
            }
        }
    }

    /**
     * The mix in a netns: a good device, an unknown user, a wrong auth password, a wrong
     * priv password, a dropped address, a closed port, an unresolvable name: one row each, each its
     * own status. Run as a real process with the secrets in the environment: never in ps, never in
     * any format's output, never in stderr.
     */
    @Test void mixOfGoodAndBadDevicesOneRowEachAndNoSecretAnywhere() throws Exception {
        Snmpd.require();
        Snmpd.Users good = Snmpd.Users.random();
        try (Netns ns = Netns.create();
             Snmpd a = Snmpd.start(tmp.resolve("a"), ns.name, List.of("127.0.0.1:161"), good);
             Snmpd b = Snmpd.start(tmp.resolve("b"), ns.name, List.of("127.0.0.2:161"), good.withAliceAuth(Snmpd.secret()));
             Snmpd c = Snmpd.start(tmp.resolve("c"), ns.name, List.of("127.0.0.3:161"), good.withAlicePriv(Snmpd.secret()))) {
            ns.sh("iptables -I INPUT -p udp -d 127.0.0.66 -j DROP");
            Path hosts = file("devices.txt", String.join("\n", "# the fleet", "127.0.0.1", "carol@127.0.0.1", "127.0.0.2", "127.0.0.3",
                    "127.0.0.66", "127.0.0.1:1161", "nope.invalid"));
            Map<String, String> env = Map.of("SNMP_AUTH", good.aliceAuth(), "SNMP_PRIV", good.alicePriv());
            List<String> secrets = List.of(good.aliceAuth(), good.alicePriv(), good.bobAuth(), good.community());
            Map<String, String> outputs = new LinkedHashMap<>();
            ScriptRun.Result json = null;
            for (String format : List.of("json", "table", "md", "csv", "prom")) {
                List<String> cmd = new ArrayList<>(Proc.javaCommand("snmp"));
                cmd.addAll(List.of("get", "-u", "alice", "--auth-env", "SNMP_AUTH", "--priv-env", "SNMP_PRIV", "-t", "700ms", "-r", "0",
                        "--format", format, hosts.toString(), "sysDescr.0", "sysUpTime.0"));
                CompletableFuture<String> ps = CompletableFuture.supplyAsync(() -> {
                    Snmpd.sleep(400);       // while the dropped device is still pending
                    return Proc.run(List.of("ps", "-eo", "args"), Duration.ofSeconds(10)).out();
                });
                var r = Proc.run(ns.exec(cmd), Duration.ofSeconds(60), env, null);
                assertEquals(1, r.exit(), format + ": " + r);
                outputs.put(format + " stdout", r.out());
                outputs.put(format + " stderr", r.err());
                outputs.put(format + " ps", ps.get());
                if (format.equals("json")) json = r;
            }
            for (var e : outputs.entrySet()) {
                for (String s : secrets) assertFalse(e.getValue().contains(s), "a secret in " + e.getKey() + ":\n" + e.getValue());
            }
            Map<String, JsonNode> rows = json.rows();
            assertEquals(7, json.json().get("results").size(), json.out());
            assertEquals("ok", rows.get("127.0.0.1").get("status").asText(), json.out());
            assertEquals("unknown-user", rows.get("carol@127.0.0.1").get("status").asText());
            assertEquals("wrong-digest", rows.get("127.0.0.2").get("status").asText());
            assertEquals("decryption-error", rows.get("127.0.0.3").get("status").asText());
            assertEquals("timeout", rows.get("127.0.0.66").get("status").asText());
            assertEquals("timeout", rows.get("127.0.0.1:1161").get("status").asText());
            assertEquals("unresolved", rows.get("nope.invalid").get("status").asText());
            String line = json.json().get("summary").get("line").asText();
            assertTrue(line.startsWith("snmp: 7 devices, 1 ok, 6 failed (") && line.contains("2 timeout"), line);
            assertTrue(outputs.get("prom stdout").contains("ops_snmp_up{target=\"127.0.0.1\"} 1.0"), outputs.get("prom stdout"));
            assertTrue(outputs.get("prom stdout").contains("ops_snmp_status{status=\"wrong-digest\",target=\"127.0.0.2\"} 1.0"), outputs.get("prom stdout"));
        }
    }

    /** --deadline cuts a device that does not answer: it still gets its row, not-run; --retries counts tries. */
    @Test void deadlineMarksTheSilentDeviceNotRun() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Path community = file("community", "not-a-secret-here");
            var r = snmp("--snmp", "v2c", "--community-file", community.toString(), "-t", "5s", "--deadline", "800ms", "--format", "json",
                    "get", "-H", "127.0.0.1:" + silent.getLocalPort(), "sysDescr.0");
            assertEquals(1, r.exit(), r.toString());
            JsonNode row = r.json().get("results").get(0);
            assertEquals("not-run", row.get("status").asText(), r.out());
            assertTrue(r.json().get("summary").get("elapsed_ms").asLong() < 3000, r.out());
            var t = snmp("--snmp", "v2c", "--community-file", community.toString(), "-t", "200ms", "-r", "2", "--format", "json",
                    "get", "-H", "127.0.0.1:" + silent.getLocalPort(), "sysDescr.0");
            assertEquals("timeout", t.json().get("results").get(0).get("status").asText(), t.out());
            assertEquals("no answer within 200ms (3 tries) (down, filtered, or the community is wrong)", t.json().get("results").get(0).get("error").asText());
            silent.setSoTimeout(200);
            int packets = 0;
            try {
                while (true) { silent.receive(new DatagramPacket(new byte[2048], 2048)); packets++; }
            } catch (SocketTimeoutException done) {
                // drained
            }
            assertEquals(1 + 3, packets, "one request cut by the deadline, then 3 tries");
        }
    }

    /** snmp.Keys (Ku once per password) gives byte for byte the keys SNMP4J derives itself. */
    @Test void cachedKeyDerivationMatchesSnmp4j() throws Exception {
        byte[] engine = {(byte) 0x80, 0, 0x1f, (byte) 0x88, (byte) 0x80, 1, 2, 3, 4, 5, 6, 7, 8};
        for (String name : Credentials.AUTH) {
            var ours = Keys.protocol(name);
            var theirs = (org.snmp4j.security.AuthenticationProtocol) ours.getClass().getSuperclass().getDeclaredConstructor().newInstance();
            for (String pw : List.of("maplesyrup", Snmpd.secret())) {
                var p = new org.snmp4j.smi.OctetString(pw);
                assertTrue(java.util.Arrays.equals(theirs.passwordToKey(p, engine), ours.passwordToKey(p, engine)), name);
            }
        }
    }

    /** Bad input: one line naming what is wrong, exit 2, and not one packet sent. */
    @Test void badInputIsOneLineExitTwoAndNothingSent() throws Exception {
        try (DatagramSocket listener = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            String target = "127.0.0.1:" + listener.getLocalPort();
            Path auth = file("auth", "an-auth-secret-1");
            Path priv = file("priv", "a-priv-secret-22");
            List<String> creds = List.of("-u", "alice", "--auth-file", auth.toString(), "--priv-file", priv.toString());
            Map<String[], String> cases = new LinkedHashMap<>();
            cases.put(args(creds, "get", "-H", target, "sysDescrr.0"), "snmp: OID sysDescrr.0: unknown name; did you mean sysDescr?");
            cases.put(args(creds, "get", "-H", target, "ifFrobnicate"), "snmp: OID ifFrobnicate: unknown name (known without MIB files: system, ifTable, ifXTable, hrStorageTable and their columns; numeric OIDs always work)");
            cases.put(args(creds, "get", "-H", target, "1.3..6.1"), "snmp: OID 1.3..6.1: malformed numeric OID (empty arc)");
            cases.put(args(creds, "-l", "authPrivv", "get", "-H", target, "sysDescr.0"), "snmp: --level authPrivv: expected authPriv, authNoPriv or noAuthNoPriv");
            cases.put(args(List.of("-u", "alice", "--auth-env", "OPS_SNMP_TEST_UNSET_VAR", "--priv-file", priv.toString()), "get", "-H", target, "sysDescr.0"),
                    "snmp: --auth-env OPS_SNMP_TEST_UNSET_VAR: environment variable OPS_SNMP_TEST_UNSET_VAR is not set");
            cases.put(args(List.of("-u", "alice", "--auth-file", auth.toString()), "get", "-H", target, "sysDescr.0"),
                    "snmp: --level authPriv needs the priv password: --priv-env VAR or --priv-file FILE (never on the command line)");
            cases.put(args(creds, "-x", "AES-512", "get", "-H", target, "sysDescr.0"), "snmp: --priv-proto AES-512: expected one of DES, AES, AES-128, AES-192, AES-256");
            cases.put(args(creds, "table", "-H", target, "sysDescr"), "snmp: table sysDescr: not a table or table column we know (ifTable, ifXTable, hrStorageTable or their columns)");
            cases.put(args(creds, "fetch", "-H", target, "sysDescr.0"), "snmp: expected get, walk or table first, e.g. snmp get hosts.txt sysDescr.0 (not fetch)");
            cases.put(args(List.of("--auth-file", auth.toString(), "--priv-file", priv.toString()), "get", "-H", target, "sysDescr.0"),
                    "snmp: -H: " + target + " has no SNMPv3 user: give -u NAME or user@host");
            for (var e : cases.entrySet()) {
                var r = snmp(e.getKey());
                assertEquals(2, r.exit(), String.join(" ", e.getKey()) + "\n" + r);
                assertEquals(e.getValue(), r.err().strip(), String.join(" ", e.getKey()));
                assertEquals("", r.out());
                assertFalse(r.err().contains("an-auth-secret-1") || r.err().contains("a-priv-secret-22"), r.err());
            }
            listener.setSoTimeout(300);
            try {
                listener.receive(new DatagramPacket(new byte[2048], 2048));
                throw new AssertionError("a packet was sent for bad input");
            } catch (SocketTimeoutException expected) {
                // nothing sent
            }
        }
    }
}
