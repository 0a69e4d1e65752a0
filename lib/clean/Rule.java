package clean;

//SOURCES ../yaml/Yaml.java Free.java

import java.time.Duration;
import yaml.Yaml;

/**
 * One cleanup rule as written in a plan (or made from the command-line flags): which files under
 * which root, and what to do with them. {@link Plan#rules} checks and completes it.
 *
 * @param name        the row's name (default: the root and the pattern)
 * @param root        the directory the rule never leaves
 * @param match       a glob on the file name ("*.log.*"), or on the path under root when it has a '/'
 * @param olderThan   only files last modified longer ago than this
 * @param largerThan  only files larger than this
 * @param keep        the newest N files that match are kept whatever their age
 * @param action      delete, gzip or truncate
 * @param untilFree   stop once the filesystem has this much free (oldest files go first)
 * @param oneFileSystem false to descend into other filesystems and bind mounts under root
 */
public record Rule(String name, String root, String match, Duration olderThan, Yaml.Size largerThan, Integer keep,
                   Action action, Free untilFree, Boolean oneFileSystem) {

    /** What a rule does to the files it selects. */
    public enum Action {
        /** unlink the file (space comes back when the last link goes). */
        delete,
        /** NAME -> NAME.gz through NAME.gz.tmp, fsync, rename; the original goes last. */
        gzip,
        /** shrink to 0 bytes in place: the one action allowed on files a process has open. */
        truncate
    }

    /** The glob, the root, the action and the file-system flag, defaults filled in. */
    Rule complete(String realRoot) {
        return new Rule(name != null ? name : root + "/" + (match == null ? "*" : match), realRoot, match == null ? "*" : match,
                olderThan, largerThan, keep, action == null ? Action.delete : action, untilFree, oneFileSystem == null || oneFileSystem);
    }
}
