package ssh;

//SOURCES Ssh.java

/**
 * How one host's SSH run ended: a kind, plus the exit code ({@code ok} is exit 0, {@code exit N}
 * any other) or the signal's name ({@code signal TERM}) where the kind has one. {@link #text} is
 * what rows, summaries and JSON print; code chooses on {@link #kind}, never on the text.
 */
public record Status(Kind kind, Integer exitCode, String signal) {

    public enum Kind {
        OK("ok"), EXIT("exit"), SIGNAL("signal"), TIMEOUT("timeout"), REFUSED("refused"), UNREACHABLE("unreachable"),
        UNRESOLVED("unresolved"), AUTH_FAILED("auth-failed"), HOSTKEY_MISMATCH("hostkey-mismatch"),
        HOSTKEY_REVOKED("hostkey-revoked"), HOSTKEY_UNKNOWN("hostkey-unknown"), KEX_FAILED("kex-failed"),
        /** A bastion on the way (ProxyJump) could not be reached or logged in to; the detail names it and why. */
        JUMP_FAILED("jump-failed"),
        ERROR("error"), INTERRUPTED("interrupted"), NOT_RUN("not-run");

        /** The word printed for this kind ("exit" and "signal" are followed by the code or name). */
        public final String label;

        Kind(String label) { this.label = label; }
    }

    public static final Status OK = new Status(Kind.OK, 0, null);
    public static final Status TIMEOUT = new Status(Kind.TIMEOUT, null, null);
    public static final Status ERROR = new Status(Kind.ERROR, null, null);
    public static final Status INTERRUPTED = new Status(Kind.INTERRUPTED, null, null);
    public static final Status NOT_RUN = new Status(Kind.NOT_RUN, null, null);

    public Status {
        boolean valid = switch (kind) {
            case OK -> exitCode != null && exitCode == 0 && signal == null;
            case EXIT -> exitCode != null && exitCode != 0 && signal == null;
            case SIGNAL -> exitCode == null && signal != null;
            default -> exitCode == null && signal == null;
        };
        if (!valid) throw new IllegalArgumentException("status " + kind + " with exit code " + exitCode + ", signal " + signal);
    }

    /** The command exited: ok for 0, else exit N. */
    public static Status exited(int code) { return code == 0 ? OK : new Status(Kind.EXIT, code, null); }

    /** The command was killed by signal {@code name} (TERM, KILL, ...). */
    public static Status signalled(String name) { return new Status(Kind.SIGNAL, null, name); }

    /** A kind that has no number or name (timeout, refused, error, ...). */
    public static Status of(Kind kind) { return new Status(kind, null, null); }

    /**
     * Why {@link Ssh#connect} failed, as a status. (Ssh.Failure still names its status in words;
     * every word it can give is a kind here.)
     */
    public static Status of(Ssh.Failure f) {
        for (Kind k : Kind.values()) {
            if (k.label.equals(f.status) && k != Kind.OK && k != Kind.EXIT && k != Kind.SIGNAL) return of(k);
        }
        throw new IllegalArgumentException("unknown SSH failure status: " + f.status);
    }

    public boolean ok() { return kind == Kind.OK; }

    /** "ok", "exit 3", "signal TERM", "timeout", "auth-failed", ... */
    public String text() {
        return switch (kind) {
            case EXIT -> "exit " + exitCode;
            case SIGNAL -> "signal " + signal;
            default -> kind.label;
        };
    }

    @Override public String toString() { return text(); }
}
