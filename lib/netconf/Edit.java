package netconf;

//SOURCES ../cli/Durations.java Capabilities.java Diff.java RpcError.java Session.java Xml.java

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.w3c.dom.Element;

/**
 * The steps that change a datastore, each one rpc, and edit-config's transaction: lock the
 * target, edit, validate, diff against running, commit (confirmed), unlock. Whatever fails after
 * the lock, the candidate is discarded and the lock released before the device's row is written,
 * so a failed run never leaves a device locked or a half-made candidate behind.
 */
public final class Edit {
    private Edit() {}

    /**
     * What edit-config does on every device. {@code content}: the XML inside {@code <config>};
     * {@code confirmed} null for a plain commit; {@code persistId} the token of a confirmed commit.
     */
    public record Plan(String target, String content, boolean validate, boolean diff, boolean commit, Duration confirmed, String persistId) {}

    /** The device said no: {@code status} rpc-error, lock-denied or unsupported (error for a reply we cannot use). */
    public static final class Refused extends Exception {
        public final String status;
        public final String detail;
        public final RpcError error;

        public Refused(String status, String detail, RpcError error) {
            super(status + ": " + detail, null, false, false);
            this.status = status;
            this.detail = detail;
            this.error = error;
        }
    }

    /** The children of a --config file's {@code <config>} element, or the file's element itself when it is not one. */
    public static String configContent(Element root) {
        if (root.getLocalName().equals("config") && (root.getNamespaceURI() == null || Xml.BASE.equals(root.getNamespaceURI()))) {
            StringBuilder sb = new StringBuilder();
            for (Element c : Xml.children(root, null)) sb.append(Xml.compact(c));
            return sb.toString();
        }
        return Xml.compact(root);
    }

    /** {@code op}'s reply when it is ok; an rpc-error (lock-denied for that tag) as Refused, named after {@code step}. */
    public static Session.Reply call(Session s, String step, String op) throws Session.Failed, Refused {
        Session.Reply r = s.rpc(op);
        if (r.ok()) return r;
        RpcError e = r.error();
        if ("lock-denied".equals(e.tag())) {
            String holder = e.info().get("session-id");
            throw new Refused("lock-denied", step + ": " + (holder == null || holder.equals("0")
                    ? "locked by another session" + (holder == null ? "" : " (session-id 0: not a NETCONF session)")
                    : "locked by session " + holder), e);
        }
        throw new Refused("rpc-error", step + ": " + e.describe(), e);
    }

    public static void lock(Session s, String datastore) throws Session.Failed, Refused {
        try {
            call(s, "lock " + datastore, "<lock><target><" + datastore + "/></target></lock>");
        } catch (Refused r) {
            // RFC 6241 8.3.5.1: no lock on a candidate that holds uncommitted changes (another session's edit)
            if (!datastore.equals("candidate") || r.error == null || !"resource-denied".equals(r.error.tag())) throw r;
            throw new Refused(r.status, r.detail + " (the candidate holds uncommitted changes; `netconf discard` drops them)", r.error);
        }
    }

    public static void unlock(Session s, String datastore) throws Session.Failed, Refused {
        call(s, "unlock " + datastore, "<unlock><target><" + datastore + "/></target></unlock>");
    }

    /** On a failure path: best effort (the session's end releases the lock anyway). */
    public static void unlockQuietly(Session s, String datastore) {
        try {
            unlock(s, datastore);
        } catch (Session.Failed | Refused ignored) { }
    }

