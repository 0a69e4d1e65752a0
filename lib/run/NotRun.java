package run;

/**
 * Why an item of a run has no result of its own: the global deadline or a signal cut it off
 * before it started or while it ran, or (a bug) its task ended without one. {@link #text} is what
 * the row says; scripts choose their status from {@link #why}, never from the text.
 */
public record NotRun(Why why, String text) {
    public enum Why {
        DEADLINE_BEFORE_START, DEADLINE_WHILE_RUNNING, INTERRUPTED_BEFORE_START, INTERRUPTED_WHILE_RUNNING, NO_RESULT;

        public boolean started() { return this == DEADLINE_WHILE_RUNNING || this == INTERRUPTED_WHILE_RUNNING; }
        public boolean interrupted() { return this == INTERRUPTED_BEFORE_START || this == INTERRUPTED_WHILE_RUNNING; }
        public boolean deadline() { return this == DEADLINE_BEFORE_START || this == DEADLINE_WHILE_RUNNING; }
    }

    @Override public String toString() { return text; }
}
