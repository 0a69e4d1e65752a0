package logs;

//SOURCES Budget.java Tailer.java

import java.util.regex.Pattern;

/**
 * --multiline-start: a line matching the pattern starts an event; other lines are joined to the
 * open one (a stack trace under its first line). The joined event is capped at --max-line like a
 * line, and one with nothing new for a second is complete (the reader closes it).
 */
public final class Multiline {
    private final Pattern start;
    private final Budget budget;
    private final long maxLine;

    public Multiline(Pattern start, Budget budget, long maxLine) {
        this.start = start;
        this.budget = budget;
        this.maxLine = maxLine;
    }

    /** A multiline event being joined: its text so far and the file offset just after it. */
    static final class Pending {
        final StringBuilder text = new StringBuilder();
        boolean truncated;       // reached --max-line: later lines of the event are counted, not kept
        long end;

        Pending(String first, boolean truncated, long end) {
            text.append(first);
            this.truncated = truncated;
            this.end = end;
        }
    }

    /**
     * Joins {@code line} (which ends at {@code end}) to {@code t}'s open event, unless it starts an
     * event of its own or none is open: then false, and the caller completes the open one and opens another.
     */
    boolean joined(Tailer t, String line, long end) {
        if (budget.find(start, line, true) || t.pending == null) return false;
        // The joined event is capped like a line: a 57 MB stack trace must not take the heap.
        if (t.pending.text.length() + 1 + line.length() <= maxLine) t.pending.text.append('\n').append(line);
        else t.pending.truncated = true;
        t.pending.end = end;
        return true;
    }
}
