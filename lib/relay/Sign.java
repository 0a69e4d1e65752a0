package relay;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The two chat robots' request signatures ("加签" security setting):
 * <pre>
 *   DingTalk  sign = urlencode(base64(HMAC-SHA256(key = secret, data = timestamp_ms + "\n" + secret)))
 *   Feishu    sign = base64(HMAC-SHA256(key = timestamp_s + "\n" + secret, data = ""))
 * </pre>
 * Both robots refuse a timestamp more than about an hour off their clock.
 */
public final class Sign {
    private Sign() {}

    public static String dingtalk(byte[] secret, long timestampMs) {
        byte[] data = (timestampMs + "\n" + new String(secret, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        return URLEncoder.encode(Base64.getEncoder().encodeToString(hmac(secret, data)), StandardCharsets.UTF_8);
    }

    public static String feishu(byte[] secret, long timestampSeconds) {
        byte[] key = (timestampSeconds + "\n" + new String(secret, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        return Base64.getEncoder().encodeToString(hmac(key, new byte[0]));
    }

    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
