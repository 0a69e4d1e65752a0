package web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Semaphore;

/** How our endpoints answer on the JDK's HTTP server: exact paths, GET and HEAD, plain text. */
public final class Endpoints {
    private Endpoints() {}

    /** An endpoint (the JDK's HttpHandler, which this wraps). */
    public interface Handler {
        void handle(HttpExchange ex) throws IOException;
    }

    /** Runs {@code h} holding one of {@code permits}: the small worker pool behind an endpoint. */
    public static Handler oneOf(Semaphore permits, Handler h) {
        return ex -> {
            permits.acquireUninterruptibly();
            try {
                h.handle(ex);
            } finally {
                permits.release();
            }
        };
    }

    /**
     * The JDK server matches contexts by prefix; this keeps /metricsX and /healthz/x a 404. GET and HEAD only.
     * A handler's RuntimeException (a bug) is logged as "TIME TOOL: error serving PATH: ...".
     */
    public static HttpHandler exactly(String tool, String path, Handler h) {
        return ex -> {
            try (ex) {
                if (!ex.getRequestURI().getPath().equals(path)) {
                    reply(ex, 404, "not found: " + ex.getRequestURI().getPath() + "\n");
                } else if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                    ex.getResponseHeaders().set("Allow", "GET, HEAD");
                    reply(ex, 405, "method not allowed: use GET\n");
                } else {
                    h.handle(ex);
                }
            } catch (RuntimeException e) {                                   // a bug: say so (the JDK server then drops the connection)
                System.err.println(Instant.now().truncatedTo(ChronoUnit.SECONDS) + " " + tool + ": error serving " + path + ": " + e);
                throw e;
            }
        };
    }

    /** A text/plain answer (headers only, for HEAD). */
    public static void reply(HttpExchange ex, int status, String text) throws IOException {
        reply(ex, status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /** An answer of {@code contentType} (headers only, for HEAD). */
    public static void reply(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream os = ex.getResponseBody()) { os.write(body); }
        }
    }
}
