package dev.stampede.client;

import dev.stampede.client.ClientConnection.State;

/**
 * One loop's side of acknowledged delivery (docs/PROTOCOL.md, "Acknowledgements"): every socket
 * asks for acknowledgements with the opener on line 1; each {@code ACK <n>} forgets the values the
 * server has made durable; a reconnect sends again exactly those not acknowledged; and a server
 * known to acknowledge that goes silent is treated as failed.
 *
 * <h2>Servers that do not acknowledge</h2>
 * A server that answers the opener with {@code ERR 1} (a stampede before acknowledgements) is used
 * as without them: the {@code ERR} is neither shown nor counted, and after a reconnect the
 * connection sends its last {@code --replay} again. So is one that says nothing at all (a minimal
 * v1 server): its connections keep up to {@code --unacked} of their sends, but send only the
 * replay again, and its silence is never held against it.
 *
 * <h2>Failure detection</h2>
 * A server that has acknowledged on any connection ({@link AckingServers}) sends something at
 * least once a second on every acknowledged connection, even when its durability is stalled (the
 * same {@code ACK} again). A connection that hears nothing for {@code --ack-timeout} from such a
 * server is closed and, with several servers, moves to the next one at once: a frozen host (its
 * kernel still completing connects and buffering sends) is left within about the timeout.
 *
 * <p>Not thread-safe: owned by the client's event loop; allocates nothing per value.
 */
final class Acknowledgements {
    /** How often {@link #check} looks at every connection's silence. */
    static final long CHECK_NS = 100_000_000L;

    private final boolean enabled;
    private final long ackTimeoutNs;
    private final AckingServers servers;
    private final AckLatency latency;
    private final ClientCounters counters;
    private Connector connector;
    private long nextCheckNs;
    /** Whether {@link #check} has run once ({@code nextCheckNs} means nothing before: nanoTime may be negative). */
    private boolean checked;

    /**
     * @param enabled whether sockets ask for acknowledgements ({@code --no-acks}: false)
     * @param ackTimeoutNs silence after which a server known to acknowledge is failed; 0: never
     * @param servers shared by the loops: which servers have acknowledged
     * @param latency shared by the loops: the ack latency
     */
    Acknowledgements(boolean enabled, long ackTimeoutNs, AckingServers servers, AckLatency latency,
            ClientCounters counters) {
        this.enabled = enabled;
        this.ackTimeoutNs = ackTimeoutNs;
        this.servers = servers;
        this.latency = latency;
        this.counters = counters;
    }

    /** The connector that fails silent connections. */
    void connector(Connector c) {
        this.connector = c;
    }

    /**
     * A socket is up: queue the opener (if acknowledgements are on), then every value not
     * acknowledged if the connection has been acknowledged before, else the replay.
     */
    void onUp(ClientConnection c) {
        c.openerSent = enabled;
        c.ring.rewind(c.acking, enabled);
    }

    /**
     * The ring of {@code c} has just taken a value, forgetting {@code droppedReplays} unsent replay
     * entries ({@link ReplayRing#offer}): count what it forgot to make room. Values not acknowledged
     * count as dropped only on a connection whose values are acknowledged.
     */
    static void countDrops(ClientCounters counters, ClientConnection c, int droppedReplays) {
        if (c.acking) {
            counters.droppedUnacked += c.ring.lastEvictions();
        } else {
            counters.replayDropped += droppedReplays;
        }
    }

    /** The socket of {@code c} has received something. */
    void heard(ClientConnection c, long nowNs) {
        c.lastHeardNs = nowNs;
    }

    /**
     * A complete reply line from the server of {@code c}.
     *
     * @return true if it was an acknowledgement, or the refusal of the opener: nothing to show
     */
    boolean onLine(ClientConnection c, ReplyReader line, long nowMs) {
        if (!c.openerSent) {
            return false; // never asked: an ACK would be a server's mistake, shown as any line
        }
        final long lines = line.ack();
        if (lines >= 0) {
            servers.learn(c.server);
            c.acking = true;
            final int done = c.ring.ack(lines);
            if (done > 0) {
                counters.acked += done;
                latency.record(nowMs, c.ring.lastAcked());
            }
            return true;
        }
        if (line.errLine() == 1) {
            // A server without acknowledgements: carry on as without them (the replay after a
            // reconnect), and never judge its silence.
            c.openerSent = false;
            c.acking = false;
            return true;
        }
        return false;
    }

    /**
     * About every {@value #CHECK_NS} ns: fails the connections whose server is known to
     * acknowledge and has said nothing for the ack timeout.
     */
    void check(ClientConnection[] connections, long nowNs) {
        if (!enabled || ackTimeoutNs <= 0 || checked && nowNs - nextCheckNs < 0) {
            return;
        }
        checked = true;
        nextCheckNs = nowNs + CHECK_NS;
        for (ClientConnection c : connections) {
            if (c.state == State.UP && c.openerSent && nowNs - c.lastHeardNs >= ackTimeoutNs
                    && servers.knows(c.server)) {
                counters.ackTimeouts++;
                connector.failOver(c, nowNs, "lost", "no acknowledgement for " + ackTimeoutNs / 1_000_000 + " ms");
            }
        }
    }

    /** Values sent and not acknowledged now, over {@code connections}: O(connections). */
    static long unacked(ClientConnection[] connections) {
        long n = 0;
        for (ClientConnection c : connections) {
            if (c.acking) {
                n += c.ring.written();
            }
        }
        return n;
    }
}
