package net;

//SOURCES ../cli/Durations.java Http.java HttpSpec.java Tcp.java

import cli.Durations;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLSession;

/**
 * One HTTP/1.1 request on a connection of its own, timed in phases the way curl -w reports them
 * (each from the start: name lookup, TCP connect, TLS handshake, first byte of the response),
 * then the body, at most spec.maxBody() bytes. Redirects are followed when the client says so;
 * the phases are then the final request's, and the row's total_ms covers every hop.
 */
final class HttpExchange {
    int code;
    URI uri;
    int redirects;
    byte[] body = new byte[0];
    SSLSession tls;
    double dnsMs, connectMs, firstByteMs;
    Double tlsMs;
    Map<String, String> headers = new LinkedHashMap<>();

    static HttpExchange run(Http.Client client, URI url, HttpSpec spec, String method) throws IOException {
        long deadline = System.nanoTime() + spec.timeout().toNanos();
        URI at = url;
        for (int hop = 0; ; hop++) {
            HttpExchange x = once(client, at, spec, method, deadline);
            x.redirects = hop;
            String location = x.headers.get("location");
            if (!client.follow() || location == null || !List.of(301, 302, 303, 307, 308).contains(x.code)) return x;
            if (hop == 10) throw new Failed("error", "more than 10 redirects (last: " + at + ")");
            at = at.resolve(location.strip());
            if (x.code == 303) method = method.equals("HEAD") ? "HEAD" : "GET";
        }
    }

    private static HttpExchange once(Http.Client client, URI url, HttpSpec spec, String method, long deadline) throws IOException {
        HttpExchange x = new HttpExchange();
        x.uri = url;
        boolean https = "https".equalsIgnoreCase(url.getScheme());
        String host = url.getHost();
        if (host == null) throw new Failed("error", "no host in " + url);
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        int port = url.getPort() > 0 ? url.getPort() : https ? 443 : 80;
        long t0 = System.nanoTime();
        java.net.InetAddress[] addresses;
        try {
            addresses = java.net.InetAddress.getAllByName(bare);
        } catch (UnknownHostException e) {
            throw new Failed("unresolved", "cannot resolve " + bare);
        }
        x.dnsMs = ms(t0);
        java.net.Socket socket = null;
        Tcp.Failure last = null;
        for (java.net.InetAddress a : addresses) {                 // like curl: the next address when one fails
            java.net.Socket s = new java.net.Socket();
            try {
                s.connect(new java.net.InetSocketAddress(a, port), left(deadline));
                socket = s;
                break;
            } catch (IOException e) {
                s.close();
                last = Tcp.connectFailure(e, spec.timeout().toMillis());
                if (last.status().equals("timeout")) last = new Tcp.Failure("timeout", "no TCP connection within " + Durations.format(spec.timeout().toMillis()));
            }
        }
        if (socket == null) throw new Failed(last.status(), last.detail());
        x.connectMs = ms(t0);
        try (java.net.Socket plain = socket) {
            java.net.Socket s = plain;
            s.setSoTimeout(left(deadline));
            s.setTcpNoDelay(true);
            if (https) {
                var ssl = (javax.net.ssl.SSLSocket) client.tls().createSocket(plain, bare, port, true);
                var params = ssl.getSSLParameters();
                if (!client.insecure()) params.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(params);
                ssl.startHandshake();
                x.tls = ssl.getSession();
                x.tlsMs = ms(t0);
                s = ssl;
            }
            StringBuilder req = new StringBuilder();
            String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
            if (url.getRawQuery() != null) path += "?" + url.getRawQuery();
            req.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
            boolean hostSet = spec.headers().keySet().stream().anyMatch(k -> k.equalsIgnoreCase("Host"));
            if (!hostSet) req.append("Host: ").append(host).append(url.getPort() > 0 ? ":" + url.getPort() : "").append("\r\n");
            req.append("User-Agent: ops-httpcheck/0.1\r\nAccept: */*\r\nConnection: close\r\n");
            spec.headers().forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            req.append("\r\n");
            var out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            var in = new java.io.BufferedInputStream(s.getInputStream(), 16384);
            in.mark(1);
            if (in.read() < 0) throw new Failed("error", "connection closed by the server before it answered");
            x.firstByteMs = ms(t0);
            in.reset();
            String status = line(in);
            String[] parts = status.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) throw new Failed("error", "not an HTTP response: " + cut(status));
            try {
                x.code = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new Failed("error", "not an HTTP status line: " + cut(status));
            }
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                int colon = h.indexOf(':');
                if (colon > 0) x.headers.merge(h.substring(0, colon).strip().toLowerCase(Locale.ROOT), h.substring(colon + 1).strip(), (a, b) -> a + ", " + b);
            }
            if (!method.equals("HEAD") && x.code >= 200 && x.code != 204 && x.code != 304) x.body = body(in, x.headers, spec.maxBody());
            return x;
        } catch (SocketTimeoutException e) {
            throw new Failed("timeout", "no response within " + Durations.format(spec.timeout().toMillis()));
        }
    }

    /** The body as the headers frame it (chunked, Content-Length, or up to the close), at most {@code max} bytes. */
    private static byte[] body(java.io.InputStream in, Map<String, String> headers, long max) throws IOException {
        int cap = (int) Math.min(Integer.MAX_VALUE - 8, max);
        var buf = new java.io.ByteArrayOutputStream();
        if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
            while (buf.size() < cap) {
                String size = line(in);
                int semi = size.indexOf(';');
                long n;
                try {
                    n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
                } catch (NumberFormatException e) {
                    throw new Failed("error", "bad chunk size in the response: " + cut(size));
                }
                if (n == 0) break;
                buf.write(in.readNBytes((int) Math.min(n, cap - buf.size())));
                if (buf.size() >= cap) break;
                line(in);                                         // the CRLF after the chunk
            }
            return buf.toByteArray();
        }
        String length = headers.get("content-length");
        if (length != null) {
            try {
                return in.readNBytes((int) Math.min(Long.parseLong(length.strip()), cap));
            } catch (NumberFormatException e) {
                throw new Failed("error", "bad Content-Length: " + cut(length));
            }
        }
        return in.readNBytes(cap);
    }

    /** One CRLF- (or LF-) terminated line, at most 64 KiB. */
    private static String line(java.io.InputStream in) throws IOException {
        var b = new java.io.ByteArrayOutputStream(128);
        for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
            if (b.size() > 65536) throw new Failed("error", "a response line over 64 KiB");
            b.write(c);
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static int left(long deadline) throws SocketTimeoutException {
        long ms = (deadline - System.nanoTime()) / 1_000_000;
        if (ms <= 0) throw new SocketTimeoutException("deadline");
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    private static double ms(long t0) { return Math.round((System.nanoTime() - t0) / 1e5) / 10.0; }

    private static String cut(String s) { return s.length() > 80 ? s.substring(0, 80) + "..." : s; }

    /** A failure with the row status it stands for (refused, unresolved, timeout, ...). */
    static final class Failed extends IOException {
        final String status;
        Failed(String status, String detail) { super(detail, null); this.status = status; }
    }
}
