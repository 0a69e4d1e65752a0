package cli;

/**
 * The exit codes every ops script keeps, and the --help section that documents them. How the
 * process actually exits is {@link Jvm}'s business (the test harness installs its own).
 */
public final class Exit {
    private Exit() {}

    /** All targets passed every check. */
    public static final int OK = 0;
    /** At least one target failed a check. */
    public static final int FAILED = 1;
    /** Bad usage or bad input (nothing was run). */
    public static final int USAGE = 2;
    /** The tool itself failed (a bug, or a local resource such as file descriptors ran out). */
    public static final int TOOL_ERROR = 3;

    /** The exit-code section every script's --help ends with. */
    public static final String HELP = "%nExit codes:%n"
            + "  0  every target passed%n"
            + "  1  at least one target failed a check%n"
            + "  2  bad usage or bad input (nothing was run)%n"
            + "  3  the tool itself failed (see stderr)%n"
            + "  130/143  interrupted by SIGINT/SIGTERM (results so far are still printed)%n";
}
