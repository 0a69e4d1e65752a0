package ssh;

//DEPS com.hierynomus:sshj:0.40.0
//SOURCES Algorithms.java HostCertificate.java HostConfig.java

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import com.hierynomus.sshj.transport.cipher.BlockCiphers;
import com.hierynomus.sshj.transport.cipher.ChachaPolyCiphers;
import com.hierynomus.sshj.transport.cipher.GcmCiphers;
import net.schmizz.keepalive.KeepAliveProvider;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.common.SecurityUtils;
import net.schmizz.sshj.transport.cipher.Cipher;

/**
 * sshj's algorithm configuration built from a host's resolved lists, so the client offers what
 * OpenSSH's would and in the same order: KexAlgorithms, HostKeyAlgorithms, Ciphers and MACs from
 * {@link HostConfig}, each restricted to what sshj 0.40 implements (the factories of its
 * DefaultConfig, looked up by name; names sshj lacks, such as sntrup761x25519-sha512 or the
 * umac MACs, are skipped). sshj's DefaultConfig alone would offer diffie-hellman-group1-sha1,
 * CBC ciphers and ssh-rsa to every server. One Config per distinct set of lists, built once.
 * Keep-alives are OpenSSH's keepalive@openssh.com requests (ServerAliveInterval/CountMax).
 *
 * <p>{@link #useJdkProviders()} (netconf calls it first thing): sshj then takes every algorithm
 * from the JDK's providers (AES on the CPU's AES instructions, SHA-2 intrinsics, X25519, Ed25519;
 * all of it held by the launcher's AOT cache) instead of registering BouncyCastle and asking it
 * for everything. BouncyCastle, a signed jar the AOT cache cannot hold (about 600 classes and
 * 0.2 s of CPU to load and verify), is then registered only when a connection negotiates
 * chacha20-poly1305: Poly1305 is not in the JDK. {@code gcmFirst} (HostLogins.preferGcm) orders
 * OpenSSH's default Ciphers AES-GCM first and chacha20-poly1305 last: the same set offered, in
 * another order; a Ciphers line in ssh_config is offered as written.
 */
public final class SshjConfigs {
    private SshjConfigs() {}

    /**
     * Every factory sshj has, from one DefaultConfig (building one is not free: it tries every
     * cipher, which registers BouncyCastle unless useJdkProviders came first; hence a holder).
     */
    private static final class Sshj {
        static final DefaultConfig ALL = new Catalogue();
    }

    /**
     * sshj's DefaultConfig with its cipher check cut to the ciphers OpenSSH has (the only names
     * {@link Algorithms} lets through). sshj's own check creates all 33 of its ciphers, and each one
     * the JDK lacks (Serpent, Twofish, IDEA, CAST-128) loads every installed security provider on the
     * way to "not found": about 70 ms of CPU, a seventh of a one-device netconf run (0.51 s -> 0.44 s).
     */
    private static final class Catalogue extends DefaultConfig {
        @Override protected void initCipherFactories() {
            List<Factory.Named<Cipher>> usable = new ArrayList<>();
            for (Factory.Named<Cipher> f : List.of(ChachaPolyCiphers.CHACHA_POLY_OPENSSH(), BlockCiphers.AES128CTR(), BlockCiphers.AES192CTR(),
                    BlockCiphers.AES256CTR(), GcmCiphers.AES128GCM(), GcmCiphers.AES256GCM(), BlockCiphers.AES128CBC(), BlockCiphers.AES192CBC(),
                    BlockCiphers.AES256CBC(), BlockCiphers.TripleDESCBC())) {
                try {
                    Cipher c = f.create();
                    c.init(Cipher.Mode.Encrypt, new byte[c.getBlockSize()], new byte[c.getIVSize()]);
                    usable.add(f);
                } catch (Exception e) {
                    // not in this JVM's providers (chacha20-poly1305 without BouncyCastle): not offered from here
                }
            }
            setCipherFactories(usable);
        }
    }

    /** A DefaultConfig for {@link #forLists}, which sets every list itself: sshj's cipher check is not run again. */
    private static final class Chosen extends DefaultConfig {
        @Override protected void initCipherFactories() {}
    }
    private static final Map<List<List<String>>, Config> CACHE = new ConcurrentHashMap<>();

    static final String CHACHA = "chacha20-poly1305@openssh.com";
    private static volatile boolean jdkProviders;
    static final List<String> GCM_FIRST = List.of("aes128-gcm@openssh.com", "aes256-gcm@openssh.com");

