package rollout;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES ../cli/InputError.java HostStatus.java

import cli.InputError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rollout's journal: one record per step of every host (precheck, deploy start and end,
 * verify, rollback start and end), kept in one JSON file that is rewritten whole for each record:
 * written to FILE.tmp, fsynced, renamed over FILE, and the directory fsynced. A kill -9 at any
 * moment leaves the previous or the new version, never half of one. The file names the plan and
 * hosts it belongs to by a hash; --resume refuses a file whose hash is not this run's.
 *
 * <pre>
 *   {"hash": "sha256:...", "plan": "plan.yaml", "hosts": [...], "started": "...",
 *    "records": [{"host": "10.0.0.1", "step": "deploy", "event": "start", "at": "..."},
 *                {"host": "10.0.0.1", "step": "deploy", "event": "end", "status": "ok", "detail": null, "at": "..."}]}
 * </pre>
 */
public final class State {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One record: {@code event} is start or end; {@code status} is the step's outcome on an end. */
    public record Record(String host, String step, String event, String status, String detail, String at) {}

    private final Path file;
    private final String hash;
    private final ObjectNode doc;
    private final List<Record> records = new ArrayList<>();

    private State(Path file, String hash, ObjectNode doc) {
        this.file = file;
        this.hash = hash;
        this.doc = doc;
    }

    /** The hash of the plan's bytes and the hosts, in order: what a state file belongs to. */
    public static String hash(byte[] plan, List<String> hosts) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(plan);
            for (String h : hosts) d.update(("\n" + h).getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A new journal; refuses to overwrite one left by an earlier run (--resume continues that one). */
    public static State create(Path file, String hash, String plan, List<String> hosts) {
        if (Files.exists(file)) {
            throw new InputError(file + ": a state file from an earlier run is there; continue that run with --resume,"
                    + " or move the file away to start over");
        }
        ObjectNode doc = JSON.createObjectNode();
        doc.put("hash", hash);
        doc.put("plan", plan);
        ArrayNode hs = doc.putArray("hosts");
        hosts.forEach(hs::add);
        doc.put("started", now());
        doc.putArray("records");
        State s = new State(file, hash, doc);
        s.write(s.bytes());
        return s;
    }

    /** The journal of an earlier run of the same plan and hosts, to continue it. */
    public static State resume(Path file, String hash) {
        if (!Files.exists(file)) throw new InputError(file + ": no state file to resume (a run writes it when it starts; see --state)");
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new InputError(file + ": not a rollout state file (" + e.getMessage().lines().findFirst().orElse("unreadable") + ")");
        }
        if (!(root instanceof ObjectNode doc) || !root.path("hash").isTextual() || !root.path("records").isArray()) {
            throw new InputError(file + ": not a rollout state file (no hash or records)");
        }
        if (!hash.equals(root.get("hash").asText())) {
            throw new InputError(file + ": written for a different plan or hosts (" + short12(root.get("hash").asText()) + ", this run is "
                    + short12(hash) + "); refusing to resume. Resume with the plan and hosts it was started with, or give a new --state");
        }
        State s = new State(file, hash, doc);
        for (JsonNode r : root.get("records")) {
            s.records.add(new Record(r.path("host").asText(), r.path("step").asText(), r.path("event").asText(),
                    r.hasNonNull("status") ? r.get("status").asText() : null, r.hasNonNull("detail") ? r.get("detail").asText() : null,
                    r.path("at").asText()));
        }
        return s;
    }

    private static String short12(String h) {
        return h.length() > 19 ? h.substring(0, 19) : h;
    }

    public Path file() { return file; }

    public String hash() { return hash; }

    /** Every record so far, oldest first. */
    public synchronized List<Record> records() { return List.copyOf(records); }

    /** The last record of each host, by host. */
    public synchronized Map<String, Record> last() {
        Map<String, Record> m = new LinkedHashMap<>();
        for (Record r : records) m.put(r.host(), r);
        return m;
    }

