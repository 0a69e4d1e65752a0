import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** Test prerequisites: skip outside CI, fail under CI=true (where .ci/run must have installed them). */
public final class Prereq {
    private Prereq() {}

    public static boolean inCi() { return "true".equals(System.getenv("CI")); }

    public static void require(boolean present, String what) {
        if (present) return;
        if (inCi()) Assertions.fail("prerequisite missing under CI=true: " + what);
        Assumptions.abort("needs " + what);
    }

    public static void requireExecutable(String path, String pkg) {
        require(Files.isExecutable(Path.of(path)), path + " (apt-get install " + pkg + ")");
    }

    public static void requireRoot() {
        require("root".equals(System.getProperty("user.name")), "root (network namespaces, iptables)");
    }
}
