package snmp;

//DEPS org.snmp4j:snmp4j:3.8.2

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.snmp4j.security.AuthHMAC128SHA224;
import org.snmp4j.security.AuthHMAC192SHA256;
import org.snmp4j.security.AuthHMAC256SHA384;
import org.snmp4j.security.AuthHMAC384SHA512;
import org.snmp4j.security.AuthMD5;
import org.snmp4j.security.AuthSHA;
import org.snmp4j.security.AuthenticationProtocol;
import org.snmp4j.smi.OctetString;

/**
 * USM key derivation done once per password, not once per device. RFC 3414 A.2 turns a password
 * into a key Ku by hashing 1 MiB of it (tens of ms of CPU each), then localises Ku to each agent's
 * engine ID with one short hash: Kul = H(Ku || engineID || Ku). SNMP4J repeats the 1 MiB step for
 * every engine ID (twice per device with privacy: ~1 s for 50 devices); these subclasses of
 * SNMP4J's own auth protocols keep Ku and only localise. Same keys, checked against snmpd by the
 * tests (SHA-256/AES-128 and SHA-1/AES-256, whose key extension SNMP4J still does itself).
 */
public final class Keys {
    private Keys() {}

    private static final Map<String, byte[]> KU = new ConcurrentHashMap<>();

    /** SNMP4J's protocol for {@code name} ("SHA-256"), with a cached Ku. */
    public static AuthenticationProtocol protocol(String name) {
        return switch (name) {
            case "MD5" -> new AuthMD5() {
                @Override public byte[] passwordToKey(OctetString pw, byte[] engineID) { return localized("MD5", pw, engineID); }
            };
            case "SHA" -> new AuthSHA() {
                @Override public byte[] passwordToKey(OctetString pw, byte[] engineID) { return localized("SHA-1", pw, engineID); }
            };
            case "SHA-224" -> new AuthHMAC128SHA224() {
                @Override public byte[] passwordToKey(OctetString pw, byte[] engineID) { return localized("SHA-224", pw, engineID); }
            };
            case "SHA-256" -> new AuthHMAC192SHA256() {
                @Override public byte[] passwordToKey(OctetString pw, byte[] engineID) { return localized("SHA-256", pw, engineID); }
            };
            case "SHA-384" -> new AuthHMAC256SHA384() {
                @Override public byte[] passwordToKey(OctetString pw, byte[] engineID) { return localized("SHA-384", pw, engineID); }
            };
            case "SHA-512" -> new AuthHMAC384SHA512() {
                @Override public byte[] passwordToKey(OctetString pw, byte[] engineID) { return localized("SHA-512", pw, engineID); }
            };
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Kul = H(Ku || engineID || Ku), with Ku computed once per (algorithm, password). */
    static byte[] localized(String algorithm, OctetString password, byte[] engineID) {
        byte[] pw = password.getValue();
        if (pw.length == 0) return null;
        byte[] ku = KU.computeIfAbsent(algorithm + "\0" + new String(pw, java.nio.charset.StandardCharsets.ISO_8859_1), k -> ku(algorithm, pw));
        MessageDigest md = digest(algorithm);
        md.update(ku);
        md.update(engineID);
        md.update(ku);
        return md.digest();
    }

    /** Computes (and keeps) Ku for auth protocol {@code name} ("SHA-256") and {@code password} now, so no agent's answer waits for it. */
    public static void prepare(String name, OctetString password) {
        byte[] pw = password.getValue();
        if (pw.length == 0) return;
        String algorithm = switch (name) { case "SHA" -> "SHA-1"; default -> name; };
        KU.computeIfAbsent(algorithm + "\0" + new String(pw, java.nio.charset.StandardCharsets.ISO_8859_1), k -> ku(algorithm, pw));
    }

    /**
     * RFC 3414 A.2.1/A.2.2 (and RFC 7860 for SHA-2): the digest of 1,048,576 octets of the password
     * repeated, hashed in one update (the JDK's digest intrinsics take the whole buffer at once).
     */
    static byte[] ku(String algorithm, byte[] pw) {
        byte[] buf = new byte[1048576];
        int filled = Math.min(pw.length, buf.length);
        System.arraycopy(pw, 0, buf, 0, filled);
        while (filled < buf.length) {               // a multiple of pw.length copied onto its own end
            int n = Math.min(filled, buf.length - filled);
            System.arraycopy(buf, 0, buf, filled, n);
            filled += n;
        }
        return digest(algorithm).digest(buf);
    }

    static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is not in this JDK", e);
        }
    }
}
