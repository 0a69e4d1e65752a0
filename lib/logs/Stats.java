package logs;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES Json.java

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/** What a run did, counted as it goes (by the reader, the parse pool and the shipper), and how it is told. */
public final class Stats {
    final AtomicLong linesRead = new AtomicLong(), bytesRead = new AtomicLong(), linesShipped = new AtomicLong(), bytesShipped = new AtomicLong(),
            filtered = new AtomicLong(), events = new AtomicLong(), parseErrors = new AtomicLong(), regexTimeouts = new AtomicLong(), truncatedLines = new AtomicLong(),
            retries = new AtomicLong(), batches = new AtomicLong(), rejected = new AtomicLong();
    private volatile long startNs = System.nanoTime();

    /** The run (and its clock) starts now. */
    void started() {
        startNs = System.nanoTime();
    }

    /** Events read (past the filters) and neither accepted nor rejected for good by the sink. */
    public long undelivered() {
        return events.get() - linesShipped.get() - rejected.get();
    }

    /** Events the sink refused for good (HTTP 400): logged, not retried, the checkpoint moved past them. */
    public long rejected() {
        return rejected.get();
    }

    /** The last line of a run: what was read, shipped, filtered, and how fast. */
    public String summary() {
        double secs = (System.nanoTime() - startNs) / 1e9;
        return String.format(Locale.ROOT, "logship: %d lines read, %d shipped in %d %s, %d filtered, %d parse errors (%d regex over budget), "
                + "%d truncated, %d retries%s; %.1f s, %.0f lines/s", linesRead.get(), linesShipped.get(), batches.get(),
                batches.get() == 1 ? "batch" : "batches", filtered.get(),
                parseErrors.get(), regexTimeouts.get(), truncatedLines.get(), retries.get(),
                rejected.get() > 0 ? ", " + rejected.get() + " rejected by the sink" : "", secs, linesShipped.get() / Math.max(secs, 1e-3));
    }

    /** --stats-json FILE: the counters as one JSON object. */
    public void writeJson(Path f) throws IOException {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("lines_read", linesRead.get());
        n.put("bytes_read", bytesRead.get());
        n.put("lines_shipped", linesShipped.get());
        n.put("bytes_shipped", bytesShipped.get());
        n.put("batches", batches.get());
        n.put("filtered", filtered.get());
        n.put("parse_errors", parseErrors.get());
        n.put("regex_over_budget", regexTimeouts.get());
        n.put("truncated", truncatedLines.get());
        n.put("retries", retries.get());
        n.put("rejected", rejected.get());
        n.put("elapsed_s", (System.nanoTime() - startNs) / 1e9);
        Files.writeString(f, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n");
    }
}
