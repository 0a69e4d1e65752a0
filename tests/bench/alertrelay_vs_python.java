///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES ../support/Robots.java

/*
 * Benchmark: alertrelay vs the hand-written Python relay an operator would otherwise keep, on the
 * same burst and the same receivers, in one run.
 *
 *   ./jbang tests/bench/alertrelay_vs_python.java [--alerts 10000] [--per-request 100] [--senders 10] [--rounds 3]
 *
 * Two local robots stand in for the chats (support/Robots.java, the ones AlertrelayTest uses): a
 * Slack-like one and a DingTalk-like one that checks every post's documented payload and
 * recomputes its HMAC-SHA256 signature. Both relays route the same way: team="db" to DingTalk,
 * everything else to Slack (first match wins). Both run as daemons started once:
 *   ./jbang alertrelay@ops relay.yaml         the catalog's command and JVM flags; queue on this
 *                                             machine's disk (ext4 here), fsynced before each 200
 *   python3 relay.py                          ThreadingHTTPServer + urllib, written below: per
 *                                             webhook, one post per receiver with its share of the
 *                                             group, DingTalk signed, retries on 5xx/URLError with
 *                                             backoff, 200 only once forwarded (500 otherwise, so
 *                                             Alertmanager retries); no disk queue
 * Rate limits: the robots are local, so neither side is throttled: alertrelay's receivers get
 * rate: 100000/1s (never binding), the Python script has none. Same work on both sides: the same
 * alerts, routes, payload checks and signatures.
 * A round posts --alerts alerts in Alertmanager's webhook shape (version 4), --per-request per
 * POST, from --senders concurrent senders (Alertmanager notifies groups in parallel), and ends
 * when the robots hold every alert of the round: every alert id is checked, once per receiver it
 * routes to, and duplicates are counted. Each side first gets one untimed warm-up round (both are
 * long-running daemons); then rounds alternate python, alertrelay. Prints per side: throughput
 * (alerts/s from the first POST until the last alert reached its robot, median of rounds), p50/p99
 * accept latency (time for a webhook POST to return, over all rounds' POSTs), alertrelay's VmRSS
 * and VmHWM at the end, and the ratio. Goals: >= 5x Python's throughput, p99 accept < 50 ms,
 * RSS < 96 MB, every alert delivered. Exit 1 if an alert is missing.
 * Each round also says how many chat posts the robots got (Python posts each webhook's share as it
 * comes, 2 per webhook; alertrelay puts what is waiting into one post per robot, split under the
 * chat's size limit, so it posts fewer, larger messages: same alerts, same text per alert) and, from
 * alertrelay's /metrics, how many fsyncs its journal did for the round's webhooks (group commit).
 * At the end the receivers alone are measured (the posts Python would send, from the bench's own
 * senders), to show they are not the ceiling for either side.
 */

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class alertrelay_vs_python {
    static final String HOST = "127.0.0.1";
    static final String SECRET = "bench-dingtalk-secret";

    static final String PY = """
            # relay.py: Alertmanager webhook -> Slack / DingTalk, the way an operator writes it
            import base64, hashlib, hmac, json, os, sys, time, urllib.parse, urllib.request, urllib.error
            from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

            RECEIVERS = {
                'ops': {'kind': 'slack', 'url': os.environ['SLACK_URL']},
                'dba': {'kind': 'dingtalk', 'url': os.environ['DINGTALK_URL'], 'secret': os.environ['DINGTALK_SECRET']},
            }
            ROUTES = [({'team': 'db'}, 'dba'), ({}, 'ops')]          # first match wins

            def route(labels):
                for match, receiver in ROUTES:
                    if all(labels.get(k) == v for k, v in match.items()):
                        return receiver
                return None

            def render(group, alerts, bold):
                firing = sum(1 for a in alerts if a.get('status') != 'resolved')
                title = '[%s] %s' % ('FIRING:%d' % firing if firing else 'RESOLVED', group.get('groupLabels', {}).get('alertname', 'alerts'))
                lines = [bold(title)]
                for a in alerts:
                    labels = ' '.join('%s="%s"' % kv for kv in sorted(a['labels'].items()))
                    summary = a.get('annotations', {}).get('summary', a['labels'].get('alertname', ''))
                    lines.append('- %s %s `%s`' % (bold(a.get('status', 'firing').upper()), summary, labels))
                return title, lines

            def post(url, payload):
                data = json.dumps(payload).encode()
                delay = 1
                for attempt in range(6):
                    try:
                        req = urllib.request.Request(url, data=data, headers={'Content-Type': 'application/json'})
                        with urllib.request.urlopen(req, timeout=10) as r:
                            body = r.read()
                        return body
                    except urllib.error.HTTPError as e:
                        if e.code < 500 and e.code != 429:
                            raise
                    except urllib.error.URLError:
                        pass
                    time.sleep(delay)
                    delay = min(delay * 2, 30)
                raise RuntimeError('gave up on ' + urllib.parse.urlsplit(url).netloc)

            def forward(name, group, alerts):
                r = RECEIVERS[name]
                if r['kind'] == 'slack':
                    title, lines = render(group, alerts, lambda s: '*' + s + '*')
                    post(r['url'], {'text': '\\n'.join(lines)})
                else:
                    title, lines = render(group, alerts, lambda s: '**' + s + '**')
                    ts = str(int(time.time() * 1000))
                    mac = hmac.new(r['secret'].encode(), (ts + '\\n' + r['secret']).encode(), hashlib.sha256).digest()
                    url = r['url'] + '&timestamp=' + ts + '&sign=' + urllib.parse.quote_plus(base64.b64encode(mac))
                    body = post(url, {'msgtype': 'markdown', 'markdown': {'title': title, 'text': '\\n\\n'.join(lines)}, 'at': {'isAtAll': False}})
                    if json.loads(body).get('errcode', 0) != 0:
                        raise RuntimeError('dingtalk refused: %s' % body[:200])

            class Handler(BaseHTTPRequestHandler):
                protocol_version = 'HTTP/1.1'             # keep-alive, as Alertmanager's client uses

                def log_message(self, *args):
                    pass

                def do_POST(self):
                    try:
                        group = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
                        shares = {}
                        for a in group['alerts']:
                            name = route(a['labels'])
                            if name:
                                shares.setdefault(name, []).append(a)
                        for name, alerts in shares.items():
                            forward(name, group, alerts)
                        code, text = 200, b'ok\\n'
                    except Exception as e:
                        code, text = 500, (str(e) + '\\n').encode()
                    self.send_response(code)
                    self.send_header('Content-Length', str(len(text)))
                    self.end_headers()
                    self.wfile.write(text)

            ThreadingHTTPServer.daemon_threads = True
            ThreadingHTTPServer.request_queue_size = 64   # listen backlog as alertrelay's; the default 5 drops SYNs (1 s retransmits)
            ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), Handler).serve_forever()
            """;

    record Side(String name, Process process, URI url, Robots.Robot slack, Robots.Robot dingtalk) {}

    record Round(double seconds, double acceptedSeconds, List<Double> acceptMs, int missing, int duplicates, int posts, String journal, double cpuSeconds) {}

    public static void main(String... args) throws Exception {
        Map<String, String> opt = new HashMap<>(Map.of("--alerts", "10000", "--per-request", "100", "--senders", "10", "--rounds", "3"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!opt.containsKey(args[i])) { System.err.println("unknown option " + args[i]); System.exit(2); }
            opt.put(args[i], args[i + 1]);
        }
        int alerts = Integer.parseInt(opt.get("--alerts")), per = Integer.parseInt(opt.get("--per-request"));
        int senders = Integer.parseInt(opt.get("--senders")), rounds = Integer.parseInt(opt.get("--rounds"));
        Path dir = Files.createTempDirectory("ops-bench-alertrelay");
        List<Side> sides = new ArrayList<>();
        int exit = 0;
        try {
            sides.add(python(dir));
            sides.add(alertrelay(dir));
            System.out.printf("burst: %d alerts, %d per POST, %d concurrent senders; %d round(s) each after 1 warm-up; load %s%n",
                    alerts, per, senders, rounds, load());
            for (Side s : sides) round(s, "w", alerts, per, senders);
            System.out.println("warm-up: 1 untimed round of each");
            Map<String, List<Round>> results = new HashMap<>();
            for (int r = 0; r < rounds; r++) {
                for (Side s : sides) {
                    Round x = round(s, "r" + r, alerts, per, senders);
                    results.computeIfAbsent(s.name, k -> new ArrayList<>()).add(x);
                    System.out.printf("round %d %-10s %6.0f alerts/s (%.2f s; every POST answered after %.2f s), accept p99 %.1f ms, missing %d, duplicates %d; %d chat posts; %.2f CPU s%s%n",
                            r, s.name, alerts / x.seconds, x.seconds, x.acceptedSeconds, pct(x.acceptMs, 0.99), x.missing, x.duplicates, x.posts, x.cpuSeconds, x.journal);
                    if (x.missing > 0) exit = 1;
                }
            }
            long rss = statusKb(sides.get(1).process, "VmRSS:"), hwm = statusKb(sides.get(1).process, "VmHWM:");
            long pyRss = statusKb(sides.get(0).process, "VmRSS:");
            long anon = statusKb(sides.get(1).process, "RssAnon:"), file = statusKb(sides.get(1).process, "RssFile:") + statusKb(sides.get(1).process, "RssShmem:");
            Map<String, Double> tput = new HashMap<>();
            for (Side s : sides) {
                List<Round> rs = results.get(s.name);
                List<Double> rates = new ArrayList<>(), accepts = new ArrayList<>();
                int missing = 0, dups = 0;
                for (Round x : rs) {
                    rates.add(alerts / x.seconds);
                    accepts.addAll(x.acceptMs);
                    missing += x.missing;
                    dups += x.duplicates;
                }
                Collections.sort(rates);
                tput.put(s.name, rates.get(rates.size() / 2));
                System.out.printf("%-10s throughput median %.0f alerts/s %s; accept p50 %.1f ms, p99 %.1f ms (%d POSTs); delivered %d of %d, duplicates %d%n",
                        s.name, tput.get(s.name), rates.stream().map(d -> String.format("%.0f", d)).toList(), pct(accepts, 0.5), pct(accepts, 0.99),
                        accepts.size(), alerts * rs.size() - missing, alerts * rs.size(), dups);
            }
            System.out.printf("alertrelay VmRSS %.1f MB (anonymous %.1f MB, file-backed %.1f MB: the JDK's CDS/AOT archive and jars; peak VmHWM %.1f MB); python VmRSS %.1f MB%n",
                    rss / 1024.0, anon / 1024.0, file / 1024.0, hwm / 1024.0, pyRss / 1024.0);
            robotsAlone(alerts, per, senders);
            List<String> retries = Files.readAllLines(dir.resolve("alertrelay.log")).stream().filter(l -> l.contains("retrying")).toList();
            System.out.println("alertrelay retried posts " + retries.size() + " time(s)" + (retries.isEmpty() ? "" : ", first: " + retries.get(0)));
            System.out.printf("ratio alertrelay/python throughput: %.2fx (goal >= 5x); load %s%n", tput.get("alertrelay") / tput.get("python"), load());
        } finally {
            for (Side s : sides) {
                s.process.descendants().forEach(ProcessHandle::destroy);
                s.process.destroy();
                s.process.waitFor();
                s.slack.close();
                s.dingtalk.close();
            }
            rm(dir.toFile());
        }
        System.exit(exit);
    }

    static Side python(Path dir) throws Exception {
        Robots.Robot slack = Robots.start("slack", HOST, 0, null), dt = Robots.start("dingtalk", HOST, 0, SECRET);
        Path script = Files.writeString(dir.resolve("relay.py"), PY);
        int port = freePort();
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", script.toString(), "" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("python.log").toFile()).redirectInput(new File("/dev/null"));
        pb.environment().putAll(Map.of("SLACK_URL", slack.url(), "DINGTALK_URL", dt.url(), "DINGTALK_SECRET", SECRET));
        return up(new Side("python", pb.start(), URI.create("http://" + HOST + ":" + port + "/alerts"), slack, dt), dir.resolve("python.log"), "/");
    }

    static Side alertrelay(Path dir) throws Exception {
        Robots.Robot slack = Robots.start("slack", HOST, 0, null), dt = Robots.start("dingtalk", HOST, 0, SECRET);
        int port = freePort();
        Path cfg = Files.writeString(dir.resolve("relay.yaml"), """
                listen: %s:%d
                queue: %s
                receivers:
                  - {name: ops, kind: slack, url_env: SLACK_URL, rate: 100000/1s}
                  - {name: dba, kind: dingtalk, url_env: DINGTALK_URL, secret_env: DINGTALK_SECRET, rate: 100000/1s}
                routes:
                  - {match: ['team="db"'], receivers: [dba]}
                  - {receivers: [ops]}
                """.formatted(HOST, port, dir.resolve("queue")));
        ProcessBuilder pb = new ProcessBuilder(Path.of("").toAbsolutePath() + "/jbang", "alertrelay@ops", cfg.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("alertrelay.log").toFile()).redirectInput(new File("/dev/null"));
        pb.environment().putAll(Map.of("SLACK_URL", slack.url(), "DINGTALK_URL", dt.url(), "DINGTALK_SECRET", SECRET));
        return up(new Side("alertrelay", pb.start(), URI.create("http://" + HOST + ":" + port + "/alerts"), slack, dt), dir.resolve("alertrelay.log"), "/healthz");
    }

    /** Waits for the side to answer; when it does not, stops it and its robots (not yet on the cleanup list) and throws. */
    static Side up(Side s, Path log, String path) throws Exception {
        try {
            return waitUp(s, log, path);
        } catch (Exception | Error e) {
            s.process.descendants().forEach(ProcessHandle::destroyForcibly);
            s.process.destroyForcibly().waitFor();
            s.slack.close();
            s.dingtalk.close();
            throw e;
        }
    }

    static Side waitUp(Side s, Path log, String path) throws Exception {
        HttpClient c = HttpClient.newHttpClient();
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            if (!s.process.isAlive()) throw new IllegalStateException(s.name + " exited " + s.process.exitValue() + ":\n" + Files.readString(log));
            try {
                c.send(HttpRequest.newBuilder(s.url.resolve(path)).GET().timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                return s;
            } catch (IOException e) {
                if (System.nanoTime() > end) throw new IllegalStateException(s.name + " did not start:\n" + Files.readString(log));
                Thread.sleep(100);
            }
        }
    }

    /**
     * The receivers' own capacity, so a ceiling they impose is seen: fresh robots get the posts the
     * Python side sends for a burst (one per receiver per webhook, each with its share: a Slack
     * text and a signed DingTalk markdown of per/2 alert lines), from the same number of senders.
     */
    static void robotsAlone(int alerts, int per, int senders) throws Exception {
        try (Robots.Robot slack = Robots.start("slack", HOST, 0, null); Robots.Robot dt = Robots.start("dingtalk", HOST, 0, SECRET)) {
            StringBuilder lines = new StringBuilder("*[FIRING:50] BenchLoad*");
            for (int i = 0; i < per / 2; i++) lines.append("\\n- *FIRING* load is high on host-").append(i).append(" `alertname=\\\"BenchLoad\\\" id=\\\"x").append(i)
                    .append("\\\" instance=\\\"host-").append(i).append(":9100\\\" severity=\\\"warning\\\" team=\\\"web\\\"`");
            String slackBody = "{\"text\":\"" + lines + "\"}";
            String dtBody = "{\"msgtype\":\"markdown\",\"markdown\":{\"title\":\"[FIRING:50] BenchLoad\",\"text\":\"" + lines + "\"},\"at\":{\"isAtAll\":false}}";
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            int posts = 2 * ((alerts + per - 1) / per);
            double best = 0;
            for (int round = 0; round < 3; round++) {              // the first is a warm-up of the client and the robots
                java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
                ExecutorService pool = Executors.newFixedThreadPool(senders);
                long t0 = System.nanoTime();
                List<Future<?>> fs = new ArrayList<>();
                for (int k = 0; k < senders; k++) fs.add(pool.submit(() -> {
                    for (int n; (n = next.getAndIncrement()) < posts; ) {
                        boolean toDt = n % 2 == 0;
                        String url = toDt ? dt.url() : slack.url();
                        if (toDt) {
                            long ts = System.currentTimeMillis();
                            url += "&timestamp=" + ts + "&sign=" + java.net.URLEncoder.encode(java.util.Base64.getEncoder().encodeToString(
                                    Robots.hmac(SECRET.getBytes(), (ts + "\n" + SECRET).getBytes())), java.nio.charset.StandardCharsets.UTF_8);
                        }
                        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(toDt ? dtBody : slackBody)).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200 || r.body().contains("310000")) throw new IllegalStateException("robot said " + r.statusCode() + " " + r.body());
                    }
                    return null;
                }));
                for (Future<?> f : fs) f.get();
                double sec = (System.nanoTime() - t0) / 1e9;
                pool.shutdown();
                if (round > 0) best = Math.max(best, alerts / sec);
            }
            System.out.printf("receivers alone (same JVM as the senders, %d posts of %d alert lines each, %d senders): up to %.0f alerts/s, %.0f posts/s; load %s%n",
                    posts, per / 2, senders, best, best / (per / 2.0), load());
        }
    }

    /** alertrelay's journal counters from its /metrics (fsyncs, their seconds, webhooks covered), or empty for python. */
    static double[] journal(Side s) throws Exception {
        if (!s.name.equals("alertrelay")) return null;
        String m = HttpClient.newHttpClient().send(HttpRequest.newBuilder(s.url.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        double[] v = new double[3];
        String[] names = {"alertrelay_journal_fsyncs_total ", "alertrelay_journal_fsync_seconds_total ", "alertrelay_journal_appends_total "};
        for (String line : m.split("\n")) for (int i = 0; i < 3; i++) if (line.startsWith(names[i])) v[i] = Double.parseDouble(line.substring(names[i].length()));
        return v;
    }

    /** One burst into one side; returns when its robots hold every alert (or after 10 minutes). */
    static Round round(Side s, String tag, int alerts, int per, int senders) throws Exception {
        int posts0 = s.slack.requests.get() + s.dingtalk.requests.get();
        double[] j0 = journal(s);
        double cpu0 = cpuSeconds(s.process);
        synchronized (s.slack) { s.slack.posts.clear(); }
        synchronized (s.dingtalk) { s.dingtalk.posts.clear(); }
        List<String> bodies = new ArrayList<>();
        Set<String> wantDb = new HashSet<>(), wantWeb = new HashSet<>();
        for (int first = 0; first < alerts; first += per) {
            StringBuilder a = new StringBuilder();
            for (int i = first; i < Math.min(alerts, first + per); i++) {
                String id = tag + "x" + String.format("%05d", i);
                boolean db = i % 2 == 0;
                (db ? wantDb : wantWeb).add(id);
                if (a.length() > 0) a.append(',');
                a.append("{\"status\":\"firing\",\"labels\":{\"alertname\":\"BenchLoad\",\"id\":\"").append(id).append("\",\"team\":\"")
                        .append(db ? "db" : "web").append("\",\"instance\":\"host-").append(i % 500).append(":9100\",\"severity\":\"warning\"},")
                        .append("\"annotations\":{\"summary\":\"load is high on host-").append(i % 500).append("\",\"description\":\"node_load1 above 4 for 5m\"},")
                        .append("\"startsAt\":\"2026-12-03T08:00:00Z\",\"endsAt\":\"0001-01-01T00:00:00Z\",")
                        .append("\"generatorURL\":\"http://prometheus.example:9090/graph?g0.expr=node_load1\",\"fingerprint\":\"").append(String.format("%016x", i)).append("\"}");
            }
            bodies.add("{\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"BenchLoad\\\"}\",\"truncatedAlerts\":0,\"status\":\"firing\",\"receiver\":\"relay\","
                    + "\"groupLabels\":{\"alertname\":\"BenchLoad\"},\"commonLabels\":{\"alertname\":\"BenchLoad\",\"severity\":\"warning\"},\"commonAnnotations\":{},"
                    + "\"externalURL\":\"http://alertmanager.example:9093\",\"alerts\":[" + a + "]}");
        }
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<Double> accept = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(senders, r -> { Thread t = new Thread(r); t.setDaemon(true); return t; });
        long t0 = System.nanoTime();
        List<Future<?>> sent = new ArrayList<>();
        for (int k = 0; k < senders; k++) {
            int me = k;
            sent.add(pool.submit(() -> {
                for (int b = me; b < bodies.size(); b += senders) {
                    while (true) {        // Alertmanager retries a webhook that did not get 2xx
                        long a0 = System.nanoTime();
                        HttpResponse<String> r;
                        try {
                            r = client.send(HttpRequest.newBuilder(s.url).timeout(Duration.ofSeconds(60))
                                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(bodies.get(b))).build(),
                                    HttpResponse.BodyHandlers.ofString());
                        } catch (IOException e) {
                            System.out.println(s.name + ": POST failed (" + e + "), sending it again");
                            Thread.sleep(100);
                            continue;
                        }
                        accept.add((System.nanoTime() - a0) / 1e6);
                        if (r.statusCode() / 100 == 2) break;
                        System.out.println(s.name + ": POST answered " + r.statusCode() + " " + r.body().strip());
                        Thread.sleep(100);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : sent) f.get();
        double acceptedSeconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        Tally web = new Tally(s.slack, wantWeb), db = new Tally(s.dingtalk, wantDb);
        while (true) {
            int missing = web.missing() + db.missing();
            if (missing == 0 || System.nanoTime() > deadline) {
                double seconds = (System.nanoTime() - t0) / 1e9;
                List<String> problems = new ArrayList<>(s.slack.problems());
                problems.addAll(s.dingtalk.problems());
                if (!problems.isEmpty()) System.out.println(s.name + ": robots saw bad posts: " + problems.subList(0, Math.min(3, problems.size())));
                double[] j1 = journal(s);
                String jt = j0 == null ? "" : String.format("; journal: %.0f fsyncs of %.1f ms on average for %.0f webhooks",
                        j1[0] - j0[0], (j1[1] - j0[1]) * 1000 / Math.max(1, j1[0] - j0[0]), j1[2] - j0[2]);
                return new Round(seconds, acceptedSeconds, new ArrayList<>(accept), missing, web.dups + db.dups,
                        s.slack.requests.get() + s.dingtalk.requests.get() - posts0, jt, cpuSeconds(s.process) - cpu0);
            }
            Thread.sleep(5);
        }
    }

    static final Pattern ID = Pattern.compile("\\b(?:w|r\\d+)x\\d{5}\\b");

    /** Which of a round's alert ids a robot holds, read post by post as they arrive (each post read once). */
    static final class Tally {
        final Robots.Robot robot;
        final Set<String> want, seen = new HashSet<>();
        int read, dups;

        Tally(Robots.Robot robot, Set<String> want) { this.robot = robot; this.want = want; }

        int missing() {
            List<com.fasterxml.jackson.databind.JsonNode> fresh;
            synchronized (robot) { fresh = new ArrayList<>(robot.posts.subList(read, robot.posts.size())); }
            read += fresh.size();
            for (var p : fresh) {
                Matcher m = ID.matcher(Robots.text(robot.kind, p));
                while (m.find()) {
                    if (!want.contains(m.group())) continue;
                    if (!seen.add(m.group())) dups++;
                }
            }
            return want.size() - seen.size();
        }
    }

    static double pct(List<Double> xs, double p) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.isEmpty() ? Double.NaN : s.get(Math.min(s.size() - 1, (int) Math.ceil(p * s.size()) - 1));
    }

    /** A /proc/PID/status field (VmRSS:, VmHWM:) of the process or, through ./jbang, the java it runs. */
    static long statusKb(Process p, String field) throws IOException {
        long kb = 0;
        for (ProcessHandle h : java.util.stream.Stream.concat(java.util.stream.Stream.of(p.toHandle()), p.descendants()).toList()) {
            for (String line : Files.readAllLines(Path.of("/proc/" + h.pid() + "/status"))) {
                if (line.startsWith(field)) kb += Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return kb;
    }

    /** User + system CPU seconds of the process and its descendants (through ./jbang: the java it runs), from /proc/PID/stat. */
    static double cpuSeconds(Process p) throws IOException {
        long ticks = 0;
        for (ProcessHandle h : java.util.stream.Stream.concat(java.util.stream.Stream.of(p.toHandle()), p.descendants()).toList()) {
            String stat = Files.readString(Path.of("/proc/" + h.pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);          // utime, stime (fields 14 and 15)
        }
        return ticks / 100.0;                                                // USER_HZ
    }

    static String load() throws IOException { return Files.readString(Path.of("/proc/loadavg")).split(" ", 4)[0]; }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) { return s.getLocalPort(); }
    }

    static void rm(File f) {
        File[] kids = f.listFiles();
        if (kids != null) for (File k : kids) rm(k);
        f.delete();
    }
}
