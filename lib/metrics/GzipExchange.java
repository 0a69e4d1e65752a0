package metrics;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;

/**
 * Gzip at zlib level 1 for /metrics. The client library's handler compresses at zlib's default
 * level 6, which costs about 0.55 ms of a 2 ms scrape for ~33 KB; level 1 costs 0.14 ms for a body
 * about 13% larger (6.0 vs 5.3 KB). The handler is shown a request without Accept-Encoding, and
 * this exchange compresses what it writes.
 */
public final class GzipExchange extends HttpExchange {
    /** {@code inner}, answering in gzip at level 1 to requests that accept it. */
    public static HttpHandler fast(HttpHandler inner) {
        return ex -> {
            String accept = ex.getRequestHeaders().getFirst("Accept-Encoding");
            inner.handle(accept != null && accept.contains("gzip") ? new GzipExchange(ex) : ex);
        };
    }

    final HttpExchange ex;
    final Headers request;
    java.util.zip.GZIPOutputStream gzip;

    GzipExchange(HttpExchange ex) {
        this.ex = ex;
        this.request = new Headers(ex.getRequestHeaders());
        request.remove("Accept-Encoding");
    }

    @Override public Headers getRequestHeaders() { return request; }
    @Override public void sendResponseHeaders(int code, long length) throws IOException {
        if (length < 0) {                                                   // no body (HEAD)
            ex.sendResponseHeaders(code, length);
            return;
        }
        ex.getResponseHeaders().remove("Content-Length");                    // the handler's, for the uncompressed body
        ex.getResponseHeaders().set("Content-Encoding", "gzip");
        ex.sendResponseHeaders(code, 0);                                     // chunked: the compressed length is not known yet
        gzip = new java.util.zip.GZIPOutputStream(ex.getResponseBody(), 8192) {
            { def.setLevel(java.util.zip.Deflater.BEST_SPEED); }
        };
    }
    @Override public OutputStream getResponseBody() { return gzip != null ? gzip : ex.getResponseBody(); }
    @Override public void close() {
        try {
            if (gzip != null) gzip.close();
        } catch (IOException ignored) {                                      // the client went away
        }
        ex.close();
    }
    @Override public Headers getResponseHeaders() { return ex.getResponseHeaders(); }
    @Override public URI getRequestURI() { return ex.getRequestURI(); }
    @Override public String getRequestMethod() { return ex.getRequestMethod(); }
    @Override public com.sun.net.httpserver.HttpContext getHttpContext() { return ex.getHttpContext(); }
    @Override public java.io.InputStream getRequestBody() { return ex.getRequestBody(); }
    @Override public int getResponseCode() { return ex.getResponseCode(); }
    @Override public InetSocketAddress getRemoteAddress() { return ex.getRemoteAddress(); }
    @Override public InetSocketAddress getLocalAddress() { return ex.getLocalAddress(); }
    @Override public String getProtocol() { return ex.getProtocol(); }
    @Override public Object getAttribute(String name) { return ex.getAttribute(name); }
    @Override public void setAttribute(String name, Object value) { ex.setAttribute(name, value); }
    @Override public void setStreams(java.io.InputStream i, OutputStream o) { ex.setStreams(i, o); }
    @Override public com.sun.net.httpserver.HttpPrincipal getPrincipal() { return ex.getPrincipal(); }
}
