package relay;

//SOURCES ../chat/Mentions.java ../cli/Durations.java ../cli/Errors.java Log.java Notification.java Queue.java Render.java Robot.java Stats.java

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One robot's delivery loop, on its own thread: takes what is queued for it (everything waiting,
 * up to {@link #BATCH_ALERTS} alerts), renders it into as few posts as the chat's size limit
 * allows, waits for the robot's rate limit before each post, and retries a post that got 429, 5xx
 * or a network error with exponential backoff (1s doubling to 60s, with jitter, or the robot's
 * Retry-After) until it goes through; nothing is dropped while the chat is down. A post the robot
 * refuses for good (400, 403, a bad signature) moves its groups to the queue's rejected/ directory
 * and says so on stderr. Up to {@link #IN_FLIGHT} batches go to one robot at once, each on its own
 * virtual thread (so a slow answer does not hold up the next group); the parts "(1/3)", "(2/3)" of
 * one batch still go one after the other, in order, and every post, whichever batch it belongs to,
 * first takes a slot of the robot's one rate limit.
 */
public final class Courier implements Runnable {
    static final int BATCH_ALERTS = 500;
    static final int IN_FLIGHT = 4;
    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    private final Robot robot;
    private final Queue queue;
    private final HttpClient http;
    private final Stats stats;
    private final ArrayDeque<Queue.Entry> waiting = new ArrayDeque<>();
    private final java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(IN_FLIGHT);
    private volatile boolean stopping;

    public Courier(Robot robot, Queue queue, HttpClient http, Stats stats, List<Queue.Entry> fromBefore) {
        this.robot = robot;
        this.queue = queue;
        this.http = http;
        this.stats = stats;
        waiting.addAll(fromBefore);
    }

    /** Hands over groups already on disk for this robot. */
    public synchronized void add(Queue.Entry e) {
        waiting.addLast(e);
        notifyAll();
    }

    public synchronized void stop() {
        stopping = true;
        notifyAll();
    }

    public synchronized int waiting() { return waiting.size(); }

    @Override public void run() {
        try {
            while (!stopping) {
                if (!awaitWork()) return;
                inFlight.acquire();                    // at most IN_FLIGHT batches posting to this robot
                robot.rate.acquire();                  // what arrives while this waits for a slot joins the post
                List<Queue.Entry> batch = take();
                if (batch == null) { inFlight.release(); return; }
                Thread.ofVirtual().name("courier-" + robot.name + "-post").start(() -> {
                    try {
                        deliver(batch);
                    } catch (InterruptedException e) {
                        // stopping: the batch stays queued on disk
                    } finally {
                        inFlight.release();
                    }
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized boolean awaitWork() throws InterruptedException {
        while (waiting.isEmpty() && !stopping) wait();
        return !stopping;
    }

    private synchronized List<Queue.Entry> take() {
        if (stopping || waiting.isEmpty()) return null;
        List<Queue.Entry> batch = new ArrayList<>();
        int alerts = 0;
        while (!waiting.isEmpty() && (batch.isEmpty() || alerts + waiting.peekFirst().group().alerts().size() <= BATCH_ALERTS)) {
            Queue.Entry e = waiting.pollFirst();
            alerts += e.group().alerts().size();
            batch.add(e);
        }
        return batch;
    }

    private void deliver(List<Queue.Entry> batch) throws InterruptedException {
        List<Notification> groups = batch.stream().map(Queue.Entry::group).toList();
        List<Notification.Alert> alerts = groups.stream().flatMap(g -> g.alerts().stream()).toList();
        String status = groups.stream().anyMatch(g -> g.firingCount() > 0) ? "firing" : "resolved";
        List<String> posts = Render.posts(robot.flavor(), groups, robot.flavor().markup().maxBytes());
        String title = chat.Mentions.breakAll(Render.title(groups));
        for (int i = 0; i < posts.size(); i++) {
            if (i > 0) robot.rate.acquire();
            Robot.Outcome o = sendUntilDone(title, posts.get(i), status, alerts);
            if (o.verdict() == Robot.Verdict.REJECTED) {
                stats.rejected(robot.name, alerts.size());
                Log.log(robot.name + ": " + robot.where() + " refused a post (" + o.why() + "): " + batch.size()
                        + " group(s) kept in the queue's rejected/ directory");
                for (Queue.Entry e : batch) {
                    try { queue.reject(e, o.why()); } catch (IOException x) { Log.log(robot.name + ": cannot keep group " + e.seq() + " in rejected/: " + x.getMessage()); }
                }
                return;
            }
            stats.posted(robot.name);
        }
        stats.delivered(robot.name, alerts.size());
        for (Queue.Entry e : batch) {
            try { queue.done(e); } catch (IOException x) { Log.log(robot.name + ": cannot mark group " + e.seq() + " delivered: " + x.getMessage()); }
        }
    }

    /** Posts until the robot takes it or refuses it for good; waits and retries otherwise. */
    private Robot.Outcome sendUntilDone(String title, String text, String status, List<Notification.Alert> alerts) throws InterruptedException {
        long backoffMs = 1000;
        boolean wasDown = false;
        while (true) {
            Robot.Outcome o;
            try {
                HttpResponse<String> r = http.send(robot.request(title, text, status, alerts, System.currentTimeMillis()), HttpResponse.BodyHandlers.ofString());
                o = robot.judge(r.statusCode(), r.body(), r.headers().firstValue("Retry-After").orElse(null));
            } catch (IOException e) {
                o = new Robot.Outcome(Robot.Verdict.RETRY, cli.Errors.message(e, e.getClass().getSimpleName()), null);
            }
            if (o.verdict() != Robot.Verdict.RETRY) {
                if (wasDown) Log.log(robot.name + ": " + robot.where() + " takes posts again");
                return o;
            }
            if (stopping) throw new InterruptedException("stopping");
            stats.retried(robot.name);
            long wait = o.retryAfter() != null ? o.retryAfter().toMillis() : backoffMs + ThreadLocalRandom.current().nextLong(backoffMs / 4 + 1);
            if (!wasDown || backoffMs >= MAX_BACKOFF.toMillis()) Log.log(robot.name + ": " + robot.where() + ": " + o.why() + "; retrying in " + cli.Durations.format(wait));
            wasDown = true;
            Thread.sleep(wait);
            backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
        }
    }
}
