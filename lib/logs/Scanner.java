package logs;

//SOURCES ../cli/InputError.java Checkpoints.java Fingerprint.java Glob.java Tailer.java

import cli.InputError;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the files the --path globs match and keeps a {@link Tailer} for each: a new file gets
 * one (from its checkpoint, its end on a first run, or whole), a renamed one keeps its own, one
 * truncated and written again past our offset starts over. On the first scan it also finds
 * checkpointed files that were rotated while logship was down.
 */
public final class Scanner {
    private final List<Glob> globs;
    private final Checkpoints checkpoints;
    private final boolean fromBeginning, once;
    private final PrintStream err;
    /** The files followed, by device:inode, in the order they were found. */
    private final Map<String, Tailer> tailers = new LinkedHashMap<>();
    /**
     * The files that existed when we said what we follow: only those start at their end on a first run.
     * One created a moment later (before the first scan) is read whole, like any new file.
     */
    private final Set<String> existingAtStart = new HashSet<>();
    /** Files that matched at start but could not be opened (open-file limit): when they can be, they start at their end too. */
    private final Set<String> deferredAtStart = new HashSet<>();
    /** A scan added checkpoint entries for new files: written before the scan returns. */
    private boolean newCheckpoints;
    /** Matching files the last scan could not open, and the count last reported. */
    private int notOpened, notOpenedSaid;

    public Scanner(List<Glob> globs, Checkpoints checkpoints, boolean fromBeginning, boolean once, PrintStream err) {
        this.globs = globs;
        this.checkpoints = checkpoints;
        this.fromBeginning = fromBeginning;
        this.once = once;
        this.err = err;
    }

    /** Matching files the last scan could not open (the open-file limit). */
    public int notOpened() { return notOpened; }

    Collection<Tailer> followed() { return tailers.values(); }

    /**
     * At start: the first scan, then one line per --path: the files it matches now, or a warning that
     * it matches none (an error with --once: there would be nothing to ship). Nobody should stare at
     * 0 lines/s. The files said, and the rotations found (said just before), are in --state by then: a
     * kill -9 a moment later, and a rotation before the restart, lose none of their lines (the restart
     * finds them by their checkpoints).
     */
    public void sayWhatIsFollowed() throws IOException {
        List<String> said = new ArrayList<>();
        for (Glob g : globs) {
            Map<String, Glob.Found> found = new LinkedHashMap<>();
            g.matches(found, err);
            existingAtStart.addAll(found.keySet());
            if (found.isEmpty()) {
                String why = !Files.exists(g.root()) ? g.root() + " does not exist"
                        : !Files.isDirectory(g.root()) ? g.root() + " is not a directory" : "no file in " + g.root() + " matches";
                if (once) throw new InputError("--path '" + g.text() + "' matches no file (" + why + ")");
                said.add("logship: warning: --path '" + g.text() + "' matches no file yet (" + why + "); looking again every second");
                continue;
            }
            List<String> names = new ArrayList<>();
            for (Glob.Found f : found.values()) names.add(f.path().toString());
            said.add("logship: following " + names.size() + (names.size() == 1 ? " file" : " files") + " for --path '" + g.text() + "': "
                    + String.join(", ", names.subList(0, Math.min(5, names.size()))) + (names.size() > 5 ? " (+" + (names.size() - 5) + " more)" : ""));
        }
        // One save for the whole start, after every discovery, and only then the lines above:
        // followUnseenRotations trusts that a rotation last written before the checkpoint file's mtime was
        // known to the run that wrote it. A save after the first scan alone, then a kill -9 before the
        // rotations found while logship was down were added, made the next start skip those rotations for
        // good (model seed 2924078240: the last lines of an app.log.3 rotated while logship was down, lost).
        Map<String, Glob.Found> seen = scanMatches(true);
        findRotatedWhileDown(seen);
        followUnseenRotations(seen);
        saveNewCheckpoints();
        for (String l : said) err.println(l);
    }

    /** The directories to watch for changes (a change there means: scan again now). */
    List<Path> roots() {
        List<Path> l = new ArrayList<>();
        for (Glob g : globs) l.add(g.root());
        return l;
    }

