package snmp;

//DEPS org.snmp4j:snmp4j:3.8.2
//SOURCES ../cli/Durations.java Credentials.java Keys.java Status.java Oids.java

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.snmp4j.AbstractTarget;
import org.snmp4j.CommunityTarget;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.PDU;
import org.snmp4j.ScopedPDU;
import org.snmp4j.Snmp;
import org.snmp4j.UserTarget;
import org.snmp4j.event.ResponseEvent;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.MPv3;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.security.AuthHMAC128SHA224;
import org.snmp4j.security.AuthHMAC192SHA256;
import org.snmp4j.security.AuthHMAC256SHA384;
import org.snmp4j.security.AuthHMAC384SHA512;
import org.snmp4j.security.AuthMD5;
import org.snmp4j.security.AuthSHA;
import org.snmp4j.security.PrivAES128;
import org.snmp4j.security.PrivAES192;
import org.snmp4j.security.PrivAES256;
import org.snmp4j.security.PrivDES;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.security.SecurityProtocols;
import org.snmp4j.security.USM;
import org.snmp4j.security.UsmUser;
import org.snmp4j.smi.Counter64;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.IpAddress;
import org.snmp4j.smi.Null;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.UnsignedInteger32;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;

/**
 * One SNMP4J engine (one UDP socket, one USM) shared by every device of a run: GET of a few OIDs,
 * and a GETBULK walk of a subtree. SNMP4J does the BER, engine-ID discovery, time sync, keys and
 * retries; this class turns what comes back into a {@link Status} per request: REPORT PDUs carry
 * the agent's usmStats counters (unknown user, wrong digest, decryption error), a null response is
 * a timeout, an error-status or an exception is an error with its text.
 */
public final class Session implements AutoCloseable {
    /** A value as we print it: the OID, and a String or Long. */
    public record Value(String oid, Object value, String type) {}

    /** One request's outcome: the status, a detail for failures, and the values for ok. */
    public record Outcome(Status status, String detail, List<Value> values) {
        static Outcome fail(Status s, String detail) { return new Outcome(s, detail, List.of()); }
    }

    private final Snmp snmp;
    private MPv3 mpv3;
    private final Credentials.Resolved cred;
    private final long timeoutMs;
    private final int retries;

    public Session(Credentials.Resolved cred, Set<String> users, Duration timeout, int retries) throws IOException {
        this.cred = cred;
        this.timeoutMs = Math.max(1, timeout.toMillis());
        this.retries = retries;
        MessageDispatcherImpl dispatcher = new MessageDispatcherImpl();
        dispatcher.addMessageProcessingModel(new MPv2c());
        if (cred.v3()) {
            // Empty (the protected constructor): the predefined sets would keep SNMP4J's own auth
            // protocols, and addAuthenticationProtocol does not replace one with the same ID.
            SecurityProtocols protocols = new SecurityProtocols() { };
            for (String a : Credentials.AUTH) protocols.addAuthenticationProtocol(Keys.protocol(a));   // Ku once per password
            protocols.addPrivacyProtocol(new PrivDES());
            protocols.addPrivacyProtocol(new PrivAES128());
            protocols.addPrivacyProtocol(new PrivAES192());
            protocols.addPrivacyProtocol(new PrivAES256());
            if (cred.auth() != null) {      // Ku for the auth and priv passwords while the socket opens and discovery runs
                Thread.ofPlatform().daemon().name("snmp-keys").start(() -> {
                    Keys.prepare(cred.authProto(), secret(cred.auth()));
                    if (cred.priv() != null) Keys.prepare(cred.authProto(), secret(cred.priv()));
                });
            }
            USM usm = new USM(protocols, new OctetString(MPv3.createLocalEngineID()), 0);
            for (String u : users) {
                usm.addUser(new UsmUser(new OctetString(u),
                        cred.auth() == null ? null : authOid(cred.authProto()), cred.auth() == null ? null : secret(cred.auth()),
                        cred.priv() == null ? null : privOid(cred.privProto()), cred.priv() == null ? null : secret(cred.priv())));
            }
            mpv3 = new MPv3(usm);
            dispatcher.addMessageProcessingModel(mpv3);
            // net-snmp sends its usmStatsWrongDigests/UnknownUserNames reports unauthenticated (it
            // cannot authenticate to a user it does not know or whose key does not match); SNMP4J's
            // "standard" strategy drops them and the request times out. We want the agent's reason.
            org.snmp4j.SNMP4JSettings.setReportSecurityLevelStrategy(org.snmp4j.SNMP4JSettings.ReportSecurityLevelStrategy.noAuthNoPrivIfNeeded);
        }
        DefaultUdpTransportMapping transport = new DefaultUdpTransportMapping();
        snmp = new Snmp(dispatcher, transport);
        snmp.listen();
    }

