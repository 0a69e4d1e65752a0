import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Real HTTP and HTTPS servers for tests (the JDK's com.sun.net.httpserver) on 127.0.0.1, and a
 * self-signed certificate for 127.0.0.1 made by keytool that expires in a given number of days.
 */
public final class TestHttp {
    private TestHttp() {}

    public interface Handler { void handle(HttpExchange ex) throws IOException; }

    /** An HTTP server on 127.0.0.1 and a free port, one virtual thread per request; add routes, then start(). */
    public static HttpServer http() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
        s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        return s;
    }

    /** An HTTPS server whose certificate (CN=ops-test, SAN ip:127.0.0.1) is written to {@code caPem} and expires in {@code days}. */
    public static HttpsServer https(Path dir, int days, Path caPem) throws Exception {
        Path ks = dir.resolve("server-" + days + "d.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Proc.sh(keytool + " -genkeypair -alias srv -keyalg EC -groupname secp256r1 -validity " + days + " -dname CN=ops-test"
                + " -ext san=ip:127.0.0.1 -storetype PKCS12 -storepass changeit -keystore " + ks);
        Proc.sh(keytool + " -exportcert -rfc -alias srv -storepass changeit -keystore " + ks + " -file " + caPem);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (var in = new FileInputStream(ks.toFile())) { store.load(in, "changeit".toCharArray()); }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
        s.setHttpsConfigurator(new HttpsConfigurator(ctx));
        s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        return s;
    }

    public static String base(HttpServer s) {
        return (s instanceof HttpsServer ? "https" : "http") + "://127.0.0.1:" + s.getAddress().getPort();
    }

    public static void route(HttpServer s, String path, Handler h) {
        s.createContext(path, ex -> {
            try (ex) { h.handle(ex); }
        });
    }

    public static void reply(HttpExchange ex, int code, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(code, -1);
            return;
        }
        ex.sendResponseHeaders(code, b.length == 0 ? -1 : b.length);
        if (b.length > 0) ex.getResponseBody().write(b);
    }

    public static void sleep(long ms) {
        try { Thread.sleep(ms); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
    }
}
