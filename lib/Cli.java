//DEPS info.picocli:picocli:4.7.7
//DEPS org.slf4j:slf4j-nop:2.0.17

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * What every ops script shares about being a command-line tool: the exit codes, how picocli is
 * wired (bad usage -> one line + exit 2, a tool bug -> exit 3), durations like "3s", whether
 * stdout/stderr are terminals and may be coloured. Scripts call {@code Cli.main(new X(), args)}.
 */
public final class Cli {
    /** All targets passed every check. */
    public static final int OK = 0;
    /** At least one target failed a check. */
    public static final int FAILED = 1;
    /** Bad usage or bad input (nothing was run). */
    public static final int USAGE = 2;
    /** The tool itself failed (a bug, or a local resource such as file descriptors ran out). */
    public static final int TOOL_ERROR = 3;

    /** The exit-code section every script's --help ends with. */
    public static final String EXIT_CODES_HELP = "%nExit codes:%n"
            + "  0  every target passed%n"
            + "  1  at least one target failed a check%n"
            + "  2  bad usage or bad input (nothing was run)%n"
            + "  3  the tool itself failed (see stderr)%n"
            + "  130/143  interrupted by SIGINT/SIGTERM (results so far are still printed)%n";

    private Cli() {}

    /** Bad input from the user: reported as one line on stderr, exit 2, nothing run. */
    public static final class InputError extends RuntimeException {
        public InputError(String message) { super(message); }
    }

    /** Thrown instead of exiting while a test harness has installed an exit hook. */
    public static final class ExitCalled extends RuntimeException {
        public final int code;
        public ExitCalled(int code) { super("exit " + code, null, false, false); this.code = code; }
    }

    private static volatile IntConsumer exitHook;

    /** Tests call this so that a script's main "exits" by throwing {@link ExitCalled}. */
    public static void setExitHookForTests(IntConsumer hook) { exitHook = hook; }

    /** True while a test harness has installed an exit hook: no colour, no progress line. */
    public static boolean inTestHarness() { return exitHook != null; }

    public static void exit(int code) {
        IntConsumer hook = exitHook;
        if (hook != null) { hook.accept(code); throw new ExitCalled(code); }
        System.out.flush();
        System.exit(code);
    }

    /** Parse args into {@code command}, run it, and exit with its code. */
    public static void main(Object command, String... args) {
        exit(execute(command, args));
    }