    static OctetString secret(char[] s) { return new OctetString(new String(s)); }

    static OID authOid(String p) {
        return switch (p) {
            case "MD5" -> AuthMD5.ID;
            case "SHA" -> AuthSHA.ID;
            case "SHA-224" -> AuthHMAC128SHA224.ID;
            case "SHA-256" -> AuthHMAC192SHA256.ID;
            case "SHA-384" -> AuthHMAC256SHA384.ID;
            case "SHA-512" -> AuthHMAC384SHA512.ID;
            default -> throw new IllegalArgumentException(p);
        };
    }

    static OID privOid(String p) {
        return switch (p) {
            case "DES" -> PrivDES.ID;
            case "AES" -> PrivAES128.ID;
            case "AES-192" -> PrivAES192.ID;
            case "AES-256" -> PrivAES256.ID;
            default -> throw new IllegalArgumentException(p);
        };
    }

    /** The SNMP4J target for one device; {@code user} is the hosts file's user@ or -u. */
    public AbstractTarget<UdpAddress> target(InetAddress address, int port, String user) {
        UdpAddress udp = new UdpAddress(address, port);
        AbstractTarget<UdpAddress> t;
        if (cred.v3()) {
            UserTarget<UdpAddress> ut = new UserTarget<>();
            ut.setSecurityName(new OctetString(user));
            ut.setSecurityLevel(switch (cred.level()) {
                case authPriv -> SecurityLevel.AUTH_PRIV;
                case authNoPriv -> SecurityLevel.AUTH_NOPRIV;
                case noAuthNoPriv -> SecurityLevel.NOAUTH_NOPRIV;
            });
            ut.setVersion(SnmpConstants.version3);
            t = ut;
        } else {
            CommunityTarget<UdpAddress> ct = new CommunityTarget<>();
            ct.setCommunity(secret(cred.community()));
            ct.setVersion(SnmpConstants.version2c);
            t = ct;
        }
        t.setAddress(udp);
        t.setTimeout(timeoutMs);
        t.setRetries(retries);
        return t;
    }

    PDU pdu(int type) {
        PDU p = cred.v3() ? new ScopedPDU() : new PDU();
        p.setType(type);
        return p;
    }

    /** GET of {@code oids}; a noSuchObject/noSuchInstance in any binding is that status for the device. */
    public Outcome get(AbstractTarget<UdpAddress> target, List<String> oids) {
        PDU p = pdu(PDU.GET);
        for (String o : oids) p.add(new VariableBinding(new OID(o)));
        Outcome o = diagnose(send(p, target), target);
        if (o.status() != Status.OK) return o;
        for (Value v : o.values()) {
            if ("noSuchObject".equals(v.type())) return new Outcome(Status.NO_SUCH_OBJECT, "no such object: " + Oids.name(v.oid()), o.values());
            if ("noSuchInstance".equals(v.type())) return new Outcome(Status.NO_SUCH_INSTANCE, "no such instance: " + Oids.name(v.oid()), o.values());
        }
        return o;
    }