    /** Finds matching files: new ones get a tailer, renamed ones keep theirs, truncated ones restart at 0. */
    void scan() throws IOException {
        scanMatches(false);
        saveNewCheckpoints();
    }

    /** {@link #scan}; {@code atStart}: the first one, where files that existed at start begin at their end on a first run. */
    private Map<String, Glob.Found> scanMatches(boolean atStart) throws IOException {
        notOpened = 0;
        Map<String, Glob.Found> seen = new LinkedHashMap<>();
        for (Glob g : globs) g.matches(seen, err);
        long now = System.nanoTime();
        for (var e : seen.entrySet()) {
            Tailer t = tailers.get(e.getKey());
            Path p = e.getValue().path();
            if (t != null) {
                if (!p.equals(t.path)) t.renamed = true;              // rotated to a name the glob also matches (app.log -> app.log.1)
                t.path = p;                                           // same file, maybe renamed
                t.goneSince = 0;
                if (t.fp.len() > 0 && !sameStart(t)) {                // same inode, new content (truncated and rewritten past our offset)
                    retire(t);
                } else {
                    continue;
                }
            }
            long start = 0;
            Checkpoints.Entry cp = checkpoints.get(e.getKey());
            try {
                Tailer nt = new Tailer(p, e.getValue().dev(), e.getValue().ino(), 0);
                long size = nt.channel.size();
                if (cp != null && cp.sameContent(nt.channel)) {
                    start = Math.min(cp.offset(), size);              // resume; a file shorter than the offset was truncated
                } else if ((atStart && existingAtStart.contains(e.getKey()) || deferredAtStart.contains(e.getKey())) && !fromBeginning && !once && !checkpoints.resumed()) {
                    start = size;                                     // first run: begin at the end, like tail -F
                }
                nt.startAt(start);
                // renamed while logship was down, or first seen as a rotation (app.log.3 beside app.log): no writer ends its last line
                nt.renamed = cp != null && !cp.path().equals(p.toString()) || rotationOfALiveFile(p);
                tailers.put(e.getKey(), nt);
                if (checkpoints.persistent() && cp == null) {
                    // On disk before anything of it ships: were it renamed while we are down, a restart could
                    // otherwise not know it (the globs match only the live name) and its lines would be lost.
                    checkpoints.putIfAbsent(Checkpoints.Entry.of(nt, Fingerprint.of(nt.channel, size), start));
                    newCheckpoints = true;
                }
                boolean deferred = deferredAtStart.remove(e.getKey());
                if (!atStart || !existingAtStart.contains(e.getKey())) {
                    err.println("logship: following " + p + (deferred ? " (now that a descriptor is free" : " (new")
                            + (start > 0 ? ", from byte " + start : "") + ")");
                }
            } catch (NoSuchFileException gone) {
                // gone already
            } catch (FileSystemException full) {
                if (!String.valueOf(full.getMessage()).contains("Too many open files")) throw full;
                notOpened++;                                          // our limit, not the file's fault: tried again next scan
                if (atStart && existingAtStart.contains(e.getKey())) deferredAtStart.add(e.getKey());
            }
        }
        if (notOpened != notOpenedSaid) {
            if (notOpened > 0) {
                err.println("logship: warning: " + notOpened + " matching files not followed: the open-file limit (ulimit -n) is reached; "
                        + "following " + tailers.size() + "; raise the limit (they are tried again every second)");
            }
            notOpenedSaid = notOpened;
        }
        for (Tailer t : tailers.values()) {
            if (!seen.containsKey(t.key()) && t.goneSince == 0) t.goneSince = now;
        }
        return seen;
    }

    private void saveNewCheckpoints() {
        if (newCheckpoints) {
            checkpoints.save();
            newCheckpoints = false;
        }
    }

