package metrics;

//DEPS at.favre.lib:bcrypt:0.10.2
//DEPS org.bouncycastle:bcpkix-jdk18on:1.78.1
//SOURCES ../yaml/Yaml.java ../cli/InputError.java ../cli/Errors.java

import at.favre.lib.crypto.bcrypt.BCrypt;
import cli.Errors;
import cli.InputError;
import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import yaml.Yaml;

/**
 * node_exporter's --web.config.file: the Prometheus exporter-toolkit's web-config.yml, so an
 * existing file works unchanged:
 *
 * <pre>
 *   tls_server_config:
 *     cert_file: node.crt            # PEM; paths are relative to this file
 *     key_file: node.key             # PEM: PKCS#8, PKCS#1 (RSA) or SEC1 (EC)
 *     client_auth_type: RequireAndVerifyClientCert   # or VerifyClientCertIfGiven, NoClientCert
 *     client_ca_file: clients-ca.crt
 *     min_version: TLS12             # TLS10..TLS13 (default TLS12, as the toolkit's)
 *     max_version: TLS13
 *     cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]   # TLS 1.2 suites, IANA names
 *   http_server_config:
 *     headers: {Strict-Transport-Security: max-age=31536000}
 *   basic_auth_users:
 *     prometheus: $2y$10$...         # bcrypt (htpasswd -nBC 10 prometheus)
 * </pre>
 *
 * Read once at start; a bad file is one line naming file:line:col and exit 2. Differences from
 * the toolkit: the file is not re-read per request (restart to apply changes), http2 is accepted
 * but the JDK server speaks HTTP/1.1, and RequestClientCert/RequireAnyClientCert (a client
 * certificate taken unverified) are refused. Checking a password costs a bcrypt (tens of ms at
 * cost 10): like the toolkit, results are cached (by a SHA-256 of user, hash and password, never the
 * password itself) and bcrypt runs one at a time, so a flood of wrong passwords costs one core at
 * most; an unknown user is checked against a fixed hash, so timing does not tell which users exist.
 */
public final class WebConfig {
    public record File(TlsServerConfig tlsServerConfig, HttpServerConfig httpServerConfig, Map<String, String> basicAuthUsers) {}

    public record TlsServerConfig(String certFile, String keyFile, String clientAuthType, String clientCaFile, String minVersion,
                                  String maxVersion, List<String> cipherSuites, Boolean preferServerCipherSuites,
                                  List<String> curvePreferences) {}

    public record HttpServerConfig(Boolean http2, Map<String, String> headers) {}

    static final String NO_CERTIFICATE = "no PEM certificate in it (-----BEGIN CERTIFICATE-----)";
    static final Pattern BCRYPT = Pattern.compile("^\\$2[abxy]?\\$\\d\\d\\$[./A-Za-z0-9]{53}$");
    static final Map<String, String> VERSIONS = Map.of("TLS10", "TLSv1", "TLS11", "TLSv1.1", "TLS12", "TLSv1.2", "TLS13", "TLSv1.3");
    static final List<String> ORDER = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    /** What the server needs: TLS (null: plain HTTP), users (null: no basic auth) and extra response headers. */
    public final SSLContext tls;
    final SSLParameters tlsParameters;
    public final Map<String, String> users;
    public final Map<String, String> headers;

    private WebConfig(SSLContext tls, SSLParameters tlsParameters, Map<String, String> users, Map<String, String> headers) {
        this.tls = tls;
        this.tlsParameters = tlsParameters;
        this.users = users;
        this.headers = headers;
    }