    /** See the class comment. Process-wide; call it before anything touches sshj (first thing in main). */
    public static synchronized void useJdkProviders() {
        jdkProviders = true;
        SecurityUtils.setRegisterBouncyCastle(false);
        SecurityUtils.setSecurityProvider(null);      // JCA's order: the JDK's providers, then BouncyCastle if registered
    }

    /** OpenSSH's default Ciphers with AES-GCM first and chacha20-poly1305 last when {@code gcmFirst}; any other list as given. */
    static List<String> cipherOrder(List<String> ciphers, boolean gcmFirst) {
        if (!gcmFirst || !ciphers.equals(Algorithms.Kind.CIPHER.defaults)) return ciphers;
        List<String> out = new ArrayList<>(GCM_FIRST);
        for (String c : ciphers) if (!out.contains(c) && !c.equals(CHACHA)) out.add(c);
        out.add(CHACHA);
        return out;
    }

    /** The lists of one category sshj can use, for messages ("sshj implements ..."). */
    public static List<String> implemented(Algorithms.Kind kind) {
        return factories(kind).stream().map(Factory.Named::getName).toList();
    }

    /**
     * The Config offering exactly {@code h}'s lists (minus what sshj lacks), cached.
     * @throws IllegalArgumentException when a category is left empty, saying which and why
     */
    public static Config forHost(HostConfig h) {
        return forHost(h, false);
    }

    /** As {@link #forHost(HostConfig)}; {@code gcmFirst}: OpenSSH's default Ciphers in AES-GCM-first order. */
    public static Config forHost(HostConfig h, boolean gcmFirst) {
        return forLists(h.kexAlgorithms(), h.hostKeyAlgorithms(), cipherOrder(h.ciphers(), gcmFirst), h.macs(), h.host());
    }

    /** OpenSSH's default lists: what a host with no ssh_config gets. */
    public static Config opensshDefaults() {
        return forLists(Algorithms.Kind.KEX.defaults, Algorithms.Kind.HOST_KEY.defaults, Algorithms.Kind.CIPHER.defaults,
                Algorithms.Kind.MAC.defaults, "the defaults");
    }

    private static Config forLists(List<String> kexNames, List<String> hostKeys, List<String> ciphers, List<String> macs, String host) {
        List<List<String>> key = List.of(kexNames, hostKeys, ciphers, macs);
        Config c = CACHE.get(key);
        if (c != null) return c;
        DefaultConfig built = new Chosen();
        List<Factory.Named<net.schmizz.sshj.transport.kex.KeyExchange>> kex = pick(Algorithms.Kind.KEX, kexNames, host);
        // ext-info-c is no algorithm but a signal: it asks the server for server-sig-algs (rsa-sha2 user keys need it).
        for (var f : Sshj.ALL.getKeyExchangeFactories()) if (f.getName().equals("ext-info-c")) kex.add(f);
        built.setKeyExchangeFactories(kex);
        built.setKeyAlgorithms(pick(Algorithms.Kind.HOST_KEY, hostKeys, host));
        built.setCipherFactories(pick(Algorithms.Kind.CIPHER, ciphers, host));
        built.setMACFactories(pick(Algorithms.Kind.MAC, macs, host));
        built.setKeepAliveProvider(KeepAliveProvider.KEEP_ALIVE);
        // Host certificates are checked by KnownHosts against @cert-authority lines (under the name
        // known_hosts is searched for, HostKeyAlias too, with a status that says what is wrong),
        // not by sshj's key exchange against the address it connected to.
        built.setVerifyHostKeyCertificates(false);
        c = CACHE.putIfAbsent(key, built);
        return c != null ? c : built;
    }

