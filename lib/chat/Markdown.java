package chat;

//SOURCES Markup.java Mentions.java

/**
 * CommonMark/GitHub-flavoured Markdown, as GitHub and Mattermost render it: every ASCII punctuation
 * character that can start markup is backslash-escaped (CommonMark's rule), HTML is escaped by
 * the same backslashes, and @mentions are broken (both notify users named in a message).
 */
final class Markdown extends Markup {
    private final int maxBytes;

    Markdown(int maxBytes) { this.maxBytes = maxBytes; }

    @Override public String text(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ("\\`*_{}[]()<>#+-.!|~&".indexOf(c) >= 0) sb.append('\\');
            sb.append(c);
        }
        return Mentions.breakAll(sb.toString());
    }

    @Override public boolean tables() { return true; }

    @Override public int maxBytes() { return maxBytes; }
}
