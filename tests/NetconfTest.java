import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * netconf against real NETCONF devices: Debian's netconfd (yuma123) behind a real OpenSSH sshd
 * with `Subsystem netconf /usr/sbin/netconf-subsystem` (support/Netconfd.java), on 127.31.0.0/16.
 * Capabilities compared with python3-ncclient's; a second client (ncclient) holding and taking
 * locks; the SSH failures compared with fanout's statuses on the same sshd.
 */
class NetconfTest {
    static Netconfd devices;      // four base:1.1 devices on 127.31.0.1
    static Netconfd old;          // one device limited to base:1.0 (end-of-message framing) on 127.31.0.2
    static Path key, knownHosts;
    @TempDir static Path tmp;

    static final String ETH0 = """
            <config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">
              <interfaces xmlns="urn:ietf:params:xml:ns:yang:ietf-interfaces">
                <interface>
                  <name>eth0</name>
                  <type xmlns:ianaift="urn:ietf:params:xml:ns:yang:iana-if-type">ianaift:ethernetCsmacd</type>
                  <description>DESCRIPTION</description>
                </interface>
              </interfaces>
            </config>
            """;

    static final String INTERFACES_FILTER = "<interfaces xmlns=\"urn:ietf:params:xml:ns:yang:ietf-interfaces\"/>\n";

    @BeforeAll static void start() throws Exception {
        Prereq.requireExecutable("/usr/bin/python3", "python3");
        if (Proc.run(List.of("/usr/bin/python3", "-c", "import ncclient"), Duration.ofSeconds(20)).exit() != 0) {
            Prereq.requireExecutable("/usr/lib/python3/dist-packages/ncclient/__init__.py", "python3-ncclient");
        }
        devices = Netconfd.start(Files.createDirectories(tmp.resolve("new")), "127.31.0.1", 4, List.of());
        old = Netconfd.start(Files.createDirectories(tmp.resolve("old")), "127.31.0.2", 1, List.of("--protocols=netconf1.0"));
        key = Sshd.clientKey();
        List<String> names = new ArrayList<>();
        for (String d : devices.devices) names.add("[" + d.replace(":", "]:"));
        names.add("[" + old.devices.get(0).replace(":", "]:"));
        knownHosts = Sshd.knownHosts(tmp.resolve("known_hosts"), names);
    }

    @AfterAll static void stop() {
        if (devices != null) devices.close();
        if (old != null) old.close();
    }

    static String dev(int i) { return devices.devices.get(i); }

    static ScriptRun.Result netconf(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-F", "none", "--known-hosts", knownHosts.toString(), "-i", key.toString(), "-l", "root"));
        return ScriptRun.run(netconf::main, all.toArray(String[]::new));
    }

    Path file(String name, String text) throws Exception {
        return Files.writeString(tmp.resolve(name), text);
    }

    /** python3-ncclient, as a second client: runs {@code body} with `m` connected to {@code device}; returns its stdout. */
    static String ncclient(String device, String body) {
        var r = Proc.run(List.of("/usr/bin/python3", "-c", ncclientScript(device, body)), Duration.ofSeconds(30));
        if (r.exit() != 0) throw new AssertionError("ncclient failed: " + r);
        return r.out();
    }

    static String ncclientScript(String device, String body) {
        String[] hp = device.split(":");
        return "import sys\nfrom ncclient import manager\n"
                + "m = manager.connect(host='" + hp[0] + "', port=" + hp[1] + ", username='root', key_filename='" + key + "', hostkey_verify=False, allow_agent=False, look_for_keys=False, timeout=20)\n"
                + body + "\n";
    }

    // ---- hello and capabilities ---------------------------------------------------------------

