package ssh;

//SOURCES HostConfig.java Ssh.java

import java.util.Objects;

/**
 * How to reach one endpoint: directly ({@code via} null), or through the connection of another
 * route (a bastion, itself direct or behind further bastions). {@code config} is what ssh_config
 * (and the command line) say about that host: how it logs in and what it trusts. Two routes are the same connection when their
 * endpoints (host, port, user, keys), settings and whole chains are equal; {@code name}, how the
 * user wrote the host ("bastion1", "admin@b1:2222"), only labels messages.
 */
public record Route(Ssh.Endpoint endpoint, HostConfig config, Route via, String name) {

    /** The bastions, nearest to us first ("b1,b2"), or "" for a direct route. */
    public String chain() {
        if (via == null) return "";
        String before = via.chain();
        return before.isEmpty() ? via.name : before + "," + via.name;
    }

    /** How many bastions deep this route is. */
    public int depth() { return via == null ? 0 : 1 + via.depth(); }

    @Override public boolean equals(Object o) {
        return o instanceof Route r && endpoint.equals(r.endpoint) && Objects.equals(config, r.config) && Objects.equals(via, r.via);
    }

    @Override public int hashCode() { return Objects.hash(endpoint, config, via); }
}
