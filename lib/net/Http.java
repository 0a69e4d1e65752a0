package net;

//SOURCES ../cli/InputError.java

import cli.InputError;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/** How HTTP checks reach their endpoints: redirects, and which TLS certificates they trust. */
public final class Http {
    private Http() {}

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
            throw new InputError("--cacert " + caFile + ": " + e.getMessage());
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
}
