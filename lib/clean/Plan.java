package clean;

//SOURCES ../cli/InputError.java ../yaml/Yaml.java Rule.java

import cli.InputError;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import yaml.Yaml;

/**
 * A cleanup plan: the rules of a YAML file, or the one rule the command-line flags make. Every
 * problem is found before anything is touched, one line each with file:line:col.
 *
 * <pre>
 *   rules:
 *     - name: app-logs
 *       root: /var/log/app
 *       match: "*.log.*"
 *       older_than: 7d
 *       keep: 5
 *       action: gzip
 *     - root: /var/tmp/builds
 *       older_than: 3d
 *       until_free: 20%
 * </pre>
 */
public record Plan(List<Rule> rules) {

    /** The rules of {@code file}, checked; an InputError lists every problem. */
    public static List<Rule> load(Path file) {
        Yaml.Doc<Plan> doc = Yaml.load(file, Plan.class);
        if (doc.value() == null || doc.value().rules() == null || doc.value().rules().isEmpty()) {
            throw doc.error(new Yaml.Invalid("rules", "the plan has no rules (expected a list under 'rules:')"));
        }
        List<String> problems = new ArrayList<>();
        List<Rule> rules = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        List<Rule> given = doc.value().rules();
        for (int i = 0; i < given.size(); i++) {
            if (doc.errors().containsKey(i)) continue;             // could not be bound: its error is already listed
            String at = "rules[" + i + "]";
            try {
                if (given.get(i) == null) throw new Yaml.Invalid(at, "empty rule (expected a mapping with root: and its keys)");
                Rule r = check(given.get(i), at);
                Integer prev = names.putIfAbsent(r.name(), i);
                if (prev != null) {
                    throw new Yaml.Invalid(given.get(i).name() != null ? at + ".name" : at, "a second rule named '" + r.name()
                            + "' (rules[" + prev + "] has that name); give each rule its own name:");
                }
                rules.add(r);
            } catch (Yaml.Invalid e) {
                problems.add(doc.message(e));
            }
        }
        if (!problems.isEmpty() || !doc.errors().isEmpty()) throw doc.errors(problems);
        return rules;
    }

    /** The one rule the flags make; problems named by flag. */
    public static Rule fromFlags(Rule r) {
        try {
            return check(r, "");
        } catch (Yaml.Invalid e) {
            String flag = e.path.isEmpty() ? "" : "--" + e.path.replace('_', '-') + ": ";
            throw new InputError(flag + e.getMessage());
        }
    }

    /** A rule's own problems, at its keys' paths; the rule with its defaults filled in. */
    static Rule check(Rule r, String at) {
        String p = at.isEmpty() ? "" : at + ".";
        if (r.root() == null || r.root().isBlank()) throw new Yaml.Invalid(p + "root", "missing root: (the directory to clean)");
        Path root = Path.of(r.root()).toAbsolutePath().normalize();
        if (root.getParent() == null) throw new Yaml.Invalid(p + "root", "refusing to clean '/' itself; name the directory to clean");
        if (r.match() != null) {
            if (r.match().isBlank()) throw new Yaml.Invalid(p + "match", "empty pattern (expected a glob like *.log.*)");
            if (r.match().startsWith("/") || List.of(r.match().split("/")).contains("..")) {
                throw new Yaml.Invalid(p + "match", "'" + r.match() + "': a pattern is relative to root and has no '..'");
            }
            try {
                FileSystems.getDefault().getPathMatcher("glob:" + r.match());
            } catch (RuntimeException e) {
                throw new Yaml.Invalid(p + "match", "bad glob '" + r.match() + "': " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        if (r.keep() != null && r.keep() < 0) throw new Yaml.Invalid(p + "keep", "expected 0 or more, got " + r.keep());
        if (r.olderThan() != null && r.olderThan().isNegative()) throw new Yaml.Invalid(p + "older_than", "expected a duration of 0 or more");
        if (r.olderThan() == null && r.largerThan() == null && r.keep() == null && r.untilFree() == null) {
            throw new Yaml.Invalid(at, "a rule needs at least one of older_than, larger_than, keep or until_free"
                    + " (without one it would take every file that matches)");
        }
        return r.complete(root.toString());
    }
}
