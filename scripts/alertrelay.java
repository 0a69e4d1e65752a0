//usr/bin/true; exec "$(dirname "$(readlink -f "$0")")/../jbang" "$0" "$@"
//JAVA 21+
//JAVA_OPTIONS -XX:+IgnoreUnrecognizedVMOptions -XX:+UseCompactObjectHeaders -XX:+UseSerialGC -Xms24m -Xmx48m -Xmn12m -XX:SurvivorRatio=4 -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -Xss512k -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=48m -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=1000 -XX:+ExitOnOutOfMemoryError
//SOURCES ../lib/cli/Errors.java ../lib/cli/Exit.java ../lib/cli/InputError.java ../lib/cli/Tool.java
//SOURCES ../lib/web/Listen.java ../lib/run/Shutdown.java ../lib/yaml/Yaml.java
//SOURCES ../lib/relay/Config.java ../lib/relay/Courier.java ../lib/relay/Log.java ../lib/relay/Notification.java
//SOURCES ../lib/relay/Queue.java ../lib/relay/Robot.java ../lib/relay/Routes.java ../lib/relay/Stats.java

/*
 * alertrelay -- Alertmanager's webhooks to Slack, Mattermost, DingTalk, WeCom, Feishu/Lark or any JSON endpoint
 *
 * What it does: listens for Alertmanager's webhook (POST /alerts, its JSON version 4), routes each
 * alert by label matchers from a YAML file to one or more receivers, writes each receiver's share
 * to an on-disk queue (fsynced) and only then answers Alertmanager 200. One courier per receiver
 * renders what is queued in the chat's own markup (Slack mrkdwn, Mattermost Markdown, DingTalk and
 * WeCom markdown, a Feishu card or text, or a JSON template), signs it where the robot asks
 * (DingTalk's and Feishu's HMAC-SHA256 timestamp/sign), keeps to the robot's rate limit (20 posts
 * a minute for DingTalk and WeCom) by putting everything that waited into one post, and retries
 * 429, 5xx and network errors with backoff until the chat takes it. Alert text is escaped for each
 * chat: a label cannot write <!channel>, @all or a link. GET /healthz, GET /metrics (counters).
 *
 * When to use it: instead of the hand-written Flask/http.server relay that forwards each webhook
 * with one urlopen, drops alerts while the chat is down, and lets a label page @all. Alertmanager
 * needs one webhook_configs entry: url: http://127.0.0.1:9099/alerts (send_resolved as you like).
 *
 * What it costs: one small JVM (48 MB heap cap, compact object headers on JDK 25), an append-only journal in the queue directory
 * with one fsync per webhook, fewer in a burst (webhooks arriving during an fsync share the next:
 * group commit), and one post per robot per rate slot. Robot URLs (they hold tokens) and signing
 * secrets come only from environment variables or files named in the config; logs show only a
 * robot's scheme://host:port. Delivery is at least once: a kill -9 between a chat's answer and
 * the journal's D line (not fsynced) sends that post again after a restart; a post the chat refuses for good
 * (bad signature, 400) is kept in QUEUE/RECEIVER/rejected/ with the reason.
 */

import cli.Errors;
import cli.Exit;
import cli.InputError;
import cli.Tool;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import relay.Config;
import relay.Courier;
import relay.Log;
import relay.Notification;
import relay.Queue;
import relay.Robot;
import relay.Routes;
import relay.Stats;
import run.Shutdown;
import web.Listen;
import yaml.Yaml;

@Command(name = "alertrelay", mixinStandardHelpOptions = true, version = "alertrelay (ops) 0.1", sortOptions = false,
        description = {"Receive Alertmanager's webhooks on POST /alerts, route alerts by label matchers, queue them "
                + "on disk (fsynced before answering) and deliver them to Slack, Mattermost, DingTalk, WeCom, Feishu/Lark "
                + "or a JSON endpoint: in each chat's markup, signed, rate-limited and retried."},
        footer = {
            "%nConfig (YAML; robot URLs and secrets only by env or file):",
            "  listen: 127.0.0.1:9099",
            "  queue: /var/lib/alertrelay",
            "  receivers:",
            "    - {name: ops, kind: slack, url_env: SLACK_URL}",
            "    - {name: dba, kind: dingtalk, url_file: /etc/ops/dt.url,",
            "       secret_env: DT_SECRET}",
            "  routes:                       # first match wins; continue: true goes on",
            "    - {match: ['team=\"db\"'], receivers: [dba], continue: true}",
            "    - {receivers: [ops]}",
            "  kinds: slack, mattermost, dingtalk, wecom, feishu (format: text|card),",
            "  json (template:); per receiver: rate: 20/1m, send_resolved: false,",
            "  timeout: 10s",
            "%nEndpoints: POST /alerts (Alertmanager's webhook_configs url),",
            "  GET /healthz, GET /metrics",
            "%nExamples:",
            "  alertrelay --check /etc/alertrelay.yaml    # read config and secrets, exit",
            "  SLACK_URL=$(cat /etc/ops/slack.url) alertrelay /etc/alertrelay.yaml",
            "  alertrelay --listen 127.0.0.1:9099 --queue /var/lib/alertrelay relay.yaml",
            "%nExit codes:",
            "  0  stopped by SIGTERM or SIGINT (what is queued stays queued),",
            "     or --check passed",
            "  2  bad usage, a bad config or secret, or the listen address or queue",
            "     cannot be used (nothing was served)",
            "  3  the tool itself failed (see stderr)%n"})
