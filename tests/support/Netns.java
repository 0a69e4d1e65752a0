import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace made by a test: its own loopback (all of 127.0.0.0/8), its own iptables,
 * and its own resolv.conf (127.0.0.1, where nothing answers: names fail fast and no query ever
 * leaves the machine). Deleted, with every process in it, on close.
 */
public final class Netns implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    public final String name;

    private Netns(String name) { this.name = name; }

    public static void require() {
        Prereq.requireRoot();
        Prereq.requireExecutable("/usr/sbin/ip", "iproute2");
        Prereq.require(Files.isExecutable(Path.of("/usr/sbin/iptables")), "/usr/sbin/iptables (apt-get install iptables)");
    }

    public static Netns create() {
        require();
        String name = "ops-t" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
        Proc.sh("ip netns add " + name + " && ip -n " + name + " link set lo up"
                + " && mkdir -p /etc/netns/" + name + " && echo 'nameserver 127.0.0.1' > /etc/netns/" + name + "/resolv.conf");
        return new Netns(name);
    }

    /** Runs a shell command inside the namespace; fails the test if it fails. */
    public String sh(String command) {
        return Proc.sh("ip netns exec " + name + " bash -c '" + command.replace("'", "'\\''") + "'");
    }

    /** Drops TCP SYNs to these destinations (addresses or CIDRs): connects to them time out. */
    public void dropSyn(String destinations) {
        sh("iptables -I INPUT -p tcp --syn -d " + destinations + " -j DROP");
    }

    /** Answers SYNs to these destinations with ICMP host-unreachable. */
    public void rejectUnreachable(String destinations) {
        sh("iptables -I INPUT -p tcp --syn -d " + destinations + " -j REJECT --reject-with icmp-host-unreachable");
    }

    /**
     * Writes this namespace's own /etc/resolv.conf or /etc/hosts ({@code file} is "resolv.conf" or
     * "hosts"): `ip netns exec` bind-mounts /etc/netns/NAME/FILE over /etc/FILE for what it runs.
     * Removed with the namespace.
     */
    public void etc(String file, String content) {
        try {
            Files.writeString(Path.of("/etc/netns", name, file), content);
        } catch (java.io.IOException e) {
            throw new AssertionError("cannot write /etc/netns/" + name + "/" + file + ": " + e, e);
        }
    }

    /**
     * A veth pair from this namespace to {@code peer}: this end gets {@code here}, the peer's end
     * {@code there} (both CIDR, e.g. 10.201.0.1/30). Nothing is routed beyond the two ends unless a
     * test adds routes; the pair goes away with either namespace.
     */
    public void veth(Netns peer, String here, String there) {
        String a = "ov" + SEQ.incrementAndGet(), b = a + "p";
        Proc.sh("ip -n " + name + " link add " + a + " type veth peer name " + b + " netns " + peer.name
                + " && ip -n " + name + " addr add " + here + " dev " + a + " && ip -n " + name + " link set " + a + " up"
                + " && ip -n " + peer.name + " addr add " + there + " dev " + b + " && ip -n " + peer.name + " link set " + b + " up");
    }

    /** A command line prefix that runs {@code cmd} in the namespace. */
    public List<String> exec(List<String> cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(cmd);
        return full;
    }

    @Override public void close() {
        try {
            Proc.sh("for p in $(ip netns pids " + name + "); do kill -9 $p; done; ip netns del " + name
                    + "; rm -rf /etc/netns/" + name);
        } catch (AssertionError e) {
            System.err.println("warning: could not clean up netns " + name + ": " + e.getMessage());
        }
    }
}
