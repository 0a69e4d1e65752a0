package report;

//DEPS info.picocli:picocli:4.7.7
//SOURCES ../cli/InputError.java Format.java Report.java

import cli.InputError;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The picocli options of scripts with one row per target, saying how results look: --format / --only-failed / --status / --sort / --wide. */
public class OutputOptions {
    @Option(names = {"-o", "--format"}, paramLabel = "FORMAT", defaultValue = "table",
            converter = Format.Rows.class, completionCandidates = Format.Rows.class,
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). md is a "
                    + "GitHub/Mattermost table; slack, dingtalk and wecom write each chat's own markup, escaped; "
                    + "hosts writes the targets for another run.")
    public Format format;

    @Option(names = "--only-failed", description = "Show only the rows that failed (the summary still counts all).")
    public boolean onlyFailed;

    @Option(names = "--status", paramLabel = "STATUS", split = ",",
            description = "Show only the rows with these statuses, e.g. refused,timeout (the summary still counts all).")
    public List<String> statuses = new ArrayList<>();

    @Option(names = "--wide", description = "Table: show free text in full (default: cut to fit 120 columns).")
    public boolean wide;

    @Option(names = "--sort", paramLabel = "KEY", defaultValue = "input",
            description = "Row order: input (default), status (failures first), target, or a script-specific key.")
    public String sort;

    /** Call before running anything, so a typo in --sort is caught before the work is done. */
    public void checkSort(Map<String, Comparator<Map<String, Object>>> extraKeys) {
        select(List.of(), extraKeys);
    }

    /**
     * The rows to show: filtered by --only-failed, ordered by --sort. {@code extraKeys} are the
     * script's own sort keys (e.g. latency); an unknown key is an input error.
     */
    public List<Map<String, Object>> select(List<Map<String, Object>> rows, Map<String, Comparator<Map<String, Object>>> extraKeys) {
        List<Map<String, Object>> shown = new ArrayList<>();
        for (var r : rows) {
            if ((!onlyFailed || !Report.isOk(r)) && (statuses.isEmpty() || statuses.contains(String.valueOf(r.get("status"))))) shown.add(r);
        }
        Comparator<Map<String, Object>> order = switch (sort) {
            case "input" -> null;
            case "status" -> Comparator.comparing((Map<String, Object> r) -> Report.isOk(r))
                    .thenComparing(r -> String.valueOf(r.get("status")));
            case "target" -> Comparator.comparing(r -> String.valueOf(r.get("target")));
            default -> {
                var c = extraKeys.get(sort);
                if (c == null) {
                    List<String> keys = new ArrayList<>(List.of("input", "status", "target"));
                    keys.addAll(new java.util.TreeSet<>(extraKeys.keySet()));   // Map.of's order changes from run to run
                    throw new InputError("--sort: unknown key '" + sort + "' (expected one of " + String.join(", ", keys) + ")");
                }
                yield c;
            }
        };
        if (order != null) shown.sort(order);   // stable: ties keep input order
        return shown;
    }
}
