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
 * probe's table is compared with the README's, row by row (timings and OpenSSH's version aside).
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

    /** A line without what differs from run to run: latencies, the elapsed time, OpenSSH's version, where a cut falls. */
    static String shape(String line) {
        String s = line.replaceAll("\\s+", " ").replaceAll("\\b\\d+\\.\\d+\\b", "N").replaceAll(" in \\S+$", " in T")
                .replaceAll("SSH-2\\.0-OpenSSH_\\S+( \\S+)?", "SSH-2.0-OpenSSH");
        return s.endsWith("...") ? s.substring(0, Math.min(s.length(), 80)) : s;
    }
}
