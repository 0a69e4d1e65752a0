package rollout;

//SOURCES ../ssh/Capture.java ../ssh/Connections.java ../ssh/Endpoints.java ../ssh/RemoteCommand.java ../ssh/Ssh.java ../ssh/Status.java

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import ssh.Capture;
import ssh.Connections;
import ssh.Endpoints;
import ssh.RemoteCommand;
import ssh.Ssh;
import ssh.Status;

/**
 * One host's steps (precheck, deploy, verify, rollback) over the run's shared connection pool
 * (ssh.Connections): logged in once, through its bastions if ssh_config or -J names any, the
 * connection kept between steps and opened again only if it dropped (a long soak). The pool bounds
 * how many idle connections wait for their next step; {@link #close} ends the host's use.
 */
public final class HostSession implements AutoCloseable {
    private final Endpoints.Host host;
    private final Connections pool;
    private final Duration channelTimeout;
    private boolean closed;

    /**
     * How a step on the host ended: the command's status and why (or its last line of output);
     * {@code reached} is false when the host could not be logged in to (nothing ran there).
     */
    public record Outcome(Status status, String detail, boolean reached) {
        public boolean ok() { return status.ok(); }
        public String text() { return status.text() + (detail == null || detail.isEmpty() ? "" : ": " + detail); }
    }

    /** Announces the host's use to {@code pool}; {@code channelTimeout} bounds opening a session. */
    public HostSession(Endpoints.Host host, Connections pool, Duration channelTimeout) {
        this.host = host;
        this.pool = pool;
        this.channelTimeout = channelTimeout;
        pool.expect(host.route());
    }

    public Endpoints.Host host() { return host; }

    /** Logs in now (or checks the kept connection still stands); Ssh.Failure says why not. */
    public void connect() throws Ssh.Failure {
        lease().close();
    }

    private Connections.Lease lease() throws Ssh.Failure {
        if (host.unsupported() != null) throw new Ssh.Failure("error", host.unsupported(), null);
        return pool.step(host.route());
    }

    /** Runs {@code line} on the host with {@code timeout}; a connection failure is its own status. */
    public Outcome run(String line, Duration timeout) {
        var opts = new RemoteCommand.Options(new byte[0], null, timeout, "timeout", channelTimeout);
        Capture out = new Capture(64 << 10, new AtomicLong(1 << 20), null), err = new Capture(64 << 10, new AtomicLong(1 << 20), null);
        RemoteCommand.Result r;
        try (Connections.Lease l = lease()) {
            r = RemoteCommand.run(l.connection(), line, opts, out, err);
        } catch (Ssh.Failure f) {
            return new Outcome(Status.of(f), f.detail, false);
        }
        String said = lastLine(err.text());
        if (said.isEmpty()) said = lastLine(out.text());
        return new Outcome(r.status(), r.detail() != null ? r.detail() : said, true);
    }

    /** Uploads {@code script}, runs it with sh (or its #! interpreter), and removes it. */
    public Outcome runScript(byte[] script, Duration timeout) {
        String path;
        try (Connections.Lease l = lease()) {
            path = RemoteCommand.upload(l.connection(), script, "ops-rollout", channelTimeout);
        } catch (Ssh.Failure f) {
            return new Outcome(Status.of(f), f.detail, false);
        } catch (RemoteCommand.Failed f) {
            return new Outcome(f.status, "could not upload the script: " + f.detail, true);
        }
        String first = new String(script, 0, Math.min(script.length, 256), StandardCharsets.UTF_8).lines().findFirst().orElse("");
        String interpreter = first.startsWith("#!") && !first.substring(2).isBlank() ? first.substring(2).strip() : "sh";
        String q = RemoteCommand.quote(path);
        return run(interpreter + " " + q + "; rc=$?; rm -f " + q + "; exit $rc", timeout);
    }

    private static String lastLine(String text) {
        String s = text.strip();
        int nl = s.lastIndexOf('\n');
        String line = nl < 0 ? s : s.substring(nl + 1);
        return line.length() > 200 ? line.substring(0, 197) + "..." : line;
    }

    /** The host's last step is over: its connection closes (once no step holds it). */
    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        pool.done(host.route());
    }
}
