package cli;

//DEPS info.picocli:picocli:4.7.7
//DEPS org.slf4j:slf4j-nop:2.0.17
//SOURCES Exit.java InputError.java Jvm.java Terminal.java Words.java

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * How a script becomes a command-line tool: picocli parses the arguments into the script's
 * command object, bad usage is one line (with the nearest option for a typo) and exit 2, bad input
 * found while running ({@link InputError}) is one line per problem and exit 2, anything else is our
 * bug: a stack trace and exit 3. Every script's main is {@code Tool.main(new probe(), args)}.
 */
public final class Tool {
    private Tool() {}

    /** Parses {@code args} into {@code command}, runs it, and exits with its code. */
    public static void main(Object command, String... args) {
        Jvm.current().exit(execute(command, args));
    }

    /** As {@link #main}, returning the exit code instead of exiting. */
    public static int execute(Object command, String... args) {
        CommandLine cl = new CommandLine(command);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(new java.io.PrintWriter(System.out, true));
        cl.setErr(new java.io.PrintWriter(System.err, true));
        // Colour decided here (NO_COLOR, a terminal on stdout): picocli's own check asks
        // System.console(), which loads the JDK's console providers, ~10 ms of every start.
        cl.setColorScheme(CommandLine.Help.defaultColorScheme(Terminal.colorAllowed(System.out) ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
        cl.setParameterExceptionHandler(new UsageErrors());
        cl.setExecutionExceptionHandler(new RunErrors());
        try {
            return cl.execute(args);
        } catch (Error e) {     // picocli hands on Errors (a native library that cannot load, ...): still our failure, exit 3
            cl.getErr().println(cl.getCommandName() + ": internal error: " + e);
            e.printStackTrace(System.err);
            return Exit.TOOL_ERROR;
        }
    }

    // Named classes rather than lambdas: a lambda implementing a picocli interface is spun at run
    // time on every start (picocli's Java 5 classes keep it out of the JDK's AOT cache).

    /** Bad usage: one line (with the nearest option for a typo) and a hint on stderr, exit 2. */
    private static final class UsageErrors implements CommandLine.IParameterExceptionHandler {
        @Override public int handleParseException(CommandLine.ParameterException ex, String[] args) {
            CommandLine c = ex.getCommandLine();
            String nearest = null;
            if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
                List<String> names = new ArrayList<>();
                c.getCommandSpec().options().forEach(o -> names.addAll(List.of(o.names())));
                String word = u.getUnmatched().get(0);
                nearest = word.startsWith("-") ? Words.nearest(word.contains("=") ? word.substring(0, word.indexOf('=')) : word, names) : null;
            }
            c.getErr().println(c.getCommandName() + ": " + ex.getMessage() + (nearest == null ? "" : "; did you mean " + nearest + "?"));
            c.getErr().println("Try '" + c.getCommandName() + " --help' for usage.");
            return Exit.USAGE;
        }
    }

    /** Bad input found while running: one line per problem, exit 2; anything else is our bug: exit 3. */
    private static final class RunErrors implements CommandLine.IExecutionExceptionHandler {
        @Override public int handleExecutionException(Exception ex, CommandLine c, CommandLine.ParseResult parsed) {
            if (ex instanceof InputError) {
                c.getErr().println(c.getCommandName() + ": " + ex.getMessage().replace("\n", "\n" + c.getCommandName() + ": "));
                return Exit.USAGE;
            }
            if (ex instanceof Jvm.ExitCalled e) throw e;
            c.getErr().println(c.getCommandName() + ": internal error: " + ex);
            ex.printStackTrace(System.err);
            return Exit.TOOL_ERROR;
        }
    }
}
