package ssh;

//SOURCES HostConfig.java Route.java Ssh.java

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A run's authenticated SSH connections, one per route (endpoint and bastion chain), shared:
 * <ul>
 * <li>a bastion is connected once, by its first user (the others wait for it), and serves every
 *     host behind it, with at most {@code channelsPerBastion} tunnels open at once; later hosts queue
 *     for a free one (never fail for it; an idle host's tunnel is taken back for them). A bastion that fails fails once: every host behind it gets
 *     {@code jump-failed} with "via BASTION: its status: why", without trying again;</li>
 * <li>a host asked for again (named twice in the input, or a tool's next step on it: {@link #step})
 *     gets the same connection while it is open. {@link #expect} announces uses, so a connection with uses
 *     still to come stays open between them (at most {@code maxIdle} such idle connections; beyond
 *     that the oldest is closed and reopened when its turn comes); with no use announced it is
 *     closed when its last lease is.</li>
 * </ul>
 *
 * Each host and bastion logs in with the Login its own settings give ({@code logins}, e.g.
 * HostLogins::login: its known_hosts, host key policy, timeouts, algorithms), made when its route
 * is first expected or asked for.
 *
 * <pre>
 *   try (Connections pool = new Connections(hostLogins::login, Connections.DEFAULT_CHANNELS, 16)) {
 *       routes.forEach(pool::expect);                  // also makes every login: bad settings fail here
 *       try (Connections.Lease l = pool.get(route)) { RemoteCommand.run(l.connection(), ...); }
 *   }
 * </pre>
 * A lease's connection may be shared: use sessions on it, don't close it (RemoteCommand's timeout
 * drops it; the pool then opens a new one for the next user).
 */
public final class Connections implements AutoCloseable {
    /**
     * Tunnels at once per bastion connection: 10, OpenSSH's MaxSessions default. sshd does not apply
     * MaxSessions to direct-tcpip channels, but a bastion sized for 10 sessions per login is what
     * operators expect; fanout's --jump-channels changes it.
     */
    public static final int DEFAULT_CHANNELS = 10;

    private final Function<HostConfig, Ssh.Login> logins;
    private final int channelsPerBastion;
    private final int maxIdle;
    private final Map<Route, Entry> entries = new HashMap<>();      // guarded by this
    private final LinkedHashSet<Live> idle = new LinkedHashSet<>();  // guarded by this, oldest first
    private boolean closed;

    public Connections(Function<HostConfig, Ssh.Login> logins, int channelsPerBastion, int maxIdle) {
        if (channelsPerBastion < 1) throw new IllegalArgumentException("channelsPerBastion " + channelsPerBastion);
        this.logins = logins;
        this.channelsPerBastion = channelsPerBastion;
        this.maxIdle = maxIdle;
    }

    /** One route's state; its lock makes concurrent first users wait for one connect. */
    private final class Entry {
        final Route route;
        final Ssh.Login login;
        final ReentrantLock connecting = new ReentrantLock();
        final Semaphore channels = new Semaphore(channelsPerBastion, true);
        int planned;            // uses announced by expect() and not yet ended
        Live live;              // the open connection, or null
        Ssh.Failure failed;     // this route failed as a bastion: every later user gets it

        Entry(Route route) {
            this.route = route;
            this.login = logins.apply(route.config());
        }
    }

    /** One open connection; {@code parent} is the lease on the bastion its tunnel goes through. */
    private static final class Live {
        final Entry entry;
        final Ssh.Connection connection;
        final Lease parent;
        int users;              // leases not yet closed; guarded by the pool

        Live(Entry entry, Ssh.Connection connection, Lease parent) {
            this.entry = entry;
            this.connection = connection;
            this.parent = parent;
        }

        boolean alive() { return connection.client().isConnected() && connection.client().isAuthenticated(); }
    }

    /** A use of a connection; close it when done (the connection stays the pool's). */
    public final class Lease implements AutoCloseable {
        private final Live live;
        private final boolean countsUse;   // a host's own use (not a bastion's, held by a tunnel)
        private boolean released;

        private Lease(Live live, boolean countsUse) {
            this.live = live;
            this.countsUse = countsUse;
        }

        public Ssh.Connection connection() { return live.connection; }

        @Override public void close() {
            List<Live> done = new ArrayList<>();
            synchronized (Connections.this) {
                if (released) return;
                released = true;
                if (countsUse) plan(live.entry.route, -1);
                release(live, done);
            }
            done.forEach(Connections::shut);
        }
    }

    /** Announces one more use of {@code route} (and so of each bastion on its way). */
    public synchronized void expect(Route route) {
        plan(route, +1);
    }

    /** A connection for {@code route}: the open one, or a new one (through its bastions, connected once). */
    public Lease get(Route route) throws Ssh.Failure {
        return get(route, true, true);
    }

    /**
     * A connection for one of several steps on a host whose use was announced once with
     * {@link #expect} (rollout's precheck, deploy, verify, rollback): closing the lease keeps the
     * connection for the next step; {@link #done} ends the use after the last one.
     */
    public Lease step(Route route) throws Ssh.Failure {
        return get(route, true, false);
    }

    /** The use {@link #expect} announced for {@code route} is over: its connection closes once no lease holds it. */
    public void done(Route route) {
        List<Live> shut = new ArrayList<>();
        synchronized (this) {
            plan(route, -1);
            Entry e = entry(route);
            if (e.live != null && e.live.users == 0 && e.planned <= 0 && idle.remove(e.live)) {
                shut.add(e.live);
                e.live = null;
            }
        }
        shut.forEach(Connections::shut);
    }

    private Lease get(Route route, boolean asHost, boolean endsUse) throws Ssh.Failure {
        Entry e;
        synchronized (this) {
            if (closed) throw new Ssh.Failure("interrupted", "not run: the run is over", null);
            e = entry(route);
        }
        List<Live> done = new ArrayList<>();
        try {
            e.connecting.lockInterruptibly();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new Ssh.Failure("interrupted", "interrupted while waiting for the connection to " + route.name(), null);
        }
        try {
            synchronized (this) {
                if (e.failed != null) throw e.failed;
                if (e.live != null && !e.live.alive()) {          // dropped (a timed-out command, the server): open anew
                    Live dead = e.live;
                    e.live = null;
                    if (idle.remove(dead)) done.add(dead);
                }
                if (e.live != null) {
                    idle.remove(e.live);
                    e.live.users++;
                    return new Lease(e.live, asHost && endsUse);
                }
            }
            Live fresh;
            try {
                fresh = open(e);
            } catch (Ssh.Failure f) {
                boolean ours = !f.status.equals("interrupted") && !Ssh.OUT_OF_FDS.equals(f.detail);
                if (!asHost && ours) {
                    synchronized (this) { e.failed = f; }
                }
                throw f;
            }
            synchronized (this) {
                e.live = fresh;
                fresh.users++;
            }
            return new Lease(fresh, asHost && endsUse);
        } finally {
            e.connecting.unlock();
            done.forEach(Connections::shut);
        }
    }

    /** Connects {@code e}'s route: directly, or through a channel of its bastion's connection. */
    private Live open(Entry e) throws Ssh.Failure {
        Route r = e.route;
        if (r.via() == null) return new Live(e, Ssh.connect(r.endpoint(), e.login), null);
        Lease parent;
        try {
            parent = get(r.via(), false, false);
        } catch (Ssh.Failure f) {
            if (f.status.equals("jump-failed") || f.status.equals("interrupted") || Ssh.OUT_OF_FDS.equals(f.detail)) throw f;
            throw new Ssh.Failure("jump-failed", "via " + r.via().name() + ": " + f.status + ": " + f.detail, f.address);
        }
        Semaphore channels = parent.live.entry.channels;
        try {
            acquire(parent.live.entry);              // queue for one of the bastion's tunnels
        } catch (InterruptedException ex) {
            parent.close();
            Thread.currentThread().interrupt();
            throw new Ssh.Failure("interrupted", "interrupted while waiting for a channel on " + r.via().name(), null);
        }
        try {
            Ssh.Connection c = Ssh.connect(r.endpoint(), e.login, parent.connection(), r.via().name());
            c.negotiated().put("via", r.chain());
            return new Live(e, c, parent);
        } catch (Ssh.Failure | RuntimeException f) {
            channels.release();
            parent.close();
            throw f;
        }
    }

    /**
     * Takes one of {@code bastion}'s tunnels, waiting for one in turn. An idle connection (kept for
     * a later use) holding one is closed to free it: without that, idle hosts could hold every
     * tunnel while the hosts that need one wait forever. It is reopened when its use comes.
     */
    private void acquire(Entry bastion) throws InterruptedException {
        while (!bastion.channels.tryAcquire(50, TimeUnit.MILLISECONDS)) {
            Live spare = null;
            synchronized (this) {
                for (Live l : idle) {
                    if (l.parent != null && l.parent.live.entry == bastion) {
                        spare = l;
                        break;
                    }
                }
                if (spare != null) {
                    idle.remove(spare);
                    if (spare.entry.live == spare) spare.entry.live = null;
                }
            }
            if (spare != null) shut(spare);
        }
    }

    /** A lease ended (caller holds the monitor): closes the connection, keeps it idle, or keeps it in use. */
    private void release(Live l, List<Live> done) {
        if (--l.users > 0) return;
        Entry e = l.entry;
        if (e.live != l || e.planned <= 0 || closed) {
            if (e.live == l) e.live = null;
            done.add(l);
            return;
        }
        idle.add(l);
        if (idle.size() > maxIdle) {
            Live oldest = idle.iterator().next();
            idle.remove(oldest);
            if (oldest.entry.live == oldest) oldest.entry.live = null;
            done.add(oldest);
        }
    }

    /** Closes a connection nobody uses any more, then gives back its tunnel and its bastion lease. */
    private static void shut(Live l) {
        l.connection.close();
        if (l.parent != null) {
            l.parent.live.entry.channels.release();
            l.parent.close();
        }
    }

    /** Counts {@code delta} uses more (or fewer) of {@code route} and of each bastion on its way (caller holds the monitor). */
    private void plan(Route route, int delta) {
        for (Route r = route; r != null; r = r.via()) entry(r).planned += delta;
    }

    private Entry entry(Route r) {
        return entries.computeIfAbsent(r, Entry::new);
    }

    /** Closes every connection still open, hosts before the bastions they go through. */
    @Override public void close() {
        List<Live> open = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (Entry e : entries.values()) {
                if (e.live != null && e.live.users == 0) open.add(e.live);
                e.live = null;
            }
            idle.clear();
        }
        open.sort(Comparator.comparingInt((Live l) -> l.entry.route.depth()).reversed());
        open.forEach(Connections::shut);
    }
}
