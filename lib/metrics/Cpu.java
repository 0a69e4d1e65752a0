package metrics;

//DEPS com.github.oshi:oshi-core:6.10.0
//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java
//SOURCES Collected.java

import static metrics.Snapshots.count;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.List;
import java.util.function.Consumer;
import oshi.hardware.CentralProcessor.TickType;
import oshi.hardware.CentralProcessor;

/** node_cpu_seconds_total{cpu,mode}: OSHI's per-CPU tick counters (from /proc/stat), in seconds. */
final class Cpu implements Source {
    final CentralProcessor cpu;
    final List<String> numbers;

    Cpu(CentralProcessor cpu) {
        this.cpu = cpu;
        this.numbers = cpu.getLogicalProcessors().stream().map(p -> String.valueOf(p.getProcessorNumber())).toList();
    }

    @Override
    public Collected collect(Consumer<String> step) {
        step.accept("OSHI getProcessorCpuLoadTicks");
        long[][] ticks = cpu.getProcessorCpuLoadTicks();
        if (ticks.length != numbers.size()) throw new IllegalStateException("OSHI returned ticks for " + ticks.length + " CPUs, expected " + numbers.size());
        var b = CounterSnapshot.builder().name("node_cpu_seconds").help("Seconds the CPUs spent in each mode.");
        long sum = 0;
        for (int i = 0; i < ticks.length; i++) {
            for (TickType t : TickType.values()) {
                long ms = ticks[i][t.getIndex()];
                sum += ms;
                b.dataPoint(count(Labels.of("cpu", numbers.get(i), "mode", t.name().toLowerCase(java.util.Locale.ROOT)), ms / 1e3));
            }
        }
        if (sum == 0) throw new IllegalStateException("OSHI returned no CPU ticks (is /proc/stat readable?)");
        return Collected.of(List.of(b.build()));
    }
}