    /** edit-config on one device; {@code row} gets "steps" (what was done), "diff" and "persist_id". */
    public static void apply(Session s, Plan p, Map<String, Object> row) throws Session.Failed, Refused {
        Capabilities caps = s.capabilities();
        boolean candidate = p.target().equals("candidate");
        if (candidate && !caps.has("candidate")) throw new Refused("unsupported", "the device does not announce :candidate (try --target running)", null);
        if (!candidate && !caps.has("writable-running")) throw new Refused("unsupported", "the device does not announce :writable-running (try --target candidate)", null);
        if (p.validate() && !caps.has("validate")) throw new Refused("unsupported", "--validate: the device does not announce :validate", null);
        if (p.confirmed() != null && !caps.has("confirmed-commit")) throw new Refused("unsupported", "--confirmed: the device does not announce :confirmed-commit", null);
        List<String> steps = new ArrayList<>();
        row.put("steps", steps);
        lock(s, p.target());
        steps.add("lock");
        boolean done = false;
        try {
            if (candidate) {                   // someone's leftovers must not ride along with our commit
                call(s, "discard-changes", "<discard-changes/>");
            }
            String before = p.diff() ? config(s, "running") : null;
            call(s, "edit-config", "<edit-config><target><" + p.target() + "/></target><config>" + p.content() + "</config></edit-config>");
            steps.add("edit-config");
            if (p.validate()) {
                call(s, "validate", "<validate><source><candidate/></source></validate>");
                steps.add("validate");
            }
            if (p.diff()) {
                List<String> d = Diff.unified(before, config(s, "candidate"), "running", "candidate");
                row.put("diff", String.join("\n", d));
                row.put("changed", !d.isEmpty());
                steps.add("diff");
            }
            if (p.commit()) {
                String op = "<commit/>";
                if (p.confirmed() != null) {
                    boolean persist = caps.has("confirmed-commit:1.1");
                    // With 1.1's persist the confirmed commit outlives this session (1.0's is rolled back when the session ends).
                    op = "<commit><confirmed/><confirm-timeout>" + p.confirmed().toSeconds() + "</confirm-timeout>"
                            + (persist ? "<persist>" + p.persistId() + "</persist>" : "") + "</commit>";
                    if (persist) row.put("persist_id", p.persistId());
                    else row.put("detail", "the device has :confirmed-commit:1.0 only: the commit is rolled back when this session ends");
                }
                call(s, "commit", op);
                steps.add(p.confirmed() != null ? "commit confirmed " + cli.Durations.format(p.confirmed().toMillis()) : "commit");
            } else if (candidate) {
                call(s, "discard-changes", "<discard-changes/>");
                steps.add("discard (no --commit)");
            }
            done = true;
        } finally {
            if (!done && candidate) {
                try {
                    call(s, "discard-changes", "<discard-changes/>");
                    steps.add("discard (failed)");
                } catch (Session.Failed | Refused ignored) { }
            }
        }
        unlock(s, p.target());
        steps.add("unlock");
    }

    /** The whole of a datastore, pretty-printed (for --diff). */
    static String config(Session s, String datastore) throws Session.Failed, Refused {
        Element d = call(s, "get-config " + datastore, "<get-config><source><" + datastore + "/></source></get-config>").data();
        return d == null ? "" : Xml.prettyChildren(d);
    }

    /**
     * unlock: a NETCONF lock belongs to the session that took it, so the way to free one left by a
     * stuck client is to end that session (kill-session). Without {@code kill} this only says who holds it.
     */
    public static void breakLock(Session s, String datastore, boolean kill, Map<String, Object> row) throws Session.Failed, Refused {
        try {
            lock(s, datastore);
        } catch (Refused r) {
            String holder = r.error == null ? null : r.error.info().get("session-id");
            if (!"lock-denied".equals(r.status) || holder == null || holder.equals("0") || !kill) {
                if (holder != null && !holder.equals("0") && !kill) throw new Refused(r.status, r.detail + " (--kill-session ends it)", r.error);
                throw r;
            }
            call(s, "kill-session " + holder, "<kill-session><session-id>" + Xml.escape(holder) + "</session-id></kill-session>");
            row.put("detail", "ended session " + holder + ", which held the " + datastore + " lock");
            row.put("killed_session", holder);
            return;
        }
        unlock(s, datastore);
        row.put("detail", datastore + " was not locked");
    }
}
