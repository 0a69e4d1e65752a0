package chat;

//SOURCES Markup.java

import java.util.ArrayList;
import java.util.List;

/**
 * A message too long for one chat post, split at block boundaries: every part starts with the same
 * title line and stays under {@link Markup#maxBytes()}, and no block is lost (a single block that is
 * longer than a post by itself is cut, and says so). Blocks are markup (one alert, one table).
 */
public final class Message {
    private Message() {}

    /** The posts for {@code title} (markup, one line) and {@code blocks}, each at most {@code maxBytes}; "(2/3)" marks parts. */
    public static List<String> split(Markup m, String title, List<String> blocks, int maxBytes) {
        String nl = m.newline();
        int reserve = Markup.bytes(title) + Markup.bytes(nl) + 16;         // the title and a " (12/34)" marker
        List<List<String>> parts = new ArrayList<>();
        List<String> cur = new ArrayList<>();
        int used = reserve;
        int nlBytes = Markup.bytes(nl);
        for (String b : blocks) {
            int bBytes = Markup.bytes(b);                                              // counted once a block
            String block = b;
            if (reserve + bBytes + nlBytes > maxBytes) {
                block = Markup.cut(b, maxBytes - reserve - nlBytes - 16) + " (cut)";
                bBytes = Markup.bytes(block);
            }
            int n = bBytes + nlBytes;
            if (!cur.isEmpty() && used + n > maxBytes) {
                parts.add(cur);
                cur = new ArrayList<>();
                used = reserve;
            }
            cur.add(block);
            used += n;
        }
        if (!cur.isEmpty() || parts.isEmpty()) parts.add(cur);
        List<String> posts = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            int chars = title.length() + 16;
            for (String b : parts.get(i)) chars += nl.length() + b.length();
            StringBuilder sb = new StringBuilder(chars).append(title);                   // sized once: a post is tens of KB
            if (parts.size() > 1) sb.append(" (").append(i + 1).append('/').append(parts.size()).append(')');
            for (String b : parts.get(i)) sb.append(nl).append(b);
            posts.add(sb.toString());
        }
        return posts;
    }

    /** As above, with the chat's own limit. */
    public static List<String> split(Markup m, String title, List<String> blocks) { return split(m, title, blocks, m.maxBytes()); }
}
