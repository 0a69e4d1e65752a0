package net;

/**
 * One target of a run. {@code spec} is how it reads after range expansion ({@code web01.dc1:2222}),
 * {@code origin} where it came from ({@code hosts.txt:12}); {@code user} may be null.
 */
public record Target(String spec, String user, String host, int port, String origin) {
    /** host:port, with IPv6 addresses bracketed. */
    public String hostPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
