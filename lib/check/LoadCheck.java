package check;

//SOURCES ../yaml/Yaml.java Check.java Findings.java Limit.java LocalFacts.java Probe.java Severity.java Validate.java

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import yaml.Yaml;

/** {@code kind: load}: the 1, 5 and 15 minute load averages, as they are or per CPU. */
public record LoadCheck(String name, String group, Severity severity, Limit<Double> load1, Limit<Double> load5,
                        Limit<Double> load15, Boolean perCpu) implements Check {

    @Override public String defaultGroup() { return "system"; }

    @Override public Probe probe(String at, Duration defaultTimeout) {
        if (load1 == null && load5 == null && load15 == null) {
            throw new Yaml.Invalid(at, "a load check needs thresholds for load1, load5 or load15, e.g. load5: {warn: 4, crit: 8}");
        }
        Validate.above(at + ".load1", load1, Double::doubleValue);
        Validate.above(at + ".load5", load5, Double::doubleValue);
        Validate.above(at + ".load15", load15, Double::doubleValue);
        return new Read(this);
    }

    private record Read(LoadCheck c) implements Probe {
        @Override public String name() { return "load"; }

        @Override public void run(LocalFacts local, Findings o) {
            double[] load = local.loadAverage();
            int cpus = local.logicalCpus();
            boolean perCpu = Boolean.TRUE.equals(c.perCpu());
            String[] labels = {"load1", "load5", "load15"};
            List<Limit<Double>> limits = Arrays.asList(c.load1(), c.load5(), c.load15());
            for (int i = 0; i < 3; i++) {
                if (limits.get(i) == null) continue;
                double v = perCpu ? load[i] / cpus : load[i];
                String shown = String.format(Locale.ROOT, perCpu ? "%.2f/cpu" : "%.2f", v);
                o.measure(labels[i], Math.round(v * 100) / 100.0, perCpu ? "per cpu" : "", shown, limits.get(i), Double::doubleValue, false);
            }
            o.note(String.format(Locale.ROOT, "load %.2f %.2f %.2f on %d cpus", load[0], load[1], load[2], cpus));
        }
    }
}
