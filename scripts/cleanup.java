//usr/bin/true; exec "$(dirname "$(readlink -f "$0")")/../jbang" "$0" "$@"
//JAVA 21+
//JAVA_OPTIONS -XX:+UseSerialGC -XX:-UsePerfData -XX:TieredStopAtLevel=1 -Xss512k --enable-native-access=ALL-UNNAMED
//SOURCES ../lib/clean/Act.java ../lib/clean/Free.java ../lib/clean/Plan.java ../lib/clean/Rule.java
//SOURCES ../lib/clean/Scan.java ../lib/clean/Tally.java
//SOURCES ../lib/cli/Durations.java ../lib/cli/Exit.java ../lib/cli/InputError.java ../lib/cli/Sizes.java ../lib/cli/Tool.java
//SOURCES ../lib/host/Mounts.java ../lib/host/Processes.java
//SOURCES ../lib/report/Column.java ../lib/report/Format.java ../lib/report/OutputOptions.java ../lib/report/Prom.java ../lib/report/Report.java
//SOURCES ../lib/run/Limits.java ../lib/run/Shutdown.java ../lib/yaml/Yaml.java

/*
 * cleanup -- free disk space safely: delete, gzip or truncate old or large files under a root,
 * with a dry run first and every byte accounted for.
 *
 * What it does: each rule (a YAML plan holds several; the flags make one) walks its root for
 * regular files matching a glob, keeps the newest --keep N, selects those older or larger than
 * asked, and (with --apply only) deletes, gzips or truncates them, oldest first when --until-free
 * says to stop once the filesystem has that much free. One row per rule: files and bytes found,
 * bytes freed, what was left alone and why. Without --apply nothing is touched: the rows say what
 * an --apply would do (`--format md` is what goes into the change ticket).
 *
 * What it never does: follow a symlink (to a file or a directory), cross into another filesystem
 * or a bind mount under the root (unless --no-one-file-system), count a hard-linked file's bytes
 * twice, or delete or compress a file some process has open (read from /proc/PID/fd; those are
 * listed, and --action truncate is the explicit way to shrink them). Files that vanish or change
 * between the scan and the action are counted and left alone, never an error. Every action is
 * relative to a directory descriptor checked to be the one the scan saw (unlinkat, renameat).
 *
 * When to use it: instead of `find /var/log -mtime +7 -delete`, tmpreaper or a hand-written loop,
 * and through fanout on a fleet (README: every host prints its row; none is silently skipped).
 *
 * What it costs the host: one walk (lstat per entry, one directory open at a time), one read of
 * /proc/PID/fd per rule, then a look and an unlink per file on --jobs threads (default 2: the second
 * one shares the filesystem journal's wait, so it is I/O, not CPU), or gzip's CPU on --jobs threads,
 * with descriptors capped under ulimit -n (1 per delete worker, 3 per gzip worker). gzip needs room
 * for the .gz first. A dry run, or --until-free (it stops right at the target), acts one at a time.
 */

import clean.Act;
import clean.Free;
import clean.Plan;
import clean.Rule;
import clean.Scan;
import clean.Tally;
import cli.Durations;
import cli.Exit;
import cli.InputError;
import cli.Sizes;
import cli.Tool;
import io.prometheus.metrics.model.snapshots.Labels;
import host.Mounts;
import host.Processes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import report.Column;
import report.Format;
import report.OutputOptions;
import report.Prom;
import report.Report;
import run.Limits;
import run.Shutdown;
import yaml.Yaml;

