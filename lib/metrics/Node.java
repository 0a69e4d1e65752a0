package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES CollectorRunner.java Outcome.java Snapshots.java ../run/Threads.java

import static metrics.Snapshots.count;
import static metrics.Snapshots.point;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import run.Threads;

/**
 * The collection runner, and the Prometheus registry's view of all collectors: runs them within
 * their time budget and merges their metrics with the exporter's own (ops_exporter_*). A metric
 * name already served (by the JVM's metrics or an earlier collector) is left out and said once.
 */
public final class Node implements MultiCollector {
    final List<CollectorRunner> runners;
    final Duration budget;
    final Set<String> jvmNames;
    final ExecutorService pool = Executors.newCachedThreadPool(Threads.daemons("exporter-collector"));

    /** {@code jvmNames}: the names of the metrics served before ours (the JVM's). */
    public Node(List<CollectorRunner> runners, Duration budget, Set<String> jvmNames) {
        this.runners = runners;
        this.budget = budget;
        this.jvmNames = jvmNames;
    }

    /** The collectors' names, in scrape order. */
    public List<String> names() {
        return runners.stream().map(CollectorRunner::name).toList();
    }

    /**
     * Runs the collectors one after another on a worker thread (on a 2-core box, one thread per
     * collector only adds hand-offs) while this thread waits for each in turn within its budget.
     * When one overruns, its worker is left stuck in it and the collectors after it go on a new worker.
     */
    public List<Outcome> runAll() {
        List<CollectorRunner.Collection> collections = runners.stream().map(CollectorRunner::current).toList();
        startWorker(collections, 0);
        awaitAll(collections);
        List<Outcome> outcomes = new ArrayList<>();
        long ready = System.nanoTime();
        for (int i = 0; i < runners.size(); i++) {
            CollectorRunner r = runners.get(i);
            Outcome o = r.await(collections.get(i), ready, budget);
            if (o.overran()) startWorker(collections, i + 1);
            r.report(o);
            outcomes.add(o);
            ready = System.nanoTime();
        }
        return outcomes;
    }

    /**
     * One wait for the whole batch, up to the earliest budget: when all goes well the scrape thread
     * wakes once instead of once per collector. The loop in runAll() then sorts out who failed.
     */
    private void awaitAll(List<CollectorRunner.Collection> collections) {
        long now = System.nanoTime(), wait = budget.toNanos();
        for (CollectorRunner.Collection c : collections) if (c.startedNs != 0) wait = Math.min(wait, c.startedNs + budget.toNanos() - now);
        try {
            CompletableFuture.allOf(collections.stream().map(c -> c.result).toArray(CompletableFuture[]::new))
                    .get(Math.max(0, wait), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // some collector overran or failed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void startWorker(List<CollectorRunner.Collection> collections, int from) {
        if (from >= runners.size()) return;
        pool.execute(() -> {
            for (int i = from; i < runners.size(); i++) runners.get(i).run(collections.get(i));
        });
    }

    @Override
    public MetricSnapshots collect() {
        List<Outcome> outcomes = runAll();
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        Set<String> names = new HashSet<>(jvmNames);
        var duration = GaugeSnapshot.builder().name("ops_exporter_scrape_duration_seconds")
                .help("How long each collector took in this scrape (the budget, when it overran).");
        var success = GaugeSnapshot.builder().name("ops_exporter_collector_success")
                .help("1 if the collector succeeded in this scrape, 0 if it failed or overran its budget.");
        var errors = CounterSnapshot.builder().name("ops_exporter_collector_errors")
                .help("Collections that failed, by reason (error or timeout) since start.");
        for (Outcome o : outcomes) {
            CollectorRunner r = o.runner();
            Labels c = Labels.of("collector", r.name);
            duration.dataPoint(point(c, o.seconds()));
            success.dataPoint(point(c, o.error() == null ? 1 : 0));
            errors.dataPoint(count(Labels.of("collector", r.name, "reason", "error"), r.errors.sum()));
            errors.dataPoint(count(Labels.of("collector", r.name, "reason", "timeout"), r.timeouts.sum()));
            if (o.data() == null) continue;
            for (MetricSnapshot m : o.data().metrics()) {
                String name = m.getMetadata().getPrometheusName();
                if (names.add(name)) out.metricSnapshot(m);
                else r.clash(name);                                          // a textfile reusing a name we serve
            }
        }
        for (var m : List.of(duration.build(), success.build(), errors.build())) out.metricSnapshot(m);
        return out.build();
    }
}