    /** GETBULK walk of the subtree under {@code root}, in lexicographic order (as snmpbulkwalk). */
    public Outcome walk(AbstractTarget<UdpAddress> target, String root, int maxRepetitions) {
        OID rootOid = new OID(root);
        OID next = rootOid;
        List<Value> all = new ArrayList<>();
        while (true) {
            PDU p = pdu(PDU.GETBULK);
            p.setMaxRepetitions(maxRepetitions);
            p.setNonRepeaters(0);
            p.add(new VariableBinding(next));
            Outcome o = diagnose(send(p, target, all), target);
            if (o.status() != Status.OK) return new Outcome(o.status(), o.detail(), all);
            if (o.values().isEmpty()) return new Outcome(Status.OK, null, all);
            for (Value v : o.values()) {
                OID oid = new OID(v.oid());
                if ("endOfMibView".equals(v.type()) || !oid.startsWith(rootOid)) return new Outcome(Status.OK, null, all);
                if (oid.compareTo(next) <= 0) return new Outcome(Status.ERROR, "agent returned OIDs out of order at " + v.oid(), all);
                all.add(v);
                next = oid;
            }
        }
    }

    /**
     * An authPriv request that timed out although the agent answered engine-ID discovery: net-snmp
     * (and many agents) silently drop what they cannot decrypt instead of reporting
     * usmStatsDecryptionErrors. One authNoPriv GET with the same user tells the cases apart: an
     * answer (even authorizationError) proves the user and auth key right, so the priv key is wrong.
     */
    Outcome diagnose(Outcome o, AbstractTarget<UdpAddress> target) {
        if (o.status() != Status.TIMEOUT || !cred.v3() || cred.level() != Credentials.Level.authPriv) return o;
        if (mpv3.getEngineID(target.getAddress()) == null) return o;     // never heard from it: a plain timeout
        UserTarget<UdpAddress> probe = new UserTarget<>();
        probe.setAddress(target.getAddress());
        probe.setSecurityName(target.getSecurityName());
        probe.setSecurityLevel(SecurityLevel.AUTH_NOPRIV);
        probe.setVersion(SnmpConstants.version3);
        probe.setTimeout(timeoutMs);
        probe.setRetries(0);
        PDU p = pdu(PDU.GET);
        p.add(new VariableBinding(new OID("1.3.6.1.2.1.1.3.0")));
        Outcome a = send(p, probe);
        if (a.status() == Status.OK || (a.status() == Status.ERROR && a.detail().startsWith("agent says"))) {
            return Outcome.fail(Status.DECRYPTION_ERROR, "wrong priv password or protocol: the agent answers authNoPriv for this user"
                    + " but drops its authPriv requests (it cannot decrypt them)");
        }
        if (a.status() == Status.WRONG_DIGEST || a.status() == Status.UNKNOWN_USER) return a;
        return new Outcome(Status.TIMEOUT, o.detail() + "; the agent answered engine-ID discovery", o.values());
    }

    private Outcome send(PDU pdu, AbstractTarget<UdpAddress> target) {
        return send(pdu, target, List.of());
    }

    private Outcome send(PDU pdu, AbstractTarget<UdpAddress> target, List<Value> sofar) {
        ResponseEvent<UdpAddress> ev;
        try {
            ev = snmp.send(pdu, target);
        } catch (IOException e) {
            return Outcome.fail(Status.ERROR, "send failed: " + e.getMessage());
        }
        if (ev == null) return Outcome.fail(Status.TIMEOUT, noAnswer());
        if (ev.getError() != null) return Outcome.fail(Status.ERROR, String.valueOf(ev.getError().getMessage()));
        PDU r = ev.getResponse();
        if (r == null) return Outcome.fail(Status.TIMEOUT, noAnswer());
        if (r.getType() == PDU.REPORT) return report(r);
        if (r.getErrorStatus() != 0) {
            return Outcome.fail(Status.ERROR, "agent says " + r.getErrorStatusText()
                    + (r.getErrorIndex() > 0 && r.getErrorIndex() <= pdu.size() ? " at " + Oids.name(pdu.get(r.getErrorIndex() - 1).getOid().toDottedString()) : ""));
        }
        List<Value> values = new ArrayList<>();
        for (VariableBinding vb : r.getVariableBindings()) values.add(value(vb));
        return new Outcome(Status.OK, null, values);
    }

    String noAnswer() {
        return "no answer within " + cli.Durations.format(timeoutMs) + (retries > 0 ? " (" + (retries + 1) + " tries)" : "")
                + (cred.v3() ? "" : " (down, filtered, or the community is wrong)");
    }

