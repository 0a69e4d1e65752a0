import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Golden outputs that need no server: every script's --help and --version, ops in each format,
 * and the one-line errors for bad usage. The scripts' own test classes keep the goldens that need
 * their servers (probe against sshd, fanout against sshd, ...). See support/Golden.java.
 */
class GoldenTest {
    static Consumer<String[]> main(String script) {
        return args -> {
            try {
                Class.forName(script).getMethod("main", String[].class).invoke(null, (Object) args);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof RuntimeException re) throw re;
                throw new IllegalStateException(e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /** A script's --help text, from an in-process run. */
    static String helpOf(String script) {
        return ScriptRun.run(main(script), "--help").out();
    }

    @Test void everyScriptsHelpAndVersion() throws Exception {
        for (String name : CatalogTest.scriptNames()) {
            var help = ScriptRun.run(main(name), "--help");
            assertEquals(0, help.exit(), name + " " + help);
            Golden.of(help).check(name + ".help");
            Golden.of(ScriptRun.run(main(name), "--version")).check(name + ".version");
        }
    }

    @Test void opsInEachFormat() {
        Golden.of(ScriptRun.run(ops::main)).check("ops.table");
        Golden.of(ScriptRun.run(ops::main, "--format", "md")).check("ops.md");
        Golden.of(ScriptRun.run(ops::main, "--format", "json")).check("ops.json");
        Golden.of(ScriptRun.run(ops::main, "probe")).check("ops.probe");
        Golden.of(ScriptRun.run(ops::main, "fanout", "--format", "md")).check("ops.fanout.md");
        Golden.of(ScriptRun.run(ops::main, "--format", "yaml")).check("ops.bad-format");
        for (String chat : List.of("slack", "dingtalk", "wecom")) Golden.of(ScriptRun.run(ops::main, "--format", chat)).check("ops." + chat);
    }

    /** The first words a tired human gets wrong: an unknown option, a typo, a missing value. */
    @Test void badUsageOfEveryScript() throws Exception {
        for (String name : CatalogTest.scriptNames()) {
            Golden.of(ScriptRun.run(main(name), "--no-such-option")).check(name + ".bad-option");
            Golden.of(ScriptRun.run(main(name), "--formt", "json")).check(name + ".typo");
        }
    }
}
