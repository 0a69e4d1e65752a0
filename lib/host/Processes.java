package host;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;

/**
 * Process lists for people: the top N by a key, java command lines shortened to what runs; and
 * which files processes hold open (lsof's view of /proc/PID/fd).
 */
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

    /**
     * Every file some process has open, keyed by its identity (the {@code fileKey()} of its
     * attributes: device and inode), each with the holders as "PID (comm)". Reads /proc/PID/fd/N:
     * stat through the link names the open file itself, even after a rename. Processes that exit
     * meanwhile and descriptors we may not read (another user's, when not root) are passed over;
     * {@code unreadable} counts the processes whose descriptors we could not list.
     */
    public static Map<Object, List<String>> openFiles(int[] unreadable) throws java.io.IOException {
        Map<Object, List<String>> open = new java.util.HashMap<>();
        long self = ProcessHandle.current().pid();
        try (var procs = java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc"), "[0-9]*")) {
            for (java.nio.file.Path pid : procs) {
                if (pid.getFileName().toString().equals(String.valueOf(self))) continue;   // our own scan is not a holder
                String holder = null;
                // Read the names first and close the listing: one descriptor of ours at a time.
                List<java.nio.file.Path> fds = new ArrayList<>();
                try (var s = java.nio.file.Files.newDirectoryStream(pid.resolve("fd"))) {
                    s.forEach(fds::add);
                } catch (java.nio.file.AccessDeniedException e) {
                    if (unreadable != null) unreadable[0]++;
                    continue;
                } catch (java.io.IOException | java.nio.file.DirectoryIteratorException e) {
                    continue;                                   // the process is gone
                }
                for (java.nio.file.Path fd : fds) {
                    Object key;
                    try {
                        var a = java.nio.file.Files.readAttributes(fd, java.nio.file.attribute.BasicFileAttributes.class);
                        if (!a.isRegularFile()) continue;       // sockets, pipes, ttys, directories
                        key = a.fileKey();
                    } catch (java.io.IOException e) {
                        continue;
                    }
                    if (holder == null) holder = pid.getFileName() + " (" + comm(pid) + ")";
                    List<String> hs = open.computeIfAbsent(key, k -> new ArrayList<>(1));
                    if (!hs.contains(holder)) hs.add(holder);
                }
            }
        }
        return open;
    }

    private static String comm(java.nio.file.Path pid) {
        try {
            return java.nio.file.Files.readString(pid.resolve("comm")).strip();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
