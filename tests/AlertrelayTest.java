import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * alertrelay against the real Prometheus and Alertmanager from Debian, started here on 127.26.0.1:
 * Prometheus scrapes our exporter (scripts/exporter.java, its own JVM flags, on a loopback port),
 * whose textfile collector serves two series this test writes; a rule on one of them fires,
 * Alertmanager posts its webhook to alertrelay, and alertrelay delivers to local robots
 * (support/Robots.java) that check each chat's documented payload and signature. The real chat
 * robots are not reachable from here. Intervals are 1s (scrape, evaluation, group_wait/interval).
 */
class AlertrelayTest {
    static final String HOST = "127.26.0.1";
    static final String EVIL = "<!channel> @all <at user_id=\\\"all\\\"></at> [x](https://evil.example)";
    @TempDir Path tmp;

    // ---- config errors: one line, file:line:col, exit 2, nothing served ----

    @Test void badConfigIsOneLineNamingFileLineAndColumn() throws IOException {
        Path cfg = tmp.resolve("relay.yaml");
        Files.writeString(cfg, "queue: " + tmp.resolve("q") + "\nreceivers:\n  - name: a\n    kind: slak\n    url_env: AR_URL\nroutes:\n  - receivers: [a]\n");
        var r = ScriptRun.run(alertrelay::main, "--check", cfg.toString());
        assertEquals(2, r.exit(), r.toString());
        assertEquals("alertrelay: " + cfg + ":4:5: receivers[0].kind: 'slak' (expected one of slack, mattermost, dingtalk, wecom, feishu, json)\n", r.err());

        Files.writeString(cfg, "queue: " + tmp.resolve("q") + "\nreceivers:\n  - {name: a, kind: slack, url_env: AR_NO_SUCH_VAR}\nroutes:\n  - receivers: [a]\n");
        r = ScriptRun.run(alertrelay::main, "--check", cfg.toString());
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().startsWith("alertrelay: " + cfg + ":3:"), r.err());
        assertTrue(r.err().contains("receivers[0].url_env: environment variable AR_NO_SUCH_VAR is not set"), r.err());

