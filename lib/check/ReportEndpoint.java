package check;

//SOURCES ../report/Format.java ../run/SingleFlight.java ../web/Accept.java ../web/Endpoints.java CheckReport.java Result.java Status.java

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import picocli.CommandLine;
import report.Format;
import run.SingleFlight;
import web.Accept;
import web.Endpoints;

/**
 * `inspect --serve`: the plan's report over HTTP, for load balancers, uptime checkers and people
 * with curl. Every request is answered from one {@link SingleFlight}: the last run while it is
 * younger than --cache, else the run in flight, else a new run, so probes arriving together run
 * the plan once. The status says the verdict: 200 when every check is OK, {@code warnStatus} when
 * the worst is WARN (503 unless configured), 503 for CRIT or not run, 500 when the run itself
 * failed. The body is the report in the format of {@code ?format=} or else of the Accept header
 * (application/json, text/markdown, Prometheus' text/plain;version=0.0.4 or openmetrics,
 * text/plain for the table), else {@code fallback} (--format). Header {@code Age}: seconds since
 * the report was made.
 */
public final class ReportEndpoint implements Endpoints.Handler {
    private final SingleFlight<CheckReport> reports;
    private final Format.Subset formats;
    private final Format fallback;
    private final int warnStatus;
    private final boolean onlyFailed, wide;
    private final Consumer<String> log;
    private final Accept<Format> accept = new Accept<Format>()
            .offer("application/json", Format.json)
            .offer("text/markdown", Format.md)
            .offer("text/plain;version=0.0.4", Format.prom)
            .offer("application/openmetrics-text", Format.prom)     // Prometheus asks for it first; the 0.0.4 text is what it gets
            .offer("text/plain", Format.table);
    private int lastStatus;                                          // guarded by this: to log changes, not every run

    public ReportEndpoint(SingleFlight<CheckReport> reports, Format.Subset formats, Format fallback, int warnStatus,
                          boolean onlyFailed, boolean wide, Consumer<String> log) {
        this.reports = reports;
        this.formats = formats;
        this.fallback = fallback;
        this.warnStatus = warnStatus;
        this.onlyFailed = onlyFailed;
        this.wide = wide;
        this.log = log;
    }

    /** The HTTP status of a report: what a load balancer acts on. */
    public int status(CheckReport report) {
        Status worst = Status.OK;
        for (Result r : report.results()) worst = worst.max(r.status());
        return switch (worst) {
            case OK -> 200;
            case WARN -> warnStatus;
            case CRIT, NOT_RUN -> 503;
        };
    }

    /** Runs the plan once before the server opens: the first probe gets a report, and the log the first verdict. */
    public void prime() throws ExecutionException, InterruptedException {
        CheckReport report = reports.get().value();
        logChange(status(report), report);
    }

    /** This endpoint with {@code forced} as the format unless ?format= says otherwise (/metrics). */
    public Endpoints.Handler as(Format forced) {
        return ex -> answer(ex, forced);
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        answer(ex, null);
    }

    private void answer(HttpExchange ex, Format forced) throws IOException {
        Format format;
        try {
            String asked = query(ex.getRequestURI().getRawQuery(), "format");
            format = asked != null ? formats.convert(asked)
                    : forced != null ? forced : accept.choose(ex.getRequestHeaders().getFirst("Accept"), fallback);
        } catch (CommandLine.TypeConversionException e) {
            Endpoints.reply(ex, 400, "format: " + e.getMessage() + "\n");
            return;
        }
        SingleFlight.Got<CheckReport> got;
        try {
            got = reports.get();
        } catch (ExecutionException e) {
            log.accept("the plan run failed: " + e.getCause());
            Endpoints.reply(ex, 500, "inspect: the plan run failed (see the server's log)\n");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Endpoints.reply(ex, 503, "inspect: stopping\n");
            return;
        }
        CheckReport report = got.value();
        int status = status(report);
        if (got.fresh()) logChange(status, report);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(body, false, StandardCharsets.UTF_8)) {
            report.print(format, onlyFailed, wide, out, new PrintStream(OutputStream.nullOutputStream()));
        }
        ex.getResponseHeaders().set("Age", String.valueOf(got.ageNanos() / 1_000_000_000L));
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        Endpoints.reply(ex, status, contentType(format), body.toByteArray());
    }

    private synchronized void logChange(int status, CheckReport report) {
        if (status != lastStatus) log.accept("now answering " + status + ": " + report.summaryLine());
        lastStatus = status;
    }

    static String contentType(Format f) {
        return switch (f) {
            case json -> "application/json";
            case md -> "text/markdown; charset=utf-8";
            case prom -> "text/plain; version=0.0.4; charset=utf-8";
            default -> "text/plain; charset=utf-8";
        };
    }

    /** The first value of {@code name} in a raw query string ("format=json&x=1"), decoded; null when absent. */
    static String query(String raw, String name) {
        if (raw == null) return null;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (key.equals(name)) return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        }
        return null;
    }
}
