package metrics;

//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Log.java ../host/Mounts.java ../run/Threads.java ../cli/Durations.java
//SOURCES Collected.java

import static metrics.Snapshots.gauge;
import static metrics.Snapshots.point;

import cli.Durations;
import host.Mounts;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import run.Threads;

/**
 * node_filesystem_*{device,fstype,mountpoint}: statvfs of every mount not excluded, like
 * node_exporter (statvfs through host.Mounts' JNA direct call: about 2 us a mount).
 *
 * <p>A hung mount (an NFS server gone, a FUSE daemon that never answers: node_exporter issues
 * #244, #1353, #3058) blocks statvfs in the kernel, uninterruptibly. So the calls run on a worker
 * thread while the collector waits for each within {@code mountTimeout}. A mount that overruns is
 * marked stuck: this scrape and every later one serve node_filesystem_device_error 1 for it and no
 * sizes (as node_exporter does for its stuck mounts), the mounts after it go on a new worker, and
 * its statvfs is not called again until the stuck call returns. So a hung mount costs one thread
 * and one mount timeout, once, not one per scrape. Stuck mounts are counted
 * (ops_exporter_filesystem_stuck_mounts), named in the log and in /healthz.
 *
 * <p>{@code rootfs} is node_exporter's --path.rootfs (the host's / mounted in a container): a mount
 * point under it is reported without the prefix, and statvfs is called on rootfs + mount point.
 */
final class Filesystem implements Source {
    final Pattern mountsOut, typesOut;
    final String rootfs;
    final Duration mountTimeout;
    /** Mount point -> its statvfs call that has not returned (it holds a worker thread). */
    final Map<String, Call> stuck = new ConcurrentHashMap<>();
    final ExecutorService workers = Executors.newCachedThreadPool(Threads.daemons("exporter-statfs"));

    Filesystem(Pattern mountsOut, Pattern typesOut, Path rootfs, Duration mountTimeout) {
        this.mountsOut = mountsOut;
        this.typesOut = typesOut;
        String r = rootfs.toAbsolutePath().normalize().toString();
        this.rootfs = r.equals("/") ? "" : r;
        this.mountTimeout = mountTimeout;
    }

    /** One statvfs of one mount in one scrape: run by the one worker that claims it, awaited by the collector. */
    static final class Call {
        final String mount, path;
        final CompletableFuture<Mounts.Usage> result = new CompletableFuture<>();
        final AtomicBoolean claimed = new AtomicBoolean();
        volatile long startedNs;

        Call(String mount, String path) {
            this.mount = mount;
            this.path = path;
        }

        void run() {
            if (!claimed.compareAndSet(false, true)) return;
            startedNs = System.nanoTime();
            try {
                result.complete(Mounts.statvfs(path));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }
    }

    record Mount(String mount, String device, String type) {}

    @Override
    public Collected collect(Consumer<String> step) throws IOException {
        step.accept("read /proc/self/mountinfo");
        List<Mount> mounts = new ArrayList<>();
        for (var e : Mounts.all().entrySet()) {
            String mount = strip(e.getKey()), device = e.getValue()[0], type = e.getValue()[1];
            if (mountsOut.matcher(mount).find() || typesOut.matcher(type).find()) continue;
            mounts.add(new Mount(mount, device, type));
        }
        var size = GaugeSnapshot.builder().name("node_filesystem_size_bytes").help("Filesystem size in bytes.");
        var free = GaugeSnapshot.builder().name("node_filesystem_free_bytes").help("Filesystem free space in bytes.");
        var avail = GaugeSnapshot.builder().name("node_filesystem_avail_bytes").help("Filesystem space available to non-root users in bytes.");
        var files = GaugeSnapshot.builder().name("node_filesystem_files").help("Filesystem total file nodes.");
        var filesFree = GaugeSnapshot.builder().name("node_filesystem_files_free").help("Filesystem total free file nodes.");
        var readOnly = GaugeSnapshot.builder().name("node_filesystem_readonly").help("Filesystem read-only status.");
        var deviceError = GaugeSnapshot.builder().name("node_filesystem_device_error").help("Whether an error occurred while getting statistics for the given device.");
        List<String> problems = new ArrayList<>();

        // The calls of this scrape: null for a mount whose earlier call is still stuck (not called again).
        List<Call> calls = new ArrayList<>();
        for (Mount m : mounts) calls.add(stuck.containsKey(m.mount) ? null : new Call(m.mount, rootfs + m.mount));
        startWorker(calls, 0);
        long ready = System.nanoTime();
        for (int i = 0; i < mounts.size(); i++) {
            Mount m = mounts.get(i);
            Call c = calls.get(i);
            Labels l = Labels.of("device", m.device, "fstype", m.type, "mountpoint", m.mount);
            Mounts.Usage u = null;
            if (c != null) {
                step.accept("statvfs " + c.path);
                try {
                    long started = c.startedNs != 0 ? c.startedNs : ready;
                    u = c.result.get(Math.max(0, started + mountTimeout.toNanos() - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    markStuck(c);
                    startWorker(calls, i + 1);                            // the worker stays in the stuck call
                } catch (ExecutionException e) {
                    // node_exporter: device_error 1, no sizes (EACCES, ENOTCONN of a dead FUSE daemon, ...)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
                ready = System.nanoTime();
            }
            if (stuck.containsKey(m.mount)) {
                problems.add("statvfs " + rootfs + m.mount + " has not answered (over the " + Durations.format(mountTimeout.toMillis())
                        + " mount timeout); its rows are left out until it does");
            }
            if (u == null) {
                deviceError.dataPoint(point(l, 1));
                continue;
            }
            deviceError.dataPoint(point(l, 0));
            readOnly.dataPoint(point(l, u.readOnly() ? 1 : 0));
            size.dataPoint(point(l, u.size()));
            free.dataPoint(point(l, u.free()));
            avail.dataPoint(point(l, u.avail()));
            files.dataPoint(point(l, u.files()));
            filesFree.dataPoint(point(l, u.filesFree()));
        }
        var stuckCount = gauge("ops_exporter_filesystem_stuck_mounts",
                "Mounts whose statvfs has not returned within the mount timeout (their rows are left out until it does).", point(Labels.EMPTY, stuck.size()));
        return new Collected(List.of(size.build(), free.build(), avail.build(), files.build(), filesFree.build(), readOnly.build(),
                deviceError.build(), stuckCount), problems);
    }

    /** The mount point as node_exporter's rootfsStripPrefix reports it. */
    String strip(String mount) {
        if (rootfs.isEmpty() || !mount.startsWith(rootfs)) return mount;
        if (mount.length() == rootfs.length()) return "/";
        return mount.charAt(rootfs.length()) == '/' ? mount.substring(rootfs.length()) : mount;
    }

    private void markStuck(Call c) {
        stuck.put(c.mount, c);
        long since = c.startedNs;
        // When the call returns at last (the server answers, or the FUSE daemon dies), the mount is tried again.
        c.result.whenComplete((u, e) -> {
            stuck.remove(c.mount, c);
            Log.log("filesystem: statvfs " + c.path + " returned after " + String.format(java.util.Locale.ROOT, "%.1fs",
                    (System.nanoTime() - since) / 1e9) + "; the mount is collected again");
        });
    }

    private void startWorker(List<Call> calls, int from) {
        for (int i = from; i < calls.size(); i++) {
            if (calls.get(i) != null) {
                int first = i;
                workers.execute(() -> {
                    for (int j = first; j < calls.size(); j++) if (calls.get(j) != null) calls.get(j).run();
                });
                return;
            }
        }
    }
}
