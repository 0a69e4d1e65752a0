import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Colour, NO_COLOR and the progress line, as a user at a terminal sees them: the scripts run as
 * real processes under a real pseudo-terminal (util-linux `script -qfec CMD /dev/null`), with
 * stdout or stderr redirected in turn. In-process runs never see a terminal (and the harness's
 * exit hook turns both off), so these promises are only checked here.
 *
 *   colour:   the table's status cell, only when stdout is a terminal and NO_COLOR is unset or
 *             empty (cli.Terminal.colorAllowed); picocli's --help likewise
 *   progress: "\rprobe: N/M done, K running, T\033[K" on stderr every 250 ms for runs of 50 or
 *             more targets, only when stderr is a terminal, wiped ("\r\033[K") at the end (Runner)
 */
class TerminalTest {
    static final String SCRIPT = "/usr/bin/script";
    static final Pattern SGR = Pattern.compile("\033\\[[0-9;]*m");
    static final Pattern PROGRESS = Pattern.compile("\rprobe: \\d+/(\\d+) done, \\d+ running, [0-9.hms]+\033\\[K");
    static final List<ServerSocket> servers = new ArrayList<>();
    static final List<Socket> held = new CopyOnWriteArrayList<>();
    static String banner, silent;
    static int refusedPort;
    static HttpServer http;

    @BeforeAll static void start() throws Exception {
        Prereq.requireExecutable(SCRIPT, "bsdutils (util-linux's script)");
        banner = serve(s -> s.getOutputStream().write("SSH-2.0-FakeSSH_1.0 tty\r\n".getBytes(StandardCharsets.US_ASCII)));
        silent = serve(s -> held.add(s));                       // connected, never a word: banner-timeout
        refusedPort = Proc.freePort();
        http = TestHttp.http();
        TestHttp.route(http, "/ok", ex -> TestHttp.reply(ex, 200, "fine"));
        http.start();
    }

    @AfterAll static void stop() throws IOException {
        for (ServerSocket s : servers) s.close();
        for (Socket s : held) s.close();
        if (http != null) http.stop(0);
    }

    interface OnAccept { void accept(Socket s) throws IOException; }

    /** A listener on 127.0.0.1 that runs {@code onAccept} for each connection; returns "127.0.0.1:PORT". */
    static String serve(OnAccept onAccept) throws IOException {
        ServerSocket ss = new ServerSocket(0, 200, InetAddress.getByName("127.0.0.1"));
        servers.add(ss);
        Thread.ofVirtual().start(() -> {
            while (!ss.isClosed()) {
                Socket s;
                try {
                    s = ss.accept();
                } catch (IOException e) {
                    if (ss.isClosed()) return;
                    continue;
                }
                try {
                    onAccept.accept(s);
                } catch (IOException ignored) {
                    // the client went first (--no-banner closes at once)
                } finally {
                    if (!held.contains(s)) {
                        try { s.close(); } catch (IOException ignored) { }
                    }
                }
            }
        });
        return "127.0.0.1:" + ss.getLocalPort();
    }

    // ---- running under a terminal -------------------------------------------------------------

    /** {@code script}'s terminal output (CR LF as LF), its exit code (the command's), and what it said itself. */
    static ScriptRun.Result onTty(Map<String, String> env, String shellSuffix, String script, String... args) {
        List<String> cmd = new ArrayList<>(Proc.javaCommand(script));
        cmd.addAll(List.of(args));
        StringBuilder line = new StringBuilder("set -o pipefail; ");
        for (String c : cmd) line.append('\'').append(c.replace("'", "'\\''")).append("' ");
        line.append(shellSuffix);
        Map<String, String> e = new HashMap<>(env);
        e.putIfAbsent("NO_COLOR", null);                      // as if unset, whatever the harness was given
        e.put("SHELL", "/bin/bash");                           // script runs the command with $SHELL -c
        e.put("TERM", "xterm");
        var r = Proc.run(List.of(SCRIPT, "-qfec", line.toString(), "/dev/null"), Duration.ofSeconds(60), e, null);
        return new ScriptRun.Result(r.exit(), r.out().replace("\r\n", "\n"), r.err());
    }

