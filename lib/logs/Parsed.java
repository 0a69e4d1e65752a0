package logs;

//SOURCES Fingerprint.java Tailer.java

/**
 * A parsed chunk, already encoded for the sink by the pool thread: event i is bytes
 * [starts[i], starts[i+1]) of {@code bytes} and completes the file up to ends[i]; {@code end}
 * is the offset the whole chunk completes (lines filtered out after the last event included).
 */
record Parsed(Tailer file, String path, Fingerprint fp, byte[] bytes, int[] starts, long[] ends, long end) {
    int size() { return ends.length; }

    /** Events from..to of one parsed chunk: what a batch is made of, and what a sink sends. */
    record Slice(Parsed p, int from, int to) {
        int bytes() { return p.starts()[to] - p.starts()[from]; }
    }
}
