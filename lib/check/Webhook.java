package check;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES ../chat/Flavor.java ../cli/Durations.java ../cli/Errors.java CheckReport.java Result.java

import cli.Durations;
import cli.Errors;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The alert webhook: after the report, the checks that are not OK are POSTed as JSON to {@code url},
 * each attempt within {@code timeout}; a network error, a timeout, a 5xx, 408 or 429 is retried
 * once after 1s. Its "text" makes it readable by Slack/Mattermost incoming webhooks as it is.
 *
 * @param tool      names the sender in the payload ("tool") and in what it says on stderr
 * @param userAgent the request's User-Agent ("ops-inspect/0.1")
 */
public record Webhook(String tool, String userAgent, URI url, Duration timeout) {

    /**
     * Monitored text (a command's output, a server's answer) made inert for the chat that shows the
     * webhook's "text", with lib/chat's Slack rules (what alertrelay and --format slack use): Slack's
     * control sequences (<!channel>, <https://x|click>) escaped as Slack asks (&amp; &lt; &gt;),
     * mentions broken with a zero-width space, and a Markdown link's "](" split.
     */
    static String chatSafe(String s) {
        return chat.Flavor.slack.markup().text(s);
    }

    /** The JSON an alert receiver gets: tool, the report's heading, its summary, the alerts, and "text" for a chat. */
    public Map<String, Object> payload(CheckReport report) {
        List<Result> alerts = report.alerts();
        StringBuilder text = new StringBuilder(report.summaryLine());
        for (Result a : alerts) {
            text.append('\n').append(a.status().text().toUpperCase(Locale.ROOT)).append(' ').append(chatSafe(String.valueOf(a.name())))
                    .append(": ").append(chatSafe(String.valueOf(a.detail() == null ? a.value() : a.detail())));
        }
        List<Map<String, Object>> slim = new ArrayList<>();
        for (Result a : alerts) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", a.name());
            m.put("kind", a.kind());
            m.put("group", a.group());
            m.put("status", a.status().text());
            m.put("value", a.value());
            m.put("threshold", a.threshold());
            m.put("detail", a.detail());
            slim.add(m);
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("tool", tool);
        p.putAll(report.header().fields());
        p.put("summary", report.summary());
        p.put("alerts", slim);
        p.put("text", text.toString());
        return p;
    }

    /** POSTs the report's alerts. Says on stderr what happened; never throws (the report is already out). */
    public boolean send(CheckReport report, PrintStream err) {
        Map<String, Object> payload = payload(report);
        String where = url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()) + "/...";  // the path may hold a token
        byte[] body;
        try {
            body = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(payload);
        } catch (IOException e) {
            err.println(tool + ": warning: alert not sent: " + e.getMessage());
            return false;
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
                .header("User-Agent", userAgent).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        String why = null;
        int attempts = 0;
        for (int attempt = 1; attempt <= 2; attempt++) {
            attempts = attempt;
            try {
                HttpResponse<Void> r = client.send(request, HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() / 100 == 2) {
                    err.println(tool + ": alert sent to " + where + " (HTTP " + r.statusCode() + ", " + ((List<?>) payload.get("alerts")).size() + " checks)");
                    return true;
                }
                why = "HTTP " + r.statusCode();
                if (r.statusCode() / 100 == 4 && r.statusCode() != 408 && r.statusCode() != 429) break;   // retrying the same request won't help
            } catch (HttpTimeoutException e) {
                why = "no answer within " + Durations.format(timeout.toMillis());
            } catch (ConnectException e) {
                why = Errors.message(e, "connection refused");
            } catch (IOException e) {
                why = Errors.message(e, e.getClass().getSimpleName());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                why = "interrupted";
                break;
            }
            if (attempt == 1) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        err.println(tool + ": warning: alert webhook " + where + " failed after " + attempts + (attempts == 1 ? " attempt: " : " attempts: ")
                + why + " (the report above is complete)");
        return false;
    }
}
