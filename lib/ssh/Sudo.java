package ssh;

//SOURCES Capture.java RemoteCommand.java

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Running a remote command through sudo: {@code sudo -n} (fails rather than asks) or, with a
 * password, {@code sudo -S} with a prompt we recognise on stderr; the password is answered on the
 * command's stdin once, a second prompt means it was refused, and a marker on stderr says sudo has
 * let us through (then the user's stdin follows). Prompt and marker are dropped from the output.
 */
public final class Sudo {
    private final char[] password;
    private final String prompt;
    private final String done;

    private Sudo(char[] password, String prompt, String done) {
        this.password = password;
        this.prompt = prompt;
        this.done = done;
    }

    /** {@code sudo -n}: no password, sudo fails if it would need one. */
    public static Sudo nonInteractive() { return new Sudo(null, null, null); }

    /**
     * {@code sudo -S} answering with {@code password}. The markers are unguessable by the remote
     * command (a SecureRandom costs ~15 ms of start-up: make this only when it is needed).
     */
    public static Sudo withPassword(char[] password) {
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        String token = HexFormat.of().formatHex(b);
        return new Sudo(password, "[ops-sudo-password-" + token + "]", "[ops-sudo-ok-" + token + "]");
    }

    boolean asksPassword() { return password != null; }

    /** The shell line that runs {@code cmd} (a shell line itself) as root. */
    public String wrap(String cmd) {
        if (password == null) return "sudo -n -- sh -c " + RemoteCommand.quote(cmd);
        return "sudo -S -p " + RemoteCommand.quote(prompt) + " -- sh -c "
                + RemoteCommand.quote("printf '%s\\n' " + RemoteCommand.quote(done) + " >&2; " + cmd);
    }

    byte[] answer() { return (new String(password) + "\n").getBytes(StandardCharsets.UTF_8); }

    /** Reads the command's stderr into {@code to}: answers sudo's prompt, drops prompt and marker. */
    void filter(InputStream in, Capture to, RemoteCommand.Stdin stdin) {
        StringBuilder pending = new StringBuilder();
        byte[] buf = new byte[8 * 1024];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                if (stdin.sent()) { to.write(buf, 0, n); continue; }
                pending.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                int p;
                while ((p = pending.indexOf(prompt)) >= 0) {
                    pending.delete(p, p + prompt.length());
                    stdin.prompted();
                }
                int d = pending.indexOf(done + "\n");
                if (d >= 0) {
                    pending.delete(d, d + done.length() + 1);
                    byte[] b = pending.toString().getBytes(StandardCharsets.ISO_8859_1);
                    to.write(b, 0, b.length);
                    pending.setLength(0);
                    stdin.send();
                }
            }
        } catch (IOException ignored) {
        } finally {
            byte[] b = pending.toString().getBytes(StandardCharsets.ISO_8859_1);
            to.write(b, 0, b.length);
            to.finish();
        }
    }
}
