//usr/bin/true; exec "$(dirname "$(readlink -f "$0")")/../jbang" "$0" "$@"
//JAVA 21+
//JAVA_OPTIONS -XX:+UseSerialGC -XX:-UsePerfData -XX:TieredStopAtLevel=1
//SOURCES ../lib/cli/Exit.java ../lib/cli/InputError.java ../lib/cli/Tool.java ../lib/cli/Words.java ../lib/report/Chat.java
//SOURCES ../lib/report/Format.java ../lib/report/Table.java
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//FILES catalog.json=../catalog.json

/*
 * ops -- what is in this collection?
 *
 * What it does: lists every ops script from the collection's own index (catalog.json, bundled
 * into this script), with a one-line summary; `ops NAME` shows its usage, examples and exit codes.
 *
 * `ops export NAME --to DIR` writes a bundle for a host with no Java, no JBang, no Maven and no
 * network: a jlink'd runtime with only the modules NAME needs, the app and its jars, an AOT cache
 * trained on that runtime, and a one-line launcher `DIR/NAME`. `--jar FILE` writes a plain fat
 * jar instead, for hosts that have a JDK 21+ (`java -jar FILE`).
 *
 * When to use it: the first command a newcomer runs (`jbang ops@ops`); `export` before copying a
 * tool to a host that must not get a JDK or JBang (copy with tar, rsync -a or scp -rp: the AOT
 * cache checks the jars' timestamps and is skipped, not trusted, when they changed).
 *
 * What it costs: listing, nothing outside this process. export: a JBang build, jdeps, jlink and one
 * training run of the tool (`--help` unless catalog.json names safer training arguments), all
 * local; about 60 MB in DIR.
 */

import cli.Exit;
import cli.InputError;
import cli.Tool;
import cli.Words;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import report.Chat;
import report.Format;
import report.Table;

@Command(name = "ops", mixinStandardHelpOptions = true, version = "ops 0.1",
        description = "List the ops scripts, or show one script's usage, examples and exit codes.",
        subcommands = ops.Export.class,
        footer = {"%nExamples:", "  jbang ops@ops", "  jbang ops@ops probe", "  jbang ops@ops --format json | jq .",
                  "  ./jbang ops@ops export probe --to /tmp/probe-bundle",
                  "%nExit codes:", "  0  listed, or the bundle was written",
                  "  2  unknown script name, bad option, or an export target that is not empty",
                  "  3  an export step failed (JBang, jdeps, jlink, the training run)"})
