import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * README examples are what the tools print today: the probe example's servers are started for
 * real (two sshd addresses, an HTTP server, a mail server that greets first, a closed port) and
 * probe's table is compared with the README's, row by row (timings and OpenSSH's version aside);
 * likewise dnscheck's example, against a real dnsmasq in a namespace with the README's resolv.conf.
 */
class ReadmeTest {
    @Test void theProbeExampleIsWhatProbePrints() throws Exception {
        String readme = Files.readString(Proc.REPO.resolve("README.md"));
        int at = readme.indexOf("$ ./jbang probe@ops --timeout 1s -H 127.0.0.1:2201");
        assertTrue(at >= 0, "README has the probe example");
        List<String> block = readme.substring(at, readme.indexOf("```", at)).lines().toList();
        String[] args = block.get(0).substring("$ ./jbang probe@ops ".length()).split(" ");

        var http = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(InetAddress.getByName("127.0.0.1"), 2280), 50);
        http.start();
        try (Sshd sshd = Sshd.fleet(null, List.of("127.0.0.1:2201", "127.0.0.2:2201"));
             ServerSocket mail = new ServerSocket(2225, 50, InetAddress.getByName("127.0.0.1"))) {
            Thread.ofVirtual().start(() -> {
                while (!mail.isClosed()) {
                    try (var c = mail.accept()) {
                        c.getOutputStream().write("220 mail.example.com ESMTP Postfix\r\n".getBytes(StandardCharsets.US_ASCII));
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            var r = ScriptRun.run(probe::main, args);
            assertEquals(1, r.exit(), r.toString());
            List<String> got = r.out().lines().toList(), want = block.subList(1, block.size());
            assertEquals(want.size(), got.size(), r.out());
            for (int i = 0; i < want.size(); i++) assertEquals(shape(want.get(i)), shape(got.get(i)), "README line " + (i + 2) + " vs:\n" + r.out());
        } finally {
            http.stop(0);
        }
    }

    /**
     * The dnscheck example: a namespace with a pod's resolv.conf (ndots:5, three cluster search
     * domains) and a real dnsmasq with the README's two records; dnscheck runs there as a process
     * (the system resolver is the namespace's glibc), and prints the README's blocks, line by line.
     */
    @Test void theDnscheckExampleIsWhatDnscheckPrints(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        String readme = Files.readString(Proc.REPO.resolve("README.md"));
        int at = readme.indexOf("$ ./jbang dnscheck@ops redis api.example.com");
        assertTrue(at >= 0, "README has the dnscheck example");
        List<String> block = readme.substring(at, readme.indexOf("```", at)).lines().toList();
        try (Netns ns = Netns.create();
             Dnsmasq dns = Dnsmasq.start(ns, "127.0.0.1", dir, "--host-record=redis.svc.cluster.local,10.96.0.9",
                     "--host-record=api.example.com,192.0.2.7,2001:db8::7")) {
            ns.etc("resolv.conf", "nameserver 127.0.0.1\nsearch default.svc.cluster.local svc.cluster.local cluster.local\n"
                    + "options ndots:5 timeout:1 attempts:2\n");
            ns.etc("hosts", "127.0.0.1 localhost\n");
            List<String> cmd = new java.util.ArrayList<>(Proc.javaCommand("dnscheck"));
            cmd.addAll(List.of("redis", "api.example.com"));
            var r = Proc.run(ns.exec(cmd), java.time.Duration.ofSeconds(60));
            assertEquals(1, r.exit(), r.toString());
            List<String> got = r.out().lines().toList(), want = block.subList(1, block.size());
            assertEquals(want.size(), got.size(), r.out());
            for (int i = 0; i < want.size(); i++) assertEquals(shape(want.get(i)), shape(got.get(i)), "README line " + (i + 2) + " vs:\n" + r.out());
        }
    }

    /** A line without what differs from run to run: latencies, the elapsed time, OpenSSH's version, where a cut falls. */
    static String shape(String line) {
        String s = line.replaceAll("\\s+", " ").replaceAll("\\b\\d+\\.\\d+\\b", "N").replaceAll(" in \\S+$", " in T")
                .replaceAll("SSH-2\\.0-OpenSSH_\\S+( \\S+)?", "SSH-2.0-OpenSSH");
        return s.endsWith("...") ? s.substring(0, Math.min(s.length(), 80)) : s;
    }
}
