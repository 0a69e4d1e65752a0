import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Real NETCONF devices for tests: Debian's netconfd (yuma123), one instance per device, each with
 * its own UNIX socket (--ncxserver-sockname), HOME and working directory, no startup file, the
 * candidate as edit target unless netconfdArgs name another (so :candidate, :confirmed-commit:1.1, :validate, :xpath), ietf-interfaces
 * loaded for something to configure, root as superuser (no NACM). One real OpenSSH sshd serves all
 * of them as the `netconf` subsystem: netconf-subsystem picks the device's socket by the SSH port
 * the client connected to (--ncxserver-sockname=PORT@SOCKET), so every device has its own port on
 * {@code ip}. Everything (sshd, its sessions, every netconfd) is killed on close.
 */
public final class Netconfd implements AutoCloseable {
    public static final String NETCONFD = "/usr/sbin/netconfd";
    public static final String SUBSYSTEM = "/usr/sbin/netconf-subsystem";

    private final List<Process> daemons = new ArrayList<>();
    private Sshd sshd;
    /** "ip:port" of each device, in order. */
    public final List<String> devices = new ArrayList<>();
    public final Path dir;

    private Netconfd(Path dir) { this.dir = dir; }

    public static void require() {
        Sshd.require();
        Prereq.requireExecutable(NETCONFD, "netconfd");
        Prereq.requireExecutable(SUBSYSTEM, "netconfd");
    }

    /**
     * {@code count} devices on {@code ip} (a loopback address), files under {@code dir}; {@code netconfdArgs}
     * added to each netconfd's (e.g. --protocols=netconf1.0), {@code sshdConfig} lines first in sshd_config.
     */
    public static Netconfd start(Path dir, String ip, int count, List<String> netconfdArgs, String... sshdConfig) throws IOException {
        return start(null, dir, ip, count, netconfdArgs, sshdConfig);
    }

    /** As above, with the sshd (and so the devices' addresses) in network namespace {@code netns}; netconfd itself needs none (UNIX sockets). */
    public static Netconfd start(String netns, Path dir, String ip, int count, List<String> netconfdArgs, String... sshdConfig) throws IOException {
        require();
        Netconfd n = new Netconfd(dir);
        try {
            List<String> pairs = new ArrayList<>();
            List<Path> sockets = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Path home = Files.createDirectories(dir.resolve("device" + i));
                Path sock = home.resolve("ncxserver.sock");
                int port = Proc.freePort();
                List<String> cmd = new ArrayList<>(List.of(NETCONFD, "--ncxserver-sockname=" + sock, "--no-startup",
                        "--superuser=root", "--module=ietf-interfaces", "--module=iana-if-type", "--log-level=warn",
                        "--log=" + home.resolve("netconfd.log"),
                        "--port=" + port));              // netconfd turns away sessions that came in on another SSH port
                cmd.addAll(netconfdArgs);
                if (netconfdArgs.stream().noneMatch(a -> a.startsWith("--target="))) cmd.add("--target=candidate");
                ProcessBuilder pb = new ProcessBuilder(cmd)
                        .directory(home.toFile()).redirectErrorStream(true).redirectOutput(home.resolve("stdout").toFile());
                pb.environment().put("HOME", home.toString());
                n.daemons.add(pb.start());
                n.devices.add(ip + ":" + port);
                pairs.add("--ncxserver-sockname=" + port + "@" + sock);
                sockets.add(sock);
            }
            long until = System.nanoTime() + 20_000_000_000L;
            for (int i = 0; i < count; i++) {
                while (!Files.exists(sockets.get(i))) {
                    if (!n.daemons.get(i).isAlive() || System.nanoTime() > until) {
                        throw new AssertionError("netconfd did not start:\n" + Files.readString(dir.resolve("device" + i).resolve("stdout"))
                                + (Files.exists(dir.resolve("device" + i).resolve("netconfd.log")) ? Files.readString(dir.resolve("device" + i).resolve("netconfd.log")) : ""));
                    }
                    Snmpd.sleep(20);
                }
            }
            List<String> cfg = new ArrayList<>(List.of(sshdConfig));
            cfg.add("Subsystem netconf \"" + SUBSYSTEM + " " + String.join(" ", pairs) + "\"");
            n.sshd = Sshd.fleet(netns, n.devices, cfg.toArray(String[]::new));
        } catch (IOException | RuntimeException | Error e) {
            n.close();
            throw e;
        }
        return n;
    }

    /** The sshd in front of the devices (its log, its sessions). */
    public Sshd sshd() { return sshd; }

    @Override public void close() {
        if (sshd != null) {
            List<ProcessHandle> sessions = sshd.sessions();   // sshd -D leaves its sessions' children behind
            sshd.close();
            sessions.forEach(ProcessHandle::destroyForcibly);
        }
        for (Process p : daemons) Proc.kill(p);
    }
}
