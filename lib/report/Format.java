package report;

//DEPS info.picocli:picocli:4.7.7
//SOURCES ../chat/Flavor.java

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/**
 * How a run's results are printed (--format). Every script takes the formats that fit it from this
 * one list, through one of the subsets below, each a picocli converter and completion list:
 *
 *   {@code @Option(names = {"-o", "--format"}, converter = Format.Rows.class, completionCandidates = Format.Rows.class, ...)}
 * <pre>
 *   table  aligned columns and the summary line (the default)
 *   text   fanout's blocks of each host's output
 *   md       a GitHub/Mattermost table and the summary, to paste into a chat
 *   slack    Slack mrkdwn: the summary, then the table in a code block (Slack renders no tables)
 *   dingtalk DingTalk markdown: the summary, then the table as quoted lines
 *   wecom    WeCom markdown: the same, within WeCom's subset
 *   json   one document: {"results": [...], "summary": {...}}
 *   csv    header and rows; the summary on stderr
 *   prom   Prometheus text format, for node_exporter's textfile collector
 *   hosts  the targets, one a line, to pipe into the next run
 * </pre>
 * The chat formats (slack, dingtalk, wecom: the names of alertrelay's robot kinds) are rendered
 * in one place, {@link Chat}, with lib/chat's escaping; every subset offers all of them.
 */
public enum Format {
    table, text, md, slack, dingtalk, wecom, json, csv, prom, hosts;

    /** The chat this format writes for (lib/chat's markup and escaping), or null for table, md, json... */
    public chat.Flavor flavor() {
        return switch (this) {
            case slack -> chat.Flavor.slack;
            case dingtalk -> chat.Flavor.dingtalk;
            case wecom -> chat.Flavor.wecom;
            default -> null;
        };
    }

    public boolean chat() { return flavor() != null; }

    /** A subset of formats as picocli sees it: the values it accepts and lists in --help, with picocli's own message for others. */
    public abstract static class Subset implements CommandLine.ITypeConverter<Format>, Iterable<String> {
        private final List<Format> allowed;

        protected Subset(Format... allowed) { this.allowed = List.of(allowed); }

        public List<Format> allowed() { return allowed; }

        @Override public Format convert(String value) {
            for (Format f : allowed) if (f.name().equalsIgnoreCase(value)) return f;
            List<String> names = new ArrayList<>();
            allowed.forEach(f -> names.add(f.name()));
            throw new CommandLine.TypeConversionException("expected one of " + names + " (case-insensitive) but was '" + value + "'");
        }

        @Override public Iterator<String> iterator() {
            return Arrays.stream(allowed.toArray(Format[]::new)).map(f -> f.name().toLowerCase(Locale.ROOT)).iterator();
        }
    }

    /** Scripts with one row per target: probe, httpcheck. */
    public static final class Rows extends Subset {
        public Rows() { super(table, md, slack, dingtalk, wecom, json, csv, prom, hosts); }
    }

    /** One row per check: inspect. */
    public static final class Checks extends Subset {
        public Checks() { super(table, md, slack, dingtalk, wecom, json, prom); }
    }

    /** Blocks of remote output per host: fanout. */
    public static final class Blocks extends Subset {
        public Blocks() { super(text, md, slack, dingtalk, wecom, json, hosts); }
    }

    /** Lists and sections: sysinfo, dnscheck, rollout, ops. */
    public static final class Lists extends Subset {
        public Lists() { super(table, md, slack, dingtalk, wecom, json); }
    }
}
