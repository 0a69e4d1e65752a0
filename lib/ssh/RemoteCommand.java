package ssh;

//DEPS com.hierynomus:sshj:0.40.0
//SOURCES ../cli/Durations.java Capture.java Ssh.java Status.java Sudo.java

import cli.Durations;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.Signal;

/**
 * Running one command line over an authenticated connection: one session, stdin fed (the sudo
 * password first when sudo asks, then the given bytes, then EOF), stdout and stderr captured with
 * their caps, and one end: exit N, signal NAME, timeout, interrupted or error. On timeout or
 * interrupt the remote command gets SIGTERM (OpenSSH 7.9+ honours signal requests), a moment to
 * end, and then the connection is dropped.
 *
 * <pre>
 *   var opts = new RemoteCommand.Options(new byte[0], null, Duration.ofSeconds(60), "-t", Duration.ofSeconds(10));
 *   RemoteCommand.Result r = RemoteCommand.run(connection, "uptime", opts, stdout, stderr);
 *   r.status(); r.detail();
 * </pre>
 */
public final class RemoteCommand {
    private RemoteCommand() {}

    /**
     * @param stdin        what the command reads on stdin (empty: EOF at once, like ssh -n)
     * @param sudo         the sudo the line was wrapped in, or null; with a password it is answered on stdin
     * @param timeout      how long the command may run; zero for no limit
     * @param timeoutName  the option that set {@code timeout}, for the message ("-t")
     * @param replyTimeout how long to wait for the exit status after the output ended
     */
    public record Options(byte[] stdin, Sudo sudo, Duration timeout, String timeoutName, Duration replyTimeout) {}

    /** How it ended; {@code detail} says why (null for a plain exit). */
    public record Result(Status status, String detail) {}

    /** How long a timed-out or interrupted command gets to end after SIGTERM. */
    public static final long STOP_GRACE_MS = 1000;

    /** Runs {@code line}, collecting stdout/stderr until both end, the timeout, or an interrupt. */
    public static Result run(Ssh.Connection c, String line, Options o, Capture out, Capture err) {
        Session.Command cmd;
        Session session;
        try {
            session = c.client().startSession();
            cmd = session.exec(line);
        } catch (IOException e) {
            return new Result(Status.ERROR, "could not start the command: " + e.getMessage());
        }
        boolean answersSudo = o.sudo() != null && o.sudo().asksPassword();
        CountDownLatch ended = new CountDownLatch(2);
        Stdin stdin = new Stdin(cmd.getOutputStream(), o);
        Thread.ofVirtual().start(() -> { out.pump(cmd.getInputStream()); ended.countDown(); });
        Thread.ofVirtual().start(() -> {
            if (answersSudo) o.sudo().filter(cmd.getErrorStream(), err, stdin);
            else err.pump(cmd.getErrorStream());
            ended.countDown();
        });
        if (!answersSudo) stdin.send();
        try {
            boolean done = o.timeout().isZero() ? awaitForever(ended) : ended.await(o.timeout().toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                boolean stopped = stop(cmd, ended, c);
                return new Result(Status.TIMEOUT, "command still running after " + Durations.format(o.timeout().toMillis())
                        + " (" + o.timeoutName() + "); " + (stopped ? "stopped it with SIGTERM" : "sent SIGTERM, but it did not end"
                        + " (sshd does not deliver signals to root sessions); closed the connection, so it may still be running"));
            }
            cmd.join(o.replyTimeout().toMillis(), TimeUnit.MILLISECONDS);   // the exit status follows EOF
            session.close();
        } catch (InterruptedException e) {
            boolean stopped = stop(cmd, ended, c);
            Thread.currentThread().interrupt();
            return new Result(Status.INTERRUPTED, "interrupted; " + (stopped ? "stopped the remote command with SIGTERM" : "sent SIGTERM to the remote command"));
        } catch (IOException e) {
            return new Result(Status.ERROR, "session failed: " + e.getMessage());
        }
        Integer exit = cmd.getExitStatus();
        Signal sig = cmd.getExitSignal();
        if (exit != null) return new Result(Status.exited(exit), stdin.sudoRefused ? "sudo refused the password" : null);
        if (sig != null) {
            String why = cmd.getExitErrorMessage();                    // OpenSSH always sends one, empty
            return new Result(Status.signalled(sig.name()), "killed by SIG" + sig.name() + (why == null || why.isEmpty() ? "" : ": " + why));
        }
        return new Result(Status.ERROR, "the session closed without an exit status (connection lost?)");
    }

