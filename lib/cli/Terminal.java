package cli;

//SOURCES Jvm.java

import java.io.PrintStream;

/** Whether output goes to a person at a terminal, and so may be coloured or show progress. */
public final class Terminal {
    private Terminal() {}

    /** Colour only on a terminal and never with NO_COLOR set (https://no-color.org). */
    public static boolean colorAllowed(PrintStream out) {
        String noColor = System.getenv("NO_COLOR");
        if (noColor != null && !noColor.isEmpty()) return false;
        return out == System.out && Jvm.current().isTerminal(1);
    }

    /** A progress line may be drawn on stderr: it is a terminal. */
    public static boolean progressAllowed() {
        return Jvm.current().isTerminal(2);
    }
}
