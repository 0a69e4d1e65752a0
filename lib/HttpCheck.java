import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * One HTTP(S) health check, as httpcheck runs it and inspect's http checks will: request, expected
 * status set, body regex, latency limit, TLS certificate days left. Returns a result row whose
 * status is ok or the most serious of: timeout, refused, unreachable, unresolved, cert-invalid, error,
 * bad-status, body-mismatch, slow, cert-expired, cert-expiring. "error" in the row lists every
 * problem found, not just the first.
 *
 * The request is ours end to end (a socket, TLS from the JDK, HTTP/1.1 with Connection: close), so
 * each phase is timed the way curl -w reports it, from the start: dns_ms, connect_ms, tls_ms,
 * first_byte_ms (the "latency" checked against a limit) and total_ms. {@link #warmUp} first pays the
 * JVM's own first-use costs, so they are not reported as the endpoint's.
 */
public final class HttpCheck {
    private HttpCheck() {}

    /** What to check. {@code bodyMatch} and {@code maxLatency} may be null. */
    public record Spec(String method, StatusSet expected, Pattern bodyMatch, Map<String, String> headers,
                       Duration maxLatency, Duration certWarn, Duration timeout, long maxBody) {}

    /** "200-399", "200,204", "2xx": which status codes count as healthy. */
    public record StatusSet(String text, List<int[]> ranges) {
        public static StatusSet parse(String text) {
            List<int[]> ranges = new ArrayList<>();
            for (String part : text.split(",")) {
                String p = part.strip().toLowerCase();
                try {
                    if (p.matches("[1-5]xx")) {
                        int base = (p.charAt(0) - '0') * 100;
                        ranges.add(new int[] {base, base + 99});
                    } else if (p.contains("-")) {
                        String[] ab = p.split("-", 2);
                        ranges.add(new int[] {Integer.parseInt(ab[0].strip()), Integer.parseInt(ab[1].strip())});
                    } else {
                        int c = Integer.parseInt(p);
                        ranges.add(new int[] {c, c});
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad status set '" + text + "' (expected e.g. 200-399, 200,204 or 2xx)");
                }
                int[] r = ranges.get(ranges.size() - 1);
                if (r[0] < 100 || r[1] > 599 || r[0] > r[1]) {
                    throw new IllegalArgumentException("bad status range '" + part.strip() + "' (codes are 100-599)");
                }
            }
            return new StatusSet(text, ranges);
        }

        public boolean contains(int code) {
            for (int[] r : ranges) if (code >= r[0] && code <= r[1]) return true;
            return false;
        }
    }

    /** Status severity, most serious first: the row's status is the first that applies. */
    static final List<String> SEVERITY = List.of("timeout", "refused", "unreachable", "unresolved", "cert-invalid", "error",
            "bad-status", "body-mismatch", "slow", "cert-expired", "cert-expiring");

    /**
     * How to reach endpoints: redirects followed or not; TLS verified against the system trust store,
     * or a PEM CA bundle ({@code caFile}), or not at all ({@code insecure}: no chain and no hostname check).
     */
    public record Client(boolean follow, boolean insecure, javax.net.ssl.SSLSocketFactory tls) {}

    public static Client client(boolean follow, boolean insecure, Path caFile, Duration connectTimeout) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, insecure ? new TrustManager[] {new TrustAll()} : caFile != null ? new TrustManager[] {trustOnly(caFile)} : null, null);
            return new Client(follow, insecure, ctx.getSocketFactory());
        } catch (java.security.GeneralSecurityException | IOException e) {
            throw new Cli.InputError("--cacert " + caFile + ": " + e.getMessage());
        }
    }

    private static TrustManager trustOnly(Path pem) throws java.security.GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        try (InputStream in = Files.newInputStream(pem)) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) ks.setCertificateEntry("ca" + i++, c);
        }
        if (i == 0) throw new IOException("no PEM certificate in it");
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf.getTrustManagers()[0];
    }

    /** --insecure: trusts any chain and skips the hostname check (JSSE does that inside the trust manager). */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override public void checkClientTrusted(X509Certificate[] c, String a) { }
        @Override public void checkServerTrusted(X509Certificate[] c, String a) { }
        @Override public void checkClientTrusted(X509Certificate[] c, String a, java.net.Socket s) { }
        @Override public void checkServerTrusted(X509Certificate[] c, String a, java.net.Socket s) { }
        @Override public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) { }
        @Override public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) { }
        @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
    }

    /**
     * One untimed request to {@code url}, so that the first timed check does not pay for the JVM
     * loading and compiling its HTTP and TLS code (tens of ms that are ours, not the endpoint's).
     * Costs the endpoint one extra request; whatever it answers is ignored, and it is given at most
     * a second, so a hung endpoint delays the run by that much, not by a whole --timeout.
     */
    public static void warmUp(Client client, URI url, Spec spec) {
        Spec brief = new Spec(spec.method(), spec.expected(), null, spec.headers(), null, null,
                spec.timeout().compareTo(Duration.ofSeconds(1)) < 0 ? spec.timeout() : Duration.ofSeconds(1), spec.maxBody());
        // On a virtual thread, as the checks run: its first blocking read starts the JDK's poller.
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                Exchange.run(client, url, brief, "GET".equals(spec.method()) ? "HEAD" : spec.method());
            } catch (IOException | RuntimeException ignored) {
                // a failure now is reported by the real check
            }
        });
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs the check; never throws for anything the server or network does. */
    public static Map<String, Object> check(Client client, URI url, Spec spec) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("target", url.toString());
        List<String> statuses = new ArrayList<>(), problems = new ArrayList<>();
        String method = spec.method();
        long t0 = System.nanoTime();
        try {
            Exchange x = Exchange.run(client, url, spec, method);
            if (method.equals("HEAD") && (x.code == 405 || x.code == 501)) {
                method = "GET";                               // the server rejects HEAD: ask again with GET
                t0 = System.nanoTime();
                x = Exchange.run(client, url, spec, method);
            }
            row.put("method", method);
            row.put("code", x.code);
            row.put("latency_ms", x.firstByteMs);
            row.put("dns_ms", x.dnsMs);
            row.put("connect_ms", x.connectMs);
            if (x.tlsMs != null) row.put("tls_ms", x.tlsMs);
            row.put("first_byte_ms", x.firstByteMs);
            if (!x.uri.equals(url)) row.put("final_url", x.uri.toString());
            if (x.redirects > 0) row.put("redirects", x.redirects);
            row.put("body_bytes", (long) x.body.length);
            if (!spec.expected().contains(x.code)) {
                statuses.add("bad-status");
                problems.add("status " + x.code + ", expected " + spec.expected().text());
            }
            if (spec.bodyMatch() != null && !spec.bodyMatch().matcher(new String(x.body, StandardCharsets.UTF_8)).find()) {
                statuses.add("body-mismatch");
                problems.add("body does not match /" + spec.bodyMatch().pattern() + "/");
            }
            if (spec.maxLatency() != null && x.firstByteMs > spec.maxLatency().toMillis()) {
                statuses.add("slow");
                problems.add(String.format(Locale.ROOT, "%.0f ms, over --max-latency %s", x.firstByteMs, Cli.formatDuration(spec.maxLatency().toMillis())));
            }
            if (x.tls != null) tls(x.tls, spec, row, statuses, problems);
        } catch (Failed f) {
            statuses.add(f.status);
            problems.add(f.getMessage());
        } catch (SSLHandshakeException e) {
            if (causedBy(e, java.security.cert.CertificateExpiredException.class)) {   // trusted, but out of date
                statuses.add("cert-expired");
                problems.add("certificate expired: TLS handshake failed: " + rootMessage(e));
            } else {
                statuses.add("cert-invalid");
                problems.add("TLS handshake failed: " + rootMessage(e) + " (--cacert FILE trusts a private CA, --insecure skips the check)");
            }
        } catch (SocketTimeoutException e) {
            statuses.add("timeout");
            problems.add("no response within " + Cli.formatDuration(spec.timeout().toMillis()));
        } catch (IOException e) {
            statuses.add("error");
            problems.add(rootMessage(e));
        }
        row.put("total_ms", Math.round((System.nanoTime() - t0) / 1e5) / 10.0);
        String status = "ok";
        for (String st : SEVERITY) if (statuses.contains(st)) { status = st; break; }
        row.put("status", status);
        row.put("error", problems.isEmpty() ? null : String.join("; ", problems));
        return row;
    }

    /** A failure with the row status it stands for (refused, unresolved, timeout, ...). */
    static final class Failed extends IOException {
        final String status;
        Failed(String status, String detail) { super(detail, null); this.status = status; }
    }

    /**
     * One HTTP/1.1 request on a connection of its own, timed in phases the way curl -w reports them
     * (each from the start: name lookup, TCP connect, TLS handshake, first byte of the response),
     * then the body, at most spec.maxBody() bytes. Redirects are followed when the client says so;
     * the phases are then the final request's, and the row's total_ms covers every hop.
     */
    static final class Exchange {
        int code;
        URI uri;
        int redirects;
        byte[] body = new byte[0];
        SSLSession tls;
        double dnsMs, connectMs, firstByteMs;
        Double tlsMs;
        Map<String, String> headers = new LinkedHashMap<>();

        static Exchange run(Client client, URI url, Spec spec, String method) throws IOException {
            long deadline = System.nanoTime() + spec.timeout().toNanos();
            URI at = url;
            for (int hop = 0; ; hop++) {
                Exchange x = once(client, at, spec, method, deadline);
                x.redirects = hop;
                String location = x.headers.get("location");
                if (!client.follow() || location == null || !List.of(301, 302, 303, 307, 308).contains(x.code)) return x;
                if (hop == 10) throw new Failed("error", "more than 10 redirects (last: " + at + ")");
                at = at.resolve(location.strip());
                if (x.code == 303) method = method.equals("HEAD") ? "HEAD" : "GET";
            }
        }

        private static Exchange once(Client client, URI url, Spec spec, String method, long deadline) throws IOException {
            Exchange x = new Exchange();
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
                    if (last.status().equals("timeout")) last = new Tcp.Failure("timeout", "no TCP connection within " + Cli.formatDuration(spec.timeout().toMillis()));
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
                throw new Failed("timeout", "no response within " + Cli.formatDuration(spec.timeout().toMillis()));
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
    }

    private static void tls(SSLSession s, Spec spec, Map<String, Object> row, List<String> statuses, List<String> problems) {
        try {
            Certificate[] chain = s.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) return;
            Instant notAfter = leaf.getNotAfter().toInstant();
            double days = Duration.between(Instant.now(), notAfter).toMinutes() / 1440.0;
            row.put("tls_days_left", Math.floor(days * 10) / 10.0);
            row.put("tls_not_after", notAfter.toString());
            row.put("tls_subject", leaf.getSubjectX500Principal().getName());
            if (days < 0) {
                statuses.add("cert-expired");
                problems.add("certificate expired " + notAfter);
            } else if (spec.certWarn() != null && days < spec.certWarn().toMinutes() / 1440.0) {
                statuses.add("cert-expiring");
                problems.add(String.format("certificate expires in %.1f days (%s), under --cert-warn %s", days, notAfter,
                        Cli.formatDuration(spec.certWarn().toMillis())));
            }
        } catch (javax.net.ssl.SSLPeerUnverifiedException ignored) { }
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> kind) {
        for (; t != null; t = t.getCause()) if (kind.isInstance(t)) return true;
        return false;
    }

    private static String rootMessage(Throwable t) {
        String m = null;
        Throwable last = t;
        for (; t != null; t = t.getCause()) {
            if (t.getMessage() != null) m = t.getMessage();
            last = t;
        }
        return m == null ? last.getClass().getSimpleName() : m;
    }
}
