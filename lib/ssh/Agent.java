package ssh;

//DEPS com.hierynomus:sshj:0.40.0
//SOURCES ../run/Threads.java Keys.java

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.common.Buffer;
import run.Threads;

/**
 * A client of ssh-agent (draft-miller-ssh-agent): lists the agent's keys and certificates
 * (REQUEST_IDENTITIES 11 -> IDENTITIES_ANSWER 12) and has it sign (SIGN_REQUEST 13 ->
 * SIGN_RESPONSE 14, with the RSA_SHA2_256/512 flags), over a Unix domain socket (Java 16+). One
 * short connection per request, so any number of logins may sign at once. The private keys never
 * leave the agent; agent forwarding is not offered.
 *
 * Hand-written rather than a dependency: sshj has no agent support; jsch-agent-proxy is
 * unmaintained and needs JNA; JSch's and Apache MINA's agent clients are tied to their own SSH
 * stacks (MINA's Unix one to Tomcat's native APR library). The two requests fanout needs are about
 * a hundred lines on java.nio's Unix sockets.
 */
public final class Agent {
    static final byte FAILURE = 5, REQUEST_IDENTITIES = 11, IDENTITIES_ANSWER = 12, SIGN_REQUEST = 13, SIGN_RESPONSE = 14;
    static final int RSA_SHA2_256 = 2, RSA_SHA2_512 = 4;
    private static final int MAX_REPLY = 256 * 1024;
    /** An agent that waits for a confirmation no one gives (ssh-add -c) must not hold a login forever. */
    private static final long TIMEOUT_MS = 10_000;
    private static final ScheduledExecutorService TIMER = Threads.timer("ssh-agent-timer");

    /**
     * One key (or certificate) the agent holds.
     *
     * @param blob        the public key or certificate, in SSH wire form
     * @param comment     what ssh-add recorded (usually the key file's path)
     * @param fingerprint SHA256:... of the plain key (a certificate's own key)
     */
    public record Identity(byte[] blob, String comment, String fingerprint, boolean certificate) {
        /** "agent key ops-test (SHA256:...)", or "agent certificate ...", for messages. */
        public String describe() {
            return "agent " + (certificate ? "certificate " : "key ") + (comment.isBlank() ? "" : comment + " ") + "(" + fingerprint + ")";
        }
    }

    private final Path socket;

    public Agent(Path socket) { this.socket = socket; }

    public Path socket() { return socket; }

    public List<Identity> identities() throws IOException {
        Buffer.PlainBuffer reply = call(new byte[] {REQUEST_IDENTITIES});
        try {
            byte type = reply.readByte();
            if (type != IDENTITIES_ANSWER) throw new IOException("the agent answered " + type + " to a request for its keys");
            long n = reply.readUInt32();
            List<Identity> ids = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                byte[] blob = reply.readBytes();
                String comment = reply.readString(StandardCharsets.UTF_8);
                ids.add(new Identity(blob, comment, Keys.plainFingerprint(blob), Keys.isCertificate(blob)));
            }
            return ids;
        } catch (Buffer.BufferException e) {
            throw new IOException("malformed answer from the agent: " + e.getMessage(), e);
        }
    }

    /** The agent's signature of {@code data} with the key {@code blob}: the SSH signature blob (string alg, string sig). */
    public byte[] sign(byte[] blob, byte[] data, String algorithm) throws IOException {
        int flags = algorithm.startsWith("rsa-sha2-512") ? RSA_SHA2_512 : algorithm.startsWith("rsa-sha2-256") ? RSA_SHA2_256 : 0;
        byte[] request = new Buffer.PlainBuffer().putByte(SIGN_REQUEST).putBytes(blob).putBytes(data).putUInt32(flags).getCompactData();
        Buffer.PlainBuffer reply = call(request);
        try {
            byte type = reply.readByte();
            if (type == FAILURE) throw new IOException("the agent refused to sign (key removed, or confirmation denied?)");
            if (type != SIGN_RESPONSE) throw new IOException("the agent answered " + type + " to a sign request");
            return reply.readBytes();
        } catch (Buffer.BufferException e) {
            throw new IOException("malformed signature from the agent: " + e.getMessage(), e);
        }
    }

    /** Sends one message (uint32 length, then the body) and reads the one reply. */
    private Buffer.PlainBuffer call(byte[] message) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            var guard = TIMER.schedule(() -> {
                try {
                    ch.close();
                } catch (IOException ignored) { }
            }, TIMEOUT_MS, TimeUnit.MILLISECONDS);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
                ByteBuffer out = ByteBuffer.allocate(4 + message.length).putInt(message.length).put(message).flip();
                while (out.hasRemaining()) ch.write(out);
                ByteBuffer len = read(ch, 4);
                int n = len.getInt();
                if (n <= 0 || n > MAX_REPLY) throw new IOException("the agent sent a reply of " + n + " bytes");
                return new Buffer.PlainBuffer(read(ch, n).array());
            } catch (java.nio.channels.AsynchronousCloseException e) {
                throw new IOException("the agent did not answer within " + TIMEOUT_MS / 1000 + "s", e);
            } finally {
                guard.cancel(false);
            }
        }
    }

    private static ByteBuffer read(SocketChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) throw new IOException("the agent closed the connection");
        }
        return b.flip();
    }
}
