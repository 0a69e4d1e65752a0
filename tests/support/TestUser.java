import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A local account for password-login and sudo tests: {@code opsfan}, with a password made for this
 * run ({@link #password()}), allowed to sudo with it (asked every time: timestamp_timeout=0).
 *
 * It lives only while the tests run: made on first use, removed with its sudoers entry by
 * {@link #remove()} (the harness calls it after the last test), by a shutdown hook if the run is
 * interrupted, and, if the run was killed outright, before the next run makes it again.
 */
public final class TestUser {
    /** opsfan, unless OPS_TEST_USER names another (two harness runs at once on one machine must not share it). */
    public static final String NAME = System.getenv().getOrDefault("OPS_TEST_USER", "opsfan");
    static final Path SUDOERS = Path.of("/etc/sudoers.d/ops-test-" + NAME);
    private static String password;
    private static Thread hook;

    private TestUser() {}

    /** This run's password (never written in the source, never the same twice). */
    public static synchronized String password() {
        if (password == null) {
            byte[] b = new byte[12];
            new SecureRandom().nextBytes(b);
            password = "t-" + HexFormat.of().formatHex(b);
        }
        return password;
    }

    public static synchronized void ensure() {
        Prereq.requireRoot();
        Prereq.requireExecutable("/usr/bin/sudo", "sudo");
        if (hook != null) return;
        remove();                              // a leftover of a run that was killed
        hook = new Thread(TestUser::remove, "remove-" + NAME);
        Runtime.getRuntime().addShutdownHook(hook);
        Proc.sh("useradd -m -s /bin/sh " + NAME);
        Proc.run(java.util.List.of("chpasswd"), java.time.Duration.ofSeconds(30), java.util.Map.of(), NAME + ":" + password() + "\n");
        Proc.sh("printf '%s\\n' 'Defaults:" + NAME + " timestamp_timeout=0' '" + NAME + " ALL=(ALL) ALL' > " + SUDOERS + ".tmp && chmod 440 " + SUDOERS + ".tmp"
                + " && visudo -cf " + SUDOERS + ".tmp >/dev/null && mv " + SUDOERS + ".tmp " + SUDOERS);
    }

    /** Removes the account, its home, its processes and its sudoers entry, if any. */
    public static synchronized void remove() {
        if (!"root".equals(System.getProperty("user.name"))) return;
        Proc.run(java.util.List.of("bash", "-c", "rm -f " + SUDOERS + " " + SUDOERS + ".tmp; if id " + NAME + " >/dev/null 2>&1; then "
                + "pkill -KILL -u " + NAME + "; sleep 0.2; userdel -r " + NAME + " >/dev/null 2>&1 || userdel -f -r " + NAME + " >/dev/null 2>&1; fi; true"),
                java.time.Duration.ofSeconds(30));
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) { }   // already shutting down
            hook = null;
        }
    }

    static boolean exists() {
        return Files.exists(SUDOERS) || Proc.run(java.util.List.of("id", NAME), java.time.Duration.ofSeconds(10)).exit() == 0;
    }
}
