package cli;

/**
 * Bad input from the user: reported as one line on stderr (one line per problem when the message
 * has several), exit 2, nothing run. The message names where the problem is (file:line, the
 * option) and what is wrong.
 */
public final class InputError extends RuntimeException {
    public InputError(String message) { super(message); }
}