    @Test void capabilitiesAreWhatNcclientSees() {
        var r = netconf("caps", "-o", "json", "-H", dev(0) + "," + old.devices.get(0));
        assertEquals(0, r.exit(), r.toString());
        JsonNode row = r.rows().get(dev(0));
        Set<String> ours = new TreeSet<>();
        row.get("capabilities").forEach(c -> ours.add(c.asText()));
        Set<String> theirs = new TreeSet<>(ncclient(dev(0), "for c in m.server_capabilities: print(c)").lines().toList());
        assertEquals(theirs, ours, "the hello's capabilities, as ncclient reports them");
        assertEquals("1.1", row.get("base").asText(), "chunked framing when both say base:1.1");
        assertTrue(row.get("netconf").toString().contains("\":candidate\""), row.toString());
        assertTrue(row.get("netconf").toString().contains("\":xpath\""), row.toString());
        assertTrue(row.get("modules").toString().contains("ietf-interfaces@2014-05-08"), row.toString());
        JsonNode ten = r.rows().get(old.devices.get(0));
        assertEquals("1.0", ten.get("base").asText(), "end-of-message framing with a base:1.0-only device: " + ten);

        var gathered = netconf("caps", "-b", "-H", dev(0) + "," + dev(1) + "," + old.devices.get(0));
        assertEquals(0, gathered.exit(), gathered.toString());
        assertTrue(gathered.out().contains("(2 devices): ok"), gathered.out());
        assertTrue(gathered.out().contains("(1 device): ok"), gathered.out());
        assertTrue(gathered.out().contains("  ietf-interfaces@2014-05-08\n"), gathered.out());
        assertTrue(gathered.out().endsWith("netconf: 3 devices, 3 ok, 0 failed in " + gathered.out().replaceAll("(?s).* in ", "")), gathered.out());
    }

    // ---- reading and changing configuration ---------------------------------------------------

    @Test void editIntoCandidateCommitThenReadBack() throws Exception {
        Path change = file("change.xml", ETH0.replace("DESCRIPTION", "uplink to core"));
        Path filter = file("filter.xml", INTERFACES_FILTER);
        var dry = netconf("edit-config", "--config", change.toString(), "--diff", "--validate", "-o", "json", "-H", dev(1));
        assertEquals(0, dry.exit(), dry.toString());
        JsonNode d = dry.rows().get(dev(1));
        assertTrue(d.get("diff").asText().contains("+    <description>uplink to core</description>"), d.toString());
        assertEquals("[\"lock\",\"edit-config\",\"validate\",\"diff\",\"discard (no --commit)\",\"unlock\"]", d.get("steps").toString());
        assertFalse(netconf("get-config", "-H", dev(1)).out().contains("uplink to core"), "without --commit nothing changed");

        var done = netconf("edit-config", "--config", change.toString(), "--commit", "-H", dev(1));
        assertEquals(0, done.exit(), done.toString());
        assertTrue(done.out().contains("lock, edit-config, commit, unlock"), done.out());

        var xml = netconf("get-config", "--filter", filter.toString(), "-H", dev(1));
        assertEquals(0, xml.exit(), xml.toString());
        assertTrue(xml.out().contains("<description>uplink to core</description>"), xml.out());
        assertTrue(xml.out().contains(ncclientDescription(dev(1))), "ncclient reads the same: " + xml.out());
        var json = netconf("get-config", "-o", "json", "--ns", "if=urn:ietf:params:xml:ns:yang:ietf-interfaces",
                "--xpath", "/if:interfaces/if:interface[if:name='eth0']", "-H", dev(1));
        assertEquals(0, json.exit(), json.toString());
        JsonNode data = json.rows().get(dev(1)).get("data");
        assertEquals("uplink to core", data.at("/ietf-interfaces:interfaces/interface/description").asText(), data.toString());
        // No --ns: "if" is ietf-interfaces' YANG prefix, learned with get-schema (netconfd takes no other prefix for it)
        var bare = netconf("get-config", "-o", "json", "--xpath", "/if:interfaces/if:interface[if:name='eth0']/if:description", "-H", dev(1));
        assertEquals(0, bare.exit(), bare.toString());
        assertEquals("uplink to core", bare.rows().get(dev(1)).get("data").at("/ietf-interfaces:interfaces/interface/description").asText(), bare.toString());
        var again = netconf("edit-config", "--config", change.toString(), "--diff", "-H", dev(1));
        assertTrue(again.out().contains("no change against running"), again.out());
    }

