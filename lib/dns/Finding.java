package dns;

/**
 * Something about a name worth an operator's attention, in plain words. A WARN finding makes the
 * name's status (and exit 1); a NOTE is shown but changes nothing (A without AAAA, a CNAME chain).
 */
public record Finding(String code, Severity severity, String text) {
    public enum Severity { WARN, NOTE }

    public static Finding warn(String code, String text) { return new Finding(code, Severity.WARN, text); }
    public static Finding note(String code, String text) { return new Finding(code, Severity.NOTE, text); }
}
