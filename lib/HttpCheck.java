import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
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
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "http-timer");
        t.setDaemon(true);
        return t;
    });

    /**
     * An HTTP client: redirects followed or not; TLS verified against the system trust store, or a
     * PEM CA bundle ({@code caFile}), or not at all ({@code insecure}: no chain and no hostname check).
     */
    public static HttpClient client(boolean follow, boolean insecure, Path caFile, Duration connectTimeout) {
        try {
            HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .followRedirects(follow ? HttpClient.Redirect.NORMAL : HttpClient.Redirect.NEVER)
                    .connectTimeout(connectTimeout);
            if (insecure || caFile != null) {
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new TrustManager[] {insecure ? new TrustAll() : trustOnly(caFile)}, null);
                b.sslContext(ctx);
            }
            return b.build();
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

    /** Runs the check; never throws for anything the server or network does. */
    public static Map<String, Object> check(HttpClient client, URI url, Spec spec) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("target", url.toString());
        List<String> statuses = new ArrayList<>(), problems = new ArrayList<>();
        String method = spec.method();
        long t0 = System.nanoTime();
        try {
            HttpResponse<InputStream> resp = send(client, url, spec, method);
            if (method.equals("HEAD") && (resp.statusCode() == 405 || resp.statusCode() == 501)) {
                resp.body().close();
                method = "GET";                               // the server rejects HEAD: ask again with GET
                t0 = System.nanoTime();
                resp = send(client, url, spec, method);
            }
            double latency = (System.nanoTime() - t0) / 1e6;
            row.put("method", method);
            row.put("code", resp.statusCode());
            row.put("latency_ms", Math.round(latency * 10) / 10.0);
            if (!resp.uri().equals(url)) row.put("final_url", resp.uri().toString());
            byte[] body = readBody(resp.body(), spec);
            row.put("body_bytes", (long) body.length);
            if (!spec.expected().contains(resp.statusCode())) {
                statuses.add("bad-status");
                problems.add("status " + resp.statusCode() + ", expected " + spec.expected().text());
            }
            if (spec.bodyMatch() != null && !spec.bodyMatch().matcher(new String(body, StandardCharsets.UTF_8)).find()) {
                statuses.add("body-mismatch");
                problems.add("body does not match /" + spec.bodyMatch().pattern() + "/");
            }
            if (spec.maxLatency() != null && latency > spec.maxLatency().toMillis()) {
                statuses.add("slow");
                problems.add(String.format("%.0f ms, over --max-latency %s", latency, Cli.formatDuration(spec.maxLatency().toMillis())));
            }
            resp.sslSession().ifPresent(s -> tls(s, spec, row, statuses, problems));
        } catch (HttpConnectTimeoutException e) {
            statuses.add("timeout");
            problems.add("no TCP connection within the connect timeout");
        } catch (HttpTimeoutException e) {
            statuses.add("timeout");
            problems.add("no response within " + Cli.formatDuration(spec.timeout().toMillis()));
        } catch (SSLHandshakeException e) {
            statuses.add("cert-invalid");
            problems.add("TLS handshake failed: " + rootMessage(e) + " (--cacert FILE trusts a private CA, --insecure skips the check)");
        } catch (IOException e) {
            String m = rootMessage(e);
            if (hasCause(e, UnresolvedAddressException.class) || hasCause(e, UnknownHostException.class)) {
                statuses.add("unresolved");
                problems.add("cannot resolve " + url.getHost());
            } else if (hasCause(e, ConnectException.class) && (m.contains("No route") || m.contains("unreachable"))) {
                statuses.add("unreachable");
                problems.add(m);
            } else if (hasCause(e, ConnectException.class)) {      // the JDK client gives refusals no message
                statuses.add("refused");
                problems.add("connection refused");
            } else if (m.contains("timed out")) {
                statuses.add("timeout");
                problems.add(m);
            } else {
                statuses.add("error");
                problems.add(m);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            statuses.add("error");
            problems.add("interrupted");
        }
        row.put("total_ms", Math.round((System.nanoTime() - t0) / 1e5) / 10.0);
        String status = "ok";
        for (String s : SEVERITY) if (statuses.contains(s)) { status = s; break; }
        row.put("status", status);
        row.put("error", problems.isEmpty() ? null : String.join("; ", problems));
        return row;
    }

    private static HttpResponse<InputStream> send(HttpClient client, URI url, Spec spec, String method) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(spec.timeout()).method(method, HttpRequest.BodyPublishers.noBody())
                .header("User-Agent", "ops-httpcheck/0.1");
        spec.headers().forEach(b::header);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    /** Up to maxBody bytes of the body (none for HEAD), read within the timeout. */
    private static byte[] readBody(InputStream in, Spec spec) throws IOException {
        ScheduledFuture<?> guard = TIMER.schedule(() -> {
            try {
                in.close();
            } catch (IOException ignored) { }
        }, spec.timeout().toMillis(), TimeUnit.MILLISECONDS);
        try (in) {
            return in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, spec.maxBody()));
        } catch (IOException e) {
            throw new HttpTimeoutException("body not received within " + Cli.formatDuration(spec.timeout().toMillis()));
        } finally {
            guard.cancel(false);
        }
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

    private static boolean hasCause(Throwable t, Class<?> type) {
        for (; t != null; t = t.getCause()) if (type.isInstance(t)) return true;
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
