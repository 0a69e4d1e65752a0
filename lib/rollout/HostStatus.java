package rollout;

//SOURCES ../ssh/Ssh.java ../ssh/Status.java

import java.util.Locale;
import ssh.Status;

/**
 * How one host of a rollout ended: a kind, and for a host that could not be reached the SSH
 * status that says why (refused, timeout, auth-failed, hostkey-mismatch, ...: fanout's words).
 * {@link #text} is what rows, summaries, JSON and the state file print; code chooses on
 * {@link #kind}. The state file's text is read back with {@link #parse}.
 */
public record HostStatus(Kind kind, Status connection) {

    public enum Kind {
        DONE, PRECHECK_FAILED, DEPLOY_FAILED, VERIFY_FAILED, ROLLED_BACK, ROLLBACK_FAILED, UNREACHED, NOT_RUN;

        /** "done", "precheck-failed", ... (UNREACHED prints its connection status instead). */
        public String label() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }

        /** The host was changed (or an attempt was made): --resume leaves it alone. */
        public boolean changed() {
            return this == DONE || this == DEPLOY_FAILED || this == VERIFY_FAILED || this == ROLLED_BACK || this == ROLLBACK_FAILED;
        }
    }

    public static final HostStatus DONE = new HostStatus(Kind.DONE, null);
    public static final HostStatus NOT_RUN = new HostStatus(Kind.NOT_RUN, null);

    public HostStatus {
        if ((kind == Kind.UNREACHED) != (connection != null)) throw new IllegalArgumentException(kind + " with connection status " + connection);
    }

    public static HostStatus of(Kind kind) { return new HostStatus(kind, null); }

    /** The host could not be logged in to: {@code why} is the connection's status. */
    public static HostStatus unreached(Status why) { return new HostStatus(Kind.UNREACHED, why); }

    public boolean done() { return kind == Kind.DONE; }

    /** A failure: anything but done and not-run. */
    public boolean failed() { return kind != Kind.DONE && kind != Kind.NOT_RUN; }

    public String text() { return connection != null ? connection.text() : kind.label(); }

    /** The status a state file recorded ({@link #text}), or null for a word that is not one. */
    public static HostStatus parse(String text) {
        for (Kind k : Kind.values()) if (k != Kind.UNREACHED && k.label().equals(text)) return of(k);
        for (Status.Kind k : Status.Kind.values()) {
            if (k.label.equals(text) && k != Status.Kind.OK && k != Status.Kind.EXIT && k != Status.Kind.SIGNAL) return unreached(Status.of(k));
        }
        return null;
    }

    @Override public String toString() { return text(); }
}
