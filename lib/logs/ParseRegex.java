package logs;

//SOURCES ../cli/InputError.java Budget.java Parser.java Parsers.java

import cli.InputError;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** --parse regex:PATTERN: the named groups that matched become fields, in the pattern's order; within --regex-budget. */
final class ParseRegex implements Parser {
    private final Pattern pattern;
    private final Map<String, Integer> groups = new LinkedHashMap<>();    // named group -> index, in the pattern's order
    private final Budget budget;

    ParseRegex(Pattern pattern, Budget budget) {
        this.pattern = pattern;
        this.budget = budget;
        pattern.namedGroups().entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(e -> groups.put(e.getKey(), e.getValue()));
    }

    @Override public Result parse(String line) {
        try {
            Matcher m = budget.matcher(pattern, line);
            if (m.find()) {
                Map<String, Object> fields = new LinkedHashMap<>();
                for (var g : groups.entrySet()) if (m.group(g.getValue()) != null) fields.put(g.getKey(), m.group(g.getValue()));
                return new Result(fields, null);
            }
            return new Result(null, "no match for --parse regex");
        } catch (Budget.Exceeded e) {
            budget.overrun();
            return new Result(null, "regex over its time budget (" + budget.limit() + "); shipped unparsed");
        } catch (StackOverflowError e) {                 // java.util.regex recurses per repetition: (a|b)* on a long line
            return new Result(null, "regex recursed too deep on this line; shipped unparsed");
        }
    }

    static final class Kind implements Parsers.Kind {
        @Override public String name() { return "regex"; }
        @Override public String argument() { return "PATTERN"; }
        @Override public Parser make(String argument, Budget budget) {
            Pattern p = Parsers.regex("--parse", argument);
            if (p.namedGroups().isEmpty()) throw new InputError("--parse regex: has no named group like (?<level>\\w+); the groups become fields");
            return new ParseRegex(p, budget);
        }
    }
}
