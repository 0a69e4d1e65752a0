package fleet;

//SOURCES HostRun.java ../net/Ranges.java ../ssh/Status.java

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.Ranges;
import ssh.Status;

/** Hosts with the same status, reason, stdout and stderr: one block of the gathered view (-b). */
public record Group(List<HostRun> hosts, Status status, String detail, String stdout, String stderr) {

    /** The hosts' names folded into ranges: {@code web[01-03,05]}. */
    public String names() { return Ranges.fold(hosts.stream().map(HostRun::label).toList()); }

    private record Key(Status status, String detail, String stdout, String stderr, boolean truncated) {}

    /** The groups of a run, the majority first, the odd ones out last. */
    public static List<Group> of(List<HostRun> runs) {
        Map<Key, List<HostRun>> byKey = new LinkedHashMap<>();
        for (HostRun r : runs) {
            String detail = r.ok() || r.detail() == null ? "" : r.detail();
            Key key = new Key(r.status(), detail, r.stdout().text(), r.stderr().text(), r.truncated());
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        }
        List<Group> groups = new ArrayList<>();
        byKey.forEach((k, hosts) -> groups.add(new Group(hosts, k.status(), k.detail().isEmpty() ? null : k.detail(), k.stdout(), k.stderr())));
        // "Who differs" is at the bottom, next to the summary (the sort is stable: ties keep input order).
        groups.sort((a, b) -> b.hosts().size() - a.hosts().size());
        return groups;
    }
}
