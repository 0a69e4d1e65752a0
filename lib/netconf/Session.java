package netconf;

//DEPS com.hierynomus:sshj:0.40.0
//SOURCES ../cli/Durations.java ../run/Threads.java ../ssh/Ssh.java Capabilities.java Framing.java RpcError.java Xml.java

import cli.Durations;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.schmizz.sshj.connection.channel.direct.Session.Subsystem;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import run.Threads;
import ssh.Ssh;

/**
 * One NETCONF session over an SSH connection (RFC 6242): the {@code netconf} subsystem, the
 * hello exchange (we offer base:1.0 and base:1.1; chunked framing when the device offers 1.1
 * too), then one rpc at a time, each reply awaited within the reply timeout (past it the
 * channel is closed and the session is lost: a late reply cannot be matched to the next rpc).
 *
 * <pre>
 *   try (Session s = Session.open(connection, Duration.ofSeconds(30), 64 << 20)) {
 *       Session.Reply r = s.rpc("<get-config><source><running/></source></get-config>");
 *       if (r.ok()) ... r.data() ... else r.errors()
 *   } catch (Session.Failed f) { f.status; f.detail; }
 * </pre>
 */
public final class Session implements AutoCloseable {
    private static final ScheduledExecutorService TIMER = Threads.timer("netconf-timer");

    /** The session could not go on: {@code status} is "timeout" or "error" (the row's status). */
    public static final class Failed extends Exception {
        public final String status;
        public final String detail;

        Failed(String status, String detail) {
            super(status + ": " + detail, null, false, false);
            this.status = status;
            this.detail = detail;
        }
    }

    /** A reply: {@code ok()} when it has no rpc-error of severity error. */
    public record Reply(Element element, List<RpcError> errors) {
        public boolean ok() { return errors.stream().noneMatch(RpcError::isError); }
        /** The {@code <data>} element of a get/get-config reply, or null. */
        public Element data() { return Xml.child(element, "data"); }
        /** The first error of severity error (null when ok). */
        public RpcError error() { return errors.stream().filter(RpcError::isError).findFirst().orElse(null); }
    }

    private final net.schmizz.sshj.connection.channel.direct.Session ssh;
    private final Subsystem channel;
    private final Framing framing;
    private final Duration timeout;
    private Capabilities capabilities;
    private String sessionId;
    private int messageId;

    private Session(net.schmizz.sshj.connection.channel.direct.Session ssh, Subsystem channel, Duration timeout, long maxMessage) {
        this.ssh = ssh;
        this.channel = channel;
        this.timeout = timeout;
        this.framing = new Framing(channel.getInputStream(), channel.getOutputStream(), maxMessage);
    }

    static final String HELLO = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            + "<hello xmlns=\"" + Xml.BASE + "\"><capabilities>"
            + "<capability>" + Capabilities.BASE_10 + "</capability>"
            + "<capability>" + Capabilities.BASE_11 + "</capability>"
            + "</capabilities></hello>";

    /** Opens the netconf subsystem on {@code c} and exchanges hellos, within {@code timeout}. */
    public static Session open(Ssh.Connection c, Duration timeout, long maxMessage) throws Failed {
        net.schmizz.sshj.connection.channel.direct.Session ssh = null;
        try {
            ssh = c.client().startSession();
            Subsystem sub = ssh.startSubsystem("netconf");
            Session s = new Session(ssh, sub, timeout, maxMessage);
            s.hello();
            return s;
        } catch (net.schmizz.sshj.connection.ConnectionException e) {
            closeQuietly(ssh);
            throw new Failed("error", "the device refused the netconf subsystem (" + e.getMessage() + "): is NETCONF enabled on it?");
        } catch (IOException e) {
            closeQuietly(ssh);
            throw new Failed("error", "opening the netconf subsystem failed: " + e.getMessage());
        } catch (Failed f) {
            closeQuietly(ssh);
            throw f;
        }
    }

    private void hello() throws Failed {
        Element hello = exchange(HELLO, "hello");
        if (!"hello".equals(hello.getLocalName()) || !Xml.BASE.equals(hello.getNamespaceURI())) {
            throw new Failed("error", "the device's first message is <" + hello.getTagName() + ">, not a NETCONF <hello>");
        }
        List<String> uris = new ArrayList<>();
        Element caps = Xml.child(hello, "capabilities");
        if (caps != null) for (Element c : Xml.children(caps, "capability")) uris.add(c.getTextContent().strip());
        capabilities = new Capabilities(List.copyOf(uris));
        sessionId = Xml.text(hello, "session-id");
        if (!uris.contains(Capabilities.BASE_10) && !uris.contains(Capabilities.BASE_11)) {
            throw new Failed("error", "the device's hello names neither base:1.0 nor base:1.1");
        }
        if (capabilities.base11()) {
            framing.chunked();
            settle();
        }
    }

