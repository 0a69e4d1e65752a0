package cli;

/** Exceptions told in words. */
public final class Errors {
    private Errors() {}

    /** An exception's message, or {@code fallback} when it has none (the JDK's network errors often don't). */
    public static String message(Exception e, String fallback) {
        return e.getMessage() == null ? fallback : e.getMessage();
    }
}