@Command(name = "cleanup", mixinStandardHelpOptions = true, version = "cleanup (ops) 0.1", sortOptions = false,
        customSynopsis = {"cleanup PLAN.yaml [--apply] [OPTIONS]",
                          "cleanup --root DIR [--match GLOB] [--older-than D] [--larger-than S]",
                          "        [--keep N] [--action delete|gzip|truncate] [--until-free 20%%|5G]",
                          "        [--apply] [OPTIONS]"},
        description = {
            "Frees disk space safely: deletes, gzips or truncates the files each rule selects under its root. "
            + "A DRY RUN unless --apply. Never follows symlinks, never leaves the root's filesystem, counts hard "
            + "links once, and never deletes or gzips a file a process has open (listed instead; --action truncate "
            + "shrinks those). One row per rule: ok, error, unreadable, short (--until-free not reached), "
            + "no-such-dir, stopped or not-run."},
        footer = {
            "%nPlan file (YAML):",
            "  rules:",
            "    - name: app-logs",
            "      root: /var/log/app",
            "      match: \"*.log.*\"          # on the name; with a '/' on the path under root",
            "      older_than: 7d",
            "      keep: 5                   # the newest 5 matches stay, whatever their age",
            "      action: gzip              # delete (default), gzip or truncate",
            "    - root: /var/tmp/builds",
            "      older_than: 2d",
            "      until_free: 20%%           # oldest first, stop once 20%% of the fs is free",
            "%nExamples:",
            "  cleanup --root /var/log/app --match '*.log.*' --older-than 7d        # dry run",
            "  cleanup --root /var/log/app --match '*.log.*' --older-than 7d --apply",
            "  cleanup plan.yaml --format md          # paste into the change ticket",
            "  cleanup --root /srv/cache --older-than 1d --until-free 20%% --apply",
            "  cleanup --root /var/log --match 'huge.log' --action truncate --apply",
            "%nA dry run's bytes for gzip are an upper bound (what deleting would free).",
            Exit.HELP})
public class cleanup implements Callable<Integer> {

    @Parameters(arity = "0..1", paramLabel = "PLAN", description = "YAML plan with rules: (or give the rule as flags).")
    Path planFile;

    @Option(names = "--root", paramLabel = "DIR", description = "One-rule plan: the directory to clean (never left).")
    String root;

    @Option(names = "--match", paramLabel = "GLOB", description = "Files whose name matches (default: *); a glob with '/' matches the path under root.")
    String match;

    @Option(names = "--older-than", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "Only files last modified longer ago than this (7d, 12h).")
    Duration olderThan;

    @Option(names = "--larger-than", paramLabel = "SIZE", converter = Sizes.Converter.class, description = "Only files larger than this (100M).")
    Long largerThan;

    @Option(names = "--keep", paramLabel = "N", description = "Keep the newest N matching files whatever their age.")
    Integer keep;

    @Option(names = "--action", paramLabel = "ACTION", description = "delete (default), gzip or truncate.")
    Rule.Action action;

    @Option(names = "--until-free", paramLabel = "FREE", description = "Oldest first, stop once the filesystem has this free (20%%, 5G).")
    String untilFree;

    @Option(names = "--one-file-system", negatable = true, description = "Stay on the root's filesystem, bind mounts excluded (default: on).")
    Boolean oneFileSystem;

    @Option(names = "--name", paramLabel = "NAME", description = "One-rule plan: the row's name (default: ROOT/GLOB).")
    String name;

    @Option(names = "--apply", description = "Act. Without it nothing is changed: the rows say what would be done.")
    boolean apply;

    @Option(names = "--list", description = "Also list every file acted on (or that would be) before the table; in JSON as 'list'.")
    boolean list;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", defaultValue = "2", description = "Workers for gzip, delete and truncate (default: ${DEFAULT-VALUE}; capped under ulimit -n).")
    int jobs;

    @Option(names = "--deadline", paramLabel = "DURATION", defaultValue = "1h", converter = Durations.Converter.class,
            description = "Stop acting after this long; what is left is counted (default: ${DEFAULT-VALUE}).")
    Duration deadline;

    @Mixin OutputOptions output;

    public static void main(String... args) {
        Tool.main(new cleanup(), args);
    }

