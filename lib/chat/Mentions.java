package chat;

import java.util.regex.Pattern;

/**
 * Mentions in monitored text, broken with a zero-width space so no chat notifies anyone: an alert
 * whose label says "@all" must not page a channel of 500 people. The text still reads the same.
 */
public final class Mentions {
    private Mentions() {}

    static final String ZWSP = "\u200B";
    private static final Pattern CHANNEL = Pattern.compile("(?i)@(channel|here|all|everyone|所有人)");

    /** Whole-channel mentions (@all, @channel, @here, @everyone, @所有人) broken; other @words kept. */
    public static String breakChannel(String s) {
        return s.indexOf('@') < 0 ? s : CHANNEL.matcher(s).replaceAll("@" + ZWSP + "$1");
    }

    /** Every @mention broken: for chats that notify a user named in a message's text (Mattermost, GitHub, DingTalk). */
    public static String breakAll(String s) {
        if (s.indexOf('@') < 0) return s;
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '@') at(sb, s, i);
            else sb.append(c);
        }
        return sb.toString();
    }

    /** Appends the '@' at {@code s[i]}, broken with a zero-width space when a mention would follow it. */
    static void at(StringBuilder sb, String s, int i) {
        sb.append('@');
        if (i + 1 < s.length() && mentionable(s.codePointAt(i + 1))) sb.append(ZWSP);
    }

    /** Whether {@code cp} continues a mention after '@': a letter, a number, _ . or - (as {@code [\\p{L}\\p{N}_.-]}). */
    static boolean mentionable(int cp) {
        if (cp == '_' || cp == '.' || cp == '-') return true;
        if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
        int t = Character.getType(cp);
        return Character.isLetter(cp) || t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
    }
}
