package host;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;

/** Process lists for people: the top N by a key, java command lines shortened to what runs. */
public final class Processes {
    private Processes() {}

    public static List<Map<String, Object>> topBy(List<Map<String, Object>> rows, String key, int n) {
        List<Map<String, Object>> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparing((Map<String, Object> r) -> r.get(key) == null ? Double.NEGATIVE_INFINITY : ((Number) r.get(key)).doubleValue())
                .reversed());
        List<Map<String, Object>> out = new ArrayList<>();
        for (var r : sorted) {
            if (out.size() == n) break;
            // Top by CPU lists what used CPU: idle kernel threads at 0.0% are not "top".
            if (key.equals("cpu_pct") && !(r.get(key) instanceof Number v && v.doubleValue() > 0)) break;
            Map<String, Object> m = new LinkedHashMap<>(r);
            String cmd = shortCommand((String) m.get("command"));
            m.put("command", cmd.length() > 80 ? cmd.substring(0, 77) + "..." : cmd);
            out.add(m);
        }
        return out;
    }

    /** JVM options with a value after them, which shortCommand drops together. */
    private static final java.util.Set<String> JAVA_OPTS_WITH_VALUE = java.util.Set.of("-cp", "-classpath", "--class-path",
            "-p", "--module-path", "--add-opens", "--add-exports", "--add-modules", "--add-reads", "--patch-module",
            "--limit-modules", "--upgrade-module-path", "--enable-native-access");

    /**
     * A java command line with its JVM options and class path left out, so what runs shows within
     * the width: "java probe -H db1", "java -jar app.jar --port 8080"; other commands as they are.
     */
    public static String shortCommand(String cmd) {
        String[] w = cmd.split(" ");
        if (w.length < 2 || !(w[0].equals("java") || w[0].endsWith("/java"))) return cmd;
        int i = 1;
        while (i < w.length && w[i].startsWith("-") && !w[i].equals("-jar") && !w[i].equals("-m") && !w[i].equals("--module")) {
            i += JAVA_OPTS_WITH_VALUE.contains(w[i]) ? 2 : 1;
        }
        if (i >= w.length) return cmd;
        return "java " + String.join(" ", java.util.Arrays.copyOfRange(w, i, w.length));
    }
}