    /**
     * A pause between the hellos and the first chunked rpc. yuma123's netconfd (and other servers
     * that split input at the 1.0 end-of-message marker until they have processed the client's
     * hello) reads bytes that arrive before it switched to chunked framing as a 1.0 message; a
     * chunked rpc then never ends and the session hangs until it is closed (reproduced: our hello and
     * a chunked get-config written together hang netconfd 2.13 every time; written 200 ms apart
     * they never do). In a 20-device fan-out about one session in 100 hit it without this pause,
     * none in 1,000 with it (and none in 400 with 5 ms and the CPU saturated). go-netconf's users
     * report the same class of race with H3C and Huawei devices (go-netconf #88).
     */
    private static final long SETTLE_MS = 10;

    private static void settle() throws Failed {
        try {
            Thread.sleep(SETTLE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failed("interrupted", "hello: interrupted");
        }
    }

    public Capabilities capabilities() { return capabilities; }
    public String sessionId() { return sessionId; }
    /** "1.1" (chunked framing) or "1.0" (end-of-message). */
    public String base() { return framing.isChunked() ? "1.1" : "1.0"; }

    /** Sends {@code operation} (the XML inside {@code <rpc>}) and returns its reply. */
    public Reply rpc(String operation) throws Failed {
        String id = Integer.toString(++messageId);
        String rpc = "<rpc message-id=\"" + id + "\" xmlns=\"" + Xml.BASE + "\">" + operation + "</rpc>";
        String name = operation.substring(1).split("[\\s/>]", 2)[0];
        while (true) {
            Element e = exchange(rpc, name);
            rpc = null;                                      // sent once: a notification makes us read again
            if (e.getLocalName().equals("notification")) continue;
            if (!e.getLocalName().equals("rpc-reply")) throw new Failed("error", name + ": the device answered <" + e.getTagName() + ">, not <rpc-reply>");
            String got = e.getAttribute("message-id");
            if (!got.isEmpty() && !got.equals(id)) throw new Failed("error", name + ": a reply to message-id " + got + ", expected " + id);
            return new Reply(e, RpcError.of(e));
        }
    }

    /** Writes {@code message} (unless null) and reads the next message, all within the reply timeout. */
    private Element exchange(String message, String what) throws Failed {
        AtomicBoolean expired = new AtomicBoolean();
        ScheduledFuture<?> guard = timeout.isZero() ? null : TIMER.schedule(() -> {
            expired.set(true);
            closeQuietly(ssh);
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            if (message != null) framing.write(message);
            Framing.Bytes b = framing.read();
            Document d = Xml.parse(b.data(), b.length());
            return d.getDocumentElement();
        } catch (IOException e) {
            if (expired.get()) throw new Failed("timeout", what + ": no reply within " + Durations.format(timeout.toMillis()));
            if (Thread.currentThread().isInterrupted()) throw new Failed("interrupted", what + ": interrupted");
            throw new Failed("error", what + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (SAXParseException e) {
            throw new Failed("error", what + ": the device sent malformed XML (line " + e.getLineNumber() + ", column " + e.getColumnNumber() + "): " + e.getMessage());
        } catch (SAXException e) {
            throw new Failed("error", what + ": the device sent malformed XML: " + e.getMessage());
        } finally {
            if (guard != null) guard.cancel(false);
        }
    }

    /** close-session (a short wait for its reply), then the channel. The device releases our locks. */
    @Override public void close() {
        try {
            if (ssh.isOpen()) {
                framing.write("<rpc message-id=\"" + (++messageId) + "\" xmlns=\"" + Xml.BASE + "\"><close-session/></rpc>");
                ScheduledFuture<?> guard = TIMER.schedule(() -> closeQuietly(ssh), 2, TimeUnit.SECONDS);
                try {
                    framing.read();
                } finally {
                    guard.cancel(false);
                }
            }
        } catch (IOException | RuntimeException ignored) {
        } finally {
            closeQuietly(ssh);
        }
    }

    private static void closeQuietly(net.schmizz.sshj.connection.channel.direct.Session s) {
        if (s == null) return;
        try {
            s.close();
        } catch (IOException | RuntimeException ignored) { }
    }
}