    /** Where --resume picks a host up. */
    public enum Point {
        /** Changed and finished by the earlier run: left alone. */ FINISHED,
        /** Never changed (not started, failed precheck, unreachable): from the precheck. */ FRESH,
        /** Killed while deploying: verify first; deploy again only if the host does not pass. */ DEPLOYING,
        /** Deployed, not yet verified: verify. */ VERIFY,
        /** Killed while rolling back: roll back again. */ ROLLBACK
    }

    /** A host as the earlier run left it: where to pick up, and for a finished host its status and detail. */
    public record Resume(Point at, String status, String detail) {}

    /** How the earlier run left {@code host}, from its records. */
    public synchronized Resume resume(String host) {
        Record result = null, change = null;
        int resultAt = -1, changeAt = -1;
        for (int i = 0; i < records.size(); i++) {
            Record r = records.get(i);
            if (!r.host().equals(host)) continue;
            if (r.step().equals("result")) { result = r; resultAt = i; }
            if (List.of("deploy", "verify", "rollback").contains(r.step())) { change = r; changeAt = i; }
        }
        HostStatus ended = result == null ? null : HostStatus.parse(result.status());
        if (ended != null && ended.kind().changed()) return new Resume(Point.FINISHED, result.status(), result.detail());
        if (change == null || changeAt < resultAt) return new Resume(Point.FRESH, null, null);
        Point at = switch (change.step()) {
            case "rollback" -> Point.ROLLBACK;
            case "verify" -> Point.VERIFY;
            default -> change.event().equals("start") ? Point.DEPLOYING : "ok".equals(change.status()) ? Point.VERIFY : Point.ROLLBACK;
        };
        return new Resume(at, null, null);
    }

    public void start(String host, String step) {
        add(new Record(host, step, "start", null, null, now()));
    }

    public void end(String host, String step, String status, String detail) {
        add(new Record(host, step, "end", status, detail, now()));
    }

    /**
     * Appends one record and makes it durable before returning. Hosts of a batch record at the
     * same time: one write (and fsync) covers every record added while the one before it was
     * being written, so a batch of 25 does not wait for 25 fsyncs in a row.
     */
    private void add(Record r) {
        int mine;
        synchronized (this) {
            records.add(r);
            ObjectNode n = ((ArrayNode) doc.get("records")).addObject();
            n.put("host", r.host());
            n.put("step", r.step());
            n.put("event", r.event());
            if (r.status() != null) n.put("status", r.status());
            if (r.detail() != null) n.put("detail", r.detail());
            n.put("at", r.at());
            mine = records.size();
        }
        synchronized (writing) {
            if (written >= mine) return;                              // a write that began after ours was added has it
            byte[] bytes;
            int upTo;
            synchronized (this) {
                bytes = bytes();
                upTo = records.size();
            }
            write(bytes);
            written = upTo;
        }
    }

    private final Object writing = new Object();
    private int written;

    /** The document, one record a line (readable with less, diffable, and still one JSON document). */
    private byte[] bytes() {
        try {
            StringBuilder sb = new StringBuilder("{");
            for (var it = doc.fields(); it.hasNext(); ) {
                var e = it.next();
                sb.append(JSON.writeValueAsString(e.getKey())).append(": ");
                if (e.getKey().equals("records")) {
                    sb.append("[");
                    for (int i = 0; i < e.getValue().size(); i++) sb.append(i == 0 ? "\n  " : ",\n  ").append(JSON.writeValueAsString(e.getValue().get(i)));
                    sb.append("\n]");
                } else {
                    sb.append(JSON.writeValueAsString(e.getValue()));
                }
                sb.append(it.hasNext() ? ",\n " : "");
            }
            return sb.append("}\n").toString().getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Write FILE.tmp, fsync it, rename it over FILE, fsync the directory. */
    private void write(byte[] bytes) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) ch.write(b);
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename atomically in " + file.toAbsolutePath().getParent(), e);
            }
            Path dir = file.toAbsolutePath().getParent();
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException ignored) { }                         // not every file system lets a directory be fsynced
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the state file " + file + ": " + e.getMessage(), e);
        }
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
