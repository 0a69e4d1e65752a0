package check;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES ../cli/Durations.java ../cli/Errors.java ../yaml/Yaml.java Check.java Findings.java Limit.java LocalFacts.java Probe.java Severity.java Validate.java

import cli.Durations;
import cli.Errors;
import com.fasterxml.jackson.annotation.JsonCreator;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import yaml.Yaml;

/**
 * {@code kind: command}: a local command (as the invoking user, stdin from /dev/null, stderr with
 * stdout) exits with an expected code within the timeout; optionally its output matches a regex,
 * and the first number it prints is compared with thresholds.
 */
public record CommandCheck(String name, String group, Severity severity, Argv run, ExitCodes exit, String outputMatch,
                           Limit<Double> value, Duration timeout) implements Check {

    /** A command: text runs with /bin/sh -c; a list runs as it is, without a shell. */
    public record Argv(List<String> argv, String text) {
        @JsonCreator static Argv of(Object v) {
            if (v instanceof Boolean || v instanceof Number) v = String.valueOf(v);      // run: true (YAML reads it as a boolean)
            if (v instanceof String s && !s.isBlank()) return new Argv(List.of("/bin/sh", "-c", s), s);
            if (v instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(x -> x instanceof String || x instanceof Number)) {
                List<String> argv = l.stream().map(String::valueOf).toList();
                return new Argv(argv, String.join(" ", argv));
            }
            throw new IllegalArgumentException("expected a command: text for /bin/sh -c, or a list like [systemctl, is-active, nginx]");
        }
    }

    /** Expected exit codes: one number or a list of them. */
    public record ExitCodes(List<Integer> codes) {
        @JsonCreator static ExitCodes of(Object v) {
            List<?> l = v instanceof List<?> list ? list : List.of(v);
            List<Integer> codes = new ArrayList<>();
            for (Object o : l) {
                if (!(o instanceof Integer i) || i < 0 || i > 255) {
                    throw new IllegalArgumentException("expected an exit code 0-255 or a list of them, got " + (o instanceof String ? "'" + o + "'" : o));
                }
                codes.add(i);
            }
            if (codes.isEmpty()) throw new IllegalArgumentException("expected an exit code 0-255 or a list of them, got an empty list");
            return new ExitCodes(codes);
        }
    }

    /** Output kept for output_match and value (the rest is read and dropped, so the command never blocks on a full pipe). */
    static final int OUTPUT_KEPT = 1 << 20;

    @Override public String defaultGroup() { return "commands"; }

    @Override public Probe probe(String at, Duration defaultTimeout) {
        if (run == null) throw new Yaml.Invalid(at + ".run", "missing (expected the command to run)");
        Pattern match = outputMatch == null ? null : Validate.regex(at + ".output_match", outputMatch);
        Validate.above(at + ".value", value, Double::doubleValue);
        Duration t = Validate.timeout(at + ".timeout", timeout, defaultTimeout);
        return new Exec(this, "command " + (run.text().length() > 40 ? run.text().substring(0, 37) + "..." : run.text()), match, t);
    }

    private record Exec(CommandCheck c, String name, Pattern match, Duration timeout) implements Probe {
        @Override public void run(LocalFacts local, Findings o) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(c.run().argv()).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                o.value("did not start");
                o.fail("cannot run " + c.run().argv().get(0) + ": " + Errors.message(e, "start failed").replaceFirst("^Cannot run program \"[^\"]*\": ", ""));
                return;
            }
            long t0 = System.nanoTime();
            byte[][] out = new byte[1][];
            Thread reader = Thread.ofVirtual().start(() -> out[0] = drain(p.getInputStream()));
            boolean finished;
            try {
                finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (!finished) stop(p);
                reader.join(2000);
            } catch (InterruptedException e) {
                stop(p);
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            String output = out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8);
            List<Integer> expected = c.exit() == null ? List.of(0) : c.exit().codes();
            String expectedText = String.join("|", expected.stream().map(String::valueOf).toList());
            o.expect("exit " + expectedText);
            if (!finished) {
                o.value("timeout");
                o.fail("still running after " + Durations.format(timeout.toMillis()) + "; stopped it");
                return;
            }
            int code = p.exitValue();
            o.value("exit " + code);
            if (!expected.contains(code)) o.fail("exit " + code + ", expected " + expectedText + firstLine(output));
            if (match != null) {
                o.expect("output ~ /" + match.pattern() + "/");
                if (!match.matcher(output).find()) o.fail("output does not match /" + match.pattern() + "/" + firstLine(output));
            }
            if (c.value() != null) {
                Matcher number = Pattern.compile("-?\\d+(?:\\.\\d+)?").matcher(output);
                if (number.find()) {
                    double v = Double.parseDouble(number.group());
                    o.measure("value", v, "", Limit.show(v), c.value(), Double::doubleValue, false);
                } else {
                    o.fail("no number in the output to compare with value thresholds" + firstLine(output));
                }
            }
            o.note(String.format(Locale.ROOT, "ran in %.0fms", ms) + firstLine(output));
        }
    }

    private static String firstLine(String output) {
        String line = output.strip().lines().findFirst().orElse("");
        if (line.isEmpty()) return "";
        return ": " + (line.length() > 100 ? line.substring(0, 97) + "..." : line);
    }

    private static byte[] drain(InputStream in) {
        try (in) {
            var kept = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                if (kept.size() < OUTPUT_KEPT) kept.write(buf, 0, Math.min(n, OUTPUT_KEPT - kept.size()));
            }
            return kept.toByteArray();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** SIGTERM to the command and everything it started, then SIGKILL to whatever is left after 2s. */
    private static void stop(Process p) {
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        tree.add(p.toHandle());
        tree.forEach(ProcessHandle::destroy);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (ProcessHandle h : tree) {
            while (h.isAlive() && System.nanoTime() < end) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    break;
                }
            }
            if (h.isAlive()) h.destroyForcibly();
        }
    }
}
