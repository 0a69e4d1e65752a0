package metrics;

//SOURCES ../web/Endpoints.java Log.java

import static web.Endpoints.reply;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * /debug/*: the JVM's own diagnostics, the equivalents of jstack, jmap -histo and jcmd JFR.start,
 * for requests with 'Authorization: Bearer TOKEN'. A refused request is logged (never the token).
 */
public final class Debug {
    static final int MAX_JFR_SECONDS = 300;

    final byte[] tokenHash;
    final AtomicBoolean recording = new AtomicBoolean();

    public Debug(byte[] token) {
        this.tokenHash = sha256(token);
    }

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Constant-time comparison of hashes, so neither the token nor its length leaks through timing. */
    boolean authorized(HttpExchange ex) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
        return MessageDigest.isEqual(tokenHash, sha256(auth.substring(7).strip().getBytes(StandardCharsets.UTF_8)));
    }

    /** Answers /debug/threads, /debug/heap or /debug/jfr. */
    public void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        if (!authorized(ex)) {
            Log.log("refused " + path + " from " + ex.getRemoteAddress().getAddress().getHostAddress() + ": missing or wrong bearer token");
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"ops exporter\"");
            reply(ex, 401, "unauthorized: send 'Authorization: Bearer TOKEN'\n");
            return;
        }
        switch (path) {
            case "/debug/threads" -> reply(ex, 200, diagnostic("threadPrint", "-l"));
            case "/debug/heap" -> reply(ex, 200, diagnostic("gcClassHistogram"));
            default -> jfr(ex);
        }
    }

    /** A jcmd command through the DiagnosticCommand MBean ("threadPrint" is Thread.print). */
    static String diagnostic(String operation, String... args) {
        try {
            return (String) ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    operation, new Object[] {args}, new String[] {String[].class.getName()});
        } catch (Exception e) {
            throw new IllegalStateException("jcmd " + operation + " failed: " + e, e);
        }
    }

    void jfr(HttpExchange ex) throws IOException {
        String query = ex.getRequestURI().getQuery();
        Matcher m = Pattern.compile("(?:^|&)seconds=([^&]*)").matcher(query == null ? "" : query);
        int seconds;
        try {
            seconds = m.find() ? Integer.parseInt(m.group(1)) : 30;
        } catch (NumberFormatException e) {
            seconds = -1;
        }
        if (seconds < 1 || seconds > MAX_JFR_SECONDS) {
            reply(ex, 400, "seconds must be a whole number from 1 to " + MAX_JFR_SECONDS + "\n");
            return;
        }
        if (!recording.compareAndSet(false, true)) {
            reply(ex, 409, "a recording is already running; try again when it is done\n");
            return;
        }
        Path file = null;
        try (Recording r = new Recording(Configuration.getConfiguration("profile"))) {
            file = Files.createTempFile("exporter-", ".jfr");
            Log.log("JFR recording for " + seconds + "s requested by " + ex.getRemoteAddress().getAddress().getHostAddress());
            r.setToDisk(true);
            r.start();
            Thread.sleep(seconds * 1000L);
            r.stop();
            r.dump(file);
            ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
            ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"exporter-"
                    + Instant.now().truncatedTo(ChronoUnit.SECONDS).toString().replace(":", "") + ".jfr\"");
            ex.sendResponseHeaders(200, Files.size(file));
            try (OutputStream os = ex.getResponseBody()) { Files.copy(file, os); }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        } finally {
            recording.set(false);
            if (file != null) Files.deleteIfExists(file);
        }
    }
}
