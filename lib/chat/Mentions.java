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
    private static final Pattern ANY = Pattern.compile("@(?=[\\p{L}\\p{N}_.-])");

    /** Whole-channel mentions (@all, @channel, @here, @everyone, @所有人) broken; other @words kept. */
    public static String breakChannel(String s) {
        return s.indexOf('@') < 0 ? s : CHANNEL.matcher(s).replaceAll("@" + ZWSP + "$1");
    }

    /** Every @mention broken: for chats that notify a user named in a message's text (Mattermost, GitHub, DingTalk). */
    public static String breakAll(String s) {
        return s.indexOf('@') < 0 ? s : ANY.matcher(s).replaceAll("@" + ZWSP);
    }
}
