package web;

//SOURCES ../cli/Errors.java ../cli/InputError.java Endpoints.java Listen.java

import cli.Errors;
import cli.InputError;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The JDK's HTTP server as exporter and `inspect --serve` run it, bounded against clients that
 * misbehave:
 * <ul>
 *   <li>at most {@code maxConnections} open sockets (more are closed as they are accepted);
 *   <li>a request must arrive whole within {@link #REQUEST_READ_SECONDS} (slow-loris), then its
 *       connection is closed;
 *   <li>a virtual thread per exchange: the JDK server reads each request on its executor, so with a
 *       few platform threads a few clients sending half a request would stall every other one. The
 *       work behind an endpoint is bounded by the endpoint ({@link Endpoints#oneOf}).
 * </ul>
 * With a TLS configurator it serves HTTPS (exporter's --web.config.file), else plain HTTP.
 * The JDK reads these limits from system properties once per JVM, when its first server starts:
 * a script serves from one {@code Server}.
 */
public final class Server {
    /** A client has this long to send its whole request; then the connection is closed. */
    public static final int REQUEST_READ_SECONDS = 5;

    private final String tool;
    private final HttpServer http;
    private final ExecutorService threads;

    private Server(String tool, HttpServer http, ExecutorService threads) {
        this.tool = tool;
        this.http = http;
        this.threads = threads;
    }

    /** Binds {@code address} (an InputError naming {@code option} and {@code text} if it cannot); nothing served yet. */
    public static Server bind(String tool, String option, String text, InetSocketAddress address, int maxConnections) throws IOException {
        return bind(tool, option, text, address, maxConnections, null);
    }

    /** As above, serving HTTPS with {@code tls} when it is not null. */
    public static Server bind(String tool, String option, String text, InetSocketAddress address, int maxConnections,
                              HttpsConfigurator tls) throws IOException {
        System.setProperty("sun.net.httpserver.maxConnections", String.valueOf(maxConnections));
        System.setProperty("sun.net.httpserver.maxReqTime", String.valueOf(REQUEST_READ_SECONDS));
        System.setProperty("sun.net.httpserver.nodelay", "true");           // else Nagle + delayed ACK add 40 ms to each keep-alive request
        HttpServer http;
        try {
            if (tls != null) {
                HttpsServer https = HttpsServer.create(address, maxConnections);
                https.setHttpsConfigurator(tls);
                http = https;
            } else {
                http = HttpServer.create(address, maxConnections);
            }
        } catch (BindException e) {
            throw new InputError(option + " " + text + ": " + Errors.message(e, "cannot listen there").toLowerCase(Locale.ROOT));
        }
        ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(tool + "-http-", 0).factory());
        http.setExecutor(threads);
        return new Server(tool, http, threads);
    }

    /** Serves {@code h} at exactly {@code path} (GET and HEAD; anything below it is a 404); the context, for filters or auth. */
    public HttpContext route(String path, Endpoints.Handler h) {
        return http.createContext(path, Endpoints.exactly(tool, path, h));
    }

    public void start() {
        http.start();
    }

    /** "http://127.0.0.1:9101" (https with TLS): where the server listens (the port the kernel chose for port 0). */
    public String url() {
        return (http instanceof HttpsServer ? "https://" : "http://") + Listen.hostPort(http.getAddress());
    }

    /** Stops accepting, lets exchanges in flight finish for up to {@code graceSeconds}, then stops their threads. */
    public void stop(int graceSeconds) {
        http.stop(graceSeconds);
        threads.shutdownNow();
    }

    /** One line on stderr, "TIME TOOL: MESSAGE" (journald adds its own time; files need ours). */
    public void log(String message) {
        System.err.println(Instant.now().truncatedTo(ChronoUnit.SECONDS) + " " + tool + ": " + message);
    }
}
