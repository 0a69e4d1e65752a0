///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//JAVA_OPTIONS -XX:+UseSerialGC -XX:-UsePerfData -XX:TieredStopAtLevel=1
//SOURCES ../lib/Cli.java
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//FILES catalog.json=../catalog.json

/*
 * ops -- what is in this collection?
 *
 * What it does: lists every ops script from the collection's own index (catalog.json, bundled
 * into this script), with a one-line summary; `ops NAME` shows its usage, examples and exit codes.
 *
 * When to use it: the first command a newcomer runs (`jbang ops@ops`).
 *
 * What it costs: nothing outside this process.
 */

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "ops", mixinStandardHelpOptions = true, version = "ops 0.1",
        description = "List the ops scripts, or show one script's usage, examples and exit codes.",
        footer = {"%nExamples:", "  jbang ops@ops", "  jbang ops@ops probe", "  jbang ops@ops --format json | jq ."})
public class ops implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "SCRIPT", description = "Show this script in detail.")
    String name;

    @Option(names = {"-o", "--format"}, defaultValue = "table", description = "table, md or json (default: ${DEFAULT-VALUE}).")
    String format;

    public static void main(String... args) {
        Cli.main(new ops(), args);
    }

    @Override
    public Integer call() throws Exception {
        if (!java.util.List.of("table", "md", "json").contains(format)) {
            throw new Cli.InputError("--format: expected table, md or json, not '" + format + "'");
        }
        JsonNode catalog;
        try (InputStream in = ops.class.getResourceAsStream("/catalog.json")) {
            if (in == null) throw new IllegalStateException("catalog.json is not bundled with this script");
            catalog = new ObjectMapper().readTree(in);
        }
        PrintStream out = System.out;
        JsonNode scripts = catalog.get("scripts");
        if (name != null) {
            for (JsonNode s : scripts) if (s.get("name").asText().equals(name)) return show(s, out);
            throw new Cli.InputError("no script named '" + name + "' (try: ops)");
        }
        if (format.equals("json")) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(catalog));
            return Cli.OK;
        }
        int width = 0;
        for (JsonNode s : scripts) width = Math.max(width, s.get("name").asText().length());
        if (format.equals("md")) {
            out.println("| script | what it does | run it |");
            out.println("|---|---|---|");
        }
        for (JsonNode s : scripts) {
            String n = s.get("name").asText(), summary = s.get("summary").asText();
            if (format.equals("md")) out.println("| " + n + " | " + summary + " | `jbang " + n + "@ops` |");
            else out.printf("%-" + width + "s  %s%n", n, summary);
        }
        if (format.equals("table")) out.println("\nDetails: jbang ops@ops NAME; every script also has --help.");
        return Cli.OK;
    }

    int show(JsonNode s, PrintStream out) throws Exception {
        if (format.equals("json")) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(s));
            return Cli.OK;
        }
        out.println(s.get("name").asText() + " -- " + s.get("summary").asText());
        out.println();
        out.println("Usage: " + s.get("usage").asText());
        out.println();
        out.println("Examples:");
        for (JsonNode e : s.get("examples")) out.println("  " + e.asText());
        out.println();
        out.println("Exit codes:");
        s.get("exit_codes").properties().forEach(e -> out.println("  " + e.getKey() + "  " + e.getValue().asText()));
        return Cli.OK;
    }
}
