import cli.Jvm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Runs a script's main in this JVM, capturing stdout, stderr and the exit code (the harness installs
 * Jvm.inProcess(), so a script's exit throws Jvm.ExitCalled instead of ending the JVM).
 */
public final class ScriptRun {
    private ScriptRun() {}

    public record Result(int exit, String out, String err) {
        public JsonNode json() {
            try {
                return new ObjectMapper().readTree(out);
            } catch (Exception e) {
                throw new AssertionError("stdout is not JSON: " + e.getMessage() + "\n" + out + "\nstderr:\n" + err);
            }
        }
        /** The JSON document's "results", keyed by each row's "target". */
        public java.util.Map<String, JsonNode> rows() {
            java.util.Map<String, JsonNode> m = new java.util.HashMap<>();
            for (JsonNode r : json().get("results")) m.put(r.get("target").asText(), r);
            return m;
        }
        @Override public String toString() { return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err; }
    }

    public static Result run(Consumer<String[]> main, String... args) {
        return withStdin("", main, args);
    }

    public static synchronized Result withStdin(String stdin, Consumer<String[]> main, String... args) {
        Jvm.install(Jvm.inProcess());
        PrintStream oldOut = System.out, oldErr = System.err;
        InputStream oldIn = System.in;
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = 0;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            main.accept(args);
        } catch (Jvm.ExitCalled e) {
            code = e.code;
        } finally {
            System.out.flush();
            System.err.flush();
            System.setOut(oldOut);
            System.setErr(oldErr);
            System.setIn(oldIn);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
