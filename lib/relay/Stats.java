package relay;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters per receiver for /metrics (Prometheus text), so the relay can be alerted on itself. */
public final class Stats {
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();

    private void add(String metric, String receiver, long n) {
        counters.computeIfAbsent(metric + "{receiver=\"" + receiver + "\"}", k -> new LongAdder()).add(n);
    }

    public void accepted(String receiver, long alerts) { add("alertrelay_alerts_accepted_total", receiver, alerts); }
    public void delivered(String receiver, long alerts) { add("alertrelay_alerts_delivered_total", receiver, alerts); }
    public void rejected(String receiver, long alerts) { add("alertrelay_alerts_rejected_total", receiver, alerts); }
    public void posted(String receiver) { add("alertrelay_posts_total", receiver, 1); }
    public void retried(String receiver) { add("alertrelay_post_retries_total", receiver, 1); }

    public long get(String metric, String receiver) {
        LongAdder a = counters.get(metric + "{receiver=\"" + receiver + "\"}");
        return a == null ? 0 : a.sum();
    }

    /** The counters, sorted, each family with its TYPE line. */
    public String prom() {
        StringBuilder sb = new StringBuilder();
        String family = null;
        for (String k : new java.util.TreeSet<>(counters.keySet())) {
            String f = k.substring(0, k.indexOf('{'));
            if (!f.equals(family)) sb.append("# TYPE ").append(f).append(" counter\n");
            family = f;
            sb.append(k).append(' ').append(counters.get(k).sum()).append('\n');
        }
        return sb.toString();
    }
}
