import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** catalog.json, jbang-catalog.json, README.md, scripts/ and the harness agree with each other. */
class CatalogTest {
    static final Path REPO = Proc.REPO;

    static JsonNode json(String file) throws IOException {
        return new ObjectMapper().readTree(REPO.resolve(file).toFile());
    }

    static TreeSet<String> scriptNames() throws IOException {
        try (Stream<Path> s = Files.list(REPO.resolve("scripts"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".java"))
                    .map(n -> n.substring(0, n.length() - 5)).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }

    @Test void everyScriptIsInBothCatalogsAndTheReadme() throws IOException {
        JsonNode catalog = json("catalog.json"), jbang = json("jbang-catalog.json");
        String readme = Files.readString(REPO.resolve("README.md"));
        TreeSet<String> inCatalog = new TreeSet<>(), inJbang = new TreeSet<>();
        for (JsonNode s : catalog.get("scripts")) {
            String name = s.get("name").asText();
            inCatalog.add(name);
            assertEquals("scripts/" + name + ".java", s.get("file").asText(), name);
            for (String key : List.of("summary", "usage", "examples", "exit_codes")) assertTrue(s.has(key), name + " lacks " + key);
            assertTrue(s.get("examples").size() > 0, name + " has no examples");
            JsonNode alias = jbang.get("aliases").get(name);
            assertTrue(alias != null, "jbang-catalog.json has no alias " + name);
            assertEquals(s.get("file").asText(), alias.get("script-ref").asText(), name);
            assertEquals(s.get("summary").asText(), alias.get("description").asText(), "one summary for " + name);
            assertTrue(readme.contains(name + "@ops"), "README.md does not mention " + name + "@ops");
        }
        jbang.get("aliases").fieldNames().forEachRemaining(inJbang::add);
        assertEquals(scriptNames(), inCatalog, "catalog.json vs scripts/");
        assertEquals(scriptNames(), inJbang, "jbang-catalog.json vs scripts/");
    }

    /**
     * catalog.json is the one source: jbang-catalog.json is exactly what it implies (an alias a
     * script, in catalog order, with the summary as description), and the README's table is exactly
     * what `ops --format md` prints from it. OPS_CATALOG=update rewrites both from catalog.json.
     */
    @Test void jbangCatalogAndTheReadmeTableAreGeneratedFromCatalogJson() throws IOException {
        JsonNode catalog = json("catalog.json");
        var mapper = new ObjectMapper();
        var aliases = mapper.createObjectNode();
        for (JsonNode s : catalog.get("scripts")) {
            var a = aliases.putObject(s.get("name").asText());
            a.put("script-ref", s.get("file").asText());
            a.put("description", s.get("summary").asText());
        }
        var jbang = mapper.createObjectNode();
        jbang.set("aliases", aliases);
        String wantJbang = mapper.writer(new com.fasterxml.jackson.core.util.DefaultPrettyPrinter()
                .withObjectIndenter(new com.fasterxml.jackson.core.util.DefaultIndenter("  ", "\n"))).writeValueAsString(jbang)
                .replace("\" : ", "\": ") + "\n";
        String table = ScriptRun.run(ops::main, "--format", "md").out();
        Path readmeFile = REPO.resolve("README.md"), jbangFile = REPO.resolve("jbang-catalog.json");
        String readme = Files.readString(readmeFile);
        int start = readme.indexOf("| script | what it does | run it |"), end = readme.indexOf("\n\n", start);
        assertTrue(start >= 0 && end > start, "README.md has no script table");
        if ("update".equals(System.getenv("OPS_CATALOG"))) {
            Files.writeString(jbangFile, wantJbang);
            Files.writeString(readmeFile, readme.substring(0, start) + table.strip() + readme.substring(end));
            return;
        }
        assertEquals(wantJbang, Files.readString(jbangFile), "jbang-catalog.json is generated from catalog.json (OPS_CATALOG=update rewrites it)");
        assertEquals(table.strip(), readme.substring(start, end), "README's table is `ops --format md` (OPS_CATALOG=update rewrites it)");
    }

    /** Every exit code catalog.json names is in the script's --help, and --help names no other (130/143 is one entry). */
    @Test void helpAndCatalogNameTheSameExitCodes() throws Exception {
        for (JsonNode s : json("catalog.json").get("scripts")) {
            String name = s.get("name").asText();
            String help = GoldenTest.helpOf(name);
            int at = help.indexOf("Exit codes:");
            assertTrue(at >= 0, name + " --help has no 'Exit codes:' section");
            TreeSet<String> inHelp = new TreeSet<>(), inCatalog = new TreeSet<>();
            for (String line : help.substring(at).lines().skip(1).toList()) {
                var m = java.util.regex.Pattern.compile("^  (\\d+)(?:/\\d+)?  ").matcher(line);
                if (m.find()) inHelp.add(m.group(1));
            }
            s.get("exit_codes").fieldNames().forEachRemaining(inCatalog::add);
            assertEquals(inCatalog, inHelp, name + ": exit codes in catalog.json vs --help");
        }
    }

    /**
     * Each script's resolved class path (JBang's, as it runs the script) holds one version of each
     * library family whose jars must match: Jackson's, the Prometheus client's, BouncyCastle's, JNA's.
     * A transitive dependency's parent POM can pin an older version of part of a family (bcrypt's
     * pinned jackson-core 2.14.2 under jackson-dataformat-yaml 2.20.1): a mix that loads, then fails
     * on the first call into what the older jar lacks.
     */
    @Test void everyScriptRunsOneVersionOfEachLibraryFamily() throws IOException {
        java.util.Map<String, String> families = java.util.Map.of("com/fasterxml/jackson/", "Jackson", "io/prometheus/", "the Prometheus client",
                "org/bouncycastle/", "BouncyCastle", "net/java/dev/jna/", "JNA");
        java.util.regex.Pattern jar = java.util.regex.Pattern.compile("/repository/(.+)/([^/]+)/([^/]+)/\\2-\\3\\.jar$");
        for (String name : scriptNames()) {
            var r = Proc.run(List.of(REPO.resolve("jbang").toString(), "info", "classpath", "scripts/" + name + ".java"), java.time.Duration.ofMinutes(5),
                    java.util.Map.of(), null, REPO);
            assertEquals(0, r.exit(), name + ": jbang info classpath: " + r);
            java.util.Map<String, java.util.TreeSet<String>> versions = new java.util.TreeMap<>();
            for (String entry : r.out().strip().split(":")) {
                var m = jar.matcher(entry);
                if (!m.find()) continue;
                String version = m.group(3).replaceAll("^(\\d+\\.\\d+).*", "$1");        // Jackson's annotations are 2.20 beside 2.20.1
                families.forEach((prefix, family) -> {
                    if ((m.group(1) + "/").startsWith(prefix)) versions.computeIfAbsent(family, k -> new java.util.TreeSet<>()).add(m.group(2) + " " + version);
                });
            }
            versions.forEach((family, jars) -> {
                long distinct = jars.stream().map(j -> j.substring(j.indexOf(' ') + 1)).distinct().count();
                assertEquals(1, distinct, name + " runs mixed versions of " + family + ": " + jars);
            });
        }
    }

    /**
     * Each lib file names in its own //SOURCES every other lib file it uses (imports from other
     * packages, simple names from its own), and a script names exactly the lib files it imports:
     * JBang builds a script from these lines alone, while the harness compiles all of lib/ at once
     * and would not notice a missing one.
     */
    @Test void everyFileNamesTheLibFilesItUsesInItsSources() throws IOException {
        java.util.Map<String, Path> lib = new java.util.TreeMap<>();          // "net.Targets" -> file
        try (Stream<Path> s = Files.walk(REPO.resolve("lib"), 2)) {
            s.filter(p -> p.toString().endsWith(".java")).forEach(p ->
                    lib.put(p.getParent().getFileName() + "." + p.getFileName().toString().replace(".java", ""), p.normalize()));
        }
        List<Path> files = new ArrayList<>(lib.values());
        try (Stream<Path> s = Files.list(REPO.resolve("scripts"))) { s.filter(p -> p.toString().endsWith(".java")).sorted().forEach(files::add); }
        List<String> problems = new ArrayList<>();
        for (Path f : files) {
            String text = Files.readString(f);
            TreeSet<Path> named = new TreeSet<>(), used = new TreeSet<>();
            for (String line : text.lines().toList()) {
                if (line.startsWith("//SOURCES ")) for (String x : line.substring(10).trim().split("\\s+")) named.add(f.getParent().resolve(x).normalize());
            }
            var imports = java.util.regex.Pattern.compile("(?m)^import ([a-z]+\\.\\w+);").matcher(text);
            while (imports.find()) if (lib.containsKey(imports.group(1))) used.add(lib.get(imports.group(1)));
            boolean inLib = f.startsWith(REPO.resolve("lib"));
            if (inLib) {
                String pkg = f.getParent().getFileName().toString();
                String code = text.replaceAll("(?m)^import .*$", "").replaceAll("\"(?:\\\\.|[^\"\\\\\n])*\"", "\"\"")
                        .replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
                lib.forEach((name, p) -> {
                    if (name.startsWith(pkg + ".") && !p.equals(f.normalize())
                            && java.util.regex.Pattern.compile("(?<![\\w.])" + name.substring(pkg.length() + 1) + "\\b").matcher(code).find()) used.add(p);
                });
            }
            TreeSet<Path> missing = new TreeSet<>(used);
            missing.removeAll(named);
            if (!missing.isEmpty()) problems.add(REPO.relativize(f) + " uses but does not name " + missing.stream().map(p -> REPO.relativize(p).toString()).toList());
            if (!inLib) {
                TreeSet<Path> extra = new TreeSet<>(named);
                extra.removeAll(used);
                if (!extra.isEmpty()) problems.add(REPO.relativize(f) + " names but does not import " + extra.stream().map(p -> REPO.relativize(p).toString()).toList());
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test void everyScriptHasTheDirectivesAndAHeader() throws IOException {
        for (String name : scriptNames()) {
            String src = Files.readString(REPO.resolve("scripts/" + name + ".java"));
            // Run directly (./scripts/NAME.java, no jbang on PATH): sh runs the first line, which hands
            // the script to this checkout's launcher; for Java and JBang it is a comment.
            assertTrue(src.startsWith("//usr/bin/true; exec \"$(dirname \"$(readlink -f \"$0\")\")/../jbang\" \"$0\" \"$@\"\n"), name + ": first line");
            assertTrue(src.contains("\n//JAVA 21+\n"), name + ": //JAVA 21+");
            assertTrue(src.contains("What it does:") && src.contains("When to use it:") && src.contains("What it costs"),
                    name + ": header comment must say what it does, when to use it and what it costs");
            assertTrue(src.contains("public class " + name + " "), name + ": class named like the file");
            assertTrue(Files.isExecutable(REPO.resolve("scripts/" + name + ".java")), name + " is not executable");
        }
    }

    @Test void theHarnessCompilesEveryScriptAndRunsEveryTestClass() throws IOException {
        String run = Files.readString(REPO.resolve("tests/run.java"));
        for (String name : scriptNames()) assertTrue(run.contains("../scripts/" + name + ".java"), "tests/run.java does not source " + name);
        List<String> tests = new ArrayList<>();
        try (Stream<Path> s = Files.list(REPO.resolve("tests"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith("Test.java")).forEach(tests::add);
        }
        for (String t : tests) {
            String cls = t.substring(0, t.length() - 5);
            assertTrue(run.contains(" " + t) || run.contains(t + " ") || run.contains(t + "\n"), "tests/run.java does not source " + t);
            assertTrue(run.contains(cls + ".class"), "run.ALL does not list " + cls);
        }
    }

    @Test void readmeNamesTheTwoCommandsAndCiRunsTheTestOne() throws IOException {
        String readme = Files.readString(REPO.resolve("README.md"));
        String ci = Files.readString(REPO.resolve(".ci/run"));
        assertTrue(readme.contains("./jbang probe@ops examples/hosts.txt"), "README: the main job");
        assertTrue(readme.contains("./jbang tests/run.java"), "README: the test command");
        assertTrue(ci.contains("./jbang tests/run.java"), ".ci/run must call the README's test command");
    }

    /** Help wraps at 80 columns in every script, like the rest of a terminal's tools. */
    @Test void everyHelpFits80Columns() throws Exception {
        for (String name : scriptNames()) {
            var main = Class.forName(name).getMethod("main", String[].class);
            var r = ScriptRun.run(args -> {
                try {
                    main.invoke(null, (Object) args);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    if (e.getCause() instanceof RuntimeException re) throw re;
                    throw new IllegalStateException(e.getCause());
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }, "--help");
            assertEquals(0, r.exit(), name + ": " + r);
            for (String line : r.out().lines().toList()) assertTrue(line.length() <= 80, name + " --help, " + line.length() + " columns: " + line);
        }
    }

    @Test void opsListsTheCatalog() {
        var r = ScriptRun.run(ops::main);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().matches("(?s)(.*\\n)?probe +Check a fleet's TCP/SSH reachability.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\nfanout +Run a command on many hosts over SSH.*"), r.out());
        for (String line : r.out().lines().toList()) assertTrue(line.length() <= 120, "fits 120 columns: " + line);
        var one = ScriptRun.run(ops::main, "probe");
        assertTrue(one.out().contains("Exit codes:") && one.out().contains("jbang probe@ops hosts.txt"), one.out());
        var bad = ScriptRun.run(ops::main, "nope");
        assertEquals(2, bad.exit());
        assertEquals("ops: no script named 'nope' (try: ops)\n", bad.err());
        assertEquals("ops: no script named 'prbe'; did you mean probe? (try: ops)\n", ScriptRun.run(ops::main, "prbe").err());
    }
}
