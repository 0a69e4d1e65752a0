import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A FUSE mount that never answers: a tiny C program (compiled with gcc at test time) opens
 * /dev/fuse, mounts it and never reads a request, so the kernel's INIT stays unanswered and every
 * statfs(2) on the mount waits in the kernel, killable only, like a hard NFS mount whose server is
 * gone. The program first moves into a mount namespace of its own, so no other process on the
 * machine (another test's df, node_exporter) ever sees the hung mount; the exporter under test is
 * started inside that namespace ({@link #enter()}). Nothing can be left behind: the mount lives only
 * as long as some process is in the namespace, the program dies with its parent (PR_SET_PDEATHSIG)
 * or after 120 s (alarm), and {@link #close()} kills it. Killing it aborts the FUSE connection: a
 * statfs stuck on the mount then returns ENOTCONN.
 */
public final class StuckFuse implements AutoCloseable {
    static final String SOURCE = """
            #define _GNU_SOURCE
            #include <fcntl.h>
            #include <sched.h>
            #include <signal.h>
            #include <stdio.h>
            #include <sys/mount.h>
            #include <sys/prctl.h>
            #include <unistd.h>

            int main(int argc, char **argv) {
                if (argc != 2) { fprintf(stderr, "usage: stuckfuse DIR\\n"); return 2; }
                prctl(PR_SET_PDEATHSIG, SIGKILL);                    /* never outlive the test */
                alarm(120);
                if (unshare(CLONE_NEWNS) != 0) { perror("unshare"); return 1; }
                if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) { perror("mount --make-rprivate /"); return 1; }
                int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
                if (fd < 0) { perror("/dev/fuse"); return 1; }
                char opts[128];
                snprintf(opts, sizeof opts, "fd=%d,rootmode=40000,user_id=0,group_id=0", fd);
                if (mount("ops-stuck", argv[1], "fuse.opsstuck", MS_NOSUID | MS_NODEV, opts) != 0) { perror("mount"); return 1; }
                printf("mounted\\n");
                fflush(stdout);
                for (;;) pause();                                    /* hold the fd; answer nothing */
            }
            """;

    public final Path mountPoint;
    final Process process;

    private StuckFuse(Path mountPoint, Process process) {
        this.mountPoint = mountPoint;
        this.process = process;
    }

    /** Compiles the program in {@code tmp} and mounts a never-answering FUSE filesystem on {@code tmp}/stuck. */
    public static StuckFuse mount(Path tmp) throws Exception {
        Prereq.requireRoot();
        Prereq.requireExecutable("/usr/bin/gcc", "gcc");
        if (!Files.exists(Path.of("/dev/fuse"))) throw new AssertionError("no /dev/fuse (modprobe fuse)");
        Path src = tmp.resolve("stuckfuse.c"), bin = tmp.resolve("stuckfuse");
        Files.writeString(src, SOURCE);
        var cc = Proc.run(List.of("gcc", "-O1", "-o", bin.toString(), src.toString()), Duration.ofSeconds(60));
        if (cc.exit() != 0) throw new AssertionError("gcc: " + cc);
        Path dir = Files.createDirectories(tmp.resolve("stuck"));
        Process p = new ProcessBuilder(bin.toString(), dir.toString()).redirectErrorStream(true).start();
        StuckFuse f = new StuckFuse(dir, p);
        var out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (!"mounted".equals(line)) {
            f.close();
            throw new AssertionError("stuckfuse: " + line);
        }
        return f;
    }

    /** The command prefix that runs a command in the namespace that has the mount. */
    public List<String> enter() {
        return new ArrayList<>(List.of("nsenter", "--mount=/proc/" + process.pid() + "/ns/mnt", "--"));
    }

    /** Kills the FUSE "server": the connection is aborted and stuck calls return ENOTCONN. */
    @Override
    public void close() {
        Proc.kill(process);
    }
}
