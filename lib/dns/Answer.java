package dns;

import java.util.List;

/**
 * One nameserver's reply to one query, asked directly: what it said (the rcode, or that it did not
 * answer), the records of the asked type at the end of any CNAME chain, the chain itself, the
 * smallest TTL, and how long it took.
 */
public record Answer(String server, String name, String type, Outcome outcome, String rcode, int ancount,
                     List<String> records, List<String> cnames, Long ttl, double ms, String error) {

    public enum Outcome {
        ANSWER("answer"), NODATA("NODATA"), NXDOMAIN("NXDOMAIN"), SERVFAIL("SERVFAIL"), REFUSED("REFUSED"),
        RCODE("rcode"), TIMEOUT("timeout"), ERROR("error");

        private final String text;
        Outcome(String text) { this.text = text; }
        public String text() { return text; }
    }

    /** A reply a stub resolver takes as positive (res_query: NOERROR and at least one answer record, a CNAME counts). */
    public boolean positive() { return "NOERROR".equals(rcode) && ancount > 0; }

    /** The server replied (any rcode). */
    public boolean replied() { return outcome != Outcome.TIMEOUT && outcome != Outcome.ERROR; }

    /** A reply after which glibc asks the next server instead (send_dg: SERVFAIL, NOTIMP, REFUSED). */
    public boolean nextServer() { return !replied() || "SERVFAIL".equals(rcode) || "REFUSED".equals(rcode) || "NOTIMP".equals(rcode); }

    /** What a person reads: the records, or the outcome. */
    public String shown() {
        if (outcome == Outcome.ANSWER) return String.join(" ", records);
        if (outcome == Outcome.TIMEOUT || outcome == Outcome.ERROR) return error;
        return outcome == Outcome.RCODE ? rcode : outcome.text();
    }
}
