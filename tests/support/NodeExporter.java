import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's prometheus-node-exporter (1.5) as a test's reference: started on a loopback port with
 * the flags given (its defaults otherwise: every default collector), stopped with its process.
 * The package's own service is never used (.ci/run installs it with no service left running).
 */
public final class NodeExporter implements AutoCloseable {
    public static final String BINARY = "/usr/bin/prometheus-node-exporter";
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    public final Process process;
    public final String url;
    final Path log;

    private NodeExporter(Process process, String url, Path log) {
        this.process = process;
        this.url = url;
        this.log = log;
    }

    public static NodeExporter start(String address, Path logDir, String... flags) throws Exception {
        Prereq.requireExecutable(BINARY, "prometheus-node-exporter");
        List<String> cmd = new ArrayList<>(List.of(BINARY, "--web.listen-address=" + address));
        cmd.addAll(List.of(flags));
        Path log = Files.createTempFile(logDir, "node_exporter", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        NodeExporter ne = new NodeExporter(p, "http://" + address + "/metrics", log);
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                ne.scrape();
                return ne;
            } catch (IOException e) {
                if (!p.isAlive() || System.nanoTime() > end) {
                    ne.close();
                    throw new AssertionError("node_exporter did not start: " + Files.readString(log));
                }
                Thread.sleep(50);
            }
        }
    }

    public String scrape() throws Exception {
        return get(url);
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** A GET in the text format (no Accept header: both exporters answer text/plain 0.0.4). */
    public static String get(String url) throws Exception {
        var r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new AssertionError(url + " answered " + r.statusCode() + ": " + r.body());
        return r.body();
    }

    @Override
    public void close() {
        Proc.kill(process);
    }
}
