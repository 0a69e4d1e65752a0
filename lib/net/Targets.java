package net;

//SOURCES ../cli/InputError.java Target.java HostsLines.java

import cli.InputError;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Hosts files: one target a line, every form an operator writes.
 *
 * <pre>
 *   # comment                     blank lines and '#' comments (also after a target) are ignored
 *   web01                         host, default port
 *   web01:2222                    host:port
 *   [2001:db8::1]:22  ::1         IPv6, bracketed when a port follows
 *   deploy@web01:2222             user@host[:port]
 *   web[01-20,25].dc1             ranges; leading zeros set the width; several groups multiply
 *   10.0.0.0/28                   CIDR; network and broadcast addresses skipped below /31
 * </pre>
 * A bad line is an {@link InputError} naming {@code file:line}, the text and what is wrong;
 * nothing is returned half-read. Expansion is capped ({@code maxTargets}) before anything is
 * expanded. Duplicates are reported on stderr and kept once, so every named target has one row.
 * The lines themselves are read by {@link HostsLines}.
 */
public final class Targets {
    public static final int DEFAULT_MAX_TARGETS = 65_536;

    /** A defaultPort meaning "the line named none": the caller decides later (fanout asks ~/.ssh/config). */
    public static final int UNSET_PORT = 0;

    /**
     * defaultPort applies to lines without a port (or {@link #UNSET_PORT}), defaultUser (may be
     * null) to lines without user@.
     */
    public record Options(int defaultPort, String defaultUser, int maxTargets) {
        public Options {
            if (defaultPort != UNSET_PORT && (defaultPort < 1 || defaultPort > 65535)) throw new InputError("bad port " + defaultPort + " (expected 1-65535)");
            if (maxTargets < 1) throw new InputError("--max-targets must be at least 1");
        }
    }

    private Targets() {}

    /**
     * Reads every source in order: hosts files ("-" is stdin), then inline targets (-H a,b,c).
     * Warnings (duplicates) go to {@code warn}.
     */
    public static List<Target> load(List<String> files, List<String> inline, Options opts, InputStream stdin, PrintStream warn) {
        List<String> names = new ArrayList<>();
        List<List<String>> contents = new ArrayList<>();
        boolean stdinUsed = false;
        for (String f : files) {
            if (f.equals("-")) {
                if (stdinUsed) throw new InputError("'-' (stdin) given twice");
                stdinUsed = true;
                names.add("<stdin>");
                contents.add(readLines("<stdin>", stdin));
            } else {
                names.add(f);
                contents.add(readFile(f));
            }
        }
        if (!inline.isEmpty()) {
            List<String> lines = new ArrayList<>();
            for (String group : inline) {
                for (String t : group.split(",", -1)) {
                    if (t.isBlank()) throw new InputError("-H: empty target in '" + group + "'");
                    lines.add(t.strip());
                }
            }
            names.add("-H");
            contents.add(lines);
        }
        if (names.isEmpty()) throw new InputError("no targets: give a hosts file, '-' for stdin, or -H host1,host2");

        HostsLines p = new HostsLines(opts, warn);
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            int before = p.accepted;
            int lineNo = 0;
            for (String line : contents.get(i)) {
                lineNo++;
                p.line(name.equals("-H") ? "-H" : name + ":" + lineNo, line, lineNo == 1);
            }
            if (p.accepted == before) {
                throw new InputError(name + ": no targets (the file is empty or has only comments)");
            }
        }
        return List.copyOf(p.out);
    }

    /** Parses lines as if they came from a file called {@code name}: handy for tests and -H. */
    public static List<Target> parse(String name, List<String> lines, Options opts, PrintStream warn) {
        HostsLines p = new HostsLines(opts, warn);
        int n = 0;
        for (String l : lines) { n++; p.line(name + ":" + n, l, n == 1); }
        return List.copyOf(p.out);
    }

    private static List<String> readFile(String f) {
        Path path = Path.of(f);
        if (Files.isDirectory(path)) throw new InputError(f + ": is a directory, not a hosts file");
        try (InputStream in = Files.newInputStream(path)) {
            return readLines(f, in);
        } catch (NoSuchFileException e) {
            throw new InputError(f + ": no such file");
        } catch (IOException e) {
            throw new InputError(f + ": cannot read: " + e.getMessage());
        }
    }

    private static List<String> readLines(String name, InputStream in) {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, decoder))) {
            String l;
            while ((l = r.readLine()) != null) lines.add(l);
        } catch (CharacterCodingException e) {
            throw new InputError(name + ":" + (lines.size() + 1) + ": not UTF-8 text (is this really a hosts file?)");
        } catch (IOException e) {
            throw new InputError(name + ": cannot read: " + e.getMessage());
        }
        return lines;
    }
}
