package web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Content negotiation by the Accept header (RFC 9110 12.5.1), for a server that offers a few media
 * types: the offer matching the entry with the highest q wins (earlier entries win ties); an entry
 * matches an offer of its type whose parameters it all has ("text/plain;version=0.0.4" matches
 * the offers "text/plain;version=0.0.4" and "text/plain", and prefers the first). A wildcard
 * (*&#47;*, text/*) or no Accept header leaves the choice to the server: {@code fallback}. So does
 * an Accept header none of whose entries is offered: a health check answers rather than 406.
 *
 * <pre>
 *   var offers = new Accept&lt;Format&gt;().offer("application/json", Format.json).offer("text/plain", Format.table);
 *   Format f = offers.choose(ex.getRequestHeaders().getFirst("Accept"), Format.table);
 * </pre>
 */
public final class Accept<T> {
    private record Media(String type, Map<String, String> params, double q) {}

    private record Offer<T>(Media media, T value) {}

    private final List<Offer<T>> offers = new ArrayList<>();

    /** Offers {@code value} for {@code mediaType} ("application/json", "text/plain;version=0.0.4"). */
    public Accept<T> offer(String mediaType, T value) {
        offers.add(new Offer<>(parse(mediaType), value));
        return this;
    }

    /** The offer the Accept header {@code header} (null when absent) prefers, or {@code fallback}. */
    public T choose(String header, T fallback) {
        if (header == null || header.isBlank()) return fallback;
        T best = fallback;
        double bestQ = 0;
        for (String entry : header.split(",")) {
            if (entry.isBlank()) continue;
            Media m = parse(entry);
            if (m.q() <= bestQ) continue;
            if (m.type().endsWith("/*")) {                       // the server's choice
                best = fallback;
                bestQ = m.q();
                continue;
            }
            Offer<T> match = null;
            for (Offer<T> o : offers) {
                if (!o.media().type().equals(m.type())) continue;
                if (!m.params().entrySet().containsAll(o.media().params().entrySet())) continue;
                if (match == null || o.media().params().size() > match.media().params().size()) match = o;
            }
            if (match != null) {
                best = match.value();
                bestQ = m.q();
            }
        }
        return best;
    }

    /** "text/plain; version=0.0.4; q=0.3" as its type, its parameters other than q, and q (1 when not given). */
    private static Media parse(String text) {
        String[] parts = text.split(";");
        Map<String, String> params = new LinkedHashMap<>();
        double q = 1;
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq < 0) continue;
            String name = parts[i].substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = parts[i].substring(eq + 1).trim().replaceAll("^\"|\"$", "");
            if (name.equals("q")) {
                try {
                    q = Math.max(0, Math.min(1, Double.parseDouble(value)));
                } catch (NumberFormatException e) {
                    q = 0;                                       // a q we cannot read: ignore the entry
                }
            } else if (!name.equals("charset")) {
                params.put(name, value);
            }
        }
        return new Media(parts[0].trim().toLowerCase(Locale.ROOT), params, q);
    }
}