    volatile boolean stop;
    long stopAt;
    PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
        err = System.err;
        List<Rule> rules = rules();
        if (jobs < 1) throw new InputError("--jobs must be at least 1");
        if (deadline.isZero()) throw new InputError("--deadline must be more than 0");
        output.checkSort(Map.of());
        long t0 = System.nanoTime();
        stopAt = t0 + deadline.toNanos();
        List<Tally> tallies = new ArrayList<>();
        try (Shutdown s = Shutdown.onSignal("cleanup", () -> stop = true, Duration.ofSeconds(10))) {
            for (Rule r : rules) {
                Tally t = new Tally(r);
                tallies.add(t);
                if (stopped()) t.status = "not-run";
                else rule(t);
            }
            Report report = new Report("cleanup", "rules", List.of(Column.left("rule", "rule"), Column.left("action", "action"),
                    Column.left("status", "status"), Column.right("files", "files"), Column.right("found", "found"),
                    Column.right("freed", apply ? "freed" : "would free"), Column.left("skipped_text", "left alone"), Column.left("error", "error")));
            for (Tally t : tallies) report.add(t.row(apply));
            report.elapsedMs((System.nanoTime() - t0) / 1_000_000).summary("mode", apply ? "applied" : "dry-run")
                  .summary(apply ? "freed_bytes" : "would_free_bytes", tallies.stream().mapToLong(t -> t.freedBytes).sum());
            if (list && (output.format == Format.table || output.format == Format.md)) {
                for (Tally t : tallies) t.listed.forEach(System.out::println);
            }
            for (Tally t : tallies) for (String o : t.open) err.println("cleanup: " + t.rule.name() + ": left alone, open: " + o);
            List<Map<String, Object>> shown = output.select(report.rows(), Map.of());
            report.wide(output.wide).prom(cleanup::prom).render(output.format, shown, System.out, err);
            long total = tallies.stream().mapToLong(t -> t.freedBytes).sum();
            err.println(apply ? "cleanup: freed " + Sizes.format(total)
                    : "cleanup: dry run, nothing changed: --apply would free " + Sizes.format(total) + " (gzip: at most)");
            int code = report.failed() == 0 ? Exit.OK : Exit.FAILED;
            s.done(code);
            return code;
        }
    }

    /** The plan's rules, or the one rule the flags make; every problem before anything is read. */
    List<Rule> rules() {
        boolean flags = root != null || match != null || olderThan != null || largerThan != null || keep != null
                || action != null || untilFree != null || oneFileSystem != null || name != null;
        if (planFile != null && flags) {
            throw new InputError("give a plan file or the rule flags (--root, --match, ...), not both");
        }
        if (planFile != null) return Plan.load(planFile);
        if (root == null) throw new InputError("name a plan file, or --root DIR and what to select (--older-than, --larger-than, --keep, --until-free)");
        Free free;
        try {
            free = untilFree == null ? null : Free.parse(untilFree);
        } catch (IllegalArgumentException e) {
            throw new InputError("--until-free: " + e.getMessage());
        }
        return List.of(Plan.fromFlags(new Rule(name, root, match, olderThan, largerThan == null ? null : new Yaml.Size(largerThan),
                keep, action, free, oneFileSystem)));
    }

    boolean stopped() {
        return stop || System.nanoTime() > stopAt;
    }

    // ---- one rule: scan, select, act ------------------------------------------------------------

    void rule(Tally t) throws IOException {
        Rule r = t.rule;
        Path rootDir;
        Scan scan;
        try {
            rootDir = Path.of(r.root()).toRealPath();                  // the root itself may be a symlink: its target is the root
            Set<Path> mounts = new HashSet<>();
            for (String m : Mounts.all().keySet()) if (!Path.of(m).equals(rootDir)) mounts.add(Path.of(m));
            scan = Scan.walk(rootDir, r.match(), r.oneFileSystem(), mounts, this::stopped);
        } catch (NoSuchFileException | NotDirectoryException e) {
            t.status = "no-such-dir";
            t.error(r.root(), "no such directory");
            return;
        } catch (java.nio.file.AccessDeniedException e) {
            t.status = "unreadable";
            t.unreadable.add(r.root());
            return;
        }
        t.unreadable.addAll(scan.unreadable);
        t.skip("vanished", scan.vanished);
        t.skip("symlink", scan.symlinks);
        t.skip("mount", scan.mounts);
        List<Scan.Found> chosen = select(t, scan.found);
        if (!stopped()) act(t, rootDir, chosen);
        if (t.status == null) {
            t.status = !t.errors.isEmpty() ? "error" : !t.unreadable.isEmpty() ? "unreadable" : stopped() ? "stopped"
                    : t.freeWanted != null && t.freeAfter < t.freeWanted ? "short" : "ok";
        }
    }

    /** --keep, --older-than, --larger-than, files held open: the files to act on, in the order to act. */
    List<Scan.Found> select(Tally t, List<Scan.Found> found) throws IOException {
        Rule r = t.rule;
        List<Scan.Found> chosen = new ArrayList<>(found);
        if (r.keep() != null && r.keep() > 0) {
            List<Scan.Found> newest = new ArrayList<>(found);
            newest.sort(Comparator.comparingLong(Scan.Found::mtimeMs).reversed());
            Set<Scan.Found> kept = new HashSet<>(newest.subList(0, Math.min(r.keep(), newest.size())));
            chosen.removeIf(kept::contains);
            t.skip("kept", kept.size());
        }
        long now = System.currentTimeMillis();
        if (r.olderThan() != null) chosen.removeIf(f -> f.mtimeMs() > now - r.olderThan().toMillis());
        if (r.largerThan() != null) chosen.removeIf(f -> f.size() <= r.largerThan().bytes());
        if (r.action() == Rule.Action.gzip) {
            long before = chosen.size();
            chosen.removeIf(f -> f.path().getFileName().toString().matches(".*\\.(gz|gz\\.tmp)$"));
            t.skip("compressed", before - chosen.size());
            before = chosen.size();
            chosen.removeIf(f -> f.links() > 1);                       // as gzip: the other names would keep the old bytes
            t.skip("hardlinked", before - chosen.size());
        }
        if (r.action() != Rule.Action.truncate && !chosen.isEmpty()) {
            int[] hidden = {0};
            Map<Object, List<String>> open = Processes.openFiles(hidden);
            chosen.removeIf(f -> {
                List<String> holders = open.get(f.key());
                if (holders != null) t.open.add(f.path() + " (held by " + String.join(", ", holders) + ")");
                return holders != null;
            });
            t.skip("open", t.open.size());
            if (hidden[0] > 0 && !"root".equals(System.getProperty("user.name"))) {
                err.println("cleanup: note: " + hidden[0] + " processes' open files are not visible to this user; run as root to check them all");
            }
        }
        Set<Object> inodes = new HashSet<>();
        for (Scan.Found f : chosen) if (inodes.add(f.key())) t.foundBytes += f.size();
        t.files = chosen.size();
        // Oldest first when stopping at a free target; else as walked (a directory's files together).
        if (r.untilFree() != null) chosen.sort(Comparator.comparingLong(Scan.Found::mtimeMs));
        return chosen;
    }

    void act(Tally t, Path rootDir, List<Scan.Found> files) throws IOException {
        Rule r = t.rule;
        var usage = Mounts.statvfs(rootDir.toString());
        t.freeBefore = usage.avail();
        long[] predicted = {usage.avail()};
        // What is free now: measured after each action with --apply, added up in a dry run.
        LongSupplier freeNow = () -> {
            if (!apply) return predicted[0];
            try {
                return Mounts.statvfs(rootDir.toString()).avail();
            } catch (IOException e) {
                return predicted[0];
            }
        };
        if (r.untilFree() != null) t.freeWanted = r.untilFree().target(usage.size());
        int i = 0;
        if (r.action() == Rule.Action.gzip && apply) {
            i = gzipAll(t, files, freeNow);
        } else if (apply && t.freeWanted == null) {
            i = unlinkAll(t, files);
        } else {                                                // a dry run, or one at a time to stop right at --until-free
            Path dirOpen = null;
            SecureDirectoryStream<Path> dir = null;
            boolean dirOk = false;
            try {
                for (; i < files.size() && !stopped(); i++) {
                    Scan.Found f = files.get(i);
                    if (t.freeWanted != null && freeNow.getAsLong() >= t.freeWanted) break;
                    if (!apply) {
                        if (r.action() == Rule.Action.truncate) t.freed(f.size());
                        predicted[0] += r.action() == Rule.Action.truncate ? f.size() : t.removed(f);
                        if (list) t.listed.add(line(r, f));
                        continue;
                    }
                    Path parent = f.path().getParent();
                    if (!parent.equals(dirOpen)) {                      // one directory descriptor at a time
                        if (dir != null) dir.close();
                        dir = null;
                        dirOpen = parent;
                        try {
                            dir = Act.openDir(parent, f.dirKey());
                            dirOk = dir != null;
                        } catch (NoSuchFileException e) {
                            dirOk = false;
                        }
                    }
                    if (!dirOk) { t.skip("changed", 1); continue; }     // the directory went or was replaced
                    Act.Result res = r.action() == Rule.Action.truncate ? Act.truncate(dir, f) : Act.delete(dir, f);
                    outcome(t, f, res, res.outcome() == Act.Outcome.DONE && r.action() == Rule.Action.truncate ? f.size() : -1);
                }
            } finally {
                if (dir != null) dir.close();
            }
        }
        t.skip("not-needed", stopped() ? 0 : files.size() - i);
        t.skip("not-run", stopped() ? files.size() - i : 0);
        t.freeAfter = freeNow.getAsLong();
    }

    /**
     * delete or truncate on --jobs workers, each taking the next run of up to 512 files of one
     * directory and acting on them through that directory's descriptor (one per worker). The walk's
     * order keeps a directory's files together. unlink waits on the filesystem's journal (ext4 with
     * discard: ~150 us each, the CPU idle), and a second one in flight shares that wait: 100,000 files
     * go about 4x faster with 2 workers than one at a time. Returns how many files were started.
     */
    int unlinkAll(Tally t, List<Scan.Found> files) {
        List<int[]> runs = new ArrayList<>();                   // {from, to} of files, one directory each
        for (int from = 0; from < files.size(); ) {
            Path parent = files.get(from).path().getParent();
            int to = from + 1;
            while (to < files.size() && to - from < 512 && files.get(to).path().getParent().equals(parent)) to++;
            runs.add(new int[] {from, to});
            from = to;
        }
        long[] fd = Limits.fileDescriptors();                  // one descriptor a worker; at least the one the walk used
        long room = fd[0] < 0 ? jobs : fd[0] - fd[1] - Limits.FD_RESERVE;
        int workers = (int) Math.max(1, Math.min(Math.min(jobs, room), runs.size()));
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();
        Runnable worker = () -> {
            for (int k; (k = next.getAndIncrement()) < runs.size() && !stopped(); ) {
                int[] run = runs.get(k);
                Scan.Found first = files.get(run[0]);
                try (SecureDirectoryStream<Path> dir = Act.openDir(first.path().getParent(), first.dirKey())) {
                    int n = run[0];
                    for (; n < run[1] && !stopped(); n++) {
                        Scan.Found f = files.get(n);
                        if (dir == null) { t.skip("changed", 1); continue; }     // the directory was replaced since the walk
                        Act.Result res = t.rule.action() == Rule.Action.truncate ? Act.truncate(dir, f) : Act.delete(dir, f);
                        outcome(t, f, res, res.outcome() == Act.Outcome.DONE && t.rule.action() == Rule.Action.truncate ? f.size() : -1);
                    }
                    started.addAndGet(n - run[0]);
                } catch (NoSuchFileException e) {
                    t.skip("vanished", run[1] - run[0]);                         // the directory went, and its files with it
                    started.addAndGet(run[1] - run[0]);
                } catch (IOException | RuntimeException e) {
                    for (int n = run[0]; n < run[1]; n++) t.error(files.get(n).path().toString(), e.getMessage());
                    started.addAndGet(run[1] - run[0]);
                }
            }
        };
        List<Thread> threads = new ArrayList<>();
        for (int w = 1; w < workers; w++) threads.add(Thread.ofPlatform().name("unlink-" + w).daemon().start(worker));
        worker.run();
        for (Thread th : threads) {
            try {
                th.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return started.get();
    }

    /**
     * gzip on --jobs workers, oldest first; with --until-free no new file starts once enough is
     * free. The workers only compress (CPU); one finisher thread does each file's disk waits
     * (fsync of the .gz, rename, fsync of the directory, unlink of the original), at most --jobs
     * files queued for it, so the workers never sit idle on the disk.
     */
    int gzipAll(Tally t, List<Scan.Found> files, LongSupplier freeNow) {
        int workers = Limits.capConcurrency(jobs, 6, err);      // 3 while compressing, 2 while queued, 3 in the finisher
        ExecutorService pool = Executors.newFixedThreadPool(workers, Thread.ofPlatform().name("gzip-", 0).daemon().factory());
        ExecutorService finisher = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("gzip-finish").daemon().factory());
        Semaphore slots = new Semaphore(workers), queued = new Semaphore(workers);
        int i = 0;
        try {
            for (; i < files.size() && !stopped(); i++) {
                Scan.Found f = files.get(i);
                slots.acquireUninterruptibly();
                if (t.freeWanted != null && freeNow.getAsLong() >= t.freeWanted) { slots.release(); break; }
                pool.execute(() -> {
                    Act.Gz g = null;
                    try {
                        g = Act.Gz.compress(f.path().getParent(), f.dirKey(), f);
                        if (g.pending()) {
                            queued.acquireUninterruptibly();
                            Act.Gz ready = g;
                            g = null;
                            finisher.execute(() -> {
                                try (ready) {
                                    gzipped(t, f, ready.finish());
                                } finally {
                                    queued.release();
                                }
                            });
                        } else {
                            gzipped(t, f, g.finish());
                        }
                    } finally {
                        if (g != null) g.close();
                        slots.release();
                    }
                });
            }
        } finally {
            for (ExecutorService e : List.of(pool, finisher)) {     // the workers first: they feed the finisher
                e.shutdown();
                try {
                    while (!e.awaitTermination(1, TimeUnit.SECONDS)) { /* each file ends on its own; a signal stops new ones */ }
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return i;
    }

    void gzipped(Tally t, Scan.Found f, Act.Result res) {
        outcome(t, f, res, res.outcome() == Act.Outcome.DONE ? Math.max(0, f.size() - res.bytesLeft()) : -1);
    }

    /** Counts one file's result; {@code freed} is the bytes it gave back (-1: a delete, counted by links). */
    void outcome(Tally t, Scan.Found f, Act.Result res, long freed) {
        switch (res.outcome()) {
            case DONE -> {
                if (freed >= 0) t.freed(freed);
                else t.removed(f);
                if (list) synchronized (t) { t.listed.add(line(t.rule, f)); }
            }
            case VANISHED -> t.skip("vanished", 1);
            case CHANGED -> t.skip("changed", 1);
            case EXISTS -> t.skip("exists", 1);
            case ERROR -> t.error(f.path().toString(), res.error());
        }
    }

    String line(Rule r, Scan.Found f) {
        long days = (System.currentTimeMillis() - f.mtimeMs()) / 86_400_000L;
        return String.format("%s%-8s %10s %5dd  %s", apply ? "" : "would ", r.action(), Sizes.format(f.size()), days, f.path());
    }

    // ---- Prometheus text format ------------------------------------------------------------------

    static void prom(Report report, List<Map<String, Object>> rows, PrintStream out) {
        var found = Prom.gauge("ops_cleanup_found_bytes", "Bytes of the files the rule selected (hard links once)");
        var freed = Prom.gauge("ops_cleanup_freed_bytes", "Bytes freed by the last run (or that it would free, mode=dry-run)");
        var files = Prom.gauge("ops_cleanup_files", "Files the rule selected");
        var ok = Prom.gauge("ops_cleanup_ok", "1 if the rule did all it set out to do, else 0");
        for (var r : rows) {
            Labels l = Labels.of("rule", (String) r.get("rule"), "mode", (String) r.get("mode"));
            found.dataPoint(Prom.point(l, ((Number) r.get("found_bytes")).doubleValue()));
            Object fb = r.containsKey("freed_bytes") ? r.get("freed_bytes") : r.get("would_free_bytes");
            freed.dataPoint(Prom.point(l, ((Number) fb).doubleValue()));
            files.dataPoint(Prom.point(l, ((Number) r.get("files")).doubleValue()));
            ok.dataPoint(Prom.point(l, Report.isOk(r) ? 1 : 0));
        }
        Prom.write(out, found.build(), freed.build(), files.build(), ok.build());
    }
}
