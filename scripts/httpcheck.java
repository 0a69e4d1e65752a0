//usr/bin/true; exec "$(dirname "$(readlink -f "$0")")/../jbang" "$0" "$@"
//JAVA 21+
//JAVA_OPTIONS -XX:+UseSerialGC -XX:-UsePerfData -XX:TieredStopAtLevel=1 -Xss512k
//SOURCES ../lib/cli/Durations.java ../lib/cli/Exit.java ../lib/cli/InputError.java ../lib/cli/Patterns.java
//SOURCES ../lib/cli/Sizes.java ../lib/cli/Tool.java ../lib/net/Http.java ../lib/net/HttpCheck.java
//SOURCES ../lib/net/HttpSpec.java ../lib/net/StatusSet.java ../lib/net/Urls.java ../lib/report/Column.java
//SOURCES ../lib/report/OutputOptions.java ../lib/report/Prom.java ../lib/report/Report.java
//SOURCES ../lib/run/Limits.java ../lib/run/NotRun.java ../lib/run/Runner.java

/*
 * httpcheck -- are these endpoints healthy?
 *
 * What it does: checks URLs concurrently: one request each (GET by default; HEAD falls back to GET
 * when the server rejects it), the status code against an expected set (default 200-399), an
 * optional body regex, a latency limit, and for HTTPS the certificate's days left against
 * --cert-warn. One row per URL: ok, bad-status, body-mismatch, slow, cert-expiring, cert-expired,
 * cert-invalid, timeout, refused, unreachable, unresolved, error or not-run, with the code, latency, TLS days
 * left and why it failed.
 *
 * When to use it: after a deploy, in an incident ("which of the 40 health endpoints are red?"),
 * and weekly for certificates about to expire (--cert-warn 30d --format md).
 *
 * What it costs the target: one request per URL (two when HEAD is rejected), reading at most
 * --max-body of the response, plus one untimed warm-up request to the first URL of each scheme
 * (so the latency reported is the endpoint's, not our JVM's first use). Redirects are not
 * followed unless -L.
 */

import cli.Durations;
import cli.Exit;
import cli.InputError;
import cli.Patterns;
import cli.Sizes;
import cli.Tool;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import net.Http;
import net.HttpCheck;
import net.HttpSpec;
import net.StatusSet;
import net.Urls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import report.Column;
import report.OutputOptions;
import report.Prom;
import report.Report;
import run.Limits;
import run.NotRun;
import run.Runner;

@Command(name = "httpcheck", mixinStandardHelpOptions = true, version = "httpcheck (ops) 0.1", sortOptions = false,
        description = {
            "Check HTTP(S) endpoints concurrently: status, body, latency, TLS certificate expiry.",
            "Every URL gets one row: ok, bad-status, body-mismatch, slow, cert-expiring, cert-expired,",
            "cert-invalid, timeout, refused, unreachable, unresolved, error, or not-run."},
        footer = {
            "%nExamples:",
            "  httpcheck https://example.org/healthz http://10.0.0.5:8080/ready",
            "  httpcheck -f urls.txt --expect 200 --body-match '\"status\":\"UP\"' --max-latency 500ms",
            "  httpcheck -f urls.txt --cert-warn 30d --only-failed --format md   # certificates to renew",
            "  httpcheck -X HEAD -L -H 'Host: shop.internal' http://10.0.0.7/",
            Exit.HELP})
public class httpcheck implements Callable<Integer> {

