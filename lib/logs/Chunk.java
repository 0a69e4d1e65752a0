package logs;

//SOURCES Fingerprint.java Tailer.java

import java.util.ArrayList;
import java.util.List;

/**
 * Lines read from one file, in order, on their way to the parse pool. {@code end}: the offset the
 * checkpoint may advance to once they are delivered; {@code fp}: the file's fingerprint when they
 * were read (a truncation changes it while chunks are in flight); {@code readNs}: when.
 */
record Chunk(Tailer file, String path, Fingerprint fp, Lines lines, long end, long readNs) {

    /** A chunk's events as read: text, whether cut at --max-line, and the file offset just after each. */
    static final class Lines {
        final List<String> text = new ArrayList<>();
        final List<Boolean> cut = new ArrayList<>();
        final List<Long> ends = new ArrayList<>();
    }
}
