package rollout;

//SOURCES ../ssh/Capture.java ../ssh/Endpoints.java ../ssh/RemoteCommand.java ../ssh/Ssh.java ../ssh/Status.java

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import ssh.Capture;
import ssh.Endpoints;
import ssh.RemoteCommand;
import ssh.Ssh;
import ssh.Status;

/**
 * One host's SSH connection for all of its steps (precheck, deploy, verify, rollback): logged in
 * once, reused, and opened again only if it dropped (a long soak). rollout's own small holder:
 * the per-run connection pool of issue 17 will take its place.
 */
public final class HostSession implements AutoCloseable {
    private final Endpoints.Host host;
    private final Ssh.Login login;
    private Ssh.Connection connection;

    /**
     * How a step on the host ended: the command's status and why (or its last line of output);
     * {@code reached} is false when the host could not be logged in to (nothing ran there).
     */
    public record Outcome(Status status, String detail, boolean reached) {
        public boolean ok() { return status.ok(); }
        public String text() { return status.text() + (detail == null || detail.isEmpty() ? "" : ": " + detail); }
    }

    public HostSession(Endpoints.Host host, Ssh.Login login) {
        this.host = host;
        this.login = login;
    }

    public Endpoints.Host host() { return host; }

    /** The connection, opened on first use (or again if it dropped); Ssh.Failure says why not. */
    public synchronized Ssh.Connection connection() throws Ssh.Failure {
        if (host.unsupported() != null) throw new Ssh.Failure("error", host.unsupported(), null);
        if (connection == null || !connection.client().isConnected() || !connection.client().isAuthenticated()) {
            if (connection != null) connection.close();
            connection = null;
            connection = Ssh.connect(host.endpoint(), login);
        }
        return connection;
    }

    /** Runs {@code line} on the host with {@code timeout}; a connection failure is its own status. */
    public Outcome run(String line, Duration timeout) {
        Ssh.Connection c;
        try {
            c = connection();
        } catch (Ssh.Failure f) {
            return new Outcome(Status.of(f), f.detail, false);
        }
        var opts = new RemoteCommand.Options(new byte[0], null, timeout, "timeout", login.connectTimeout());
        Capture out = new Capture(64 << 10, new AtomicLong(1 << 20), null), err = new Capture(64 << 10, new AtomicLong(1 << 20), null);
        RemoteCommand.Result r = RemoteCommand.run(c, line, opts, out, err);
        String said = lastLine(err.text());
        if (said.isEmpty()) said = lastLine(out.text());
        return new Outcome(r.status(), r.detail() != null ? r.detail() : said, true);
    }

    /** Uploads {@code script}, runs it with sh (or its #! interpreter), and removes it. */
    public Outcome runScript(byte[] script, Duration timeout) {
        Ssh.Connection c;
        try {
            c = connection();
        } catch (Ssh.Failure f) {
            return new Outcome(Status.of(f), f.detail, false);
        }
        String path;
        try {
            path = RemoteCommand.upload(c, script, "ops-rollout", login.connectTimeout());
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

    @Override public synchronized void close() {
        if (connection != null) connection.close();
        connection = null;
    }
}
