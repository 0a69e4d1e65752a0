package snmp;

/**
 * What happened to one device (or one request to it), in the words an operator uses. The USM
 * statuses come from the agent's REPORT PDUs (RFC 3414 usmStats counters), not from guessing.
 */
public enum Status {
    OK("ok"),
    /** No answer within the per-request timeout, after every retry (down, filtered, wrong community). */
    TIMEOUT("timeout"),
    /** usmStatsUnknownUserNames: the agent has no such SNMPv3 user. */
    UNKNOWN_USER("unknown-user"),
    /** usmStatsWrongDigests: the auth password (or protocol) does not match the agent's. */
    WRONG_DIGEST("wrong-digest"),
    /** usmStatsDecryptionErrors: the priv password (or protocol) does not match the agent's. */
    DECRYPTION_ERROR("decryption-error"),
    /** The agent implements no such object (a get of a name it does not know). */
    NO_SUCH_OBJECT("no-such-object"),
    /** The object exists but not that instance (ifDescr.99 on a box with 4 interfaces). */
    NO_SUCH_INSTANCE("no-such-instance"),
    /** The host name does not resolve. */
    UNRESOLVED("unresolved"),
    /** Anything else: an SNMP error-status (authorizationError, tooBig, ...), another report, a socket error. */
    ERROR("error"),
    /** Cut by --deadline or Ctrl-C before it finished. */
    NOT_RUN("not-run");

    public final String text;

    Status(String text) { this.text = text; }

    @Override public String toString() { return text; }
}