    /** Reads and checks {@code file}; every problem is an InputError naming file:line:col. */
    public static WebConfig load(Path file) {
        Yaml.Doc<File> doc = Yaml.load(file, File.class);
        File f = doc.value();
        Path dir = file.toAbsolutePath().getParent();
        Map<String, String> users = null;
        if (f.basicAuthUsers() != null) {
            users = new LinkedHashMap<>();
            for (var e : f.basicAuthUsers().entrySet()) {
                if (e.getValue() == null || !BCRYPT.matcher(e.getValue()).matches()) {
                    throw doc.error(new Yaml.Invalid("basic_auth_users." + e.getKey(), "not a bcrypt hash (make one with: htpasswd -nBC 10 "
                            + e.getKey() + ")"));
                }
                if (e.getKey().contains(":")) throw doc.error(new Yaml.Invalid("basic_auth_users." + e.getKey(), "a user name cannot hold ':'"));
                users.put(e.getKey(), e.getValue());
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (f.httpServerConfig() != null && f.httpServerConfig().headers() != null) {
            for (var e : f.httpServerConfig().headers().entrySet()) {
                String name = e.getKey();
                if (!name.matches("[A-Za-z0-9-]+") || List.of("content-type", "content-length", "content-encoding", "www-authenticate",
                        "authorization", "transfer-encoding", "connection").contains(name.toLowerCase(java.util.Locale.ROOT))) {
                    throw doc.error(new Yaml.Invalid("http_server_config.headers." + name, "this header cannot be set"));
                }
                headers.put(name, e.getValue() == null ? "" : e.getValue());
            }
        }
        SSLContext tls = null;
        SSLParameters params = null;
        TlsServerConfig t = f.tlsServerConfig();
        if (t != null) {
            if (t.certFile() == null || t.certFile().isBlank()) throw doc.error(new Yaml.Invalid("tls_server_config.cert_file", "missing cert_file"));
            if (t.keyFile() == null || t.keyFile().isBlank()) throw doc.error(new Yaml.Invalid("tls_server_config.key_file", "missing key_file"));
            try {
                List<Certificate> chain = certificates(dir.resolve(t.certFile()), "tls_server_config.cert_file");
                if (chain.isEmpty()) throw new Yaml.Invalid("tls_server_config.cert_file", dir.resolve(t.certFile()) + ": " + NO_CERTIFICATE);
                PrivateKey key = privateKey(dir.resolve(t.keyFile()));
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("exporter", key, new char[0], chain.toArray(Certificate[]::new));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, new char[0]);
                if (!matches(key, (X509Certificate) chain.get(0))) {
                    throw new Yaml.Invalid("tls_server_config.key_file", "the key does not belong to the certificate in " + t.certFile());
                }
                params = new SSLParameters();
                String auth = t.clientAuthType() == null || t.clientAuthType().isEmpty() ? "NoClientCert" : t.clientAuthType();
                TrustManagerFactory tmf = null;
                switch (auth) {
                    case "NoClientCert" -> { }
                    case "VerifyClientCertIfGiven" -> params.setWantClientAuth(true);
                    case "RequireAndVerifyClientCert" -> params.setNeedClientAuth(true);
                    case "RequestClientCert", "RequireAnyClientCert" -> throw new Yaml.Invalid("tls_server_config.client_auth_type",
                            auth + " (an unverified client certificate) is not supported; use VerifyClientCertIfGiven or RequireAndVerifyClientCert");
                    default -> throw new Yaml.Invalid("tls_server_config.client_auth_type", "unknown '" + auth
                            + "' (expected NoClientCert, VerifyClientCertIfGiven or RequireAndVerifyClientCert)");
                }
                if (!auth.equals("NoClientCert")) {
                    if (t.clientCaFile() == null) throw new Yaml.Invalid("tls_server_config.client_auth_type", auth + " needs client_ca_file");
                    KeyStore trust = KeyStore.getInstance("PKCS12");
                    trust.load(null, null);
                    int i = 0;
                    for (Certificate c : certificates(dir.resolve(t.clientCaFile()), "tls_server_config.client_ca_file")) trust.setCertificateEntry("ca" + i++, c);
                    tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                    tmf.init(trust);
                } else if (t.clientCaFile() != null) {
                    throw new Yaml.Invalid("tls_server_config.client_ca_file", "given, but client_auth_type is NoClientCert");
                }
                String min = version(t.minVersion(), "min_version", "TLS12"), max = version(t.maxVersion(), "max_version", "TLS13");
                if (ORDER.indexOf(min) > ORDER.indexOf(max)) throw new Yaml.Invalid("tls_server_config.min_version", "above max_version");
                tls = SSLContext.getInstance("TLS");
                tls.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
                params.setProtocols(ORDER.subList(ORDER.indexOf(min), ORDER.indexOf(max) + 1).toArray(String[]::new));
                if (t.cipherSuites() != null && !t.cipherSuites().isEmpty()) {
                    List<String> supported = Arrays.asList(tls.getSupportedSSLParameters().getCipherSuites());
                    for (String s : t.cipherSuites()) {
                        if (!supported.contains(s)) throw new Yaml.Invalid("tls_server_config.cipher_suites", "unknown or unsupported cipher suite " + s);
                    }
                    List<String> suites = new java.util.ArrayList<>(t.cipherSuites());
                    if (max.equals("TLSv1.3")) suites.addAll(List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"));
                    params.setCipherSuites(suites.toArray(String[]::new));   // as in Go, TLS 1.3's suites are not configurable
                }
                if (t.curvePreferences() != null && !t.curvePreferences().isEmpty()) {
                    params.setNamedGroups(t.curvePreferences().stream().map(WebConfig::curve).toArray(String[]::new));
                }
                params.setUseCipherSuitesOrder(t.preferServerCipherSuites() == null || t.preferServerCipherSuites());
            } catch (Yaml.Invalid e) {
                throw doc.error(e);
            } catch (InputError e) {
                throw e;
            } catch (Exception e) {
                throw doc.error(new Yaml.Invalid("tls_server_config", Errors.message(e, e.getClass().getSimpleName())));
            }
        }
        return new WebConfig(tls, params, users, headers);
    }

    static String version(String v, String key, String dflt) {
        String name = v == null || v.isEmpty() ? dflt : v;
        String jdk = VERSIONS.get(name);
        if (jdk == null) throw new Yaml.Invalid("tls_server_config." + key, "unknown '" + name + "' (expected TLS10, TLS11, TLS12 or TLS13)");
        return jdk;
    }

    /** Go's curve names (crypto/tls CurveID) as the JDK's named groups. */
    static String curve(String go) {
        return switch (go) {
            case "CurveP256" -> "secp256r1";
            case "CurveP384" -> "secp384r1";
            case "CurveP521" -> "secp521r1";
            case "X25519" -> "x25519";
            default -> throw new Yaml.Invalid("tls_server_config.curve_preferences", "unknown curve " + go
                    + " (expected CurveP256, CurveP384, CurveP521 or X25519)");
        };
    }

    /** The certificates in {@code pem}; a problem names {@code key}, the setting that gave the file. */
    static List<Certificate> certificates(Path pem, String key) throws IOException, java.security.GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new Yaml.Invalid(key, pem + ": no such file");
        } catch (java.security.cert.CertificateException e) {
            throw new Yaml.Invalid(key, pem + ": " + NO_CERTIFICATE);   // the JDK's reason ("signed fields invalid") helps no one
        }
    }

