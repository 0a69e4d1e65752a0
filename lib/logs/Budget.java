package logs;

//SOURCES ../cli/Durations.java Stats.java

import cli.Durations;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * --regex-budget: the time one regex (a --parse regex, --multiline-start, --include, --exclude)
 * may spend on one line. Past it the match gives up, the line ships (unparsed) rather than being
 * dropped, and {@link Stats#regexTimeouts} counts it.
 */
public final class Budget {
    private final Duration limit;
    private final Stats stats;

    public Budget(Duration limit, Stats stats) {
        this.limit = limit;
        this.stats = stats;
    }

    /**
     * {@code p.find()} on {@code line} within the budget; past it the line counts as over budget
     * and {@code onTimeout} is the answer (chosen so that a slow pattern ships a line rather than drops it).
     */
    boolean find(Pattern p, String line, boolean onTimeout) {
        try {
            return matcher(p, line).find();
        } catch (Exceeded | StackOverflowError e) {
            overrun();
            return onTimeout;
        }
    }

    /** A matcher whose input throws {@link Exceeded} once the budget for this line is spent. */
    Matcher matcher(Pattern p, String line) {
        return p.matcher(new Line(line, System.nanoTime() + limit.toNanos()));
    }

    /** A match ran over: counted. */
    void overrun() {
        stats.regexTimeouts.incrementAndGet();
    }

    /** "50ms", as --regex-budget was given. */
    String limit() {
        return Durations.format(limit.toMillis());
    }

    /** The budget ran out for this line. */
    static final class Exceeded extends RuntimeException {
        Exceeded() { super(null, null, false, false); }
    }

    /** A CharSequence that throws once its deadline passes: bounds catastrophic regex backtracking per line. */
    static final class Line implements CharSequence {
        private final CharSequence s;
        private final long deadline;
        private int calls;

        Line(CharSequence s, long deadline) { this.s = s; this.deadline = deadline; }

        @Override public char charAt(int i) {
            if ((++calls & 0xFFF) == 0 && System.nanoTime() > deadline) throw new Exceeded();
            return s.charAt(i);
        }
        @Override public int length() { return s.length(); }
        @Override public CharSequence subSequence(int a, int b) { return new Line(s.subSequence(a, b), deadline); }
        @Override public String toString() { return s.toString(); }
    }
}