    static String ncclientDescription(String device) {
        String out = ncclient(device, "print(m.get_config(source='running').xml)");
        int i = out.indexOf("<description>");
        return i < 0 ? "(none)" : out.substring(i, out.indexOf("</description>", i) + "</description>".length());
    }

    /** A confirmed commit not confirmed in time is rolled back by the device; one confirmed with --persist-id stays. */
    @Test void confirmedCommitRollsBackUnlessConfirmed() throws Exception {
        Path change = file("confirmed.xml", ETH0.replace("DESCRIPTION", "on probation"));
        long t0 = System.nanoTime();
        var r = netconf("edit-config", "--config", change.toString(), "--commit", "--confirmed", "4s", "-o", "json", "-H", dev(2) + "," + dev(3));
        assertEquals(0, r.exit(), r.toString());
        String id = r.rows().get(dev(3)).get("persist_id").asText();
        assertTrue(id.startsWith("ops-"), r.out());
        var confirm = netconf("commit", "--persist-id", id, "-o", "json", "-H", dev(3));
        assertEquals(0, confirm.exit(), confirm.toString());
        var during = netconf("get-config", "-H", dev(2));
        if ((System.nanoTime() - t0) / 1_000_000 < 4000) assertTrue(during.out().contains("on probation"), "in effect until the timeout: " + during);
        Snmpd.sleep(Math.max(0, 4500 - (System.nanoTime() - t0) / 1_000_000));
        // netconfd checks the confirm timeout only when its select() has waited a whole second with
        // no input on any session (agt_ncxserver.c), so polling it more often than that would keep
        // the rollback from ever happening: look every 1.5 s, up to 20 s.
        boolean rolledBack = false;
        while (!rolledBack && System.nanoTime() - t0 < 20_000_000_000L) {
            rolledBack = !netconf("get-config", "-H", dev(2)).out().contains("on probation");
            if (!rolledBack) Snmpd.sleep(1500);
        }
        assertTrue(rolledBack, "rolled back: nobody confirmed");
        assertTrue(netconf("get-config", "-H", dev(3)).out().contains("on probation"), "confirmed in time: it stays");
        var late = netconf("commit", "--persist-id", id, "-o", "json", "-H", dev(2));
        assertEquals("rpc-error", late.rows().get(dev(2)).get("status").asText(), "nothing left to confirm: " + late);
    }

    @Test void invalidEditIsAnRpcErrorAndLeavesTheLockFree() throws Exception {
        Path bad = file("bad.xml", ETH0.replace("<description>DESCRIPTION</description>", "<enabled>maybe</enabled>"));
        var r = netconf("edit-config", "--config", bad.toString(), "--commit", "-o", "json", "-H", dev(0));
        assertEquals(1, r.exit(), r.toString());
        JsonNode row = r.rows().get(dev(0));
        assertEquals("rpc-error", row.get("status").asText(), row.toString());
        assertEquals("invalid-value", row.get("rpc_error").get("error-tag").asText());
        assertTrue(row.get("rpc_error").get("error-path").asText().endsWith("/if:interface[if:name='eth0']/if:enabled"), row.toString());
        assertTrue(row.get("error").asText().startsWith("edit-config: invalid-value at /nc:rpc/nc:edit-config/nc:config/if:interfaces"), row.toString());
        assertTrue(row.get("error").asText().contains("bad-value maybe"), row.toString());
        assertEquals("[\"lock\",\"discard (failed)\"]", row.get("steps").toString());
        assertEquals("locked\n", ncclient(dev(0), "m.lock('candidate'); print('locked'); m.unlock('candidate')"), "the lock is free afterwards");
    }

