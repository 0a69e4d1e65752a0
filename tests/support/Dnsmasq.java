import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real DNS server for tests: Debian's dnsmasq, inside a test's network namespace, answering only
 * from the records it is given (--local=/#/: every other name is NXDOMAIN, nothing is forwarded)
 * and logging every query it receives, so a test can compare what a resolver really sent with
 * what dnscheck predicts. Killed on close.
 */
public final class Dnsmasq implements AutoCloseable {
    private static final Pattern QUERY = Pattern.compile("query\\[(\\w+)\\] (\\S+) from ");
    private final Process process;
    private final Path log;
    private int mark;

    private Dnsmasq(Process process, Path log) { this.process = process; this.log = log; }

    public static void require() {
        Prereq.requireExecutable("/usr/sbin/dnsmasq", "dnsmasq-base");
    }

    /**
     * Starts dnsmasq on {@code address}:53 in {@code ns}, with dnsmasq options for its records
     * (--host-record=NAME,IP[,IPv6], --cname=ALIAS,TARGET, --txt-record=NAME,TEXT).
     */
    public static Dnsmasq start(Netns ns, String address, Path dir, String... records) throws Exception {
        require();
        Path log = dir.resolve("dnsmasq-" + address + ".log");
        List<String> cmd = new ArrayList<>(List.of("dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts",
                "--bind-interfaces", "--listen-address=" + address, "--port=53", "--log-queries",
                "--log-facility=" + log, "--pid-file=", "--user=root", "--local=/#/", "--local-ttl=60"));
        cmd.addAll(List.of(records));
        Process p = new ProcessBuilder(ns.exec(cmd)).redirectErrorStream(true)
                .redirectOutput(dir.resolve("dnsmasq-" + address + ".out").toFile()).start();
        Dnsmasq d = new Dnsmasq(p, log);
        long until = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < until) {
            if (!p.isAlive()) throw new AssertionError("dnsmasq exited: " + Files.readString(dir.resolve("dnsmasq-" + address + ".out")));
            if (Files.exists(log) && Files.readString(log).contains("started, version")) return d;
            Thread.sleep(20);
        }
        d.close();
        throw new AssertionError("dnsmasq did not start on " + address);
    }

    /** Every query received so far, as "TYPE name" (dnsmasq logs names without the trailing dot). */
    public List<String> queries() throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.exists(log)) return out;
        for (String line : Files.readAllLines(log)) {
            Matcher m = QUERY.matcher(line);
            if (m.find()) out.add(m.group(1) + " " + m.group(2));
        }
        return out;
    }

    /** Forget the queries so far: {@link #sinceMark} returns only later ones. */
    public void mark() throws IOException { mark = queries().size(); }

    public List<String> sinceMark() throws IOException {
        List<String> all = queries();
        return new ArrayList<>(all.subList(Math.min(mark, all.size()), all.size()));
    }

    @Override public void close() {
        Proc.kill(process);
    }
}
