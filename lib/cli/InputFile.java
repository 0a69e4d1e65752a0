package cli;

//SOURCES InputError.java

import java.nio.file.Files;
import java.nio.file.Path;

/** A file named on the command line, checked before anything runs: one line naming the option and the file when it cannot be read. */
public final class InputFile {
    private InputFile() {}

    /** {@code p}, if it is a readable file; else an InputError such as "-i /x: no such file". */
    public static Path readable(Path p, String option) {
        if (!Files.exists(p)) throw new InputError(option + " " + p + ": no such file");
        if (Files.isDirectory(p)) throw new InputError(option + " " + p + ": is a directory");
        if (!Files.isReadable(p)) throw new InputError(option + " " + p + ": not readable");
        return p;
    }
}