    /**
     * A checkpointed file the globs no longer match was rotated while logship was down (app.log ->
     * app.log.1): found again by device, inode and fingerprint in the directory it was in, it is read
     * from its checkpoint to its end, like a file renamed while running. A checkpoint whose file is
     * nowhere to be found is dropped.
     */
    private void findRotatedWhileDown(Map<String, Glob.Found> seen) throws IOException {
        for (Checkpoints.Entry cp : checkpoints.missing(seen.keySet())) {
            String key = cp.key();
            Path was = Path.of(cp.path()), dir = was.getParent();
            // Ours if a --path still covers where it was (a file followed after a rotation was recorded under its
            // rotated name, so the name alone does not tell); a file of a --path no longer given is not.
            boolean ours = dir != null && globs.stream().anyMatch(g -> g.matcher().matches(was) || dir.startsWith(g.root()));
            Path found = null;
            if (ours && dir != null && Files.isDirectory(dir)) {
                try (var files = Files.list(dir)) {
                    for (Path p : files.toList()) {
                        Glob.Found f = Files.isRegularFile(p) && !Glob.compressed(p) ? Glob.identity(p) : null;  // null: renamed again while we looked, or a .gz (its inode may be a deleted file's)
                        if (f != null && f.dev() == cp.dev() && f.ino() == cp.ino()) {
                            found = p;
                            break;
                        }
                    }
                }
            }
            if (found != null && !sameLiveName(was, found)) found = null;                 // the inode reused by another file (web.3.copy for app.log)
            Tailer t = found == null ? null : new Tailer(found, cp.dev(), cp.ino(), 0);
            if (t == null) {
                checkpoints.remove(key);                                                   // gone for good
                continue;
            }
            // Content other than the checkpoint was about (truncated and written again, or the inode reused by a
            // newer rotation of the same name): none of it was shipped, so all of it is read.
            long start = cp.sameContent(t.channel) ? Math.min(cp.offset(), t.channel.size()) : 0;
            t.startAt(start);
            t.goneSince = System.nanoTime();                                               // read to its end, then let go
            tailers.put(key, t);
            err.println("logship: following " + found + " (was " + cp.path() + ", rotated while logship was down; from byte " + start + ")");
            if (!found.getFileName().equals(was.getFileName())) followNewerRotations(was, found, seen);
        }
    }

    /**
     * {@code was} (a live name) was found rotated to {@code found} (app.log -> app.log.2): rotations of
     * the same live name that are newer than it (app.log.1) were created and rotated away while logship
     * was down, so it never saw them. They are read whole, rather than lost. Compressed rotations are
     * left alone (their lines are in the file they were made from).
     */
    private void followNewerRotations(Path was, Path found, Map<String, Glob.Found> seen) throws IOException {
        String live = was.getFileName().toString();
        long foundMtime = Files.getLastModifiedTime(found).toMillis();
        List<Path> newer = new ArrayList<>();
        try (var files = Files.list(found.getParent())) {
            for (Path p : files.toList()) {
                String n = p.getFileName().toString();
                if (n.equals(live) || !n.startsWith(live) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) continue;
                if (Glob.compressed(p)) continue;
                if (Files.getLastModifiedTime(p).toMillis() < foundMtime) continue;       // older than the file we had: done before
                newer.add(p);
            }
        }
        newer.sort(Comparator.comparingLong(p -> { try { return Files.getLastModifiedTime(p).toMillis(); } catch (IOException e) { return 0L; } }));
        for (Path p : newer) {
            Glob.Found f = Glob.identity(p);
            if (f == null) continue;
            String key = f.key();
            if (checkpoints.contains(key) || seen.containsKey(key) || tailers.containsKey(key)) continue;
            Tailer t = new Tailer(p, f.dev(), f.ino(), 0);
            t.goneSince = System.nanoTime();                                               // read to its end, then let go
            tailers.put(key, t);
            if (checkpoints.persistent()) {
                checkpoints.putIfAbsent(Checkpoints.Entry.of(t, Fingerprint.of(t.channel, t.channel.size()), 0));
                newCheckpoints = true;
            }
            err.println("logship: following " + p + " (a rotation of " + was + " made while logship was down, never seen before; from byte 0)");
        }
    }

    private static final java.util.regex.Pattern ROTATION_SUFFIX = java.util.regex.Pattern.compile("[.\\-_](\\d{1,4}|\\d{4}-?\\d{2}-?\\d{2}(-?\\d+)?)$");

