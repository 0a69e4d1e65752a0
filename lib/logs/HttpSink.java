package logs;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES ../cli/Durations.java ../cli/Errors.java ../cli/InputError.java ../net/Urls.java Event.java Parsed.java Sink.java Sinks.java

import cli.Durations;
import cli.Errors;
import cli.InputError;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.Urls;

/** --to http:URL (or a bare http(s) URL): a POST of a JSON array of events; 2xx is accepted, 400 and 422 are rejected (not retried), anything else is retried. */
class HttpSink implements Sink {
    final URI url;
    final Duration timeout;
    final HttpClient client;
    final String authorization;                 // the Authorization header, or null; never logged

    HttpSink(URI url, Duration timeout, String authorization) {
        this.url = url;
        this.timeout = timeout;
        this.authorization = authorization;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    static final class Kind implements Sinks.Kind {
        @Override public String usage() { return "http:URL"; }
        @Override public boolean accepts(String to) { return to.regionMatches(true, 0, "http", 0, 4); }     // only those can be http(s) URLs
        @Override public boolean takesAuth(String to) { return to.startsWith("http"); }
        @Override public Sink open(String to, Sinks.Config c) {
            return new HttpSink(url(to, to.startsWith("http:") && !to.startsWith("http://") ? to.substring(5) : to), c.timeout(), c.authorization());
        }
    }

    /** {@code url} (the URL part of --to {@code to}) checked: http(s), a host, and no credentials (they would show in ps). */
    static URI url(String to, String url) {
        URI u;
        try {
            u = Urls.http(url);
        } catch (IllegalArgumentException e) {
            throw Sinks.notASink(to);
        }
        if (u.getRawUserInfo() != null) {                       // it would show in ps, and the JDK client never sends it
            throw new InputError("--to: credentials in the URL would show in ps and are not sent; put 'Basic BASE64(user:password)'"
                    + " or 'Bearer TOKEN' in --sink-auth-file FILE (or --sink-auth-env VAR) and drop them from the URL");
        }
        return u;
    }

    @Override public String name() { return url.getScheme() + "://" + url.getHost() + ":" + url.getPort(); }

    /** The event object. */
    @Override public void encode(JsonGenerator g, Event e, Map<String, String> labels) throws IOException {
        e.write(g, labels);
    }

    /** The request body: the events as one JSON array. */
    void body(ByteArrayOutputStream buf, List<Parsed.Slice> batch, Map<String, String> labels) throws IOException {
        buf.write('[');
        joined(buf, batch);
        buf.write(']');
    }

    @Override public long deliver(List<Parsed.Slice> batch, Map<String, String> labels) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        body(buf, batch, labels);
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
                .header("User-Agent", "ops-logship/0.1").POST(HttpRequest.BodyPublishers.ofByteArray(buf.toByteArray()));
        if (authorization != null) b.header("Authorization", authorization);
        HttpRequest req = b.build();
        try {
            HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                String body = r.body().strip(), what = "HTTP " + r.statusCode() + (body.isEmpty() ? "" : ": " + (body.length() > 200 ? body.substring(0, 200) : body));
                // 400/422: the request itself is wrong (Loki: a bad label, an entry too old or out of order, a line too long);
                // the same bytes get the same answer, so retrying would stop the pipeline for good. 429 and 5xx are retried.
                if (r.statusCode() == 400 || r.statusCode() == 422) throw new Sink.Rejected(what);
                throw new Sink.Retry(what, retryAfter(r));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (java.net.ConnectException e) {
            throw new IOException(Errors.message(e, "connection refused"));
        } catch (java.net.http.HttpTimeoutException e) {
            throw new IOException("no answer within " + Durations.format(timeout.toMillis()) + " (--sink-timeout)");
        }
        return buf.size();
    }

    /** A Retry-After of whole seconds (429, 503), in ms; 0 when there is none. */
    static long retryAfter(HttpResponse<?> r) {
        String v = r.headers().firstValue("Retry-After").orElse("").strip();
        if (!v.matches("\\d{1,6}")) return 0;
        return Math.min(Long.parseLong(v), 300) * 1000;
    }

    /** The slices' events separated by commas. */
    static void joined(ByteArrayOutputStream buf, List<Parsed.Slice> slices) {
        boolean first = true;
        for (Parsed.Slice s : slices) {
            for (int i = s.from(); i < s.to(); i++) {
                if (!first) buf.write(',');
                first = false;
                buf.write(s.p().bytes(), s.p().starts()[i], s.p().starts()[i + 1] - s.p().starts()[i]);
            }
        }
    }
}
