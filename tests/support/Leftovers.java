import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What tests could leave behind on the machine: unix accounts, sudoers entries, network
 * namespaces (and their /etc/netns folders), test sshd daemons and ssh-agents, test tmpfs mounts
 * (support/Tmpfs), processes of the test account.
 * The harness takes a snapshot before the first test and compares after the last one.
 */
public final class Leftovers {
    private Leftovers() {}

    public static Map<String, TreeSet<String>> snapshot() {
        Map<String, TreeSet<String>> s = new TreeMap<>();
        s.put("unix account", lines("getent passwd | cut -d: -f1"));
        s.put("sudoers entry", lines("ls /etc/sudoers.d 2>/dev/null"));
        s.put("network namespace", lines("ip netns list 2>/dev/null | cut -d' ' -f1"));
        s.put("/etc/netns entry", lines("ls /etc/netns 2>/dev/null"));
        s.put("test sshd", lines("pgrep -a -f '[s]shd -D -e -r -f /tmp/ops-sshd' || true"));
        s.put("test ssh-agent", lines("pgrep -a -f '[s]sh-agent -D -a " + TestAgent.PREFIX + "' || true"));
        s.put("test mount", lines("findmnt -rn -o TARGET | grep '^" + Tmpfs.PREFIX + "' || true"));
        s.put("process of " + TestUser.NAME, lines("pgrep -a -u " + TestUser.NAME + " 2>/dev/null || true"));
        return s;
    }

    /** "network namespace ops-t123-4; unix account opsfan", or "" when after has nothing before lacked. */
    public static String added(Map<String, TreeSet<String>> before, Map<String, TreeSet<String>> after) {
        StringBuilder sb = new StringBuilder();
        after.forEach((kind, items) -> {
            for (String i : items) {
                if (!before.getOrDefault(kind, new TreeSet<>()).contains(i)) sb.append(sb.isEmpty() ? "" : "; ").append(kind).append(' ').append(i);
            }
        });
        return sb.toString();
    }

    private static TreeSet<String> lines(String sh) {
        var r = Proc.run(List.of("bash", "-c", sh), Duration.ofSeconds(20));
        TreeSet<String> out = new TreeSet<>();
        r.out().lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(out::add);
        return out;
    }
}
