package relay;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES Log.java Notification.java

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The on-disk queue that makes "accepted" mean "will be delivered": an append-only journal,
 * {@code DIR/journal-0000000000000001.log}, one line per event:
 * <pre>
 *   W SEQ {webhook body}               a webhook as Alertmanager sent it (its CR and LF bytes as spaces:
 *                                      JSON whitespace), written once whatever the number of receivers
 *   A RECEIVER SEQ ^W i,j,k            queued: a receiver's share of webhook W, the positions of its
 *                                      alerts in W's "alerts" (replay re-derives the group from W)
 *   A RECEIVER SEQ {group as JSON}     queued, the earlier form (still written for groups handed
 *                                      over as objects: the first layout's files)
 *   D RECEIVER SEQ                     delivered (the chat took it)
 *   R RECEIVER SEQ                     refused for good; the group and the reason are in DIR/RECEIVER/rejected/
 * </pre>
 * {@link #append} is a group commit: the webhooks that arrive while one fsync runs wait together
 * for the next, so a burst of webhooks costs a few fsyncs, not one each; each caller returns only
 * once an fsync that covers its own lines has finished, so Alertmanager hears 200 only for what is
 * on disk. D and R lines are written but not fsynced on their own (a lost D line after a power cut
 * means that group is posted again: at least once, never zero). A journal whose groups are all
 * delivered or rejected is deleted once a newer one is in use, after the D and R lines it holds
 * about groups of older journals still on disk are written into the current one (at a start, the
 * done groups of every kept journal get a D line in the new journal); a new one is started every
 * {@link #ROLL_BYTES}. After kill -9 or a power cut the journals are replayed: every A without its
 * D or R is queued again; a torn last line (a write cut short, never acknowledged: no newline, or
 * an A whose W is not there) is ignored. A W line is in the same journal, and the same fsync, as
 * its A lines, so it lives exactly as long as they do.
 */
public final class Queue {
    static final long ROLL_BYTES = 4 << 20;
    static final long PREALLOCATE = ROLL_BYTES + (1 << 20);

    /** A queued group for one receiver. */
    public record Entry(String receiver, long seq, long journal, Notification group) {}

    private final Path dir;
    private final Map<String, List<Entry>> recovered = new HashMap<>();
    private final Map<String, Long> depth = new HashMap<>();
    private final TreeMap<Long, Integer> liveByJournal = new TreeMap<>();   // journal number -> groups not yet delivered or rejected
    private final java.util.TreeSet<Long> onDisk = new java.util.TreeSet<>();   // journals written to and not deleted (not the spare)
    private final Map<Long, Long> firstSeq = new HashMap<>();                     // journal -> its lowest W or A sequence number
    private final java.util.TreeSet<Long> retiring = new java.util.TreeSet<>();  // done journals whose D/R lines wait to be carried forward
    private long seq;
    private long journal;
    private FileChannel out;
    private long written;
    private FileChannel spare;          // the next journal, spareNumber, already zero-filled and fsynced in the background
    private long spareNumber, preparingNumber;                                   // preparingNumber 0: none being made

    // group commit: lines waiting for the next write + fsync, tickets handed out and covered by fsyncs
    private record Line(byte[] bytes, String receiver, long[] journal, long seq) {}      // receiver null: a W, D or R line; seq 0: D or R
    private final List<Line> pending = new ArrayList<>();
    private long appendedTicket, takenTicket, syncedTicket;
    private boolean syncing;
    private final List<long[]> failedTickets = new ArrayList<>();               // [from, to] of batches whose write failed
    private IOException lastFailure;
    private long fsyncs, fsyncNanos, fsyncedAppends;                              // for /metrics

    public Queue(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        if (!Files.isWritable(dir)) throw new IOException(dir + ": not writable");
        List<Path> journals = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) { s.filter(p -> journalOf(p) != null).forEach(journals::add); }
        journals.sort(java.util.Comparator.comparingLong(Queue::journalOf));
        Map<String, Entry> live = new java.util.LinkedHashMap<>();
        Map<Long, List<String>> queuedIn = new HashMap<>();                   // journal -> the "RECEIVER SEQ" of its A lines
        for (Path j : journals) replay(j, journalOf(j), live, queuedIn);
        for (Entry e : live.values()) {
            recovered.computeIfAbsent(e.receiver(), k -> new ArrayList<>()).add(e);
            depth.merge(e.receiver(), 1L, Long::sum);
            liveByJournal.merge(e.journal(), 1, Integer::sum);
        }
        for (Path j : journals) journal = Math.max(journal, journalOf(j));
        open();
        // The groups of a kept journal that were delivered or rejected have their D or R line in some later
        // journal, which may be deleted now: those lines are written again into the new journal (and fsynced)
        // before any journal goes, or a restart after that would post those groups again.
        StringBuilder done = new StringBuilder();
        for (Path j : journals) {
            long n = journalOf(j);
            if (!liveByJournal.containsKey(n)) continue;
            for (String key : queuedIn.getOrDefault(n, List.of())) if (!live.containsKey(key)) done.append("D ").append(key).append('\n');
        }
        if (!done.isEmpty()) {
            written += write(out, written, List.of(new Line(done.toString().getBytes(StandardCharsets.UTF_8), null, null, 0)));
            out.force(false);
        }
        for (Path j : journals) {
            long n = journalOf(j);
            if (liveByJournal.containsKey(n)) onDisk.add(n);
            else Files.delete(j);
        }
        migrateFilesPerGroup();
    }

    /**
     * The queue's first layout (alertrelay before the journal): one fsynced file per group,
     * DIR/RECEIVER/0000000000000042.json. Those groups were acknowledged, so they are appended to
     * the journal (fsynced) and only then their files deleted; rejected/ stays as it is.
     */
    private void migrateFilesPerGroup() throws IOException {
        List<Path> receivers = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) { s.filter(Files::isDirectory).forEach(receivers::add); }
        for (Path d : receivers) {
            List<Path> old = new ArrayList<>();
            try (Stream<Path> s = Files.list(d)) { s.filter(p -> p.getFileName().toString().matches("\\d{16}\\.json(\\.tmp)?")).sorted().forEach(old::add); }
            for (Path f : old) {
                if (f.toString().endsWith(".tmp")) { Files.delete(f); continue; }      // never finished: its 200 was never sent
                String receiver = d.getFileName().toString();
                Entry e = append(List.of(receiver), List.of(Notification.JSON.readValue(f.toFile(), Notification.class))).get(0);
                recovered.computeIfAbsent(receiver, k -> new ArrayList<>()).add(e);
                Files.delete(f);
            }
        }
    }

    private void replay(Path file, long number, Map<String, Entry> live, Map<Long, List<String>> queuedIn) throws IOException {
        byte[] all = Files.readAllBytes(file);
        Map<Long, Object> webhooks = new HashMap<>();                 // W SEQ -> its line's body (String), parsed on first use (Notification)
        for (int from = 0, nl; (nl = lineEnd(all, from)) >= 0; from = nl + 1) {
            String line = new String(all, from, nl - from, StandardCharsets.UTF_8);
            if (line.startsWith("W ")) {
                String[] f = line.split(" ", 3);
                if (f.length == 3 && f[1].matches("\\d{1,18}")) {
                    long w = Long.parseLong(f[1]);
                    seq = Math.max(seq, w);
                    firstSeq.merge(number, w, Math::min);
                    webhooks.put(w, f[2]);
                }
                continue;
            }
            String[] f = line.split(" ", 4);
            if (f.length < 3 || !f[2].matches("\\d{1,18}")) continue;
            long n = Long.parseLong(f[2]);
            seq = Math.max(seq, n);
            String key = f[1] + " " + n;
            switch (f[0]) {
                case "A" -> {
                    if (f.length < 4) continue;
                    Notification g = f[3].startsWith("^") ? share(webhooks, f[3]) : readGroup(f[3]);
                    if (g != null) {
                        live.put(key, new Entry(f[1], n, number, g));
                        queuedIn.computeIfAbsent(number, k -> new ArrayList<>()).add(key);
                        firstSeq.merge(number, n, Math::min);
                    }
                }
                case "D", "R" -> live.remove(key);
                default -> { }
            }
        }
    }

    /**
     * The index of the newline that ends the journal line starting at {@code from}, or -1 at the end of
     * what was written (the preallocated zeros) or at a torn last line (no newline: never acknowledged).
     */
    private static int lineEnd(byte[] all, int from) {
        if (from >= all.length || all[from] == 0) return -1;
        int nl = from;
        while (nl < all.length && all[nl] != '\n' && all[nl] != 0) nl++;
        return nl < all.length && all[nl] == '\n' ? nl : -1;
    }

    private static Notification readGroup(String json) {
        try {
            return Notification.JSON.readValue(json, Notification.class);
        } catch (IOException e) {
            return null;                                              // torn: its 200 was never sent
        }
    }

    /** "^W i,j,k": those alerts of webhook W, as the group queued for one receiver; null when W is not there. */
    private static Notification share(Map<Long, Object> webhooks, String ref) {
        String[] f = ref.substring(1).split(" ", 2);
        if (f.length < 2 || !f[0].matches("\\d{1,18}") || !f[1].matches("\\d{1,9}(,\\d{1,9})*")) return null;
        long w = Long.parseLong(f[0]);
        Object body = webhooks.get(w);
        if (body == null) return null;
        Notification n;
        if (body instanceof Notification parsed) {
            n = parsed;
        } else {
            try {
                n = Notification.parse(((String) body).getBytes(StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                return null;
            }
            webhooks.put(w, n);
        }
        List<Notification.Alert> some = new ArrayList<>();
        for (String i : f[1].split(",")) {
            int k = Integer.parseInt(i);
            if (k >= n.alerts().size()) return null;
            some.add(n.alerts().get(k));
        }
        return n.with(some);
    }

    /**
     * Starts journal {@code number}, preallocated with zeros (written, not just reserved, and
     * fsynced once): an fdatasync then only flushes the new lines' data blocks, with no file-size
     * change for the filesystem to journal, which is most of an fsync's cost on ext4.
     */
    private void open() throws IOException {
        FileChannel next;
        long number;
        if (spare != null) {
            next = spare;
            number = spareNumber;
            spare = null;
        } else {
            number = Math.max(journal, preparingNumber) + 1;      // never the one still being made
            next = prepare(number);
        }
        if (out != null) out.close();
        journal = number;
        out = next;
        written = 0;
        onDisk.add(number);
    }

    private Path file(long number) { return dir.resolve(String.format("journal-%016d.log", number)); }

    /** Creates journal {@code number}: zero-filled, fsynced, its directory entry fsynced. Needs no lock. */
    private FileChannel prepare(long number) throws IOException {
        FileChannel ch = FileChannel.open(file(number), StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            ByteBuffer zeros = ByteBuffer.allocate(64 << 10);
            for (long pos = 0; pos < PREALLOCATE; pos += zeros.capacity()) {
                zeros.clear();
                while (zeros.hasRemaining()) ch.write(zeros, pos + zeros.position());
            }
            ch.force(true);
            syncDir(dir);
            return ch;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Once the journal is half full, the next one is made on a virtual thread, so the roll at
     * {@link #ROLL_BYTES} is a switch of files and a burst's webhooks never wait for 5 MB of zeros
     * and their fsync. Called with the lock held.
     */
    private void prepareSpareSoon() {
        if (spare != null || preparingNumber != 0 || written < ROLL_BYTES / 2) return;
        long number = preparingNumber = journal + 1;
        Thread.ofVirtual().name("journal-spare").start(() -> {
            FileChannel ch = null;
            try {
                ch = prepare(number);
            } catch (IOException e) {
                Log.log("queue: cannot prepare the next journal ahead (" + e.getMessage() + "); it is made when needed");
            }
            synchronized (this) {
                preparingNumber = 0;
                if (ch != null && journal < number) {
                    spare = ch;
                    spareNumber = number;
                } else if (ch != null) {                           // a roll went past it meanwhile: never written to
                    try { ch.close(); Files.deleteIfExists(file(number)); } catch (IOException x) { }
                }
                notifyAll();
            }
        });
    }

    /** The groups already queued for {@code receiver} (from before a restart), oldest first. */
    public synchronized List<Entry> pending(String receiver) {
        return new ArrayList<>(recovered.getOrDefault(receiver, List.of()));
    }

    /**
     * Queues each receiver's group and returns once they are on disk: written and fsynced, maybe in
     * one fsync with other webhooks' groups. An IOException means nothing may be acknowledged:
     * Alertmanager must retry.
     */
    public List<Entry> append(List<String> receivers, List<Notification> groups) throws IOException {
        List<byte[]> json = new ArrayList<>();
        for (Notification g : groups) json.add(Notification.JSON.writeValueAsBytes(g));
        List<Line> mine = new ArrayList<>();
        long ticket;
        synchronized (this) {
            for (int i = 0; i < receivers.size(); i++) mine.add(pendingA(receivers.get(i), "", json.get(i), true));
            ticket = ++appendedTicket;
        }
        commit(ticket);
        return entries(mine, groups);
    }

    /**
     * Queues a webhook's shares the cheap way: its {@code body} once (a W line, the bytes as they came,
     * CR and LF as spaces), and per receiver the positions of its alerts in {@code parsed.alerts()}
     * (an A line each); returns once they are on disk, as {@link #append(List, List)} does.
     * {@code body} must be the one {@code parsed} was read from (so it holds no NUL byte and its
     * newlines are JSON whitespace).
     */
    public List<Entry> appendWebhook(byte[] body, Notification parsed, List<String> receivers, List<int[]> shares) throws IOException {
        if (receivers.isEmpty()) return List.of();                      // nothing routed: nothing to keep
        byte[][] tails = new byte[receivers.size()][];
        Notification[] groups = new Notification[receivers.size()];
        for (int i = 0; i < receivers.size(); i++) {
            int[] idx = shares.get(i);
            StringBuilder sb = new StringBuilder(idx.length * 4 + 2);
            List<Notification.Alert> some = new ArrayList<>(idx.length);
            for (int k = 0; k < idx.length; k++) {
                if (k > 0) sb.append(',');
                sb.append(idx[k]);
                some.add(parsed.alerts().get(idx[k]));
            }
            tails[i] = sb.append('\n').toString().getBytes(StandardCharsets.US_ASCII);
            groups[i] = some.size() == parsed.alerts().size() ? parsed : parsed.with(some);
        }
        List<Line> mine = new ArrayList<>();
        long ticket;
        synchronized (this) {
            long w = ++seq;
            byte[] head = ("W " + w + " ").getBytes(StandardCharsets.US_ASCII);
            byte[] line = new byte[head.length + body.length + 1];
            System.arraycopy(head, 0, line, 0, head.length);
            for (int i = 0, o = head.length; i < body.length; i++, o++) {
                byte b = body[i];
                line[o] = b == '\n' || b == '\r' ? (byte) ' ' : b;
            }
            line[line.length - 1] = '\n';
            pending.add(new Line(line, null, new long[1], w));
            for (int i = 0; i < receivers.size(); i++) mine.add(pendingA(receivers.get(i), "^" + w + " ", tails[i], false));
            ticket = ++appendedTicket;
        }
        commit(ticket);
        return entries(mine, java.util.Arrays.asList(groups));
    }

    /**
     * Queues "A RECEIVER SEQ " + {@code ref} + {@code tail} (and a newline when {@code endLine}; else
     * {@code tail} ends with one) under the next sequence number. Called with the lock held.
     */
    private Line pendingA(String receiver, String ref, byte[] tail, boolean endLine) {
        long n = ++seq;
        byte[] head = ("A " + receiver + " " + n + " " + ref).getBytes(StandardCharsets.UTF_8);
        byte[] line = new byte[head.length + tail.length + (endLine ? 1 : 0)];
        System.arraycopy(head, 0, line, 0, head.length);
        System.arraycopy(tail, 0, line, head.length, tail.length);
        if (endLine) line[line.length - 1] = '\n';
        Line l = new Line(line, receiver, new long[1], n);
        pending.add(l);
        return l;
    }

    /** The entries of committed A lines, each with its group. */
    private static List<Entry> entries(List<Line> lines, List<Notification> groups) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Line l = lines.get(i);
            out.add(new Entry(l.receiver(), l.seq(), l.journal()[0], groups.get(i)));
        }
        return out;
    }

    /** Returns once an fsync covered {@code ticket}: as the leader that writes every pending line, or by waiting for the one that does. */
    private void commit(long ticket) throws IOException {
        while (true) {
            List<Line> batch;
            long from, upTo, pos;
            FileChannel ch;
            synchronized (this) {
                while (syncing && syncedTicket < ticket && !failed(ticket)) wait0();
                if (failed(ticket)) throw lastFailure;
                if (syncedTicket >= ticket) return;
                syncing = true;
                batch = new ArrayList<>(pending);
                pending.clear();
                from = takenTicket + 1;
                upTo = takenTicket = appendedTicket;
                ch = out;
                for (Line l : batch) {
                    l.journal()[0] = journal;
                    if (l.seq() > 0) firstSeq.merge(journal, l.seq(), Math::min);
                }
                pos = written;
                written += size(batch);                   // reserved: D/R lines written meanwhile go after it
            }
            IOException failure = null;
            try {
                write(ch, pos, batch);
                long f0 = System.nanoTime();
                ch.force(false);
                f0 = System.nanoTime() - f0;
                synchronized (this) { fsyncs++; fsyncNanos += f0; fsyncedAppends += upTo - from + 1; }
            } catch (IOException e) {
                failure = e;
            }
            synchronized (this) {
                syncing = false;
                if (failure == null) {
                    syncedTicket = upTo;
                    for (Line l : batch) {
                        if (l.receiver() == null) continue;
                        depth.merge(l.receiver(), 1L, Long::sum);
                        liveByJournal.merge(l.journal()[0], 1, Integer::sum);
                    }
                    if (!pending.isEmpty() && appendedTicket == takenTicket) {       // only D/R lines came meanwhile: write them, no fsync needed
                        List<Line> marks = new ArrayList<>(pending);
                        pending.clear();
                        written += write(out, written, marks);
                    }
                    retireDone();                                                    // journals emptied while we wrote
                    if (written > ROLL_BYTES) open();
                    else prepareSpareSoon();
                } else {
                    failedTickets.add(new long[] {from, upTo});
                    lastFailure = failure;
                    try { open(); } catch (IOException e) { failure.addSuppressed(e); }   // never append after a torn line
                }
                notifyAll();
            }
            if (failure != null) throw failure;
        }
    }

    private boolean failed(long ticket) {
        for (long[] r : failedTickets) if (ticket >= r[0] && ticket <= r[1]) return true;
        return false;
    }

    private static int size(List<Line> lines) {
        int size = 0;
        for (Line l : lines) size += l.bytes().length;
        return size;
    }

    /** Writes {@code lines} at {@code pos}; returns their length. */
    private static long write(FileChannel ch, long pos, List<Line> lines) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(size(lines));
        for (Line l : lines) buf.put(l.bytes());
        buf.flip();
        while (buf.hasRemaining()) ch.write(buf, pos + buf.position());
        return buf.limit();
    }

    private void wait0() throws IOException {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while queuing");
        }
    }

    /** The chat took it: forget it (a D line; not fsynced on its own). */
    public synchronized void done(Entry e) throws IOException {
        mark("D", e);
    }

    /** The chat refused it for good (bad signature, bad payload): kept under RECEIVER/rejected/ with the reason. */
    public void reject(Entry e, String why) throws IOException {
        Path d = dir.resolve(e.receiver()).resolve("rejected");
        Files.createDirectories(d);
        String name = String.format("%016d.json", e.seq());
        Files.write(d.resolve(name), Notification.JSON.writeValueAsBytes(e.group()));
        Files.writeString(d.resolve(name + ".why"), why + "\n");
        synchronized (this) {
            mark("R", e);
        }
    }

    private void mark(String what, Entry e) throws IOException {
        byte[] line = (what + " " + e.receiver() + " " + e.seq() + "\n").getBytes(StandardCharsets.UTF_8);
        if (syncing) pending.add(new Line(line, null, new long[1], 0));   // the leader is writing: goes out after it
        else written += write(out, written, List.of(new Line(line, null, null, 0)));
        depth.merge(e.receiver(), -1L, Long::sum);
        List<Entry> before = recovered.get(e.receiver());
        if (before != null) before.remove(e);
        Integer left = liveByJournal.merge(e.journal(), -1, Integer::sum);
        if (left != null && left <= 0) {
            liveByJournal.remove(e.journal());
            if (e.journal() < journal) retiring.add(e.journal());
        }
        if (!syncing) retireDone();
    }

    /**
     * Deletes the journals whose groups are all delivered or rejected. One that has an older journal
     * still on disk may hold the D and R lines of that journal's groups: those lines (the ones about
     * groups older than its own) are written into the current journal first, as D lines are (a kill -9
     * keeps them; a power cut may lose them and post those groups again: at least once). Called with
     * the lock held and no leader writing (the lines go at the end of the current journal).
     */
    private void retireDone() {
        while (!retiring.isEmpty()) {
            long j = retiring.pollFirst();
            try {
                retire(j);
            } catch (IOException e) {                                          // kept on disk: a start deals with it
                Log.log("queue: cannot delete the finished journal " + file(j).getFileName() + " (" + e.getMessage() + "); it is kept until the next start");
            }
        }
    }

    /** Deletes finished journal {@code j}, first carrying forward what it says about older journals' groups. */
    private void retire(long j) throws IOException {
        if (!onDisk.isEmpty() && onDisk.first() < j) {
            long below = firstSeq.getOrDefault(j, Long.MAX_VALUE);
            StringBuilder carried = new StringBuilder();
            byte[] all;
            try {
                all = Files.readAllBytes(file(j));
            } catch (java.nio.file.NoSuchFileException gone) {
                all = new byte[0];
            }
            for (int from = 0, nl; (nl = lineEnd(all, from)) >= 0; from = nl + 1) {
                if ((all[from] == 'D' || all[from] == 'R') && nl - from > 2 && all[from + 1] == ' ') {
                    String line = new String(all, from, nl - from, StandardCharsets.UTF_8);
                    String[] f = line.split(" ");
                    if (f.length == 3 && f[2].matches("\\d{1,18}") && Long.parseLong(f[2]) < below) carried.append(line).append('\n');
                }
            }
            if (!carried.isEmpty()) written += write(out, written, List.of(new Line(carried.toString().getBytes(StandardCharsets.UTF_8), null, null, 0)));
        }
        Files.deleteIfExists(file(j));
        onDisk.remove(j);
        firstSeq.remove(j);
    }

    /** The journal's group commit in Prometheus text: fsyncs, their time, and the webhooks they covered. */
    public synchronized String prom() {
        return "# TYPE alertrelay_journal_fsyncs_total counter\nalertrelay_journal_fsyncs_total " + fsyncs + "\n"
                + "# TYPE alertrelay_journal_fsync_seconds_total counter\nalertrelay_journal_fsync_seconds_total " + String.format(java.util.Locale.ROOT, "%.6f", fsyncNanos / 1e9) + "\n"
                + "# TYPE alertrelay_journal_appends_total counter\nalertrelay_journal_appends_total " + fsyncedAppends + "\n";
    }

    /** Waits for a next journal being made ahead, then closes the files (what is queued stays queued). */
    public synchronized void close() throws IOException {
        while (preparingNumber != 0) wait0();
        if (spare != null) spare.close();
        spare = null;
        out.close();
    }

    /** Groups waiting for {@code receiver} (not counting rejected ones). */
    public synchronized long depth(String receiver) {
        return depth.getOrDefault(receiver, 0L);
    }

    static void syncDir(Path d) throws IOException {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    static Long journalOf(Path p) {
        String n = p.getFileName().toString();
        if (!n.matches("journal-\\d{16}\\.log")) return null;
        return Long.parseLong(n.substring(8, 24));
    }
}
