package clean;

//SOURCES ../cli/Sizes.java Rule.java Scan.java

import cli.Sizes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One rule's numbers, which become its row: files and bytes selected (an inode counted once, however
 * many names it has), bytes freed (or that an --apply would free), why files were left alone, and
 * what went wrong. Thread-safe: the workers add to it.
 */
public final class Tally {
    public final Rule rule;
    public long files, foundBytes, freedBytes, done;
    public Long freeBefore, freeAfter, freeWanted;
    /** Reason -> files left alone (open, kept, changed, vanished, symlink, mount, exists, hardlinked, compressed, not-needed). */
    public final Map<String, Long> skipped = new TreeMap<>();
    public final List<String> open = new ArrayList<>(), errors = new ArrayList<>(), unreadable = new ArrayList<>(), listed = new ArrayList<>();
    public String status;
    /** Names of each multiply-linked inode already removed: its space returns with the last one. */
    private final Map<Object, Integer> namesGone = new HashMap<>();

    public Tally(Rule rule) { this.rule = rule; }

    public synchronized void skip(String reason, long n) {
        if (n > 0) skipped.merge(reason, n, Long::sum);
    }

    public synchronized void error(String path, String message) {
        errors.add(path + ": " + message);
    }

    /** A name of {@code f} is gone (deleted, or would be): its bytes count once its last name is gone. */
    public synchronized long removed(Scan.Found f) {
        done++;
        if (f.links() <= 1) { freedBytes += f.size(); return f.size(); }
        int gone = namesGone.merge(f.key(), 1, Integer::sum);
        if (gone == f.links()) { freedBytes += f.size(); return f.size(); }
        return 0;
    }

    public synchronized void freed(long bytes) {
        done++;
        freedBytes += bytes;
    }

    public Map<String, Object> row(boolean apply) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("target", rule.name());
        r.put("rule", rule.name());
        r.put("root", rule.root());
        r.put("match", rule.match());
        r.put("action", rule.action().name());
        r.put("mode", apply ? "applied" : "dry-run");
        r.put("status", status);
        r.put("files", files);
        r.put("found_bytes", foundBytes);
        r.put(apply ? "freed_bytes" : "would_free_bytes", freedBytes);
        // A dry run's gzip cannot know the .gz size: what deleting would free is its upper bound.
        r.put("freed", (!apply && rule.action() == Rule.Action.gzip && freedBytes > 0 ? "<= " : "") + Sizes.format(freedBytes));
        r.put("found", Sizes.format(foundBytes));
        r.put("done", done);
        r.put("free_before_bytes", freeBefore);
        r.put("free_after_bytes", freeAfter);
        r.put("free_wanted_bytes", freeWanted);
        r.put("skipped", new LinkedHashMap<>(skipped));
        r.put("skipped_text", skippedText());
        r.put("open", open);
        r.put("unreadable", unreadable);
        r.put("errors", errors);
        r.put("error", errors.isEmpty() ? (unreadable.isEmpty() ? null : "cannot read " + unreadable.get(0)
                + (unreadable.size() > 1 ? " (+" + (unreadable.size() - 1) + " more)" : "")) : errors.get(0)
                + (errors.size() > 1 ? " (+" + (errors.size() - 1) + " more)" : ""));
        if (!listed.isEmpty()) r.put("list", listed);
        return r;
    }

    /** "kept 5, open 1, vanished 2" or "-". */
    public String skippedText() {
        if (skipped.isEmpty()) return "-";
        List<String> parts = new ArrayList<>();
        skipped.forEach((k, v) -> parts.add(k + " " + v));
        return String.join(", ", parts);
    }
}