public class alertrelay implements Callable<Integer> {
    static final int MAX_BODY = 8 << 20;               // Alertmanager's groups are small; refuse a runaway body
    static final int REQUEST_READ_SECONDS = 10;

    @Parameters(index = "0", paramLabel = "CONFIG", description = "The YAML config: listen, queue, receivers, routes.")
    Path config;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Address to serve on, instead of the config's listen: (default 127.0.0.1:9099).")
    String listen;

    @Option(names = "--queue", paramLabel = "DIR", description = "Queue directory, instead of the config's queue:.")
    Path queueDir;

    @Option(names = "--check", description = "Read the config and every secret, print the routes, and exit.")
    boolean check;

    public static void main(String... args) {
        Tool.main(new alertrelay(), args);
    }

    @Override
    public Integer call() throws Exception {
        Yaml.Doc<Config> doc = Yaml.load(config, Config.class);
        Routes routes = Routes.compile(doc);
        String listenText = listen != null ? listen : doc.value().listen() != null ? doc.value().listen() : "127.0.0.1:9099";
        InetSocketAddress address = Listen.address(listen != null ? "--listen" : config + ": listen:", listenText, null);
        Path queuePath = queueDir != null ? queueDir : doc.value().queue() != null ? Path.of(doc.value().queue()) : null;
        if (queuePath == null) throw new InputError(config + ": no queue: directory (give queue: in the config or --queue DIR)");
        if (check) {
            System.out.println(describe(routes, address, queuePath));
            return Exit.OK;
        }
        Queue queue;
        try {
            queue = new Queue(queuePath);
        } catch (IOException e) {
            throw new InputError("queue " + queuePath + ": " + Errors.message(e, "cannot use it"));
        }

        Stats stats = new Stats();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        Map<String, Courier> couriers = new LinkedHashMap<>();
        long backlog = 0;
        for (Robot r : routes.robots.values()) {
            List<Queue.Entry> before = queue.pending(r.name);
            backlog += before.size();
            Courier c = new Courier(r, queue, http, stats, before);
            couriers.put(r.name, c);
            Thread.ofVirtual().name("courier-" + r.name).start(c);
        }

        System.setProperty("sun.net.httpserver.maxConnections", "64");
        System.setProperty("sun.net.httpserver.maxReqTime", String.valueOf(REQUEST_READ_SECONDS));
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server;
        try {
            server = HttpServer.create(address, 64);
        } catch (BindException e) {
            throw new InputError("listen " + listenText + ": " + Errors.message(e, "cannot listen there").toLowerCase(java.util.Locale.ROOT));
        }
        ExecutorService exchanges = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("alertrelay-http-", 0).factory());
        server.setExecutor(exchanges);
        LongAdder unrouted = new LongAdder();
        server.createContext("/alerts", ex -> handle(ex, () -> accept(ex, routes, queue, couriers, stats, unrouted)));
        server.createContext("/healthz", ex -> handle(ex, () -> reply(ex, 200, health(couriers, queue))));
        server.createContext("/metrics", ex -> handle(ex, () -> reply(ex, 200, stats.prom()
                + "# TYPE alertrelay_alerts_unrouted_total counter\nalertrelay_alerts_unrouted_total " + unrouted.sum() + "\n"
                + queue.prom() + "# TYPE alertrelay_queued_groups gauge\n" + queued(couriers, queue))));
        server.createContext("/", ex -> handle(ex, () -> reply(ex, 404, "alertrelay: POST Alertmanager's webhooks to /alerts; GET /healthz, /metrics\n")));
        server.start();

