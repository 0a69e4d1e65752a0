package dns;

//DEPS dnsjava:dnsjava:3.6.3
//SOURCES ../cli/Durations.java ../net/Addresses.java Answer.java Names.java

import cli.Durations;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import net.Addresses;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Asks one nameserver one question, directly (dnsjava's SimpleResolver: UDP, TCP only when the
 * reply is truncated, recursion desired as a stub asks, one try and our own timeout: no hidden
 * retries, no search list, no cache). Never fails: a timeout or a socket error is an {@link Answer}.
 */
public final class Direct {
    private final InetSocketAddress server;
    private final String label;
    private final SimpleResolver resolver;

    public Direct(InetSocketAddress server, Duration timeout) {
        this.server = server;
        this.label = label(server);
        this.resolver = new SimpleResolver(server);
        resolver.setTimeout(timeout);
    }

    public InetSocketAddress server() { return server; }

    /** "10.0.0.2", or "10.0.0.2:5353" off port 53. */
    public static String label(InetSocketAddress s) {
        String a = Addresses.format(s.getAddress());
        if (s.getPort() == 53) return a;
        return (a.indexOf(':') >= 0 ? "[" + a + "]" : a) + ":" + s.getPort();
    }

    public String label() { return label; }

    /** The type number of A, AAAA, MX, ...; -1 if dnsjava knows no such type. */
    public static int type(String name) { return Type.value(name.toUpperCase(java.util.Locale.ROOT)); }

    /**
     * The first queries of a JVM cost tens of milliseconds of class loading and compiling (dnsjava's
     * NIO client, the parser): {@code fqdn}'s A and AAAA, asked once first, off every name's clock.
     */
    public void warmUp(String fqdn) {
        CompletableFuture.allOf(ask(fqdn, "A"), ask(fqdn, "AAAA"), ask(fqdn, "A")).join();
    }

    public CompletableFuture<Answer> ask(String fqdn, String typeName) {
        int type = type(typeName);
        long t0 = System.nanoTime();
        Message query;
        try {
            query = Message.newQuery(Record.newRecord(Name.fromString(Names.absolute(fqdn)), type, DClass.IN));
        } catch (TextParseException e) {
            return CompletableFuture.completedFuture(failed(fqdn, typeName, t0, "bad name: " + e.getMessage(), false));
        }
        // Completed on dnsjava's own I/O thread (a direct executor), so the time is the reply's, not a pool's queue.
        return resolver.sendAsync(query, Runnable::run).toCompletableFuture()
                .handle((reply, ex) -> ex == null ? parse(fqdn, typeName, type, reply, t0) : failure(fqdn, typeName, t0, ex));
    }

    private Answer parse(String fqdn, String typeName, int type, Message reply, long t0) {
        double ms = (System.nanoTime() - t0) / 1e6;
        int rc = reply.getRcode();
        List<Record> section = reply.getSection(Section.ANSWER);
        List<String> chain = new ArrayList<>(), records = new ArrayList<>();
        Name current = reply.getQuestion() == null ? null : reply.getQuestion().getName();
        Long ttl = null;
        for (int hop = 0; hop < 16 && current != null; hop++) {        // follow the CNAME chain as far as the reply goes
            Name next = null;
            for (Record r : section) {
                if (!r.getName().equals(current)) continue;
                if (r.getType() == type) {
                    records.add(r instanceof ARecord a ? Addresses.format(a.getAddress())
                            : r instanceof AAAARecord q ? Addresses.format(q.getAddress()) : r.rdataToString());
                    ttl = ttl == null ? r.getTTL() : Math.min(ttl, r.getTTL());
                } else if (r instanceof CNAMERecord c && type != Type.CNAME) {
                    next = c.getTarget();
                    ttl = ttl == null ? r.getTTL() : Math.min(ttl, r.getTTL());
                }
            }
            if (next == null) break;
            chain.add(next.toString().toLowerCase(java.util.Locale.ROOT));
            current = next;
        }
        Answer.Outcome o = switch (rc) {
            case Rcode.NOERROR -> records.isEmpty() ? Answer.Outcome.NODATA : Answer.Outcome.ANSWER;
            case Rcode.NXDOMAIN -> Answer.Outcome.NXDOMAIN;
            case Rcode.SERVFAIL -> Answer.Outcome.SERVFAIL;
            case Rcode.REFUSED -> Answer.Outcome.REFUSED;
            default -> Answer.Outcome.RCODE;
        };
        return new Answer(label, Names.absolute(fqdn), typeName, o, Rcode.string(rc), section.size(),
                List.copyOf(records), List.copyOf(chain), ttl, Math.round(ms * 10) / 10.0, null);
    }

    private Answer failure(String fqdn, String typeName, long t0, Throwable ex) {
        Throwable c = ex instanceof CompletionException && ex.getCause() != null ? ex.getCause() : ex;
        boolean timeout = c instanceof TimeoutException || c instanceof SocketTimeoutException
                || (c instanceof IOException && String.valueOf(c.getMessage()).toLowerCase().contains("timed out"));
        if (timeout) {
            return failed(fqdn, typeName, t0, "no answer within " + Durations.format(resolver.getTimeout().toMillis()), true);
        }
        return failed(fqdn, typeName, t0, c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage()), false);
    }

    private Answer failed(String fqdn, String typeName, long t0, String error, boolean timeout) {
        double ms = Math.round((System.nanoTime() - t0) / 1e5) / 10.0;
        return new Answer(label, Names.absolute(fqdn), typeName, timeout ? Answer.Outcome.TIMEOUT : Answer.Outcome.ERROR,
                null, 0, List.of(), List.of(), null, ms, error);
    }
}
