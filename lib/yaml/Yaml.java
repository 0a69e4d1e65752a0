package yaml;

//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.20.1
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1 com.fasterxml.jackson.core:jackson-core:2.20.1 com.fasterxml.jackson.core:jackson-annotations:2.20
//SOURCES ../cli/Sizes.java ../cli/InputError.java ../cli/Errors.java Scalars.java

import cli.Errors;
import cli.InputError;
import cli.Sizes;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed YAML input with errors a tired human can act on. {@link #load} binds a YAML file to records
 * (keys in snake_case) with Jackson, rejecting duplicate keys, unknown keys and values of the wrong
 * type, and reports the first problem as one line:
 *
 * <pre>
 *   plan.yaml:12:11: checks[2].port: expected a whole number, got 'abc'
 *   plan.yaml:7:5: checks[1]: unknown key 'treshold' (expected one of: name, mount, used, ...)
 * </pre>
 *
 * Durations ("500ms", "3s", "1h"; a bare number is seconds), {@link Size}s ("512k", "1G"; a bare number
 * is bytes) and {@link Percent}s (80, "80%") are typed values. Checks that need the whole document
 * (a missing field, warn above crit) throw {@link Invalid} with a path; {@link Doc#error} turns it
 * into the same one-line form, pointing at the key, or at its parent when the key is missing.
 */
public final class Yaml {
    private Yaml() {}

    /** A byte count written as "512k", "16M", "1.5G" or a bare number of bytes. */
    public record Size(long bytes) {
        @Override public String toString() { return Sizes.format(bytes); }
    }

    /** A percentage 0-100, written 80, 80.5 or "80%". */
    public record Percent(double value) {
        @Override public String toString() {
            return (value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value)) + "%";
        }
    }

    /** What a record type looks like in YAML, for "expected ..." in error messages. */
    @Retention(RetentionPolicy.RUNTIME) @Target(ElementType.TYPE)
    public @interface Expect { String value(); }

    /** A problem found after binding: {@code path} like "checks[2].port" (the key may be absent). */
    public static final class Invalid extends RuntimeException {
        public final String path;
        public Invalid(String path, String message) { super(message); this.path = path; }
    }

    /**
     * A bound document plus where each of its keys and values is in the file. {@code errors} are the
     * items of a top-level list that could not be bound (each left null in {@code value}, its
     * message kept), so a caller reports every bad item at once instead of only the first.
     */
    public record Doc<T>(Path file, T value, Map<String, JsonLocation> keys, Map<String, JsonLocation> values,
                         Map<Integer, String> errors) {
        /** "file:LINE:COL: path: message", located at the path or its nearest present parent. */
        public InputError error(Invalid e) {
            return new InputError(message(e));
        }

        public String message(Invalid e) {
            return where(file, locate(e.path)) + (e.path.isEmpty() ? "" : e.path + ": ") + e.getMessage();
        }

        /** Every message (binding errors and {@code more}), in the order of the file, as one InputError. */
        public InputError errors(List<String> more) {
            List<String> all = new ArrayList<>(errors.values());
            all.addAll(more);
            all.sort(java.util.Comparator.comparing(Yaml::position));
            return new InputError(String.join("\n", all));
        }

        JsonLocation locate(String path) {
            for (String p = path; ; p = parent(p)) {
                JsonLocation l = keys.containsKey(p) ? keys.get(p) : values.get(p);
                if (l != null || p.isEmpty()) return l;
            }
        }
    }

    private static final ObjectMapper MAPPER = mapper();

    private static ObjectMapper mapper() {
        YAMLFactory factory = YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        return new ObjectMapper(factory)
                .registerModule(Scalars.module())
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    }


    /**
     * Reads {@code file} into {@code type}. Every problem (missing file, bad UTF-8, YAML syntax,
     * duplicate or unknown key, wrong type, unknown subtype) is a {@link InputError} naming
     * file:line:col.
     */
    public static <T> Doc<T> load(Path file, Class<T> type) {
        String text;
        try {
            byte[] raw = Files.readAllBytes(file);
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(raw)).toString();
        } catch (NoSuchFileException e) {
            throw new InputError(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new InputError(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new InputError(file + ": cannot read: " + Errors.message(e, e.getClass().getSimpleName()));
        }
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        if (text.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) throw new InputError(file + ": empty (nothing to read)");
        Map<String, JsonLocation> keys = new HashMap<>(), values = new HashMap<>();
        Map<String, String> shown = new HashMap<>();
        Map<Integer, String> errors = new java.util.TreeMap<>();
        Doc<T> doc = new Doc<>(file, null, keys, values, errors);
        try {
            locate(file, text, keys, values, shown);                // YAML syntax and duplicate keys fail here
            try (JsonParser p = MAPPER.getFactory().createParser(text)) {   // a second document would be ignored: refuse it
                p.nextToken();
                p.skipChildren();
                if (p.nextToken() != null) {
                    throw new InputError(file + ":" + p.currentTokenLocation().getLineNr() + ": a second YAML document (after '---');"
                            + " put everything in one document");
                }
            }
            com.fasterxml.jackson.databind.JsonNode root = MAPPER.readTree(text);
            // Bind; an item of a top-level list that fails is kept as an error and bound as null, and
            // binding goes on, so that every bad item is reported, not only the first.
            while (true) {
                try {
                    return new Doc<>(file, MAPPER.treeToValue(root, type), keys, values, errors);
                } catch (JsonMappingException m) {
                    var path = m.getPath();
                    if (path.size() < 2 || path.get(0).getFieldName() == null || path.get(1).getIndex() < 0
                            || !(root.get(path.get(0).getFieldName()) instanceof com.fasterxml.jackson.databind.node.ArrayNode list)
                            || list.get(path.get(1).getIndex()).isNull()) {
                        errors.put(-1, describe(doc, m, shown, text));
                        throw doc.errors(List.of());
                    }
                    errors.put(path.get(1).getIndex(), describe(doc, m, shown, text));
                    list.set(path.get(1).getIndex(), com.fasterxml.jackson.databind.node.NullNode.getInstance());
                }
            }
        } catch (JsonProcessingException e) {
            throw new InputError(describe(doc, e, shown, text));
        } catch (IOException e) {                                  // not from a String, but the API says so
            throw new InputError(file + ": " + Errors.message(e, e.getClass().getSimpleName()));
        }
    }

    /** One pass over the tokens: where each path's key and value start, and how each scalar reads. */
    private static void locate(Path file, String text, Map<String, JsonLocation> keys, Map<String, JsonLocation> values,
                               Map<String, String> shown) throws IOException {
        try (JsonParser p = MAPPER.getFactory().createParser(text)) {
            for (JsonToken t = next(p); t != null; t = next(p)) {
                JsonStreamContext ctx = p.getParsingContext();
                if (p instanceof com.fasterxml.jackson.dataformat.yaml.YAMLParser y && y.isCurrentAlias()) {
                    throw new InputError(where(file, p.currentTokenLocation()) + path(ctx) + ": YAML aliases (*" + p.getText()
                            + ") are not supported; write the value out");
                }
                if (t == JsonToken.FIELD_NAME) {
                    if (p.currentName().equals("<<")) {
                        throw new InputError(where(file, p.currentTokenLocation()) + "YAML merge keys (<<) are not supported; write the keys out");
                    }
                    keys.put(path(ctx), p.currentTokenLocation());
                } else if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    String at = path(ctx.getParent());
                    values.putIfAbsent(at, p.currentTokenLocation());
                    shown.put(at, t == JsonToken.START_OBJECT ? "a mapping" : "a list");
                } else if (t.isScalarValue()) {
                    String at = path(ctx);
                    values.put(at, p.currentTokenLocation());
                    shown.put(at, t == JsonToken.VALUE_NULL || p.getText().isEmpty() ? "nothing" : t == JsonToken.VALUE_STRING ? "'" + p.getText() + "'" : p.getText());
                }
            }
        }
    }

    /** The next token; a duplicate key is reported where the key starts, not where it ends. */
    private static JsonToken next(JsonParser p) throws IOException {
        try {
            return p.nextToken();
        } catch (com.fasterxml.jackson.core.exc.StreamReadException e) {
            if (e.getOriginalMessage() == null || !e.getOriginalMessage().startsWith("Duplicate field")) throw e;
            String in = parent(path(p.getParsingContext()));
            String message = (in.isEmpty() ? "" : in + ": ") + e.getOriginalMessage().replace("Duplicate field", "duplicate key");
            throw new com.fasterxml.jackson.core.JsonParseException(p, message, p.currentTokenLocation());
        }
    }

    /** "checks[2].port" for a parser context (the current field or array element). */
    private static String path(JsonStreamContext ctx) {
        List<String> parts = new ArrayList<>();
        for (JsonStreamContext c = ctx; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) parts.add(0, "[" + Math.max(0, c.getCurrentIndex()) + "]");
            else if (c.getCurrentName() != null) parts.add(0, "." + c.getCurrentName());
        }
        String s = String.join("", parts);
        return s.startsWith(".") ? s.substring(1) : s;
    }

    private static String path(List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (var r : refs) {
            if (r.getFieldName() != null) sb.append(sb.isEmpty() ? "" : ".").append(r.getFieldName());
            else if (r.getIndex() >= 0) sb.append('[').append(r.getIndex()).append(']');
        }
        return sb.toString();
    }

    static String parent(String path) {
        int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
        return cut < 0 ? "" : path.substring(0, cut);
    }

    private static String where(Path file, JsonLocation l) {
        return l == null || l.getLineNr() < 1 ? file + ": " : file + ":" + l.getLineNr() + ":" + l.getColumnNr() + ": ";
    }

    /** The one-line message for anything Jackson or the YAML parser threw. */
    private static String describe(Doc<?> doc, JsonProcessingException e, Map<String, String> shown, String text) {
        if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException y) return syntax(doc.file(), text, y);
        if (!(e instanceof JsonMappingException m)) {
            return where(doc.file(), e.getLocation()) + e.getOriginalMessage();
        }
        String at = path(m.getPath());
        String prefix = at.isEmpty() ? "" : at + ": ";
        if (m instanceof ValueInstantiationException v && v.getCause() != null) {   // a record's creator refused the value
            return where(doc.file(), valueAt(doc, at)) + prefix + Errors.message((Exception) v.getCause(), "invalid value");
        }
        if (m instanceof UnrecognizedPropertyException u) {
            List<String> known = keysOf(u.getReferringClass());
            if (known.isEmpty()) for (Object o : u.getKnownPropertyIds()) known.add(String.valueOf(o));
            String hint = closest(u.getPropertyName(), known);
            return where(doc.file(), doc.locate(at)) + parent(at) + (parent(at).isEmpty() ? "" : ": ") + "unknown key '" + u.getPropertyName() + "'"
                    + (hint == null ? "" : " (did you mean '" + hint + "'?)") + "; expected one of: " + String.join(", ", known);
        }
        if (m instanceof InvalidTypeIdException t) {
            String property = t.getMessage().contains("missing type id property")
                    ? t.getMessage().replaceAll("(?s).*missing type id property '([^']*)'.*", "$1") : "kind";
            String expected = subtypeNames(t.getBaseType().getRawClass());
            String got = shown.getOrDefault(at, "a mapping");
            if (!got.equals("a mapping")) {
                return where(doc.file(), valueAt(doc, at)) + prefix + "expected a mapping with '" + property + ":' and its keys, got " + got + hint(got);
            }
            if (t.getTypeId() == null) return where(doc.file(), doc.locate(at)) + prefix + "missing '" + property + "'" + expected;
            return where(doc.file(), doc.locate(at + "." + property)) + at + "." + property + ": unknown " + property + " '" + t.getTypeId() + "'" + expected;
        }
        if (m instanceof MismatchedInputException mi && mi.getTargetType() != null) {
            String got = shown.getOrDefault(at, "something else");
            String fraction = mi.getTargetType() == Percent.class && got.matches("0?\\.\\d+")
                    ? " (" + got + " reads as a fraction; percentages are 0-100: write " + Math.round(Double.parseDouble(got) * 100) + " for "
                      + Math.round(Double.parseDouble(got) * 100) + "%, or '" + got + "%' if you mean it)" : "";
            return where(doc.file(), valueAt(doc, at)) + prefix + "expected " + expected(mi.getTargetType()) + ", got " + got + hint(got) + fraction;
        }
        return where(doc.file(), doc.locate(at)) + prefix + m.getOriginalMessage().lines().findFirst().orElse("invalid");
    }

    /** " (expected one of: a, b)" from the base type's @JsonSubTypes names, or "". */
    private static String subtypeNames(Class<?> base) {
        var types = base.getAnnotation(com.fasterxml.jackson.annotation.JsonSubTypes.class);
        if (types == null) return "";
        List<String> names = new ArrayList<>();
        for (var t : types.value()) names.add(t.name());
        names.sort(null);
        return " (expected one of: " + String.join(", ", names) + ")";
    }

    /** Where the value at {@code path} starts (type errors point at the value, not its key). */
    private static JsonLocation valueAt(Doc<?> doc, String path) {
        JsonLocation l = doc.values().get(path);
        return l != null ? l : doc.locate(path);
    }

    /** "kind:tcp" is one string to YAML: say so. */
    private static String hint(String got) {
        return got.matches("'[\\w.-]+:\\S.*'") ? " (YAML needs a space after ':')" : "";
    }

    /** A record's keys in declaration order, as written in YAML (snake_case). */
    private static List<String> keysOf(Class<?> type) {
        List<String> names = new ArrayList<>();
        if (type != null && type.isRecord()) {
            for (var c : type.getRecordComponents()) names.add(PropertyNamingStrategies.SnakeCaseStrategy.INSTANCE.translate(c.getName()));
        }
        return names;
    }

    /** A YAML syntax error: the parser's problem and where it is, with a hint for the usual cause. */
    private static String syntax(Path file, String text, org.yaml.snakeyaml.error.MarkedYAMLException y) {
        var mark = y.getProblemMark() != null ? y.getProblemMark() : y.getContextMark();
        String problem = String.valueOf(y.getProblem()).replace("\\t(TAB)", "a tab").replace("\t(TAB)", "a tab")
                .replaceAll("\\s+", " ").strip();
        if (mark != null && (problem.contains("<block end>") || problem.contains("mapping values are not allowed"))) {
            String[] lines = text.split("\n", -1);
            int at = Math.min(mark.getLine(), lines.length - 1), above = at - 1;
            while (above >= 0 && (lines[above].isBlank() || lines[above].strip().startsWith("#"))) above--;
            if (above >= 0) {
                return file + ":" + (at + 1) + ": bad indentation: this line starts at column " + (indent(lines[at]) + 1)
                        + ", the one above at column " + (indent(lines[above]) + 1) + "; keys of one mapping line up (YAML)";
            }
        }
        String hint = problem.contains("tab") ? "" : " (YAML syntax; check the indentation and that ':' is followed by a space)";
        String where = mark == null ? file + ": " : file + ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1) + ": ";
        return where + problem + hint;
    }

    /** "file:12:5: ..." sorts by line, then column (messages without a line first). */
    private static long position(String message) {
        Matcher m = Pattern.compile(":(\\d+)(?::(\\d+))?: ").matcher(message);
        return m.find() ? Long.parseLong(m.group(1)) * 10_000 + (m.group(2) == null ? 0 : Long.parseLong(m.group(2))) : 0;
    }

    /** Where a line's content starts: spaces, and a list item's "- " counts as indentation. */
    private static int indent(String line) {
        int i = 0;
        while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '-' && i + 1 < line.length() && line.charAt(i + 1) == ' ')) i++;
        return i;
    }

    /** How a value of {@code type} is written, for "expected ...". */
    static String expected(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) return "a whole number";
        if (type == Double.class || type == double.class || type == Float.class) return "a number";
        if (type == Boolean.class || type == boolean.class) return "true or false";
        if (type == String.class) return "text";
        if (type == Duration.class) return "a duration like 500ms, 3s, 2m or 1h";
        if (type == Size.class) return "a size like 512k, 16M or 1G";
        if (type == Percent.class) return "a percentage 0-100 like 80 or 80%";
        if (type.isEnum()) {
            List<String> names = new ArrayList<>();
            for (Object c : type.getEnumConstants()) names.add(c.toString());
            return "one of " + String.join(", ", names);
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) return "a list";
        if (Map.class.isAssignableFrom(type)) return "a mapping of 'key: value' lines";
        Expect e = type.getAnnotation(Expect.class);
        if (e != null) return e.value();
        if (type.isRecord()) return "a mapping with keys " + String.join(", ", keysOf(type));
        return type.getSimpleName().toLowerCase(Locale.ROOT);
    }

    /** The known key nearest to a misspelt one (edit distance at most 2), or null. */
    static String closest(String typo, List<String> known) {
        String best = null;
        int bestD = 3;
        for (String k : known) {
            int d = distance(typo.toLowerCase(Locale.ROOT), k);
            if (d < bestD) { best = k; bestD = d; }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
    }
}