    private static synchronized boolean bouncyCastleLoads() {
        if (java.security.Security.getProvider(SecurityUtils.BOUNCY_CASTLE) != null) return true;
        try {
            java.security.Security.addProvider((java.security.Provider) Class.forName("org.bouncycastle.jce.provider.BouncyCastleProvider")
                    .getDeclaredConstructor().newInstance());
            return true;
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }

    /** A factory that registers BouncyCastle (once) before its first object is made: for chacha20-poly1305's Poly1305. */
    private record BouncyCastleOnUse<T>(Factory.Named<T> factory) implements Factory.Named<T> {
        @Override public String getName() { return factory.getName(); }

        @Override public T create() {
            synchronized (SshjConfigs.class) {
                // By name: a `new BouncyCastleProvider()` here would have the verifier load (and check the signature of) its jar up front.
                if (java.security.Security.getProvider(SecurityUtils.BOUNCY_CASTLE) == null) {
                    try {
                        java.security.Security.addProvider((java.security.Provider) Class.forName("org.bouncycastle.jce.provider.BouncyCastleProvider")
                                .getDeclaredConstructor().newInstance());
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException("chacha20-poly1305 needs BouncyCastle, which did not load", e);
                    }
                }
            }
            return factory.create();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> List<Factory.Named<T>> factories(Algorithms.Kind kind) {
        List<?> all = switch (kind) {
            case KEX -> Sshj.ALL.getKeyExchangeFactories().stream().filter(f -> !f.getName().equals("ext-info-c")).toList();
            case HOST_KEY -> java.util.stream.Stream.concat(Sshj.ALL.getKeyAlgorithms().stream(), HostCertificate.RSA_SHA2_ALGORITHMS.stream()).toList();
            case CIPHER -> {
                // Without BouncyCastle registered sshj's own check drops chacha20-poly1305; ours registers it on use.
                List<Factory.Named<Cipher>> ciphers = new ArrayList<>(Sshj.ALL.getCipherFactories());
                Factory.Named<Cipher> chacha = new BouncyCastleOnUse<>(ChachaPolyCiphers.CHACHA_POLY_OPENSSH());
                // Without useJdkProviders BouncyCastle is loaded now, while the process still has descriptors
                // to open its jar (fanout under a tight ulimit -n); where it cannot load, chacha20 is not offered.
                if (!jdkProviders && !bouncyCastleLoads()) {
                    ciphers.removeIf(f -> f.getName().equals(CHACHA));
                    yield ciphers;
                }
                if (ciphers.stream().anyMatch(f -> f.getName().equals(CHACHA))) ciphers.replaceAll(f -> f.getName().equals(CHACHA) ? chacha : f);
                else ciphers.add(0, chacha);
                yield ciphers;
            }
            case MAC -> Sshj.ALL.getMACFactories();
        };
        return (List<Factory.Named<T>>) all;
    }

    private static <T> List<Factory.Named<T>> pick(Algorithms.Kind kind, List<String> wanted, String host) {
        List<Factory.Named<T>> have = factories(kind), out = new ArrayList<>();
        for (String name : wanted) {
            for (Factory.Named<T> f : have) if (f.getName().equals(name)) out.add(f);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(host + ": none of the " + kind.keyword + " its ssh config allows (" + String.join(",", wanted)
                    + ") is implemented by ops' SSH library (sshj has " + String.join(",", implemented(kind)) + ")");
        }
        return out;
    }

    /**
     * The weak ones among what a connection negotiated ({@link Ssh.Connection#negotiated()}: kex,
     * hostkey, cipher, mac), each as "name (why)", e.g. "diffie-hellman-group1-sha1 (SHA-1 key exchange)".
     */
    public static List<String> weak(Map<String, String> negotiated) {
        List<String> out = new ArrayList<>();
        for (var k : List.of(Map.entry(Algorithms.Kind.KEX, "kex"), Map.entry(Algorithms.Kind.HOST_KEY, "hostkey"),
                Map.entry(Algorithms.Kind.CIPHER, "cipher"), Map.entry(Algorithms.Kind.MAC, "mac"))) {
            String name = negotiated.get(k.getValue()), why = weakness(k.getKey(), name);
            if (why != null) out.add(name + " (" + why + ")");
        }
        return out;
    }

    /** Why a negotiated algorithm is weak (SHA-1, CBC, RC4, MD5, DSA), or null when it is not. */
    public static String weakness(Algorithms.Kind kind, String name) {
        if (name == null) return null;
        return switch (kind) {
            case KEX -> name.endsWith("-sha1") ? "SHA-1 key exchange" : null;
            case HOST_KEY -> name.equals("ssh-rsa") || name.startsWith("ssh-rsa-cert") ? "RSA signatures with SHA-1"
                    : name.startsWith("ssh-dss") ? "DSA host key" : null;
            case CIPHER -> name.endsWith("-cbc") ? "CBC cipher" : name.startsWith("arcfour") ? "RC4 cipher"
                    : name.startsWith("3des") ? "3DES cipher" : null;
            case MAC -> name.startsWith("hmac-sha1") ? "HMAC-SHA1" : name.startsWith("hmac-md5") ? "HMAC-MD5" : null;
        };
    }
}
