import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A local account for password-login and sudo tests: {@code opsfan}, password {@link #PASSWORD},
 * allowed to sudo with that password (asked every time: timestamp_timeout=0). Created once (useradd, chpasswd, /etc/sudoers.d) and left in
 * place: the tests run as root on a CI machine that is thrown away, and recreating it each run
 * would only add churn to /etc/passwd.
 */
public final class TestUser {
    public static final String NAME = "opsfan";
    public static final String PASSWORD = "fan-out-pw-42";
    private static boolean ready;

    private TestUser() {}

    public static synchronized void ensure() {
        Prereq.requireRoot();
        Prereq.requireExecutable("/usr/bin/sudo", "sudo");
        if (ready) return;
        Proc.sh("id " + NAME + " >/dev/null 2>&1 || useradd -m -s /bin/sh " + NAME);
        Proc.sh("echo '" + NAME + ":" + PASSWORD + "' | chpasswd");
        Path sudoers = Path.of("/etc/sudoers.d/ops-test-" + NAME);
        if (!Files.exists(sudoers)) {
            Proc.sh("printf '%s\\n' 'Defaults:" + NAME + " timestamp_timeout=0' '" + NAME + " ALL=(ALL) ALL' > " + sudoers + ".tmp && chmod 440 " + sudoers + ".tmp"
                    + " && visudo -cf " + sudoers + ".tmp >/dev/null && mv " + sudoers + ".tmp " + sudoers);
        }
        ready = true;
    }
}
