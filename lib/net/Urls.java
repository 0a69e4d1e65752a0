package net;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** URLs as operators type them, with the typos they make said back to them. */
public final class Urls {
    private Urls() {}

    /**
     * An http:// or https:// URL with a host and a valid port; otherwise an IllegalArgumentException
     * that says what is wrong with {@code text} ("'x' has no scheme; write http://x or https://x").
     */
    public static URI http(String text) {
        Matcher typo = Pattern.compile("(?i)(https?):/{0,1}(?!/)(.+)|(?i)(https?)//(.+)").matcher(text);
        if (typo.matches()) {                                   // http//host, http:/host, https:host
            String scheme = typo.group(1) != null ? typo.group(1) : typo.group(3), rest = typo.group(2) != null ? typo.group(2) : typo.group(4);
            throw new IllegalArgumentException("'" + text + "' is not a URL; did you mean " + scheme.toLowerCase(Locale.ROOT) + "://" + rest.replaceFirst("^/+", "") + " ?");
        }
        if (!text.contains("://")) throw new IllegalArgumentException("'" + text + "' has no scheme; write http://" + text + " or https://" + text);
        URI u;
        try {
            u = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("bad URL '" + text + "': " + e.getReason());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("'" + text + "': scheme '" + u.getScheme() + "' is not http or https");
        }
        if (u.getHost() == null || u.getHost().isEmpty()) throw new IllegalArgumentException("'" + text + "' has no host");
        if (u.getPort() > 65535) throw new IllegalArgumentException("'" + text + "': bad port " + u.getPort());
        return u;
    }
}
