package check;

//SOURCES ../net/Http.java ../net/HttpCheck.java ../net/HttpSpec.java ../net/StatusSet.java ../report/Report.java ../yaml/Yaml.java
//SOURCES Check.java Findings.java Limit.java LocalFacts.java Probe.java Severity.java Validate.java

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import net.Http;
import net.HttpSpec;
import net.StatusSet;
import report.Report;
import yaml.Yaml;

/**
 * {@code kind: http}: a request answers with an expected status (and body), how fast, and how long
 * its certificate has left. The request itself is net.HttpCheck's, as httpcheck sends it.
 */
public record HttpCheck(String name, String group, Severity severity, String url, String method, String expect, String bodyMatch,
                        Map<String, String> headers, Boolean follow, Boolean insecure, Path cacert, Duration timeout,
                        Yaml.Size maxBody, Limit<Duration> latency, Limit<Duration> certExpiry) implements Check {

    /** Unless the plan says otherwise: WARN with 14 days left, CRIT with 3. */
    static final Limit<Duration> CERT_EXPIRY = new Limit<>(Duration.ofDays(14), Duration.ofDays(3));

    @Override public String defaultGroup() { return "services"; }

    @Override public Probe probe(String at, Duration defaultTimeout) {
        URI u = Validate.url(at + ".url", Validate.required(at, "url", url));
        String m = method == null ? "GET" : method.toUpperCase(Locale.ROOT);
        if (!m.matches("[A-Z]+")) throw new Yaml.Invalid(at + ".method", "'" + method + "' is not an HTTP method");
        if (List.of("CONNECT", "TRACE").contains(m)) {
            throw new Yaml.Invalid(at + ".method", m + " is not a health check (use GET, HEAD, or the method your endpoint serves)");
        }
        if (headers != null) {
            for (var e : headers.entrySet()) {
                String where = at + ".headers." + e.getKey();
                if (!e.getKey().matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) throw new Yaml.Invalid(where, "'" + e.getKey() + "' is not a header name");
                if (e.getValue() == null || e.getValue().chars().anyMatch(ch -> ch == '\r' || ch == '\n' || ch == 0)) {
                    throw new Yaml.Invalid(where, "a header value is one line (no CR, LF or NUL)");
                }
                if (List.of("content-length", "connection", "transfer-encoding").contains(e.getKey().toLowerCase(Locale.ROOT))) {
                    throw new Yaml.Invalid(where, e.getKey() + " is set by inspect itself (a Host header is fine: it names a virtual host)");
                }
            }
        }
        StatusSet expected;
        try {
            expected = StatusSet.parse(expect == null ? "200-399" : expect);
        } catch (IllegalArgumentException e) {
            throw new Yaml.Invalid(at + ".expect", e.getMessage());
        }
        Pattern body = bodyMatch == null ? null : Validate.regex(at + ".body_match", bodyMatch);
        if (body != null && m.equals("HEAD")) throw new Yaml.Invalid(at + ".body_match", "needs a body, and HEAD has none");
        if (Boolean.TRUE.equals(insecure) && cacert != null) {
            throw new Yaml.Invalid(at + ".insecure", "insecure: true and cacert contradict each other; pick one");
        }
        if (cacert != null && !Files.isRegularFile(cacert)) throw new Yaml.Invalid(at + ".cacert", cacert + ": no such file");
        Duration t = Validate.timeout(at + ".timeout", timeout, defaultTimeout);
        Validate.above(at + ".latency", latency, Duration::toMillis);
        Validate.below(at + ".cert_expiry", certExpiry, Duration::toMillis);
        long max = maxBody == null ? 1 << 20 : maxBody.bytes();
        HttpSpec spec = new HttpSpec(m, expected, body, headers == null ? Map.of() : headers, null, null, t, max);
        return new Request(this, u, spec, t);
    }

    private record Request(HttpCheck c, URI url, HttpSpec spec, Duration timeout) implements Probe {
        @Override public String name() { return url.toString(); }

        private Http.Client client() {
            return Http.client(Boolean.TRUE.equals(c.follow()), Boolean.TRUE.equals(c.insecure()), c.cacert(), timeout);
        }

        /** One untimed request to the first http and the first https URL (it costs that endpoint one extra request). */
        @Override public void warmUp(Set<String> warmed) {
            if (warmed.add("http:" + url.getScheme().toLowerCase(Locale.ROOT))) net.HttpCheck.warmUp(client(), url, spec);
        }

        @Override public void run(LocalFacts local, Findings o) {
            Map<String, Object> r = net.HttpCheck.check(client(), url, spec);
            o.expect("status " + spec.expected().text());
            if (r.get("code") != null) o.value("HTTP " + r.get("code"));
            else o.value((String) r.get("status"));
            if (!Report.isOk(r)) o.fail((String) r.get("error"));
            if (r.get("latency_ms") instanceof Double ms) {
                o.measure("latency", ms, "ms", String.format(Locale.ROOT, "%.1fms", ms), c.latency(), Duration::toMillis, false);
            }
            if (r.get("tls_days_left") instanceof Double days && days >= 0) {
                o.measure("cert", days * 86_400_000, "ms", String.format(Locale.ROOT, "%.1fd left", days),
                        c.certExpiry() != null ? c.certExpiry() : CERT_EXPIRY, Duration::toMillis, true);
            }
            o.note(r.get("final_url") != null ? "redirected to " + r.get("final_url") : (r.get("body_bytes") + " bytes of body read"));
        }
    }
}
