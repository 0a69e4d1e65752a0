package net;

//DEPS info.picocli:picocli:4.7.7
//SOURCES Targets.java
//SOURCES Target.java

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The picocli options of every fleet script that says where its targets come from: HOSTS_FILE... / - / -H a,b,c / --max-targets. */
public class TargetOptions {
    @Parameters(paramLabel = "HOSTS_FILE", arity = "0..*",
            description = "Hosts file(s), one target a line ('-' reads stdin). Forms: host, host:port, "
                    + "[v6addr]:port, user@host, web[01-20].dc1, 10.0.0.0/28; '#' starts a comment.")
    public List<String> files = new ArrayList<>();

    @Option(names = {"-H", "--hosts"}, paramLabel = "HOST[,HOST...]",
            description = "Targets given inline, comma-separated (repeatable).")
    public List<String> inline = new ArrayList<>();

    @Option(names = "--max-targets", paramLabel = "N", defaultValue = "" + Targets.DEFAULT_MAX_TARGETS,
            description = "Refuse input that expands (ranges, CIDR) to more than N targets (default: ${DEFAULT-VALUE}).")
    public int maxTargets;

    /** Every target named, in input order; a bad line is an InputError naming file:line. */
    public List<Target> load(int defaultPort, String defaultUser, PrintStream warn) {
        return Targets.load(files, inline, new Targets.Options(defaultPort, defaultUser, maxTargets), System.in, warn);
    }
}