    /** Another client (ncclient) holds the candidate lock: edit-config is lock-denied; unlock --kill-session ends that session. */
    @Test void aLockHeldByAnotherClient() throws Exception {
        Process holder = new ProcessBuilder("/usr/bin/python3", "-c", ncclientScript(dev(0),
                "m.lock('candidate')\nprint(m.session_id, flush=True)\nsys.stdin.read()")).redirectErrorStream(true).start();
        try {
            String sid = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8)).readLine();
            Path change = file("locked.xml", ETH0.replace("DESCRIPTION", "never"));
            var r = netconf("edit-config", "--config", change.toString(), "--commit", "-H", dev(0));
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.out().contains("lock-denied"), r.out());
            assertTrue(r.out().contains("lock candidate: locked by session " + sid), r.out());
            var probe = netconf("lock", "-o", "json", "-H", dev(0) + "," + dev(1));
            assertEquals("lock-denied", probe.rows().get(dev(0)).get("status").asText(), probe.toString());
            assertEquals("ok", probe.rows().get(dev(1)).get("status").asText(), probe.toString());
            var look = netconf("unlock", "-H", dev(0));
            assertEquals(1, look.exit(), look.toString());
            assertTrue(look.out().contains("(--kill-session ends it)"), look.out());
            var kill = netconf("unlock", "--kill-session", "-H", dev(0));
            assertEquals(0, kill.exit(), kill.toString());
            assertTrue(kill.out().contains("ended session " + sid), kill.out());
            assertEquals(0, netconf("lock", "-H", dev(0)).exit(), "free again");
        } finally {
            Proc.kill(holder);
        }
    }

    /**
     * A device whose edit target is running (netconfd --target=running: :writable-running, no
     * :candidate): edit-config --target running changes it at once (lock, edit, unlock); the
     * candidate default is refused as unsupported.
     */
    @Test void editRunningDirectlyOnAWritableRunningDevice() throws Exception {
        try (Netconfd running = Netconfd.start(Files.createDirectories(tmp.resolve("running")), "127.31.0.3", 1, List.of("--target=running"))) {
            String d = running.devices.get(0);
            Path kh = Sshd.knownHosts(tmp.resolve("running_known_hosts"), List.of("[" + d.replace(":", "]:")));
            List<String> login = List.of("-F", "none", "--known-hosts", kh.toString(), "-i", key.toString(), "-l", "root", "-H", d);
            var caps = ScriptRun.run(netconf::main, concat(List.of("caps", "-o", "json"), login));
            String announced = caps.rows().get(d).get("netconf").toString();
            assertTrue(announced.contains("\":writable-running\"") && !announced.contains("\":candidate\""), caps.toString());

            Path change = file("running.xml", ETH0.replace("DESCRIPTION", "set in running"));
            var cand = ScriptRun.run(netconf::main, concat(List.of("edit-config", "--config", change.toString(), "-o", "json"), login));
            assertEquals(1, cand.exit(), cand.toString());
            assertEquals("unsupported", cand.rows().get(d).get("status").asText(), cand.toString());
            assertTrue(cand.rows().get(d).get("error").asText().contains("(try --target running)"), cand.toString());

            var r = ScriptRun.run(netconf::main, concat(List.of("edit-config", "--target", "running", "--config", change.toString(), "-o", "json"), login));
            assertEquals(0, r.exit(), r.toString());
            assertEquals("[\"lock\",\"edit-config\",\"unlock\"]", r.rows().get(d).get("steps").toString(), r.toString());
            assertTrue(ncclient(d, "print(m.get_config(source='running').xml)").contains("<description>set in running</description>"),
                    "ncclient reads it from running at once");
        }
    }

    /**
     * Another client's uncommitted candidate edit (ncclient, no lock): the device refuses edit-config's
     * lock (RFC 6241 8.3.5.1) and netconf says so; `discard` drops the edit; running never had it.
     */
    @Test void discardDropsUncommittedCandidateChanges() throws Exception {
        String d = dev(1);
        String pending = ETH0.replace("DESCRIPTION", "left pending").replace("eth0", "eth7");
        ncclient(d, "m.edit_config(target='candidate', config='''" + pending + "''')\nm.close_session()");
        assertTrue(netconf("get-config", "--source", "candidate", "-H", d).out().contains("left pending"), "the edit waits in the candidate");
        Path change = file("after-pending.xml", ETH0.replace("DESCRIPTION", "mine"));
        var refused = netconf("edit-config", "--config", change.toString(), "--commit", "-o", "json", "-H", d);
        assertEquals(1, refused.exit(), refused.toString());
        assertTrue(refused.rows().get(d).get("error").asText().endsWith("(the candidate holds uncommitted changes; `netconf discard` drops them)"), refused.toString());

        var r = netconf("discard", "-o", "json", "-H", d);
        assertEquals(0, r.exit(), r.toString());
        assertEquals("candidate reset to running", r.rows().get(d).get("detail").asText(), r.toString());
        assertFalse(netconf("get-config", "--source", "candidate", "-H", d).out().contains("left pending"), "discarded");
        assertFalse(netconf("get-config", "-H", d).out().contains("left pending"), "running never had it");
        assertEquals(0, netconf("lock", "-H", d).exit(), "the candidate can be locked again");
    }

    /**
     * A device that accepts the SSH login and the netconf subsystem but never answers the hello
     * (the subsystem swallows what it is sent): `timeout` after -t, while the devices beside it
     * finish in their own time, not the stalled one's.
     */
    @Test void aStalledDeviceTimesOutAndTheFleetStillFinishes() throws Exception {
        String stalled = "127.31.0.4:" + Proc.freePort();
        Sshd sshd = Sshd.fleet(null, List.of(stalled), "Subsystem netconf cat >/dev/null");
        try {
            Path kh = Files.writeString(tmp.resolve("stalled_known_hosts"), Files.readString(knownHosts)
                    + "[" + stalled.replace(":", "]:") + " " + Sshd.hostPublicKey() + "\n");
            long t0 = System.nanoTime();
            var r = ScriptRun.run(netconf::main, "get-config", "-t", "3s", "-o", "json", "-H", dev(0) + "," + stalled + "," + dev(3),
                    "-F", "none", "--known-hosts", kh.toString(), "-i", key.toString(), "-l", "root");
            long wall = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(1, r.exit(), r.toString());
            JsonNode row = r.rows().get(stalled);
            assertEquals("timeout", row.get("status").asText(), r.toString());
            assertEquals("hello: no reply within 3.0s", row.get("error").asText(), r.toString());
            for (String ok : List.of(dev(0), dev(3))) {
                assertEquals("ok", r.rows().get(ok).get("status").asText(), r.toString());
                assertTrue(r.rows().get(ok).get("elapsed_ms").asLong() < 3000, "did not wait for the stalled device: " + r.rows().get(ok));
            }
            assertTrue(r.out().contains("\"line\" : \"netconf: 3 devices, 2 ok, 1 failed (1 timeout)"), r.out());
            assertTrue(wall < 15_000, "the run ends soon after the reply timeout: " + wall + " ms");
        } finally {
            List<ProcessHandle> sessions = sshd.sessions();
            sshd.close();
            sessions.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * Devices only a bastion reaches (FanoutJumpTest's namespaces: client, bastion, devices): direct
     * is unreachable; with -J through the bastion's sshd every device answers, and the row says via whom.
     */
    @Test void devicesBehindAJumpHost() throws Exception {
        Netns.require();
        try (FanoutJumpTest.Lab lab = FanoutJumpTest.Lab.start(1)) {
            Netconfd behind = lab.keep(Netconfd.start(lab.inner.name, Files.createDirectories(tmp.resolve("behind")), "10.202.1.2", 2, List.of()));
            List<String> names = new ArrayList<>(List.of(FanoutJumpTest.BASTION));
            for (String d : behind.devices) names.add("[" + d.replace(":", "]:"));
            Path kh = Sshd.knownHosts(tmp.resolve("jump_known_hosts"), names);
            List<String> cmd = new ArrayList<>(Proc.javaCommand("netconf"));
            cmd.addAll(List.of("get-config", "-o", "json", "--connect-timeout", "5s", "-F", "none", "--known-hosts", kh.toString(),
                    "-i", key.toString(), "-l", "root", "-H", String.join(",", behind.devices)));
            var direct = Proc.run(lab.client.exec(cmd), Duration.ofMinutes(2));
            assertEquals(1, direct.exit(), direct.toString());
            for (String d : behind.devices) assertEquals("unreachable", direct.rows().get(d).get("status").asText(), "reached without the bastion: " + direct);
            cmd.addAll(List.of("-J", FanoutJumpTest.BASTION));
            var r = Proc.run(lab.client.exec(cmd), Duration.ofMinutes(2));
            assertEquals(0, r.exit(), r.toString());
            for (String d : behind.devices) {
                JsonNode row = r.rows().get(d);
                assertEquals(FanoutJumpTest.BASTION, row.get("ssh").get("via").asText(), r.out());
                assertEquals("ok", row.get("status").asText(), r.out());
                assertTrue(row.has("data"), r.out());
            }
            assertEquals(1, FanoutJumpTest.loginsSettled(lab.bastion, 1), "one bastion login for both devices: " + lab.bastion.log());
        }
    }

    // ---- the views, kept as goldens (on the base:1.0 device, which no other test changes) -------

    @Test void viewsMatchTheirGoldens() throws Exception {
        String d = old.devices.get(0), port = d.split(":")[1];
        Path change = file("golden.xml", ETH0.replace("DESCRIPTION", "golden"));
        Path filter = file("golden-filter.xml", INTERFACES_FILTER);
        golden(netconf("edit-config", "--config", change.toString(), "--diff", "--validate", "-H", d), port).check("netconf.edit-diff");
        golden(netconf("edit-config", "--config", change.toString(), "--diff", "-o", "md", "-H", d), port).check("netconf.edit-diff.md");
        golden(netconf("get-config", "-H", d), port).check("netconf.get-config");
        golden(netconf("get-config", "--filter", filter.toString(), "--data", "json", "-o", "md", "-H", d), port).check("netconf.get-config.md");
        golden(netconf("caps", "-b", "-o", "md", "-H", d), port).check("netconf.caps-gathered.md");
        golden(netconf("lock", "-H", d + ",127.31.0.9:" + port), port).check("netconf.lock");
    }

    static Golden golden(ScriptRun.Result r, String port) {
        return Golden.of(r).literal(port, "<port>").literal(tmp.toString(), "<tmp>").times();   // ephemeral ports: always 5 digits
    }

    // ---- the SSH failures: the same statuses as fanout ------------------------------------------

    @Test void sshFailuresHaveFanoutsStatuses() throws Exception {
        Path otherKey = Sshd.newHostKey("ed25519");
        Path wrongKey = tmp.resolve("wrong_id");
        Proc.sh("ssh-keygen -q -t ed25519 -N '' -f " + wrongKey);
        Path empty = Files.writeString(tmp.resolve("empty_known_hosts"), "");
        Path mismatch = Files.writeString(tmp.resolve("mismatch_known_hosts"),
                "[" + dev(0).replace(":", "]:") + " " + Files.readString(Path.of(otherKey + ".pub")).trim() + "\n");
        String dead = "127.31.0.9:" + dev(0).split(":")[1];
        Map<String, List<String>> cases = Map.of(
                "auth-failed", List.of("--known-hosts", knownHosts.toString(), "-i", wrongKey.toString()),
                "hostkey-unknown", List.of("--known-hosts", empty.toString(), "-i", key.toString()),
                "hostkey-mismatch", List.of("--known-hosts", mismatch.toString(), "-i", key.toString()));
        for (var c : cases.entrySet()) {
            List<String> args = new ArrayList<>(List.of("-F", "none", "-l", "root", "--format", "json", "-H", dev(0)));
            args.addAll(c.getValue());
            var ours = ScriptRun.run(netconf::main, concat(List.of("caps"), args));
            var fanouts = ScriptRun.run(fanout::main, concat(args, List.of("--", "true")));
            assertEquals(1, ours.exit(), ours.toString());
            assertEquals(c.getKey(), ours.rows().get(dev(0)).get("status").asText(), ours.toString());
            assertEquals(fanouts.rows().get(dev(0)).get("status").asText(), ours.rows().get(dev(0)).get("status").asText(), fanouts.toString());
        }
        var down = netconf("get-config", "-o", "json", "-H", dead);
        assertEquals("refused", down.rows().get(dead).get("status").asText(), down.toString());
        assertTrue(down.out().contains("\"line\" : \"netconf: 1 device, 0 ok, 1 failed (1 refused)"), down.out());
    }

    static String[] concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all.toArray(String[]::new);
    }

    /** A device whose only cipher in common is chacha20-poly1305 (here: ssh_config's Ciphers): BouncyCastle is loaded for it, and it works. */
    @Test void aChachaOnlyDeviceIsStillReached() throws Exception {
        Path cfg = file("chacha_config", "Host *\n  Ciphers chacha20-poly1305@openssh.com\n");
        var r = ScriptRun.run(netconf::main, "caps", "-o", "json", "-H", dev(0), "-F", cfg.toString(), "--known-hosts", knownHosts.toString(),
                "-i", key.toString(), "-l", "root");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("chacha20-poly1305@openssh.com", r.rows().get(dev(0)).get("ssh").get("cipher").asText(), r.toString());
        var gcm = netconf("caps", "-o", "json", "-H", dev(0));
        assertEquals("aes128-gcm@openssh.com", gcm.rows().get(dev(0)).get("ssh").get("cipher").asText(), "OpenSSH's default Ciphers, AES-GCM first: " + gcm);
    }

    // ---- bad input: exit 2 before any device is contacted --------------------------------------

    @Test void badInputIsRefusedBeforeAnyDeviceIsContacted() throws Exception {
        long logins = devices.sshd().logins();
        Path broken = file("broken.xml", "<config xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">\n  <interfaces>\n    <interface></interfce>\n");
        var r = netconf("edit-config", "--config", broken.toString(), "-H", dev(0));
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().startsWith("netconf: " + broken + ":3:"), r.err());
        assertTrue(r.err().contains("--config: malformed XML"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        Path filter = file("broken-filter.xml", "<interfaces xmlns=\"urn:ietf:params:xml:ns:yang:ietf-interfaces\">\n<a>&nope;</a></interfaces>\n");
        var f = netconf("get-config", "--filter", filter.toString(), "-H", dev(0));
        assertEquals(2, f.exit(), f.toString());
        assertTrue(f.err().startsWith("netconf: " + filter + ":2:"), f.err());
        Path entity = file("xxe.xml", "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n<x>&e;</x>\n");
        var x = netconf("get", "--filter", entity.toString(), "-H", dev(0));
        assertEquals(2, x.exit(), "a DOCTYPE (external entities) is refused: " + x);
        var ds = netconf("get-config", "--source", "candidat", "-H", dev(0));
        assertEquals(2, ds.exit(), ds.toString());
        assertTrue(ds.err().contains("--source candidat: unknown datastore"), ds.err());
        assertEquals(2, netconf("frobnicate", "-H", dev(0)).exit());
        assertEquals(logins, devices.sshd().logins(), "no device was contacted");
    }
}