    static ScriptRun.Result onTty(String script, String... args) {
        return onTty(Map.of(), "", script, args);
    }

    /** 61 targets: one with an SSH banner (ok), one silent for --banner-timeout 1s, 59 refused. */
    static String[] slowRun(int refused) {
        return new String[] {"--banner-timeout", "1s", "-t", "2s",
                "-H", banner + "," + silent + ",127.0.0.[2-" + (refused + 1) + "]:" + refusedPort};
    }

    static String[] fastRun() {
        return new String[] {"--no-banner", "-H", banner + ",127.0.0.1:" + refusedPort};
    }

    static int count(Pattern p, String text) {
        var m = p.matcher(text);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    // ---- colour --------------------------------------------------------------------------------

    @Test void onATerminalTheStatusIsColouredAndProgressShows() {
        var r = onTty("probe", slowRun(59));
        assertEquals(1, r.exit(), r.toString());
        String out = r.out().replaceAll(" {2,}", "  ");          // column widths aside
        assertTrue(out.contains(banner + "  127.0.0.1  \033[32mok\033[0m"), "ok in green:\n" + out);
        assertTrue(out.contains("\033[31mbanner-timeout\033[0m"), "failures in red:\n" + out);
        assertTrue(out.contains("127.0.0.2:" + refusedPort + "  127.0.0.2  \033[31mrefused\033[0m"), out);
        assertEquals(61, count(SGR, out) / 2, "exactly the 61 status cells are coloured, nothing else:\n" + out);
        assertTrue(out.contains("\nprobe: 61 targets, 1 ok, 60 failed (59 refused, 1 banner-timeout) in "), "the summary, not coloured:\n" + out);

        int progress = count(PROGRESS, out);
        assertTrue(progress >= 1, "a progress line on the terminal during a 1 s run of 61 targets:\n" + out);
        var m = PROGRESS.matcher(out);
        while (m.find()) assertEquals("61", m.group(1), "N/61: " + m.group());
        int lastProgress = out.lastIndexOf("\rprobe: "), wiped = out.lastIndexOf("\r\033[K");
        assertTrue(wiped > lastProgress, "the progress line is wiped when the run ends:\n" + out);
        assertTrue(out.contains("\r\033[KTARGET"), "the table starts on the wiped line, not after the progress text:\n" + out);
        for (String l : out.split("\n")) {
            if (l.contains(":" + refusedPort + "  ")) assertTrue(!l.contains("\r"), "no progress inside a table row: " + l);
        }
    }

    @Test void noColorTurnsColourOffAndAnEmptyNoColorDoesNot() {
        var off = onTty(Map.of("NO_COLOR", "1"), "", "probe", fastRun());
        assertEquals(1, off.exit(), off.toString());
        String text = off.out().replaceAll(" {2,}", "  ");
        assertTrue(text.contains(banner + "  127.0.0.1  ok"), off.out());
        assertTrue(text.contains("127.0.0.1:" + refusedPort + "  127.0.0.1  refused"), off.out());
        assertEquals(0, count(SGR, off.out()), "NO_COLOR=1: no colour on a terminal:\n" + off.out());

        var empty = onTty(Map.of("NO_COLOR", ""), "", "probe", fastRun());
        assertEquals(2, count(SGR, empty.out()) / 2, "NO_COLOR set but empty counts as unset (no-color.org):\n" + empty.out());

        // NO_COLOR is about colour: the progress line (not colour) still shows on a terminal
        var slow = onTty(Map.of("NO_COLOR", "1"), "", "probe", slowRun(59));
        assertEquals(0, count(SGR, slow.out()), slow.out());
        assertTrue(count(PROGRESS, slow.out()) >= 1, "today the progress line ignores NO_COLOR:\n" + slow.out());
    }

    @Test void stdoutThroughAPipeIsNotColouredWhileProgressStaysOnTheTerminal(@TempDir Path dir) throws Exception {
        Path table = dir.resolve("table.txt");
        var r = onTty(Map.of(), "| cat > '" + table + "'", "probe", slowRun(59));
        assertEquals(1, r.exit(), r.toString());
        String piped = Files.readString(table).replaceAll(" {2,}", "  ");
        assertEquals(0, count(SGR, piped), "stdout is a pipe: no colour:\n" + piped);
        assertTrue(!piped.contains("\r") && !piped.contains("done,"), "no progress in stdout:\n" + piped);
        assertTrue(piped.contains(banner + "  127.0.0.1  ok"), piped);
        assertTrue(piped.contains("probe: 61 targets, 1 ok, 60 failed"), piped);
        assertTrue(count(PROGRESS, r.out()) >= 1, "stderr is still the terminal: progress shows there:\n" + r.out());
        assertTrue(!r.out().contains("TARGET"), "the table went down the pipe, not to the terminal:\n" + r.out());
    }

    @Test void stderrNotATerminalNeverShowsProgress(@TempDir Path dir) throws Exception {
        Path err = dir.resolve("err.txt");
        var r = onTty(Map.of(), "2> '" + err + "'", "probe", slowRun(59));
        assertEquals(1, r.exit(), r.toString());
        assertEquals("", Files.readString(err), "stderr is a file: no progress line, nothing else either");
        assertTrue(!r.out().contains("\r") && !r.out().contains("done,"), r.out());
        assertTrue(r.out().contains("\033[32mok\033[0m"), "stdout is still the terminal: coloured:\n" + r.out());

        // and with no terminal at all (a cron job, a CI log)
        List<String> cmd = new ArrayList<>(Proc.javaCommand("probe"));
        cmd.addAll(List.of(slowRun(59)));
        var plain = Proc.run(cmd, Duration.ofSeconds(60), Map.of("TERM", "xterm"), null);
        assertEquals(1, plain.exit(), plain.toString());
        assertEquals("", plain.err(), "no progress when stderr is not a terminal");
        assertEquals(0, count(SGR, plain.out()), plain.out());
        assertTrue(!plain.out().contains("\r"), plain.out());
    }

    @Test void fewerThan50TargetsShowNoProgress() {
        var r = onTty("probe", slowRun(47));                // 49 targets, still a 1 s run
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.out().contains("probe: 49 targets, 1 ok, 48 failed"), r.out());
        assertTrue(!r.out().contains("done,") && !r.out().contains("\r"), "no progress line under 50 targets:\n" + r.out());
        assertEquals(49, count(SGR, r.out()) / 2, "still coloured:\n" + r.out());
    }