    private static boolean awaitForever(CountDownLatch l) throws InterruptedException {
        l.await();
        return true;
    }

    /**
     * SIGTERM to the remote command, a moment for it to end, then the connection is dropped (not
     * the channel closed politely: sshd would hold that until the command exits). True if the
     * command's output ended, i.e. it is gone.
     */
    private static boolean stop(Session.Command cmd, CountDownLatch ended, Ssh.Connection c) {
        boolean interrupted = Thread.interrupted();
        boolean gone = false;
        try {
            cmd.signal(Signal.TERM);
            gone = ended.await(STOP_GRACE_MS, TimeUnit.MILLISECONDS);
        } catch (IOException | RuntimeException ignored) {
        } catch (InterruptedException e) {
            interrupted = true;
        }
        c.close();
        if (interrupted) Thread.currentThread().interrupt();
        return gone;
    }

    /** Writes the sudo password (when sudo asks for one), then the stdin bytes, then EOF. */
    static final class Stdin {
        private final OutputStream to;
        private final Options o;
        private volatile boolean sent;
        volatile boolean sudoRefused;
        private int prompts;

        Stdin(OutputStream to, Options o) {
            this.to = to;
            this.o = o;
        }

        boolean sent() { return sent; }

        /** sudo printed its prompt: answer once; a second prompt means the password was wrong. */
        synchronized void prompted() {
            try {
                if (++prompts == 1) {
                    to.write(o.sudo().answer());
                    to.flush();
                } else {
                    sudoRefused = true;
                    to.close();                     // sudo gives up on EOF
                }
            } catch (IOException ignored) { }
        }

        /** The stdin bytes, then EOF. */
        synchronized void send() {
            if (sent) return;
            sent = true;
            Thread.ofVirtual().start(() -> {
                try (to) {
                    to.write(o.stdin());
                } catch (IOException ignored) { }   // the command closed its stdin early; not an error
            });
        }
    }

    // ---- uploading -----------------------------------------------------------------------------

    /** Why an upload failed: {@code status} is error or interrupted. */
    public static final class Failed extends Exception {
        public final Status status;
        public final String detail;

        Failed(Status status, String detail) {
            super(detail, null, false, false);
            this.status = status;
            this.detail = detail;
        }
    }

    /**
     * Copies {@code content} with `cat` into a new private file (mode 600) in the remote $TMPDIR
     * (or /tmp), named {@code prefix.XXXXXX}, in its own session; returns the file's path.
     */
    public static String upload(Ssh.Connection c, byte[] content, String prefix, Duration replyTimeout) throws Failed {
        String cmd = "umask 077 && f=$(mktemp \"${TMPDIR:-/tmp}/" + prefix + ".XXXXXX\") && cat > \"$f\" && printf '%s' \"$f\"";
        Failed refused;      // thrown after the session is closed (a failure to close it says more)
        try (Session s = c.client().startSession(); Session.Command cmd1 = s.exec(cmd)) {
            var pathOut = new ByteArrayOutputStream();
            var errOut = new ByteArrayOutputStream();
            Thread e = Thread.ofVirtual().start(() -> drain(cmd1.getErrorStream(), errOut));
            try (OutputStream in = cmd1.getOutputStream()) {
                in.write(content);
            }
            cmd1.getInputStream().transferTo(pathOut);
            e.join();
            cmd1.join(replyTimeout.toMillis(), TimeUnit.MILLISECONDS);
            String path = pathOut.toString(StandardCharsets.UTF_8).strip();
            if (Integer.valueOf(0).equals(cmd1.getExitStatus()) && !path.isEmpty()) return path;
            refused = new Failed(Status.ERROR, errOut.toString(StandardCharsets.UTF_8).strip());
        } catch (IOException | InterruptedException ex) {
            throw new Failed(Thread.currentThread().isInterrupted() ? Status.INTERRUPTED : Status.ERROR, String.valueOf(ex.getMessage()));
        }
        throw refused;
    }

    private static void drain(InputStream in, OutputStream to) {
        try {
            in.transferTo(to);
        } catch (IOException ignored) { }
    }

    /** POSIX sh single quoting. */
    public static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