public class ops implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "SCRIPT", description = "Show this script in detail.")
    String name;

    @Option(names = {"-o", "--format"}, defaultValue = "table", converter = Format.Lists.class, completionCandidates = Format.Lists.class,
            description = "table, md (GitHub/Mattermost), slack, dingtalk or wecom (each chat's own markup, escaped) or json (default: ${DEFAULT-VALUE}).")
    Format format;

    /** A terminal of 120 columns shows the list unwrapped, like every ops table. */
    static final int WIDTH = 120;

    public static void main(String... args) {
        Tool.main(new ops(), args);
    }

    @Override
    public Integer call() throws Exception {
        JsonNode catalog = catalog();
        PrintStream out = System.out;
        JsonNode scripts = catalog.get("scripts");
        if (name != null) {
            for (JsonNode s : scripts) if (s.get("name").asText().equals(name)) return show(s, out);
            List<String> names = new ArrayList<>();
            scripts.forEach(s -> names.add(s.get("name").asText()));
            String near = Words.nearest(name, names);
            throw new InputError("no script named '" + name + "'" + (near == null ? "" : "; did you mean " + near + "?") + " (try: ops)");
        }
        if (format == Format.json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(catalog));
            return Exit.OK;
        }
        if (format.chat()) Chat.print(format, null, null, o -> list(scripts, Format.table, o), out);
        else list(scripts, format, out);
        return Exit.OK;
    }

    /** The scripts, one a line (table) or as a Markdown table (md). */
    void list(JsonNode scripts, Format f, PrintStream out) {
        int width = 0;
        for (JsonNode s : scripts) width = Math.max(width, s.get("name").asText().length());
        if (f == Format.md) {
            out.println("| script | what it does | run it |");
            out.println("|---|---|---|");
        }
        for (JsonNode s : scripts) {
            String n = s.get("name").asText(), summary = s.get("summary").asText();
            if (f == Format.md) out.println("| `" + n + "` | " + summary + " | " + Table.code(s.get("examples").get(0).asText()).replace("|", "\\|") + " |");
            else out.printf("%-" + width + "s  %s%n", n, summary.length() + width + 2 <= WIDTH ? summary
                    : summary.substring(0, WIDTH - width - 5) + "...");
        }
        if (f == Format.table) out.println("\nDetails: jbang ops@ops NAME; every script also has --help.");
    }

    static JsonNode catalog() throws java.io.IOException {
        try (InputStream in = ops.class.getResourceAsStream("/catalog.json")) {
            if (in == null) throw new IllegalStateException("catalog.json is not bundled with this script");
            return new ObjectMapper().readTree(in);
        }
    }

    int show(JsonNode s, PrintStream out) throws Exception {
        if (format == Format.json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(s));
            return Exit.OK;
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
        return Exit.OK;
    }

    // ---- export ---------------------------------------------------------------------------------

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Write a self-contained bundle of one script: jlink'd runtime, app, AOT cache, launcher.",
                "Run it from a checkout: ./jbang ops@ops export NAME --to DIR."},
            footer = {"%nExamples:", "  ./jbang ops@ops export probe --to /tmp/probe && /tmp/probe/probe hosts.txt",
                      "  tar -C /tmp -czf probe.tgz probe; scp probe.tgz host:  # then: tar xzf probe.tgz; probe/probe -H db1",
                      "  ./jbang ops@ops export probe --jar /tmp/probe.jar && java -jar /tmp/probe.jar -H db1",
                      "%nExit codes:", "  0  written", "  2  bad usage: unknown script, DIR not empty (nothing written)",
                      "  3  a step failed (JBang, jdeps, jlink, the training run); nothing is left in DIR"})
    static final class Export implements java.util.concurrent.Callable<Integer> {
        @Parameters(paramLabel = "SCRIPT", description = "The script to export, e.g. probe.")
        String name;

        @Option(names = "--to", paramLabel = "DIR", description = "Write the bundle here (new or empty directory).")
        Path to;

        @Option(names = "--jar", paramLabel = "FILE", description = "Write a fat jar instead (needs a JDK 21+ where it runs).")
        Path jar;

        /** A build step (JBang, jdeps, jlink, the training run) failed: exit 3, nothing left behind. */
        static final class StepFailed extends RuntimeException {
            StepFailed(String message) { super(message); }
        }

        @Override public Integer call() throws Exception {
            try {
                return export();
            } catch (StepFailed e) {
                System.err.println("ops export: " + e.getMessage());
                return Exit.TOOL_ERROR;
            }
        }

        int export() throws Exception {
            if ((to == null) == (jar == null)) throw new InputError("give exactly one of --to DIR or --jar FILE");
            JsonNode entry = null;
            for (JsonNode s : catalog().get("scripts")) if (s.get("name").asText().equals(name)) entry = s;
            if (entry == null) throw new InputError("no script named '" + name + "' (try: ops)");
            String home = System.getProperty("ops.home");
            if (home == null) throw new InputError("run it from a checkout: ./jbang ops@ops export " + name + " ...");
            Path script = Path.of(home, entry.get("file").asText());
            Path launcher = Path.of(home, "jbang");
            if (jar != null) return fatJar(launcher, script);
            if (Files.exists(to) && (!Files.isDirectory(to) || Files.list(to).findAny().isPresent())) {
                throw new InputError("" + to + " exists and is not an empty directory");
            }
            Path jdkBin = Path.of(System.getProperty("java.home"), "bin");
            if (!Files.isExecutable(jdkBin.resolve("jlink"))) {
                throw new InputError("" + System.getProperty("java.home") + " has no jlink: run it with a full JDK 21+");
            }
            Path parent = to.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempDirectory(parent, "." + name + "-export-",
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
            try {
                bundle(launcher, script, jdkBin, entry, tmp);
                if (Files.exists(to)) Files.delete(to);
                Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                if (Files.exists(tmp)) run(List.of("rm", "-rf", tmp.toString()), null);
            }
            System.out.println("ops export: " + to.resolve(name) + " (" + du(to) + "; runtime " + du(to.resolve("runtime"))
                    + ", app " + du(to.resolve("app")) + "); copy it with tar, rsync -a or scp -rp");
            return Exit.OK;
        }

        void bundle(Path launcher, Path script, Path jdkBin, JsonNode entry, Path dir) throws Exception {
            JsonNode info = info(launcher, script);
            Path app = Files.createDirectories(dir.resolve("app/lib"));
            Files.copy(Path.of(info.get("applicationJar").asText()), dir.resolve("app/" + name + ".jar"));
            List<String> cp = new ArrayList<>(List.of("app/" + name + ".jar"));
            String picocli = null;
            for (JsonNode d : info.get("resolvedDependencies")) {
                Path src = Path.of(d.asText());
                Files.copy(src, app.resolve(src.getFileName()));
                String rel = "app/lib/" + src.getFileName();
                if (src.getFileName().toString().startsWith("picocli-")) picocli = rel; else cp.add(rel);
            }
            List<String> jvm = new ArrayList<>();
            info.path("runtimeOptions").forEach(o -> jvm.add(o.asText()));
            if (picocli != null) jvm.add("-Xbootclasspath/a:$d/" + picocli);    // as ./jbang runs it: see there

            // The modules it needs, as jdeps finds them; java.desktop, java.sql and the like only when our
            // own code uses them: Jackson and JNA reference them for optional features and run without.
            List<String> jars = new ArrayList<>();
            try (var s = Files.list(app)) { s.forEach(p -> jars.add(p.toString())); }
            String appJar = dir.resolve("app/" + name + ".jar").toString();
            java.util.Set<String> all = jdeps(jdkBin, jars, appJar, jars), own = jdeps(jdkBin, jars, appJar, List.of("--no-recursive"));
            java.util.Set<String> dropped = new java.util.TreeSet<>(all);
            all.removeIf(m -> OPTIONAL_MODULES.contains(m) && !own.contains(m));
            dropped.removeAll(all);
            // jdeps names java.sql for what its `requires transitive` brings (java.logging, which JNA uses):
            // dropping java.sql must keep those.
            for (String m : dropped) {
                ModuleLayer.boot().findModule(m).ifPresent(mod -> mod.getDescriptor().requires().stream()
                        .filter(r -> r.modifiers().contains(java.lang.module.ModuleDescriptor.Requires.Modifier.TRANSITIVE))
                        .map(java.lang.module.ModuleDescriptor.Requires::name).filter(n -> !OPTIONAL_MODULES.contains(n)).forEach(all::add));
            }
            String modules = String.join(",", all);
            List<String> jlink = new ArrayList<>(List.of(jdkBin.resolve("jlink").toString(), "--add-modules", modules,
                    "--strip-debug", "--no-man-pages", "--no-header-files", "--compress=zip-6"));
            if (Files.isExecutable(Path.of("/usr/bin/objcopy"))) jlink.add("--strip-native-debug-symbols=objcopy=/usr/bin/objcopy");
            jlink.addAll(List.of("--output", dir.resolve("runtime").toString()));
            run(jlink, null);

            // An AOT cache made by this very runtime, from one training run.
            String mainClass = info.get("mainClass").asText();
            List<String> train = new ArrayList<>(List.of("--help"));
            if (entry.has("aot_training")) { train.clear(); entry.get("aot_training").forEach(a -> train.add(a.asText())); }
            String java = dir.resolve("runtime/bin/java").toString();
            List<String> base = new ArrayList<>();
            for (String o : jvm) base.add(o.replace("$d/", dir + "/"));
            // Absolute paths: the JVM accepts the cache after a move when only the common prefix changed.
            base.addAll(List.of("-Xlog:aot=off", "-Xlog:cds=off", "-cp", String.join(":", cp.stream().map(c -> dir + "/" + c).toList()), mainClass));
            Path conf = dir.resolve("app/" + name + ".aotconf");
            List<String> record = new ArrayList<>(List.of(java, "-XX:AOTMode=record", "-XX:AOTConfiguration=" + conf,
                    "-XX:+UnlockDiagnosticVMOptions", "-XX:-DisplayVMOutput"));
            record.addAll(base);
            record.addAll(train);
            run(record, dir, 0, 1);                    // a training run that finds a failure still trains
            List<String> create = new ArrayList<>(List.of(java, "-XX:AOTMode=create", "-XX:AOTConfiguration=" + conf,
                    "-XX:AOTCache=" + dir.resolve("app/" + name + ".aot")));
            create.addAll(base);
            run(create, dir);
            Files.delete(conf);

            // The launcher: one line, relative to wherever the bundle lands (symlinks followed).
            String flags = String.join(" ", jvm.stream().map(o -> "\"" + o + "\"").toList());
            String sh = "#!/bin/sh\n# " + name + " from the ops collection, exported by `ops export`; runs with the runtime beside it.\n"
                    + "d=$(dirname \"$(readlink -f \"$0\")\") && exec \"$d/runtime/bin/java\" \"-XX:AOTCache=$d/app/" + name + ".aot\" "
                    + "-Xlog:aot=off -Xlog:cds=off " + flags + " -cp \"" + String.join(":", cp.stream().map(c -> "$d/" + c).toList())
                    + "\" " + mainClass + " \"$@\"\n";
            Path bin = dir.resolve(name);
            Files.writeString(bin, sh);
            bin.toFile().setExecutable(true, false);
        }

        /** One jar with the app and every dependency (services files merged), for `java -jar`. */
        int fatJar(Path launcher, Path script) throws Exception {
            if (Files.exists(jar)) throw new InputError(jar + " exists");
            JsonNode info = info(launcher, script);
            List<Path> inputs = new ArrayList<>(List.of(Path.of(info.get("applicationJar").asText())));
            info.get("resolvedDependencies").forEach(d -> inputs.add(Path.of(d.asText())));
            var manifest = new java.util.jar.Manifest();
            manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
            manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MAIN_CLASS, info.get("mainClass").asText());
            manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MULTI_RELEASE, "true");
            java.util.Map<String, java.io.ByteArrayOutputStream> services = new java.util.TreeMap<>();
            java.util.Set<String> seen = new java.util.HashSet<>();
            Path tmp = jar.toAbsolutePath().resolveSibling(".tmp-" + jar.getFileName());
            try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(tmp), manifest)) {
                for (Path in : inputs) {
                    try (var zip = new java.util.zip.ZipFile(in.toFile())) {
                        for (var e : java.util.Collections.list(zip.entries())) {
                            String n = e.getName();
                            if (e.isDirectory() || n.equalsIgnoreCase("META-INF/MANIFEST.MF") || n.endsWith("module-info.class")
                                    || n.matches("(?i)META-INF/[^/]+\\.(SF|RSA|DSA|EC)")) continue;
                            byte[] bytes = zip.getInputStream(e).readAllBytes();
                            if (n.startsWith("META-INF/services/")) {
                                services.computeIfAbsent(n, k -> new java.io.ByteArrayOutputStream()).writeBytes(bytes);
                                services.get(n).write('\n');
                            } else if (seen.add(n)) {                  // first one wins, like the class path
                                out.putNextEntry(new java.util.jar.JarEntry(n));
                                out.write(bytes);
                            }
                        }
                    }
                }
                for (var e : services.entrySet()) {
                    out.putNextEntry(new java.util.jar.JarEntry(e.getKey()));
                    out.write(e.getValue().toByteArray());
                }
            } catch (java.io.IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            Files.move(tmp, jar, StandardCopyOption.ATOMIC_MOVE);
            StringBuilder flags = new StringBuilder();
            info.path("runtimeOptions").forEach(o -> flags.append(o.asText()).append(' '));
            System.out.println("ops export: " + jar + " (" + du(jar) + "); run it with: java " + flags + "-jar " + jar);
            return Exit.OK;
        }

        /** What JBang would run (app jar, dependencies, main class, JVM options), built first. */
        static JsonNode info(Path launcher, Path script) throws Exception {
            run(List.of(launcher.toString(), "build", script.toString()), null);
            return new ObjectMapper().readTree(run(List.of(launcher.toString(), "info", "tools", script.toString()), null));
        }

        static final java.util.Set<String> OPTIONAL_MODULES = java.util.Set.of("java.desktop", "java.sql", "java.sql.rowset",
                "java.transaction.xa", "java.prefs", "java.datatransfer");

        static java.util.Set<String> jdeps(Path jdkBin, List<String> classPath, String appJar, List<String> more) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(jdkBin.resolve("jdeps").toString(), "--ignore-missing-deps", "-q",
                    "--multi-release", String.valueOf(Runtime.version().feature()), "--print-module-deps",
                    "--class-path", String.join(":", classPath)));
            cmd.addAll(more);
            cmd.add(appJar);
            return new java.util.TreeSet<>(List.of(run(cmd, null).trim().split(",")));
        }

        /** Runs a step; its stdout is returned, its stderr shown only when it fails (exit 3). */
        static String run(List<String> cmd, Path dir, int... okCodes) throws Exception {
            Path err = Files.createTempFile("ops-export", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                if (dir != null) pb.directory(dir.toFile());
                Process p = pb.start();
                String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                int code = p.waitFor();
                boolean ok = okCodes.length == 0 ? code == 0 : java.util.Arrays.stream(okCodes).anyMatch(c -> c == code);
                if (!ok) {
                    System.err.print(Files.readString(err));
                    throw new StepFailed(Path.of(cmd.get(0)).getFileName() + " " + cmd.get(1) + " failed with exit " + code + " (its output is above)");
                }
                return out;
            } finally {
                Files.delete(err);
            }
        }

        static String du(Path p) throws Exception {
            return run(List.of("du", "-sh", p.toString()), null).split("\\s")[0];
        }
    }
}
