import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each script as a user runs it: a real process through the repo's ./jbang launcher and the `ops`
 * catalog alias. JBANG_DIR is the checkout's .jbang-test/, so the launcher's one-time catalog
 * registration is exercised too and the user's ~/.jbang is left alone.
 */
class SmokeTest {
    static final Map<String, String> ENV = Map.of("JBANG_DIR", Proc.REPO.resolve(".jbang-test").toString());

    static ScriptRun.Result jbang(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("./jbang"));
        cmd.addAll(List.of(args));
        return Proc.run(cmd, Duration.ofMinutes(3), ENV, null);
    }

    static void assertQuiet(ScriptRun.Result r) {
        for (String noise : List.of("SLF4J", "WARNING", "native access", "Exception")) {
            assertFalse(r.err().contains(noise), "'" + noise + "' leaked to stderr:\n" + r.err());
        }
    }

    @Test void probeRunsTheExampleHostsFileThroughTheCatalog() {
        var r = jbang("probe@ops", "--format", "json", "--timeout", "1s", "examples/hosts.txt");
        assertTrue(r.exit() == 0 || r.exit() == 1, r.toString());
        assertEquals(5, r.json().get("results").size(), "one row per example target");
        assertQuiet(r);
    }

    @Test void aWarmAliasRunContactsNothingButTheTargets() {
        jbang("probe@ops", "-H", "127.0.0.1:1");          // warm: compiled and cached
        var r = jbang("--verbose", "probe@ops", "-H", "127.0.0.1:1");
        assertEquals(1, r.exit(), r.toString());
        assertFalse(r.err().contains("Requesting HTTP"), "JBang went online to resolve probe@ops:\n" + r.err());
    }

    @Test void probeBadInputThroughTheLauncherExitsTwo() {
        var r = jbang("probe@ops", "-H", "web01:99999");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("probe: -H: bad port '99999' (expected 1-65535): 'web01:99999'"), r.err());
    }

    @Test void fanoutRunsOnARealSshdThroughTheCatalog() throws Exception {
        String addr = "127.0.0.21:" + Proc.freePort();
        try (Sshd sshd = Sshd.fleet(null, List.of(addr))) {
            var r = jbang("fanout@ops", "-F", "none", "--no-host-key-check", "-i", Sshd.clientKey().toString(), "-l", "root",
                    "-b", "-H", addr + ",127.0.0.1:1", "--", "echo smoke");
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.out().contains(addr + " (1)\n---------------\nsmoke\n"), r.out());
            assertTrue(r.out().contains("fanout: 2 hosts, 1 ok, 1 failed (1 refused)"), r.out());
            String ours = r.err().lines().filter(l -> !l.startsWith("[jbang]")).collect(java.util.stream.Collectors.joining("\n"));
            assertEquals("warning: --no-host-key-check: host keys are not verified", ours, "nothing else on stderr (but JBang's first build)");
        }
    }

    @Test void sysinfoThroughTheCatalogIsQuiet() {
        var r = jbang("sysinfo@ops", "--section", "mem,fs,ports", "--format", "json");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.json().get("memory").get("total_bytes").asLong() > 0, r.out());
        String ours = r.err().lines().filter(l -> !l.startsWith("[jbang]")).collect(java.util.stream.Collectors.joining("\n"));
        assertEquals("", ours, "no JNA native-access or SLF4J warnings");
    }

    @Test void httpcheckThroughTheCatalog() {
        var r = jbang("httpcheck@ops", "--format", "json", "http://127.0.0.1:1/health");
        assertEquals(1, r.exit(), r.toString());
        assertEquals("refused", r.json().get("results").get(0).get("status").asText(), r.out());
        assertQuiet(r);
    }

    @Test void dnscheckThroughTheCatalog() {
        var r = jbang("dnscheck@ops", "--format", "json", "--server", "127.0.0.1:1", "--timeout", "500ms", "localhost.");
        assertEquals(1, r.exit(), r.toString());
        var row = r.json().get("results").get(0);
        assertEquals("unresolved", row.get("status").asText(), r.out());
        assertEquals("unreachable", row.get("stub").get("steps").get(0).get("result").asText(), r.out());
        assertQuiet(r);
    }

    @Test void inspectRunsTheExamplePlanThroughTheCatalog() throws Exception {
        var r = jbang("inspect@ops", "--format", "json", "examples/inspect.yaml");
        assertTrue(r.exit() == 0 || r.exit() == 1, r.toString());
        assertEquals(7, r.json().get("results").size(), "one row per check in the example plan");
        assertTrue(byName(r, "root filesystem").get("value").asText().matches("used [\\d.]+%, inodes [\\d.]+%"), r.out());
        String ours = r.err().lines().filter(l -> !l.startsWith("[jbang]")).collect(java.util.stream.Collectors.joining("\n"));
        assertEquals("", ours, "no JNA native-access or SLF4J warnings");

        java.nio.file.Path bad = java.nio.file.Files.createTempFile("plan", ".yaml");
        try {
            java.nio.file.Files.writeString(bad, "checks:\n  - kind: tcp\n    host: a\n    port: ssh\n");
            var b = jbang("inspect@ops", bad.toString());
            assertEquals(2, b.exit(), b.toString());
            assertTrue(b.err().contains("inspect: " + bad + ":4:11: checks[0].port: expected a whole number, got 'ssh'"), b.err());
        } finally {
            java.nio.file.Files.delete(bad);
        }
    }

    @Test void logshipShipsAFileThroughTheCatalog() throws Exception {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("smoke", ".log");
        try {
            java.nio.file.Files.writeString(f, "level=info msg=one\nlevel=warn msg=two\n");
            var r = jbang("logship@ops", "--once", "--path", f.toString(), "--parse", "logfmt");
            assertEquals(0, r.exit(), r.toString());
            var lines = r.out().lines().toList();
            assertEquals(2, lines.size(), r.out());
            assertTrue(lines.get(1).contains("\"fields\":{\"level\":\"warn\",\"msg\":\"two\"}"), r.out());
            String ours = r.err().lines().filter(l -> !l.startsWith("[jbang]")).collect(java.util.stream.Collectors.joining("\n"));
            assertTrue(ours.startsWith("logship: following 1 file for --path '" + f + "': " + f + "\nlogship: 2 lines read, 2 shipped in 1 batch,")
                    && ours.lines().count() == 2, "what it follows, then one stats line:\n" + ours);
        } finally {
            java.nio.file.Files.delete(f);
        }
    }

    /** exporter through the catalog with the script's own JVM flags: it serves, stops on SIGTERM with 0, and says nothing else. */
    @Test void exporterServesThroughTheCatalogAndStopsOnSigterm() throws Exception {
        int port = Proc.freePort();
        java.nio.file.Path err = java.nio.file.Files.createTempFile("smoke-exporter", ".err");
        try {
            var pb = new ProcessBuilder("./jbang", "exporter@ops", "--listen", "127.0.0.1:" + port).directory(Proc.REPO.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile());
            pb.environment().putAll(ENV);
            Process p = pb.start();
            try {
                var client = java.net.http.HttpClient.newHttpClient();
                var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build();
                String body = null;
                for (int i = 0; i < 600 && body == null; i++) {
                    try {
                        body = client.send(req, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                    } catch (java.io.IOException e) {
                        assertTrue(p.isAlive(), "exporter exited:\n" + java.nio.file.Files.readString(err));
                        Thread.sleep(200);
                    }
                }
                assertTrue(body != null && body.contains("node_load1 ") && body.contains("ops_exporter_collector_success"), String.valueOf(body));
                p.descendants().forEach(ProcessHandle::destroy);                 // SIGTERM to the JVM that ./jbang started
                p.destroy();
                assertTrue(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "exporter did not stop");
                String ours = java.nio.file.Files.readString(err).lines().filter(l -> !l.startsWith("[jbang]"))
                        .collect(java.util.stream.Collectors.joining("\n"));
                assertTrue(ours.matches("(?s)\\S+ exporter: serving http://127.0.0.1:" + port + "/metrics; .*\n\\S+ exporter: stopping: .*\n\\S+ exporter: stopped"),
                        "only the exporter's own lines:\n" + ours);
            } finally {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        } finally {
            java.nio.file.Files.delete(err);
        }
    }

    static com.fasterxml.jackson.databind.JsonNode byName(ScriptRun.Result r, String name) {
        for (var row : r.json().get("results")) if (row.get("name").asText().equals(name)) return row;
        throw new AssertionError("no row named " + name + ":\n" + r.out());
    }

    @Test void rolloutDryRunsTheExamplePlanThroughTheCatalog() {
        var r = jbang("rollout@ops", "examples/rollout.yaml", "-H", "web[01-08].dc1", "--dry-run");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("batch 4/4: 1 host, up to 1 may fail: web08.dc1"), r.out());
        assertQuiet(r);
        var bad = jbang("rollout@ops", "examples/hosts.txt", "-H", "web01");
        assertEquals(2, bad.exit(), bad.toString());
        assertTrue(bad.err().contains("rollout: examples/hosts.txt:"), "a hosts file is not a plan: " + bad.err());
    }

    @Test void theBenchmarksStillCompile() throws Exception {
        try (var files = java.nio.file.Files.list(Proc.REPO.resolve("tests/bench"))) {
            for (var f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                var r = jbang("build", Proc.REPO.relativize(f).toString());
                assertEquals(0, r.exit(), f + " does not build:\n" + r);
            }
        }
    }

    @Test void opsListsTheCollection() {
        var r = jbang("ops@ops");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("probe"), r.out());
        assertQuiet(r);
    }
}
