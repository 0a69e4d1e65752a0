package relay;

//SOURCES ../cli/Durations.java

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * A robot's rate limit, "20/1m": at most {@code count} posts in any {@code per} window (DingTalk
 * and WeCom allow 20 a minute and mute a robot that sends more). {@link #acquire} waits for a slot;
 * alerts arriving meanwhile wait in the queue and go out together in the next post.
 */
public final class Rate {
    public final int count;
    public final Duration per;
    private final ArrayDeque<Long> sent = new ArrayDeque<>();

    public Rate(int count, Duration per) {
        this.count = count;
        this.per = per;
    }

    /** "20/1m", "1/1s", "100/1m"; the IllegalArgumentException's message says what is wrong. */
    public static Rate parse(String text) {
        var m = java.util.regex.Pattern.compile("\\s*(\\d{1,6})\\s*/\\s*(\\S+)\\s*").matcher(text);
        if (!m.matches()) throw new IllegalArgumentException("'" + text + "': expected COUNT/DURATION, like 20/1m");
        Duration per;
        try {
            per = cli.Durations.parse(m.group(2));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "': " + e.getMessage());
        }
        int n = Integer.parseInt(m.group(1));
        if (n < 1 || per.isZero() || per.isNegative()) throw new IllegalArgumentException("'" + text + "': needs at least 1 post in more than 0s");
        return new Rate(n, per);
    }

    /** Waits until one more post fits in the window, and counts it. */
    public synchronized void acquire() throws InterruptedException {
        while (true) {
            long now = System.nanoTime();
            while (!sent.isEmpty() && now - sent.peekFirst() >= per.toNanos()) sent.pollFirst();
            if (sent.size() < count) {
                sent.addLast(now);
                return;
            }
            long waitNs = sent.peekFirst() + per.toNanos() - now;
            wait(Math.max(1, waitNs / 1_000_000), 0);
        }
    }

    /** Whether a post could go right now without waiting. */
    public synchronized boolean free() {
        long now = System.nanoTime();
        while (!sent.isEmpty() && now - sent.peekFirst() >= per.toNanos()) sent.pollFirst();
        return sent.size() < count;
    }

    @Override public String toString() { return count + "/" + cli.Durations.format(per.toMillis()); }
}
