package fleet;

//SOURCES ../run/NotRun.java ../ssh/Capture.java ../ssh/Endpoints.java ../ssh/RemoteCommand.java ../ssh/Ssh.java ../ssh/Status.java

import java.util.Map;
import run.NotRun;
import ssh.Capture;
import ssh.Endpoints;
import ssh.RemoteCommand;
import ssh.Ssh;
import ssh.Status;

/**
 * What happened on one host: its status (ok, exit N, signal NAME, timeout, refused, ...) and why,
 * the address reached, what SSH negotiated, how long it took, and its captured stdout and stderr.
 */
public final class HostRun {
    private final Endpoints.Host host;
    private final Capture stdout;
    private final Capture stderr;
    private Status status = Status.ERROR;
    private String detail;
    private String address;
    private Map<String, String> ssh = Map.of();
    private long ms;

    public HostRun(Endpoints.Host host, Capture stdout, Capture stderr) {
        this.host = host;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** A host the run cut off (deadline, signal) or that has no result (a bug): no output, and why. */
    public static HostRun notRun(Endpoints.Host host, NotRun why) {
        Status status = why.why().interrupted() ? Status.INTERRUPTED : why.why() == NotRun.Why.DEADLINE_WHILE_RUNNING ? Status.TIMEOUT
                : why.why() == NotRun.Why.DEADLINE_BEFORE_START ? Status.NOT_RUN : Status.ERROR;
        return new HostRun(host, Capture.empty(), Capture.empty()).end(status, why.text());
    }

    public HostRun end(Status status, String detail) {
        this.status = status;
        this.detail = detail;
        return this;
    }

    public HostRun end(RemoteCommand.Result r) { return end(r.status(), r.detail()); }

    /** Logged in: where, and what was negotiated. */
    public void connected(Ssh.Connection c) {
        address = c.address();
        ssh = c.negotiated();
    }

    /** Could not connect or log in. */
    public void failed(Ssh.Failure f) {
        address = f.address;
        end(Status.of(f), f.detail);
    }

    public void elapsedMs(long ms) { this.ms = ms; }

    public Endpoints.Host host() { return host; }
    public String label() { return host.label(); }
    public Status status() { return status; }
    public boolean ok() { return status.ok(); }
    /** Why it ended so, or null; an exit may carry one too ("sudo refused the password"), ok never shows it. */
    public String detail() { return detail; }
    public String address() { return address; }
    public Map<String, String> ssh() { return ssh; }
    public long ms() { return ms; }
    public Capture stdout() { return stdout; }
    public Capture stderr() { return stderr; }
    public boolean truncated() { return stdout.truncated() || stderr.truncated(); }
}