    /**
     * {@code p} is named as logrotate names a rotation of a file beside it (app.log.3 or app.log-20261203
     * while app.log exists): the writer has moved on to the live file, so its last line without a
     * newline is complete once it stops growing. A live file named by date with no such sibling is not.
     */
    static boolean rotationOfALiveFile(Path p) {
        String n = p.getFileName().toString();
        var m = ROTATION_SUFFIX.matcher(n);
        return m.find() && m.start() > 0 && p.getParent() != null && Files.isRegularFile(p.resolveSibling(n.substring(0, m.start())));
    }

    /**
     * Rotations that lived entirely while logship was down: app.log was created, written and rotated to
     * app.log.2 (out of the glob) after the last checkpoint was written, and the rotation the checkpoints
     * know is gone (deleted, compressed, its inode reused). A rotation-named file (app.log.N,
     * app.log-DATE) beside a live name we follow, unknown to the checkpoints and changed after they were
     * written, holds lines no run saw: it is read to its end, from the top (a line twice rather than lost).
     */
    private void followUnseenRotations(Map<String, Glob.Found> seen) throws IOException {
        long savedAt = checkpoints.savedAtMs();
        if (savedAt == 0) return;                                                      // a first run: nothing was known before
        Set<Path> live = new java.util.LinkedHashSet<>();
        for (Glob.Found f : seen.values()) live.add(f.path());
        for (Checkpoints.Entry e : checkpoints.all()) {
            Path p = Path.of(e.path());
            if (globs.stream().anyMatch(g -> g.matcher().matches(p))) live.add(p);
        }
        Set<Path> dirs = new java.util.LinkedHashSet<>();
        for (Path p : live) if (p.getParent() != null) dirs.add(p.getParent());
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) continue;
            List<Path> candidates;
            try (var files = Files.list(dir)) {
                candidates = files.sorted().toList();
            }
            for (Path p : candidates) {
                if (Glob.compressed(p) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || !rotationOf(p, live)) continue;
                Glob.Found f = Glob.identity(p);
                if (f == null || checkpoints.contains(f.key()) || seen.containsKey(f.key()) || tailers.containsKey(f.key())) continue;
                if (Files.getLastModifiedTime(p).toMillis() < savedAt) continue;          // changed before our last save: not ours to guess
                // From the top, even if it starts with the bytes of a file we shipped from (a copytruncate copy
                // made while we were down ships its first part again): two files may share their first bytes.
                Tailer t = new Tailer(p, f.dev(), f.ino(), 0);
                long start = 0;
                t.renamed = true;
                t.goneSince = System.nanoTime();                                           // read to its end, then let go
                tailers.put(f.key(), t);
                if (checkpoints.persistent()) {
                    checkpoints.putIfAbsent(Checkpoints.Entry.of(t, Fingerprint.of(t.channel, t.channel.size()), start));
                    newCheckpoints = true;
                }
                err.println("logship: following " + p + " (a rotation made while logship was down, never seen before; from byte " + start + ")");
            }
        }
    }

    /** {@code found} is named as {@code was} or a rotation of the same live file (app.log, app.log.1, app.log.2). */
    private static boolean sameLiveName(Path was, Path found) {
        String w = was.getFileName().toString();
        var m = ROTATION_SUFFIX.matcher(w);
        String base = m.find() && m.start() > 0 ? w.substring(0, m.start()) : w;
        return found.getFileName().toString().startsWith(base);
    }

    /** {@code p} is named as a rotation (app.log.3, app.log-20261203) of one of {@code live}. */
    private static boolean rotationOf(Path p, Set<Path> live) {
        var m = ROTATION_SUFFIX.matcher(p.getFileName().toString());
        return m.find() && m.start() > 0 && live.contains(p.resolveSibling(p.getFileName().toString().substring(0, m.start())));
    }

    /** The file at the tailer's path still starts with what the tailer fingerprinted. */
    private static boolean sameStart(Tailer t) throws IOException {
        try (FileChannel ch = FileChannel.open(t.path, StandardOpenOption.READ)) {
            return t.fp.matches(ch);
        } catch (NoSuchFileException e) {
            return true;                                              // renamed or deleted since the listing: the next scan sees
        }
    }

    /** Stops following {@code t}. */
    void retire(Tailer t) throws IOException {
        t.channel.close();
        tailers.remove(t.key());
    }
}
