package cli;

//SOURCES InputError.java

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Secrets (passwords, passphrases, tokens) come from an environment variable or a file, never from
 * argv, where `ps` shows them to every user of the machine. Options come in pairs: --X-env VAR and
 * --X-file FILE.
 */
public final class Secrets {
    private Secrets() {}

    /** The secret in {@code env} or on {@code file}'s first line; null if neither is given. {@code option} is "--password" for messages. */
    public static char[] read(String env, Path file, String option) {
        if (env != null && file != null) throw new InputError(option + "-env and " + option + "-file: give one, not both");
        if (env == null && file == null) return null;
        if (env != null) {
            String v = System.getenv(env);
            if (v == null) throw new InputError(option + "-env " + env + ": environment variable " + env + " is not set");
            return v.toCharArray();
        }
        String text = fileText(file, option + "-file " + file);
        int nl = text.indexOf('\n');
        String line = nl >= 0 ? text.substring(0, nl) : text;
        if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
        return line.toCharArray();
    }

    /** A secret file's whole text; {@code label} ("--token-file F") starts every error message. */
    public static String fileText(Path file, String label) {
        if (!Files.exists(file)) throw new InputError(label + ": no such file");
        if (Files.isDirectory(file)) throw new InputError(label + ": is a directory");
        if (!Files.isReadable(file)) throw new InputError(label + ": not readable");
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InputError(label + ": cannot read: " + e.getMessage());
        }
    }
}