    /** A PEM private key in any of the forms openssl writes (BouncyCastle reads them; the JDK only PKCS#8). */
    static PrivateKey privateKey(Path pem) throws IOException {
        if (!Files.exists(pem)) throw new Yaml.Invalid("tls_server_config.key_file", pem + ": no such file");
        try (Reader r = Files.newBufferedReader(pem, StandardCharsets.US_ASCII);
             var parser = new org.bouncycastle.openssl.PEMParser(r)) {
            Object o = parser.readObject();
            var convert = new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter();
            if (o instanceof org.bouncycastle.openssl.PEMKeyPair kp) return convert.getKeyPair(kp).getPrivate();
            if (o instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo info) return convert.getPrivateKey(info);
            if (o instanceof org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo || o instanceof org.bouncycastle.openssl.PEMEncryptedKeyPair) {
                throw new Yaml.Invalid("tls_server_config.key_file", pem + ": the key is encrypted; node_exporter needs it unencrypted too");
            }
            throw new Yaml.Invalid("tls_server_config.key_file", pem + ": no PEM private key in it");
        }
    }

    /** The key signs what the certificate's public key verifies. */
    static boolean matches(PrivateKey key, X509Certificate cert) throws java.security.GeneralSecurityException {
        String alg = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : key.getAlgorithm();
        var sign = java.security.Signature.getInstance(alg);
        sign.initSign(key);
        byte[] data = "exporter".getBytes(StandardCharsets.US_ASCII);
        sign.update(data);
        byte[] sig = sign.sign();
        var verify = java.security.Signature.getInstance(alg);
        verify.initVerify(cert.getPublicKey());
        verify.update(data);
        return verify.verify(sig);
    }

    /** The HTTPS server's TLS settings. */
    public HttpsConfigurator configurator() {
        return new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters p) {
                p.setSSLParameters(tlsParameters);
            }
        };
    }

    /** Puts basic auth (when users are configured) and the configured headers on {@code contexts}. */
    public void guard(List<com.sun.net.httpserver.HttpContext> contexts) {
        var auth = users == null ? null : authenticator();
        for (var c : contexts) {
            if (auth != null) c.setAuthenticator(auth);
            if (!headers.isEmpty()) {
                c.getFilters().add(com.sun.net.httpserver.Filter.beforeHandler("web config headers",
                        ex -> headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v))));
            }
        }
    }

    /** Basic auth against the bcrypt hashes, cached and one bcrypt at a time (see the class comment). */
    public BasicAuthenticator authenticator() {
        return new BasicAuthenticator("exporter", StandardCharsets.UTF_8) {
            /** bcrypt("fakepassword"), the toolkit's hash for unknown users. */
            static final String UNKNOWN = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";
            final Map<String, Boolean> cache = new java.util.concurrent.ConcurrentHashMap<>();

            @Override
            public boolean checkCredentials(String user, String password) {
                String hash = users.get(user);
                boolean known = hash != null;
                if (!known) hash = UNKNOWN;
                String key = digest(user, hash, password);
                Boolean ok = cache.get(key);
                if (ok == null) {
                    synchronized (this) {
                        ok = BCrypt.verifyer().verify(password.getBytes(StandardCharsets.UTF_8), hash.getBytes(StandardCharsets.UTF_8)).verified;
                    }
                    if (cache.size() >= 100) cache.clear();                  // bounded: a flood of guesses cannot grow it
                    cache.put(key, ok);
                }
                return known && ok;
            }
        };
    }

    static String digest(String... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String p : parts) {
                md.update(p.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
