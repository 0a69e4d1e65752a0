package netconf;

//DEPS io.github.java-diff-utils:java-diff-utils:4.12

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import java.util.List;

/** A unified diff of two pretty-printed configurations (running before, candidate after), as `diff -u` shows it. */
public final class Diff {
    private Diff() {}

    /** The diff's lines, or an empty list when the two are the same. */
    public static List<String> unified(String before, String after, String beforeName, String afterName) {
        List<String> a = before.lines().toList(), b = after.lines().toList();
        var patch = DiffUtils.diff(a, b);
        if (patch.getDeltas().isEmpty()) return List.of();
        return UnifiedDiffUtils.generateUnifiedDiff(beforeName, afterName, a, patch, 3);
    }
}
