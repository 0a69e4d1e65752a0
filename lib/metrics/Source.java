package metrics;

//SOURCES Collected.java

import java.util.function.Consumer;

/**
 * A collector: reads one part of the node (node_exporter's collector/NAME_linux.go) and returns its
 * metrics. Built once at start (what cannot change while the kernel runs is read there), collected
 * on every scrape by {@link CollectorRunner} within its time budget. Each is one file, listed once in
 * {@link Registry}.
 */
public interface Source {
    /** Collect; {@code step} names what is being done, so a timeout can say where it is stuck. */
    Collected collect(Consumer<String> step) throws Exception;
}
