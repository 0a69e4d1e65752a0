package logs;

//SOURCES Budget.java Parser.java Parsers.java

import java.util.LinkedHashMap;
import java.util.Map;

/** --parse logfmt: key=value key2="quoted value" ... (bare words become key=true). */
final class ParseLogfmt implements Parser {
    @Override public Result parse(String line) {
        return new Result(fields(line), null);
    }

    static Map<String, Object> fields(String line) {
        Map<String, Object> m = new LinkedHashMap<>();
        int i = 0, n = line.length();
        while (i < n) {
            while (i < n && line.charAt(i) == ' ') i++;
            int k = i;
            while (i < n && line.charAt(i) != '=' && line.charAt(i) != ' ') i++;
            if (i == k) { i++; continue; }
            String key = line.substring(k, i);
            if (i >= n || line.charAt(i) == ' ') { m.put(key, "true"); continue; }
            i++;                                                      // '='
            StringBuilder v = new StringBuilder();
            if (i < n && line.charAt(i) == '"') {
                for (i++; i < n && line.charAt(i) != '"'; i++) {
                    if (line.charAt(i) == '\\' && i + 1 < n) i++;
                    v.append(line.charAt(i));
                }
                i++;
            } else {
                while (i < n && line.charAt(i) != ' ') v.append(line.charAt(i++));
            }
            m.put(key, v.toString());
        }
        return m;
    }

    static final class Kind implements Parsers.Kind {
        @Override public String name() { return "logfmt"; }
        @Override public Parser make(String argument, Budget budget) { return new ParseLogfmt(); }
    }
}