        CountDownLatch stopped = new CountDownLatch(1);
        Shutdown shutdown = Shutdown.onSignal("alertrelay", () -> {
            Log.log("stopping: no new webhooks; what is queued stays in " + queuePath);
            server.stop(1);
            couriers.values().forEach(Courier::stop);
            exchanges.shutdownNow();
        }, Duration.ofSeconds(2));
        shutdown.done(Exit.OK);
        Log.log("accepting on http://" + Listen.hostPort(server.getAddress()) + "/alerts; receivers: " + String.join(", ", couriers.keySet())
                + "; queue " + queuePath + (backlog > 0 ? " (" + backlog + " group(s) from before, delivering)" : ""));
        stopped.await();
        return Exit.OK;
    }

    interface Step { void run() throws IOException; }

    /** One exchange: a failure of ours is a 500 and a log line, never a dead server thread. */
    static void handle(HttpExchange ex, Step step) {
        try (ex) {
            step.run();
        } catch (IOException | RuntimeException e) {
            Log.log("request " + ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " failed: " + Errors.message(e, e.toString()));
        }
    }

    /** POST /alerts: parse, route, queue durably, hand to the couriers, then 200. Anything short of queued is not 200. */
    static void accept(HttpExchange ex, Routes routes, Queue queue, Map<String, Courier> couriers, Stats stats, LongAdder unrouted) throws IOException {
        if (!ex.getRequestURI().getPath().equals("/alerts")) { reply(ex, 404, "not found: POST to /alerts\n"); return; }
        if (!ex.getRequestMethod().equals("POST")) {
            ex.getResponseHeaders().set("Allow", "POST");
            reply(ex, 405, "POST Alertmanager's webhook JSON here\n");
            return;
        }
        byte[] body = read(ex.getRequestBody(), ex.getRequestHeaders().getFirst("Content-Length"));
        if (body == null) { reply(ex, 413, "body over " + (MAX_BODY >> 20) + " MiB\n"); return; }
        Notification n;
        try {
            n = Notification.parse(body);
        } catch (IllegalArgumentException e) {
            reply(ex, 400, e.getMessage() + "\n");
            return;
        }
        Map<String, int[]> shares = routes.routeIndexes(n);
        boolean[] routed = new boolean[n.alerts().size()];
        shares.values().forEach(idx -> { for (int i : idx) routed[i] = true; });
        int none = 0;
        for (boolean r : routed) if (!r) none++;
        unrouted.add(none);
        List<Queue.Entry> entries;
        try {
            entries = queue.appendWebhook(body, n, new ArrayList<>(shares.keySet()), new ArrayList<>(shares.values()));
        } catch (IOException e) {
            Log.log("cannot queue a webhook (" + Errors.message(e, "I/O error") + "): answering 503 so Alertmanager retries");
            reply(ex, 503, "cannot queue: " + Errors.message(e, "I/O error") + "\n");
            return;
        }
        for (Queue.Entry e : entries) {
            couriers.get(e.receiver()).add(e);
            stats.accepted(e.receiver(), e.group().alerts().size());
        }
        reply(ex, 200, "queued " + n.alerts().size() + " alert(s) for " + shares.size() + " receiver(s)\n");
    }

    /** The body, read into one array of its Content-Length when it has one (no growing copies); null when over MAX_BODY. */
    static byte[] read(InputStream in, String contentLength) throws IOException {
        long len = -1;
        try {
            if (contentLength != null) len = Long.parseLong(contentLength.strip());
        } catch (NumberFormatException e) {
            len = -1;
        }
        if (len > MAX_BODY) return null;
        if (len >= 0) {
            byte[] b = new byte[(int) len];
            int n = in.readNBytes(b, 0, b.length);
            return n == b.length ? b : java.util.Arrays.copyOf(b, n);
        }
        byte[] b = in.readNBytes(MAX_BODY + 1);                    // chunked: no length given
        return b.length > MAX_BODY ? null : b;
    }

    static String health(Map<String, Courier> couriers, Queue queue) {
        StringBuilder sb = new StringBuilder("ok\n");
        couriers.forEach((name, c) -> sb.append(name).append(": ").append(queue.depth(name)).append(" group(s) queued\n"));
        return sb.toString();
    }

    static String queued(Map<String, Courier> couriers, Queue queue) {
        StringBuilder sb = new StringBuilder();
        couriers.keySet().forEach(name -> sb.append("alertrelay_queued_groups{receiver=\"").append(name).append("\"} ").append(queue.depth(name)).append('\n'));
        return sb.toString();
    }

    static String describe(Routes routes, InetSocketAddress address, Path queue) {
        StringBuilder sb = new StringBuilder("listen http://" + Listen.hostPort(address) + "/alerts, queue " + queue + "\nreceivers:\n");
        for (Robot r : routes.robots.values()) {
            sb.append("  ").append(r.name).append(": ").append(r.kind).append(r.card ? " (card)" : "").append(" -> ").append(r.where())
                    .append(", rate ").append(r.rate).append(r.sendResolved ? "" : ", firing only").append('\n');
        }
        sb.append("routes:");
        for (Routes.Route r : routes.routes) {
            sb.append("\n  ").append(r.match().isEmpty() ? "every alert" : r.match().toString().replaceAll("^\\[|\\]$", ""))
                    .append(" -> ").append(String.join(", ", r.receivers())).append(r.continueMatching() ? " (continue)" : "");
        }
        return sb.toString();
    }

    static void reply(HttpExchange ex, int code, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(code, b.length == 0 ? -1 : b.length);
        if (b.length > 0) ex.getResponseBody().write(b);
    }
}
