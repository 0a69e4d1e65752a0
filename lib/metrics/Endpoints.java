package metrics;

//SOURCES Log.java

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;

/** How the exporter's endpoints answer on the JDK's HTTP server: exact paths, GET and HEAD, plain text. */
public final class Endpoints {
    private Endpoints() {}

    /** An endpoint (the JDK's HttpHandler, which this wraps). */
    public interface Handler {
        void handle(HttpExchange ex) throws IOException;
    }

    /** Runs {@code h} holding one of {@code permits}. */
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

    /** The JDK server matches contexts by prefix; this keeps /metricsX and /healthz/x a 404. GET and HEAD only. */
    public static HttpHandler exactly(String path, Handler h) {
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
                Log.log("error serving " + path + ": " + e);
                throw e;
            }
        };
    }

    /** A text/plain answer (headers only, for HEAD). */
    public static void reply(HttpExchange ex, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream os = ex.getResponseBody()) { os.write(body); }
        }
    }
}
