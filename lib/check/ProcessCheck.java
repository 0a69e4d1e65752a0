package check;

//SOURCES ../cli/Sizes.java ../host/Facts.java ../yaml/Yaml.java Check.java Findings.java Limit.java LocalFacts.java Probe.java Severity.java Validate.java

import cli.Sizes;
import host.Facts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import yaml.Yaml;

/**
 * {@code kind: process}: processes by exact name (like pgrep -x) or by a regex on the command line,
 * optionally of one user: how many run (at least one by default), and the biggest one's RSS.
 */
public record ProcessCheck(String name, String group, Severity severity, String process, String regex, String user, Count count,
                           Limit<Yaml.Size> rss) implements Check {

    @Yaml.Expect("a range like {min: 1, max: 4}")
    public record Count(Integer min, Integer max) {}

    @Override public String defaultGroup() { return "processes"; }

    @Override public Probe probe(String at, Duration defaultTimeout) {
        if ((process == null) == (regex == null)) {
            throw new Yaml.Invalid(at, "give either 'process:' (the exact process name) or 'regex:' (matched against the command line), not "
                    + (process == null ? "neither" : "both"));
        }
        Pattern re = regex == null ? null : Validate.regex(at + ".regex", regex);
        if (count != null) {
            if (count.min() == null && count.max() == null) throw new Yaml.Invalid(at + ".count", "give min, max or both");
            if (count.min() != null && count.min() < 0) throw new Yaml.Invalid(at + ".count.min", "must be 0 or more");
            if (count.max() != null && count.max() < 0) throw new Yaml.Invalid(at + ".count.max", "must be 0 or more");
            if (count.min() != null && count.max() != null && count.min() > count.max()) {
                throw new Yaml.Invalid(at + ".count", "min " + count.min() + " is above max " + count.max());
            }
        }
        Validate.above(at + ".rss", rss, Yaml.Size::bytes);
        return new Find(this, "process " + (process != null ? process : "/" + regex + "/") + (user == null ? "" : " (" + user + ")"), re);
    }

    private record Find(ProcessCheck c, String name, Pattern regex) implements Probe {
        @Override public void run(LocalFacts local, Findings o) {
            long self = ProcessHandle.current().pid();
            List<Facts.Proc> found = new ArrayList<>();
            for (Facts.Proc p : local.processes()) {
                if (p.pid() == self) continue;                               // our own command line may mention it
                if (c.user() != null && !c.user().equals(p.user())) continue;
                boolean match = c.process() != null
                        ? c.process().equals(p.name()) || c.process().equals(argv0(p.command()))
                        : regex.matcher(p.command()).find();
                if (match) found.add(p);
            }
            Count n = c.count();
            int min = n == null || n.min() == null ? (n == null || n.max() == null ? 1 : 0) : n.min();
            Integer max = n == null ? null : n.max();
            o.value(found.size() + " running");
            o.expect("count " + (max == null ? ">=" + min : min + "-" + max));
            if (found.size() < min) o.fail(found.size() + " running, expected at least " + min);
            if (max != null && found.size() > max) o.fail(found.size() + " running, expected at most " + max);
            if (!found.isEmpty()) {
                Facts.Proc biggest = found.get(0);
                for (var p : found) if (p.rssBytes() > biggest.rssBytes()) biggest = p;
                long rss = biggest.rssBytes();
                o.measure("rss", rss, "bytes", Sizes.format(rss) + " (pid " + biggest.pid() + ")", c.rss(), Yaml.Size::bytes, false);
                List<String> pids = found.stream().limit(5).map(p -> String.valueOf(p.pid())).toList();
                o.note("pid " + String.join(", ", pids) + (found.size() > 5 ? ", ..." : ""));
            }
        }

        /** The program name of a command line: "/usr/sbin/nginx -g ..." -> "nginx". */
        private static String argv0(String command) {
            String first = command.split(" ", 2)[0];
            return first.substring(first.lastIndexOf('/') + 1);
        }
    }
}
