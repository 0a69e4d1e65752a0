package metrics;

//DEPS com.github.oshi:oshi-core:6.10.0
//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java
//SOURCES Collected.java

import static metrics.Snapshots.gauge;
import static metrics.Snapshots.point;

import io.prometheus.metrics.model.snapshots.Labels;
import java.util.List;
import java.util.function.Consumer;
import oshi.hardware.CentralProcessor;

/** node_load1/5/15 through OSHI (getloadavg(3)). */
final class LoadAvg implements Source {
    final CentralProcessor cpu;

    LoadAvg(CentralProcessor cpu) {
        this.cpu = cpu;
    }

    @Override
    public Collected collect(Consumer<String> step) {
        double[] load = cpu.getSystemLoadAverage(3);
        if (load[0] < 0) throw new IllegalStateException("OSHI could not read the load average");
        return Collected.of(List.of(gauge("node_load1", "1m load average.", point(Labels.EMPTY, load[0])),
                gauge("node_load5", "5m load average.", point(Labels.EMPTY, load[1])),
                gauge("node_load15", "15m load average.", point(Labels.EMPTY, load[2]))));
    }
}