    @Test void helpIsColouredOnATerminalOnly() {
        var tty = onTty("probe", "--help");
        assertEquals(0, tty.exit(), tty.toString());
        assertTrue(count(SGR, tty.out()) > 0, "picocli colours --help on a terminal:\n" + tty.out());
        assertTrue(SGR.matcher(tty.out()).replaceAll("").contains("Exit codes:"), tty.out());
        var off = onTty(Map.of("NO_COLOR", "1"), "", "probe", "--help");
        assertEquals(0, count(SGR, off.out()), "NO_COLOR=1:\n" + off.out());
        var piped = onTty(Map.of(), "| cat", "probe", "--help");
        assertEquals(0, count(SGR, piped.out()), "stdout a pipe:\n" + piped.out());
        assertEquals(SGR.matcher(tty.out()).replaceAll(""), off.out(), "the same text, only the colour differs");
    }

    @Test void httpcheckColoursItsTableAndSysinfoNeverColours() {
        String ok = TestHttp.base(http) + "/ok", refused = "http://127.0.0.1:" + refusedPort + "/";
        var h = onTty("httpcheck", ok, refused);
        assertEquals(1, h.exit(), h.toString());
        String text = h.out().replaceAll(" {2,}", "  ");
        assertTrue(text.contains(ok + "  \033[32mok\033[0m"), h.out());
        assertTrue(text.contains(refused + "  \033[31mrefused\033[0m"), h.out());
        var hOff = onTty(Map.of("NO_COLOR", "1"), "", "httpcheck", ok, refused);
        assertEquals(0, count(SGR, hOff.out()), hOff.out());

        var s = onTty("sysinfo", "--section", "mem");
        assertEquals(0, s.exit(), s.toString());
        assertTrue(s.out().contains("== Memory\nFACT"), s.out());
        assertEquals(0, count(SGR, s.out()), "sysinfo has no status to colour:\n" + s.out());
    }
}
