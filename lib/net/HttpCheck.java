package net;

//SOURCES ../cli/Durations.java Http.java HttpSpec.java HttpExchange.java

import cli.Durations;
import java.io.IOException;
import java.net.URI;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;

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

    /** Status severity, most serious first: the row's status is the first that applies. */
    static final List<String> SEVERITY = List.of("timeout", "refused", "unreachable", "unresolved", "cert-invalid", "error",
            "bad-status", "body-mismatch", "slow", "cert-expired", "cert-expiring");

    /**
     * One untimed request to {@code url}, so that the first timed check does not pay for the JVM
     * loading and compiling its HTTP and TLS code (tens of ms that are ours, not the endpoint's).
     * Costs the endpoint one extra request; whatever it answers is ignored, and it is given at most
     * a second, so a hung endpoint delays the run by that much, not by a whole --timeout.
     */
    public static void warmUp(Http.Client client, URI url, HttpSpec spec) {
        HttpSpec brief = new HttpSpec(spec.method(), spec.expected(), null, spec.headers(), null, null,
                spec.timeout().compareTo(Duration.ofSeconds(1)) < 0 ? spec.timeout() : Duration.ofSeconds(1), spec.maxBody());
        // On a virtual thread, as the checks run: its first blocking read starts the JDK's poller.
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                HttpExchange.run(client, url, brief, "GET".equals(spec.method()) ? "HEAD" : spec.method());
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
    public static Map<String, Object> check(Http.Client client, URI url, HttpSpec spec) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("target", url.toString());
        List<String> statuses = new ArrayList<>(), problems = new ArrayList<>();
        String method = spec.method();
        long t0 = System.nanoTime();
        try {
            HttpExchange x = HttpExchange.run(client, url, spec, method);
            if (method.equals("HEAD") && (x.code == 405 || x.code == 501)) {
                method = "GET";                               // the server rejects HEAD: ask again with GET
                t0 = System.nanoTime();
                x = HttpExchange.run(client, url, spec, method);
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
                problems.add(String.format(Locale.ROOT, "%.0f ms, over --max-latency %s", x.firstByteMs, Durations.format(spec.maxLatency().toMillis())));
            }
            if (x.tls != null) tls(x.tls, spec, row, statuses, problems);
        } catch (HttpExchange.Failed f) {
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
            problems.add("no response within " + Durations.format(spec.timeout().toMillis()));
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

    private static void tls(SSLSession s, HttpSpec spec, Map<String, Object> row, List<String> statuses, List<String> problems) {
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
                        Durations.format(spec.certWarn().toMillis())));
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