    static final OID UNKNOWN_USER = new OID("1.3.6.1.6.3.15.1.1.3");
    static final OID WRONG_DIGEST = new OID("1.3.6.1.6.3.15.1.1.5");
    static final OID DECRYPTION = new OID("1.3.6.1.6.3.15.1.1.6");
    static final OID UNSUPPORTED_LEVEL = new OID("1.3.6.1.6.3.15.1.1.1");
    static final OID UNKNOWN_ENGINE = new OID("1.3.6.1.6.3.15.1.1.4");
    static final OID NOT_IN_TIME = new OID("1.3.6.1.6.3.15.1.1.2");

    /** A REPORT PDU: the agent's usmStats counter says why it refused the request (RFC 3414 3.2). */
    Outcome report(PDU r) {
        if (r.size() == 0) return Outcome.fail(Status.ERROR, "agent sent an empty report");
        OID oid = r.get(0).getOid();
        if (oid.startsWith(UNKNOWN_USER)) return Outcome.fail(Status.UNKNOWN_USER, "the agent knows no such user (usmStatsUnknownUserNames)");
        if (oid.startsWith(WRONG_DIGEST)) return Outcome.fail(Status.WRONG_DIGEST, "wrong auth password or protocol (usmStatsWrongDigests)");
        if (oid.startsWith(DECRYPTION)) return Outcome.fail(Status.DECRYPTION_ERROR, "wrong priv password or protocol (usmStatsDecryptionErrors)");
        if (oid.startsWith(UNSUPPORTED_LEVEL)) return Outcome.fail(Status.ERROR, "the user does not support security level " + cred.level() + " (usmStatsUnsupportedSecLevels)");
        if (oid.startsWith(UNKNOWN_ENGINE)) return Outcome.fail(Status.ERROR, "engine-ID discovery failed (usmStatsUnknownEngineIDs)");
        if (oid.startsWith(NOT_IN_TIME)) return Outcome.fail(Status.ERROR, "not in time window (usmStatsNotInTimeWindows)");
        return Outcome.fail(Status.ERROR, "agent sent report " + oid.toDottedString());
    }

    /** Strings printable as text, else hex (00:1a:2b), and addresses always hex (a MAC can be valid UTF-8); numbers as Long; OIDs dotted. */
    static Value value(VariableBinding vb) {
        Variable v = vb.getVariable();
        String oid = vb.getOid().toDottedString();
        switch (v.getSyntax()) {
            case org.snmp4j.smi.SMIConstants.EXCEPTION_NO_SUCH_OBJECT -> { return new Value(oid, null, "noSuchObject"); }
            case org.snmp4j.smi.SMIConstants.EXCEPTION_NO_SUCH_INSTANCE -> { return new Value(oid, null, "noSuchInstance"); }
            case org.snmp4j.smi.SMIConstants.EXCEPTION_END_OF_MIB_VIEW -> { return new Value(oid, null, "endOfMibView"); }
            default -> { }
        }
        if (v instanceof Null) return new Value(oid, null, "NULL");
        if (v instanceof OctetString s) return new Value(oid, !Oids.isBinary(oid) && printable(s) ? new String(s.getValue(), java.nio.charset.StandardCharsets.UTF_8) : s.toHexString(':'), "OCTET STRING");
        if (v instanceof Counter64 c) return new Value(oid, c.getValue(), v.getSyntaxString());
        if (v instanceof Integer32 i) return new Value(oid, (long) i.getValue(), v.getSyntaxString());
        if (v instanceof IpAddress a) return new Value(oid, a.toString(), v.getSyntaxString());
        if (v instanceof UnsignedInteger32 u) return new Value(oid, u.getValue(), v.getSyntaxString());
        if (v instanceof OID o) return new Value(oid, o.toDottedString(), v.getSyntaxString());
        return new Value(oid, v.toString(), v.getSyntaxString());
    }

    static boolean printable(OctetString s) {
        byte[] b = s.getValue();
        for (int i = 0; i < b.length; i++) {
            int c = b[i] & 0xff;
            if (c == 0 && i == b.length - 1) continue;
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
            if (c == 0x7f) return false;
        }
        try {
            java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    @Override public void close() {
        try {
            snmp.close();
        } catch (IOException ignored) {
            // closing our own socket: nothing to report
        }
    }
}