    public static int execute(Object command, String... args) {
        CommandLine cl = new CommandLine(command);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(new java.io.PrintWriter(System.out, true));
        cl.setErr(new java.io.PrintWriter(System.err, true));
        // Colour decided here (NO_COLOR, a terminal on stdout): picocli's own check asks
        // System.console(), which loads the JDK's console providers, ~10 ms of every start.
        cl.setColorScheme(CommandLine.Help.defaultColorScheme(colorAllowed(System.out) ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
        cl.setParameterExceptionHandler(new UsageErrors());
        cl.setExecutionExceptionHandler(new RunErrors());
        try {
            return cl.execute(args);
        } catch (Error e) {     // picocli hands on Errors (a native library that cannot load, ...): still our failure, exit 3
            cl.getErr().println(cl.getCommandName() + ": internal error: " + e);
            e.printStackTrace(System.err);
            return TOOL_ERROR;
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
                List<String> names = new java.util.ArrayList<>();
                c.getCommandSpec().options().forEach(o -> names.addAll(List.of(o.names())));
                String word = u.getUnmatched().get(0);
                nearest = word.startsWith("-") ? nearest(word.contains("=") ? word.substring(0, word.indexOf('=')) : word, names) : null;
            }
            c.getErr().println(c.getCommandName() + ": " + ex.getMessage() + (nearest == null ? "" : "; did you mean " + nearest + "?"));
            c.getErr().println("Try '" + c.getCommandName() + " --help' for usage.");
            return USAGE;
        }
    }

    /** Bad input found while running: one line, exit 2; anything else is our bug: exit 3. */
    private static final class RunErrors implements CommandLine.IExecutionExceptionHandler {
        @Override public int handleExecutionException(Exception ex, CommandLine c, CommandLine.ParseResult parsed) {
            if (ex instanceof InputError) {                         // several problems: one line each
                c.getErr().println(c.getCommandName() + ": " + ex.getMessage().replace("\n", "\n" + c.getCommandName() + ": "));
                return USAGE;
            }
            if (ex instanceof ExitCalled e) throw e;
            c.getErr().println(c.getCommandName() + ": internal error: " + ex);
            ex.printStackTrace(System.err);
            return TOOL_ERROR;
        }
    }

    /** The candidate closest to {@code word} by edit distance, if it is close enough to be a typo (at most 2, and less than half). */
    public static String nearest(String word, java.util.Collection<String> candidates) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = editDistance(word.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d < bestD) { best = c; bestD = d; }
        }
        return best != null && bestD <= 2 && bestD * 2 < Math.max(word.length(), 2) ? best : null;
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
    }

    /** A secret from an environment variable or a file's first line (never argv); null if neither is given. */
    public static char[] secret(String env, Path file, String option) {
        if (env != null && file != null) throw new InputError(option + "-env and " + option + "-file: give one, not both");
        if (env == null && file == null) return null;
        if (env != null) {
            String v = System.getenv(env);
            if (v == null) throw new InputError(option + "-env " + env + ": environment variable " + env + " is not set");
            return v.toCharArray();
        }
        if (!Files.exists(file)) throw new InputError(option + "-file " + file + ": no such file");
        if (Files.isDirectory(file)) throw new InputError(option + "-file " + file + ": is a directory");
        if (!Files.isReadable(file)) throw new InputError(option + "-file " + file + ": not readable");
        try {
            String text = Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            String line = nl >= 0 ? text.substring(0, nl) : text;
            if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
            return line.toCharArray();
        } catch (java.io.IOException e) {
            throw new InputError(option + "-file " + file + ": cannot read: " + e.getMessage());
        }
    }

    /** An exception's message, or {@code fallback} when it has none (the JDK's network errors often don't). */
    public static String message(Exception e, String fallback) {
        return e.getMessage() == null ? fallback : e.getMessage();
    }

    // ---- durations ---------------------------------------------------------------------------

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)?");

    /** "250ms", "3s", "1.5s", "2m", "1h", "14d"; a bare number means seconds. */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("bad duration '" + text + "' (expected e.g. 500ms, 3s, 2m, 1h)");
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double ms = switch (unit) {
            case "ms" -> n;
            case "s" -> n * 1000;
            case "m" -> n * 60_000;
            case "h" -> n * 3_600_000;
            default -> n * 86_400_000;
        };
        return Duration.ofMillis(Math.round(ms));
    }

    /** picocli converter for Duration options. */
    public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override public Duration convert(String value) {
            try {
                return parseDuration(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    public static String formatDuration(long ms) {
        if (ms < 1000) return ms + "ms";
        if (ms < 60_000) return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        if (ms < 3_600_000) return twoUnits(ms / 60_000, "m", (ms / 1000) % 60, "s");
        if (ms < 86_400_000) return twoUnits(ms / 3_600_000, "h", (ms / 60_000) % 60, "m");
        return twoUnits(ms / 86_400_000, "d", (ms / 3_600_000) % 24, "h");
    }

    /** "2m05s", "2m" (not "2m00s"), "1h30m", "3d". */
    private static String twoUnits(long big, String bigUnit, long small, String smallUnit) {
        return small == 0 ? big + bigUnit : String.format(Locale.ROOT, "%d%s%02d%s", big, bigUnit, small, smallUnit);
    }

    // ---- sizes -------------------------------------------------------------------------------

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");

    /** "512", "64k", "16M", "1.5GiB": binary multiples (k = 1024), a bare number means bytes. */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) throw new IllegalArgumentException("bad size '" + text + "' (expected e.g. 512k, 16M, 1G)");
        String unit = m.group(2) == null ? "b" : m.group(2).substring(0, 1);
        long mult = switch (unit) {
            case "k" -> 1L << 10;
            case "m" -> 1L << 20;
            case "g" -> 1L << 30;
            default -> 1;
        };
        return Math.round(Double.parseDouble(m.group(1)) * mult);
    }

    /** picocli converter for size options. */
    public static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
        @Override public Long convert(String value) {
            try {
                return parseSize(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    public static String formatSize(long bytes) {
        if (bytes < 1024) return bytes + " B";
        if (bytes < 1L << 20) return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        if (bytes < 1L << 30) return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
        return String.format(Locale.ROOT, "%.1f GiB", bytes / 1073741824.0);
    }

    // ---- regexes --------------------------------------------------------------------------------

    /** A compiled Java regex; otherwise an IllegalArgumentException "bad regex: Unclosed group near index 6". */
    public static java.util.regex.Pattern regex(String text) {
        try {
            return java.util.regex.Pattern.compile(text);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("bad regex: " + e.getDescription() + " near index " + e.getIndex());
        }
    }

    // ---- URLs ----------------------------------------------------------------------------------

    /**
     * An http:// or https:// URL with a host and a valid port; otherwise an IllegalArgumentException
     * that says what is wrong with {@code text} ("'x' has no scheme; write http://x or https://x").
     */
    public static java.net.URI httpUrl(String text) {
        Matcher typo = Pattern.compile("(?i)(https?):/{0,1}(?!/)(.+)|(?i)(https?)//(.+)").matcher(text);
        if (typo.matches()) {                                   // http//host, http:/host, https:host
            String scheme = typo.group(1) != null ? typo.group(1) : typo.group(3), rest = typo.group(2) != null ? typo.group(2) : typo.group(4);
            throw new IllegalArgumentException("'" + text + "' is not a URL; did you mean " + scheme.toLowerCase(Locale.ROOT) + "://" + rest.replaceFirst("^/+", "") + " ?");
        }
        if (!text.contains("://")) throw new IllegalArgumentException("'" + text + "' has no scheme; write http://" + text + " or https://" + text);
        java.net.URI u;
        try {
            u = new java.net.URI(text);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("bad URL '" + text + "': " + e.getReason());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("'" + text + "': scheme '" + u.getScheme() + "' is not http or https");
        }
        if (u.getHost() == null || u.getHost().isEmpty()) throw new IllegalArgumentException("'" + text + "' has no host");
        if (u.getPort() > 65535) throw new IllegalArgumentException("'" + text + "': bad port " + u.getPort());
        return u;
    }

    // ---- terminals -----------------------------------------------------------------------------

    /** True when file descriptor 1 or 2 is a terminal (Linux /proc; elsewhere System.console()). */
    public static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return System.console() != null;
        }
    }

    /** Colour only on a terminal and never with NO_COLOR set. */
    public static boolean colorAllowed(PrintStream out) {
        String noColor = System.getenv("NO_COLOR");
        if (noColor != null && !noColor.isEmpty()) return false;
        return !inTestHarness() && out == System.out && isTerminal(1);
    }
}