        Path url = tmp.resolve("url");
        Files.writeString(url, "https://hooks.example/services/T0/B0/secret-token\n");
        Files.writeString(cfg, "queue: " + tmp.resolve("q") + "\nreceivers:\n  - {name: a, kind: slack, url_file: " + url + "}\nroutes:\n"
                + "  - receivers: [a]\n    match: ['severity=~\"(page\"']\n");
        r = ScriptRun.run(alertrelay::main, "--check", cfg.toString());
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().matches("alertrelay: \\Q" + cfg + "\\E:6:\\d+: routes\\[0\\]\\.match\\[0\\]: 'severity=~\"\\(page\"': bad regex: .*\n"), r.err());

        Files.writeString(cfg, "queue: " + tmp.resolve("q") + "\nreceivers:\n  - {name: a, kind: slack, url_file: " + url + "}\nroutes:\n  - receivers: [b]\n");
        r = ScriptRun.run(alertrelay::main, "--check", cfg.toString());
        assertEquals("alertrelay: " + cfg + ":5:17: routes[0].receivers[0]: no receiver named 'b' (receivers: a)\n", r.err());

        Files.writeString(cfg, "queue: " + tmp.resolve("q") + "\nreceivers:\n  - {name: a, kind: slack, url_file: " + url + "}\nroutes:\n  - receivers: [a]\n");
        r = ScriptRun.run(alertrelay::main, "--check", cfg.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("a: slack -> https://hooks.example, rate 1/1.0s"), r.out());
        assertFalse((r.out() + r.err()).contains("secret-token"), "the URL's token is never shown");
    }

    // ---- the queue's journal: restarts, delivered groups, the first layout's files ----

    @Test void theJournalKeepsWhatIsNotDeliveredAcrossRestartsAndTakesOverTheOldFiles() throws Exception {
        Path dir = tmp.resolve("q");
        Files.createDirectories(dir.resolve("dt"));
        Files.writeString(dir.resolve("dt/0000000000000007.json"), webhook("Old", 1, 1));
        Files.writeString(dir.resolve("dt/0000000000000008.json.tmp"), "{\"half");          // a write that never got its 200
        relay.Queue q = new relay.Queue(dir);
        assertEquals(1, q.pending("dt").size(), "the old layout's group is taken over");
        assertEquals("Old", q.pending("dt").get(0).group().alerts().get(0).label("alertname"));
        try (var s = Files.list(dir.resolve("dt"))) { assertEquals(List.of(), s.toList(), "old files removed once journaled"); }
        var n = relay.Notification.parse(webhook("New", 2, 1).getBytes(StandardCharsets.UTF_8));
        var added = q.append(List.of("dt", "ops"), List.of(n, n));
        assertEquals(3, q.depth("dt") + q.depth("ops"));

        relay.Queue again = new relay.Queue(dir);                                        // a restart (or kill -9: everything was fsynced)
        assertEquals(List.of("Old", "New"), again.pending("dt").stream().map(e -> e.group().alerts().get(0).label("alertname")).toList());
        assertEquals(1, again.pending("ops").size());
        for (var e : again.pending("dt")) again.done(e);
        again.done(again.pending("ops").get(0));
        assertEquals(0, again.depth("dt") + again.depth("ops"));
        relay.Queue third = new relay.Queue(dir);
        assertEquals(0, third.pending("dt").size() + third.pending("ops").size(), "delivered groups are not sent again");
        try (var s = Files.list(dir)) {
            assertEquals(1, s.filter(p -> p.getFileName().toString().startsWith("journal-")).count(), "journals with nothing left are deleted");
        }
    }

    @Test void aWebhookIsJournaledOnceAndEachReceiversShareIsRederivedOnReplay() throws Exception {
        Path dir = tmp.resolve("raw");
        relay.Queue q = new relay.Queue(dir);
        String pretty = webhook("Raw", 0, 3).replace(",", ",\r\n  ");                  // Alertmanager's JSON with CR LF between tokens
        byte[] body = pretty.getBytes(StandardCharsets.UTF_8);
        var n = relay.Notification.parse(body);
        var entries = q.appendWebhook(body, n, List.of("dt", "ops"), List.of(new int[] {0, 2}, new int[] {1}));
        assertEquals(List.of(2, 1), entries.stream().map(e -> e.group().alerts().size()).toList());
        try (var s = Files.list(dir)) {
            Path j = s.filter(p -> p.getFileName().toString().startsWith("journal-")).findFirst().orElseThrow();
            String text = Files.readString(j).replace("\0", "");
            assertEquals(1, text.lines().filter(l -> l.startsWith("W ")).count(), "the body once: " + text);
            assertTrue(text.lines().noneMatch(l -> l.startsWith("A ") && l.contains("{")), "no re-serialised group: " + text);
            try (var ch = java.nio.channels.FileChannel.open(j, java.nio.file.StandardOpenOption.WRITE)) {     // a torn line after them: never acknowledged
                ch.write(java.nio.ByteBuffer.wrap("W 99 {\"alerts\":[]}\nA dt 100 ^99 0".getBytes(StandardCharsets.UTF_8)), text.length());
            }
        }
        relay.Queue again = new relay.Queue(dir);
        assertEquals(2, again.pending("dt").size() + again.pending("ops").size(), "the torn A line is not queued");
        var dt = again.pending("dt").get(0).group();
        assertEquals(List.of("0", "2"), dt.alerts().stream().map(a -> a.label("id")).toList());
        assertEquals("Raw", dt.groupLabels().get("alertname"));
        assertEquals(List.of("1"), again.pending("ops").get(0).group().alerts().stream().map(a -> a.label("id")).toList());
        again.done(again.pending("dt").get(0));
        relay.Queue third = new relay.Queue(dir);
        assertEquals(0, third.pending("dt").size());
        assertEquals(1, third.pending("ops").size());
        var more = third.append(List.of("dt"), List.of(n));                               // the earlier A line form is still read
        assertTrue(more.get(0).seq() > 99, "sequence numbers go on after the W lines': " + more.get(0).seq());
        long s = more.get(0).seq();
        // The D line of the delivered dt group was in the second journal, which the third opening deleted (it had
        // nothing left) while the first journal (ops' group) stays: a fourth opening must not queue dt's group again.
        relay.Queue fourth = new relay.Queue(dir);
        assertEquals(List.of(s), fourth.pending("dt").stream().map(relay.Queue.Entry::seq).toList(), "a delivered group is not queued again");
        assertEquals(List.of(3), fourth.pending("dt").stream().map(e -> e.group().alerts().size()).toList());
        assertEquals(1, fourth.pending("ops").size());
    }

    /**
     * A journal emptied while an older one is kept (one receiver's group still waits there) may hold the D
     * lines of that older journal's delivered groups: they are written forward before it is deleted.
     */
    @Test void deletingAnEmptiedJournalKeepsTheDeliveriesItRecordedForOlderOnes() throws Exception {
        Path dir = tmp.resolve("carry");
        relay.Queue q = new relay.Queue(dir);
        var small = relay.Notification.parse(webhook("Small", 0, 1).getBytes(StandardCharsets.UTF_8));
        var big = relay.Notification.parse(webhook("Big", 0, 250).getBytes(StandardCharsets.UTF_8));   // ~55 KB a line
        q.append(List.of("ops"), List.of(small));                                           // waits in the first journal throughout
        var first = q.append(List.of("dt"), List.of(small)).get(0);
        List<relay.Queue.Entry> dt = new java.util.ArrayList<>();
        while (dt.isEmpty() || dt.get(dt.size() - 1).journal() == first.journal()) dt.addAll(q.append(List.of("dt"), List.of(big)));
        long second = dt.get(dt.size() - 1).journal();
        q.done(first);                                                                      // its D line goes into the second journal
        while (dt.get(dt.size() - 1).journal() == second) dt.addAll(q.append(List.of("dt"), List.of(big)));
        for (var e : dt) if (e.journal() <= second) q.done(e);                              // the second journal empties and is deleted
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().equals(String.format("journal-%016d.log", second))), "the emptied journal is gone");
        }
        q.close();
        relay.Queue again = new relay.Queue(dir);
        List<Long> left = again.pending("dt").stream().map(relay.Queue.Entry::seq).toList();
        assertEquals(dt.stream().filter(e -> e.journal() > second).map(relay.Queue.Entry::seq).toList(), left, "only the groups not delivered, not the first one again");
        assertEquals(1, again.pending("ops").size());
    }

    @Test void theJournalRollsOverToFilesMadeAheadAndLosesNothing() throws Exception {
        Path dir = tmp.resolve("roll");
        relay.Queue q = new relay.Queue(dir);
        var n = relay.Notification.parse(webhook("Big", 0, 250).getBytes(StandardCharsets.UTF_8));     // ~55 KB a line
        List<relay.Queue.Entry> all = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);                 // group commit across a roll
        List<java.util.concurrent.Future<?>> fs = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) fs.add(pool.submit(() -> { for (int i = 0; i < 45; i++) all.addAll(q.append(List.of("dt"), List.of(n))); return null; }));
        for (var f : fs) f.get();
        pool.shutdown();
        try (var s = Files.list(dir)) {
            assertTrue(s.filter(p -> p.getFileName().toString().startsWith("journal-")).count() >= 3, "10 MB of lines rolled over at least twice");
        }
        for (int i = 0; i < all.size(); i += 2) q.done(all.get(i));                        // every other one delivered
        q.close();                                                                       // and a next journal being made ahead is finished
        relay.Queue again = new relay.Queue(dir);
        assertEquals(90, again.pending("dt").size(), "every group not delivered is there after a restart, none twice");
        assertEquals(90, again.pending("dt").stream().map(relay.Queue.Entry::seq).distinct().count());
        for (var e : again.pending("dt")) again.done(e);
        relay.Queue third = new relay.Queue(dir);
        assertEquals(0, third.pending("dt").size());
        try (var s = Files.list(dir)) {
            assertEquals(1, s.filter(p -> p.getFileName().toString().startsWith("journal-")).count(), "spares and emptied journals are deleted");
        }
    }

    // ---- Prometheus -> Alertmanager -> alertrelay -> every robot ----

    @Test void aFiringRuleReachesEveryRobotInItsOwnPayloadSignedAndEscaped() throws Exception {
        Prereq.requireExecutable("/usr/bin/prometheus", "prometheus");
        Prereq.requireExecutable("/usr/bin/prometheus-alertmanager", "prometheus-alertmanager");
        Map<String, Robots.Robot> robots = new HashMap<>();
        List<Process> procs = new ArrayList<>();
        try {
            for (String k : List.of("slack", "mattermost", "dingtalk", "wecom", "feishu", "json", "never")) {
                robots.put(k, Robots.start(k.equals("never") ? "slack" : k, HOST, 0, "s3cr3t-" + k));
            }
            robots.get("wecom").firstAnswers.add(429);             // WeCom says "slow down" once: retried after Retry-After
            robots.get("slack").firstAnswers.add(503);             // Slack has a bad moment once: retried with backoff

            Path textfiles = Files.createDirectories(tmp.resolve("textfiles"));
            Files.writeString(textfiles.resolve("ar.prom"), "# HELP ar_test_up Written by AlertrelayTest.\n# TYPE ar_test_up gauge\n"
                    + "ar_test_up{team=\"db\",note=\"" + EVIL + "\"} 1\nar_test_up{team=\"web\",note=\"fine\"} 0\n");
            int exporterPort = freePort();
            List<String> exporterCmd = new ArrayList<>(Proc.javaCommand("exporter", ExporterTest.scriptFlags().toArray(String[]::new)));
            exporterCmd.addAll(List.of("--listen", HOST + ":" + exporterPort, "--textfile-dir", textfiles.toString()));
            procs.add(start(tmp.resolve("exporter.log"), exporterCmd.toArray(String[]::new)));

            int relayPort = freePort(), amPort = freePort(), promPort = freePort();
            Path cfg = relayConfig(robots, relayPort, tmp.resolve("queue"));
            Process relay = startRelay(cfg, robots, tmp.resolve("relay.log"));
            procs.add(relay);

            Path am = tmp.resolve("am.yml");
            Files.writeString(am, "route:\n  receiver: relay\n  group_by: [alertname]\n  group_wait: 1s\n  group_interval: 1s\n  repeat_interval: 1h\n"
                    + "receivers:\n  - name: relay\n    webhook_configs:\n      - url: http://" + HOST + ":" + relayPort + "/alerts\n");
            procs.add(start(tmp.resolve("am.log"), "/usr/bin/prometheus-alertmanager", "--config.file=" + am, "--storage.path=" + tmp.resolve("am-data"),
                    "--web.listen-address=" + HOST + ":" + amPort, "--cluster.listen-address=", "--log.level=warn"));
            Files.writeString(tmp.resolve("rules.yml"), "groups:\n  - name: ar\n    rules:\n      - alert: ArDbDown\n        expr: ar_test_up > 0\n"
                    + "        labels: {severity: page}\n        annotations:\n          summary: 'db is down ({{ $labels.note }})'\n"
                    + "          description: '{{ $labels.note }} says the database is gone'\n");
            Path prom = tmp.resolve("prometheus.yml");
            Files.writeString(prom, "global: {scrape_interval: 1s, evaluation_interval: 1s}\nrule_files: [" + tmp.resolve("rules.yml") + "]\n"
                    + "alerting:\n  alertmanagers:\n    - static_configs: [{targets: ['" + HOST + ":" + amPort + "']}]\n"
                    + "scrape_configs:\n  - job_name: node\n    static_configs: [{targets: ['" + HOST + ":" + exporterPort + "']}]\n");
            procs.add(start(tmp.resolve("prom.log"), "/usr/bin/prometheus", "--config.file=" + prom, "--storage.tsdb.path=" + tmp.resolve("prom-data"),
                    "--web.listen-address=" + HOST + ":" + promPort, "--log.level=warn", "--rules.alert.resend-delay=1s"));

            List<String> chats = List.of("slack", "mattermost", "dingtalk", "wecom", "feishu", "json");
            await(Duration.ofSeconds(40), () -> chats.stream().allMatch(k -> !robots.get(k).posts().isEmpty()),
                    () -> "robots that got nothing: " + chats.stream().filter(k -> robots.get(k).posts().isEmpty()).toList()
                            + "\nrelay log:\n" + read(tmp.resolve("relay.log")) + "\nalertmanager log:\n" + read(tmp.resolve("am.log"))
                            + "\nprometheus log:\n" + read(tmp.resolve("prom.log")));

            for (var e : robots.entrySet()) assertEquals(List.of(), e.getValue().problems(), e.getKey() + " saw bad posts");
            assertEquals(0, robots.get("never").requests.get(), "the route for severity=info matched nothing");
            assertTrue(robots.get("wecom").requests.get() >= 2 && robots.get("slack").requests.get() >= 2, "429 and 503 were retried");
            for (String k : chats) {
                if (k.equals("json")) continue;      // a program, not a chat: it gets the labels as they are (checked below)
                String text = robots.get(k).texts();
                // a CommonMark code span shows its content literally: Mattermost parses no markup in it
                if (k.equals("mattermost")) text = text.replaceAll("`[^`\n]*`", "`code`");
                assertTrue(text.contains("ArDbDown"), k + ": " + text);
                assertFalse(text.contains("<!channel>"), k + " got a live <!channel>: " + text);
                assertFalse(Pattern.compile("(?<![\\u200B\\\\])@all\\b").matcher(text.replace("\"{{", "")).find(), k + " got a live @all: " + text);
                assertFalse(text.contains("<at user_id"), k + " got a live Feishu mention: " + text);
            }
            assertTrue(robots.get("slack").texts().contains("&lt;!channel&gt; @\u200Ball"), robots.get("slack").texts());
            assertTrue(robots.get("slack").texts().contains("*[FIRING:1] ArDbDown*"), robots.get("slack").texts());
            assertTrue(robots.get("dingtalk").posts().get(0).path("markdown").path("title").asText().startsWith("[FIRING:1] ArDbDown"));
            assertTrue(robots.get("feishu").posts().get(0).path("card").path("header").path("title").path("content").asText().startsWith("[FIRING:1] ArDbDown"));
            JsonNode json = robots.get("json").posts().get(0);
            assertEquals("ar-test", json.path("source").asText());
            assertEquals("ArDbDown", json.path("alerts").path(0).path("labels").path("alertname").asText(), json.toString());
            assertEquals("db", json.path("alerts").path(0).path("labels").path("team").asText(), "only the firing series: " + json);
            assertEquals(1, json.path("alerts").size(), json.toString());
            assertEquals(HOST + ":" + exporterPort, json.path("alerts").path(0).path("labels").path("instance").asText(), "scraped from our exporter: " + json);
            assertEquals("node", json.path("alerts").path(0).path("labels").path("job").asText(), json.toString());
            assertTrue(json.path("alerts").path(0).path("labels").path("note").asText().startsWith("<!channel> @all"), "json gets labels unchanged: " + json);

            String metrics = get("http://" + HOST + ":" + relayPort + "/metrics");
            assertTrue(metrics.contains("alertrelay_alerts_delivered_total{receiver=\"wecom\"} "), metrics);
            assertTrue(metrics.contains("alertrelay_post_retries_total{receiver=\"wecom\"} "), metrics);
            assertFalse(read(tmp.resolve("relay.log")).contains("tok-"), "no robot token in the log");
            assertFalse(read(tmp.resolve("relay.log")).contains("s3cr3t"), "no secret in the log");
        } finally {
            procs.forEach(Proc::kill);
            robots.values().forEach(Robots.Robot::close);
        }
    }

    // ---- a chat down while alerts arrive, kill -9, restart: everything delivered ----

    @Test void aDownChatAndAKill9LoseNoAcceptedAlert() throws Exception {
        int chatPort = freePort();
        Robots.Robot placeholder = Robots.start("dingtalk", HOST, chatPort, "s3cr3t-dt");     // only for its URL; closed at once: the chat is down
        String url = placeholder.url();
        placeholder.close();
        Map<String, Robots.Robot> robots = new HashMap<>();
        List<Process> procs = new ArrayList<>();
        Robots.Robot chat = null;
        try {
            int relayPort = freePort();
            Path queue = tmp.resolve("queue");
            Path cfg = tmp.resolve("relay.yaml");
            Files.writeString(tmp.resolve("dt.url"), url + "\n");
            Files.writeString(tmp.resolve("dt.secret"), "s3cr3t-dt\n");
            Files.writeString(cfg, "listen: " + HOST + ":" + relayPort + "\nqueue: " + queue + "\nreceivers:\n"
                    + "  - {name: dt, kind: dingtalk, url_file: " + tmp.resolve("dt.url") + ", secret_file: " + tmp.resolve("dt.secret") + ", rate: 20/1m}\n"
                    + "routes:\n  - receivers: [dt]\n");
            Process relay = startRelay(cfg, robots, tmp.resolve("relay1.log"));
            procs.add(relay);
            HttpClient http = HttpClient.newHttpClient();
            for (int g = 0; g < 20; g++) {
                var r = http.send(HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + relayPort + "/alerts"))
                        .POST(HttpRequest.BodyPublishers.ofString(webhook("Group" + g, g * 5, 5))).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());            // accepted (queued) although the chat is down
            }
            Proc.kill(relay);                                              // SIGKILL: no shutdown hook, nothing flushed after the 200s
            procs.remove(relay);
            chat = Robots.start("dingtalk", HOST, chatPort, "s3cr3t-dt");  // the chat is back
            procs.add(startRelay(cfg, robots, tmp.resolve("relay2.log")));
            Robots.Robot c = chat;
            await(Duration.ofSeconds(20), () -> ids(c.texts()).size() == 100,
                    () -> "delivered " + ids(c.texts()).size() + " of 100\nrelay log before kill:\n" + read(tmp.resolve("relay1.log")) + "\nafter:\n" + read(tmp.resolve("relay2.log")));
            assertEquals(List.of(), chat.problems());
            assertTrue(chat.posts().size() <= 3, "the 20 queued groups go out batched (DingTalk allows 20 posts a minute), not as 20 posts: " + chat.posts().size());
            assertTrue(read(tmp.resolve("relay2.log")).contains("20 group(s) from before"), read(tmp.resolve("relay2.log")));
            String health = "http://" + HOST + ":" + relayPort + "/healthz";
            await(Duration.ofSeconds(5), () -> {
                try { return get(health).contains("dt: 0 group(s) queued"); } catch (Exception e) { return false; }
            }, () -> "queue not emptied");
            try (var s = Files.list(queue)) {
                assertTrue(s.filter(p -> p.getFileName().toString().startsWith("journal-")).count() <= 1, "delivered journals are deleted");
            }
        } finally {
            procs.forEach(Proc::kill);
            if (chat != null) chat.close();
        }
    }

    // ---- helpers ----

    /** "id=17" in each delivered alert's labels: the set of alerts a chat has shown. */
    static TreeSet<Integer> ids(String text) {
        TreeSet<Integer> s = new TreeSet<>();
        var m = Pattern.compile("id=(?:\\\\)?\"(\\d+)(?:\\\\)?\"").matcher(text);
        while (m.find()) s.add(Integer.parseInt(m.group(1)));
        return s;
    }

    /** An Alertmanager v4 webhook body with {@code n} firing alerts, ids {@code from}..from+n-1. */
    static String webhook(String name, int from, int n) {
        StringBuilder alerts = new StringBuilder();
        for (int i = from; i < from + n; i++) {
            if (i > from) alerts.append(',');
            alerts.append("{\"status\":\"firing\",\"labels\":{\"alertname\":\"").append(name).append("\",\"id\":\"").append(i)
                    .append("\",\"instance\":\"web").append(i).append(":9100\"},\"annotations\":{\"summary\":\"disk full on web").append(i)
                    .append("\"},\"startsAt\":\"2026-12-02T18:00:00Z\",\"endsAt\":\"0001-01-01T00:00:00Z\",\"generatorURL\":\"http://prom.example:9090/graph\",\"fingerprint\":\"f")
                    .append(i).append("\"}");
        }
        return "{\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"" + name + "\\\"}\",\"truncatedAlerts\":0,\"status\":\"firing\",\"receiver\":\"relay\","
                + "\"groupLabels\":{\"alertname\":\"" + name + "\"},\"commonLabels\":{\"alertname\":\"" + name + "\"},\"commonAnnotations\":{},"
                + "\"externalURL\":\"http://am.example:9093\",\"alerts\":[" + alerts + "]}";
    }

    Path relayConfig(Map<String, Robots.Robot> robots, int port, Path queue) throws IOException {
        StringBuilder sb = new StringBuilder("listen: " + HOST + ":" + port + "\nqueue: " + queue + "\nreceivers:\n");
        for (String k : List.of("slack", "mattermost", "dingtalk", "wecom", "feishu", "json", "never")) {
            String kind = k.equals("never") ? "slack" : k;
            sb.append("  - name: ").append(k).append("\n    kind: ").append(kind).append("\n    url_env: AR_URL_").append(k.toUpperCase()).append('\n');
            if (k.equals("dingtalk") || k.equals("feishu")) {
                Path f = tmp.resolve(k + ".secret");
                Files.writeString(f, "s3cr3t-" + k + "\n");
                sb.append("    secret_file: ").append(f).append('\n');
            }
            if (k.equals("feishu")) sb.append("    format: card\n");
            if (k.equals("json")) sb.append("    template: {source: ar-test, title: '{{title}}', alerts: '{{alerts}}'}\n");
        }
        sb.append("routes:\n  - match: ['severity=\"info\"']\n    receivers: [never]\n"
                + "  - match: ['team=\"db\"', 'severity=~\"page|critical\"']\n    receivers: [dingtalk, wecom, feishu]\n    continue: true\n"
                + "  - receivers: [slack, mattermost, json]\n");
        Path cfg = tmp.resolve("relay.yaml");
        Files.writeString(cfg, sb.toString());
        return cfg;
    }

    Process startRelay(Path cfg, Map<String, Robots.Robot> robots, Path log) throws Exception {
        List<String> cmd = Proc.javaCommand("alertrelay");
        cmd.add(cfg.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(new File("/dev/null"));
        robots.forEach((k, r) -> pb.environment().put("AR_URL_" + k.toUpperCase(), r.url()));
        Process p = pb.start();
        String listen = Files.readString(cfg).lines().filter(l -> l.startsWith("listen: ")).findFirst().orElseThrow().substring(8);
        await(Duration.ofSeconds(15), () -> {
            if (!p.isAlive()) return true;
            try { return get("http://" + listen + "/healthz").startsWith("ok"); } catch (Exception e) { return false; }
        }, () -> "alertrelay did not start:\n" + read(log));
        if (!p.isAlive()) fail("alertrelay exited " + p.exitValue() + ":\n" + read(log));
        return p;
    }

    static Process start(Path log, String... cmd) throws IOException {
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(new File("/dev/null")).start();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) { return s.getLocalPort(); }
    }

    static String get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static String read(Path p) {
        try { return Files.readString(p); } catch (IOException e) { return "(no " + p + ")"; }
    }

    static void await(Duration max, BooleanSupplier ok, java.util.function.Supplier<String> why) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > end) fail("after " + max + ": " + why.get());
            Thread.sleep(100);
        }
    }
}
