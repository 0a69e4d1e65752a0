package logs;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES Budget.java Json.java Parser.java Parsers.java

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** --parse json: a JSON object a line; its members become fields (values kept as JSON). */
final class ParseJson implements Parser {
    @Override public Result parse(String line) {
        try {
            JsonNode n = Json.MAPPER.readTree(line);
            if (n instanceof ObjectNode o) {
                Map<String, Object> fields = new LinkedHashMap<>();
                for (var e : o.properties()) fields.put(e.getKey(), e.getValue());
                return new Result(fields, null);
            }
            return new Result(null, "not a JSON object");
        } catch (JsonProcessingException e) {
            return new Result(null, "malformed JSON: " + e.getOriginalMessage());
        }
    }

    static final class Kind implements Parsers.Kind {
        @Override public String name() { return "json"; }
        @Override public Parser make(String argument, Budget budget) { return new ParseJson(); }
    }
}