    @Parameters(paramLabel = "URL", arity = "0..*", description = "URLs to check (http:// or https://).")
    List<String> urls = new ArrayList<>();

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "File of URLs, one a line, '#' comments ('-' reads stdin). Repeatable.")
    List<String> files = new ArrayList<>();

    @Mixin OutputOptions output;

    @Option(names = {"-X", "--method"}, paramLabel = "METHOD", defaultValue = "GET",
            description = "GET (default), HEAD (falls back to GET on 405/501), or another method.")
    String method;

    @Option(names = "--expect", paramLabel = "CODES", defaultValue = "200-399",
            description = "Healthy status codes: ranges and lists, e.g. 200-399 (default), 200,204, 2xx.")
    String expect;

    @Option(names = "--body-match", paramLabel = "REGEX", description = "The body (first --max-body bytes) must contain a match (Java regex).")
    String bodyMatch;

    @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'", description = "Request header (repeatable).")
    List<String> headers = new ArrayList<>();

    @Option(names = "--max-latency", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "Time to response headers above this is 'slow'.")
    Duration maxLatency;

    @Option(names = {"-L", "--follow"}, description = "Follow redirects (not https to http); the final URL is reported.")
    boolean follow;

    @Option(names = "--cert-warn", paramLabel = "DURATION", defaultValue = "14d", converter = Durations.Converter.class,
            description = "Certificates expiring sooner are 'cert-expiring' (default: ${DEFAULT-VALUE}).")
    Duration certWarn;

    @Option(names = "--cacert", paramLabel = "PEM_FILE", description = "Trust only these CA certificates (PEM), e.g. a private CA.")
    Path caFile;

    @Option(names = {"-k", "--insecure"}, description = "Do not verify TLS certificates or host names (explicit opt-out; days left are still reported).")
    boolean insecure;

    @Option(names = {"-t", "--timeout"}, paramLabel = "DURATION", defaultValue = "10s", converter = Durations.Converter.class,
            description = "Per URL: connect, and then response headers, and then the body, each within this (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--max-body", paramLabel = "SIZE", defaultValue = "1M", converter = Sizes.Converter.class,
            description = "Read at most this much of each body (for --body-match) (default: ${DEFAULT-VALUE}).")
    long maxBody;

    @Option(names = {"-c", "--concurrency"}, paramLabel = "N", defaultValue = "32",
            description = "URLs in flight at once; capped by the open-file limit (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--deadline", paramLabel = "DURATION", defaultValue = "10m", converter = Durations.Converter.class,
            description = "Global deadline; URLs not finished by then are reported not-run (default: ${DEFAULT-VALUE}).")
    Duration deadline;

    public static void main(String... args) {
        Tool.main(new httpcheck(), args);
    }

    @Override
    public Integer call() throws IOException {
        PrintStream err = System.err;
        Map<String, Comparator<Map<String, Object>>> sortKeys = Map.of("latency",
                Comparator.comparing((Map<String, Object> r) -> (Double) r.get("latency_ms"), Comparator.nullsLast(Comparator.reverseOrder())),
                "tls", Comparator.comparing((Map<String, Object> r) -> (Double) r.get("tls_days_left"), Comparator.nullsLast(Comparator.naturalOrder())));
        output.checkSort(sortKeys);
        if (timeout.isZero()) throw new InputError("--timeout must be more than 0");
        if (concurrency < 1) throw new InputError("--concurrency must be at least 1");
        if (insecure && caFile != null) throw new InputError("--insecure and --cacert contradict each other; pick one");
        if (caFile != null && !Files.isRegularFile(caFile)) throw new InputError("--cacert " + caFile + ": no such file");
        StatusSet expected;
        Pattern body = null;
        try {
            expected = StatusSet.parse(expect);
        } catch (IllegalArgumentException e) {
            throw new InputError("--expect: " + e.getMessage());
        }
        try {
            if (bodyMatch != null) body = Patterns.compile(bodyMatch);
        } catch (IllegalArgumentException e) {
            throw new InputError("--body-match: " + e.getMessage());
        }
        String m = method.toUpperCase(Locale.ROOT);
        if (!m.matches("[A-Z]+")) throw new InputError("-X '" + method + "': not an HTTP method");
        if (body != null && m.equals("HEAD")) throw new InputError("--body-match needs a body: HEAD has none (drop -X HEAD)");
        Map<String, String> hdrs = new LinkedHashMap<>();
        for (String h : headers) {
            int colon = h.indexOf(':');
            if (colon < 1) throw new InputError("-H '" + h + "': expected 'Name: value'");
            if (h.chars().anyMatch(ch -> ch == '\r' || ch == '\n' || ch == 0)) throw new InputError("-H: a header is one line (no CR, LF or NUL)");
            if (h.substring(colon + 1).matches("\\d{1,5}(/\\S*)?") && h.substring(0, colon).matches("[\\w-]+(\\.[\\w-]+)+|localhost|\\[[0-9a-fA-F:]+]")) {
                throw new InputError("-H '" + h + "' is a header here ('Name: value'), not a host; URLs go as arguments: http://" + h + (h.contains("/") ? "" : "/"));
            }
            hdrs.put(h.substring(0, colon).strip(), h.substring(colon + 1).strip());
        }
        List<URI> targets = load(err);

        HttpSpec spec = new HttpSpec(m, expected, body, hdrs, maxLatency, certWarn, timeout, maxBody);
        Http.Client client = Http.client(follow, insecure, caFile, timeout);
        if (insecure) err.println("warning: --insecure: TLS certificates and host names are not verified");
        int slots = Limits.capConcurrency(Math.min(concurrency, targets.size()), 1, err);
        long t0 = System.nanoTime();
        Report report = new Report("httpcheck", "URLs", List.of(
                Column.left("target", "url"),
                Column.left("status", "status"),
                Column.right("code", "code"),
                Column.right("latency_ms", "ms"),
                Column.right("tls_days_left", "tls days"),
                Column.left("error", "why")));
        // One untimed request to the first URL of each scheme, so no URL's latency is our JVM's warm-up.
        targets.stream().filter(u -> u.getScheme().equalsIgnoreCase("http")).findFirst().ifPresent(u -> HttpCheck.warmUp(client, u, spec));
        targets.stream().filter(u -> u.getScheme().equalsIgnoreCase("https")).findFirst().ifPresent(u -> HttpCheck.warmUp(client, u, spec));
        try (Runner fan = new Runner(slots, deadline, "httpcheck")) {
            fan.run(targets, u -> HttpCheck.check(client, u, spec), httpcheck::notRun).forEach(report::add);
            report.elapsedMs((System.nanoTime() - t0) / 1_000_000).summary("concurrency", slots);
            List<Map<String, Object>> shown = output.select(report.rows(), sortKeys);
            report.wide(output.wide).prom(httpcheck::prom).render(output.format, shown, System.out, err);
        }
        return report.failed() == 0 ? Exit.OK : Exit.FAILED;
    }

    static Map<String, Object> notRun(URI u, NotRun why) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("target", u.toString());
        r.put("status", "not-run");
        r.put("error", why.text());
        return r;
    }

    /** URLs from the arguments, then each -f file ('-' is stdin); bad lines name file:line. */
    private List<URI> load(PrintStream warn) {
        List<URI> out = new ArrayList<>();
        Map<String, String> seen = new LinkedHashMap<>();
        for (String u : urls) add(out, seen, "argument", u, warn);
        for (String f : files) {
            List<String> lines;
            try {
                lines = f.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()
                        : Files.readAllLines(Path.of(f), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new InputError(f + ": no such file");
            } catch (IOException e) {
                throw new InputError(f + ": cannot read: " + e.getMessage());
            }
            String name = f.equals("-") ? "stdin" : f;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (i == 0 && line.startsWith("\uFEFF")) line = line.substring(1);
                int hash = line.indexOf(" #");
                if (line.startsWith("#")) continue;
                if (hash >= 0) line = line.substring(0, hash).strip();
                if (!line.isEmpty()) add(out, seen, name + ":" + (i + 1), line, warn);
            }
        }
        if (out.isEmpty()) throw new InputError("no URLs: give them as arguments or with -f FILE");
        return out;
    }

    private static void add(List<URI> out, Map<String, String> seen, String where, String text, PrintStream warn) {
        URI u;
        try {
            u = Urls.http(text);
        } catch (IllegalArgumentException e) {
            throw new InputError(where + ": " + e.getMessage());
        }
        String prev = seen.putIfAbsent(u.toString(), where);
        if (prev != null) {
            warn.println("warning: " + where + ": " + text + " duplicates " + prev + "; checked once");
            return;
        }
        out.add(u);
    }

    /** ops_httpcheck_up / _status_code / _latency_seconds / _tls_days_left per URL, plus run totals. */
    static void prom(Report report, List<Map<String, Object>> rows, PrintStream out) {
        var up = Prom.gauge("ops_httpcheck_up", "1 if the URL passed every check, else 0");
        var code = Prom.gauge("ops_httpcheck_status_code", "HTTP status code of the last check");
        var latency = Prom.gauge("ops_httpcheck_latency_seconds", "Time to response headers");
        var days = Prom.gauge("ops_httpcheck_tls_days_left", "Days until the TLS certificate expires");
        for (var r : rows) {
            Labels l = Labels.of("url", (String) r.get("target"), "status", (String) r.get("status"));
            up.dataPoint(Prom.point(l, Report.isOk(r) ? 1 : 0));
            if (r.get("code") != null) code.dataPoint(Prom.point(l, (Integer) r.get("code")));
            if (r.get("latency_ms") != null) latency.dataPoint(Prom.point(l, Prom.seconds((Double) r.get("latency_ms"))));
            if (r.get("tls_days_left") != null) days.dataPoint(Prom.point(l, (Double) r.get("tls_days_left")));
        }
        Prom.write(out, up.build(), code.build(), latency.build(), days.build(),
                Prom.statusTotals("ops_httpcheck_urls", "URLs per status in the last run", report));
    }
}
