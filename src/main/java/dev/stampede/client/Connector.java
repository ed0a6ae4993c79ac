package dev.stampede.client;

import dev.stampede.client.ClientConnection.State;
import dev.stampede.transport.ClientTls;
import dev.stampede.transport.TlsBuffers;
import dev.stampede.transport.TlsErrors;
import dev.stampede.transport.TlsSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Brings connections up and back up: non-blocking connects, at most {@value #MAX_IN_FLIGHT} in
 * flight at once (so 19,000 connections come up in a steady stream instead of overflowing the
 * server's accept queue), and after a failure a retry once the connection's {@link Backoff} has
 * passed. Failures are logged at most once a second, with a count of the others.
 *
 * <h2>Several servers: spread and fail over</h2>
 * Connection i starts on server {@code i mod n}, so each of n servers gets about 1/n of the
 * connections. A connection whose server has failed it {@value #FAILOVER_AFTER} times in a row
 * (refused connects, or losses within {@link Backoff#HEALTHY_NS} of connecting; the failure that
 * lost a healthy connection is the first) moves to the next server in the list, wrapping around,
 * and tries it at once (after the shortest back-off); once up there it replays, as after any
 * reconnect. With the back-off's shortest delays (100, 200, 400, 800 ms at least) the fifth
 * failure cannot come sooner than 1.5 s after the first, and comes at most 3 s after it (at most
 * 200 + 400 + 800 + 1,600 ms): so a server that accepts again within 1.5 s of losing its clients
 * (a crash and restart) keeps every one of them, and they replay into it inside its 3 s startup
 * grace; a server gone for good has lost all of them 3 s after, and they are up elsewhere about
 * 0.2 s later. A connection never moves back by itself: it moves on only when its new server fails
 * it in turn. The back-off keeps growing across moves (only the first try on a new server is
 * quick), so while every server is down each connection still tries about once per 5 s at most.
 *
 * <p>A server that stops acknowledging ({@link #failOver}) is left at once: it has not refused,
 * it has gone silent, and waiting for five failures on a frozen host whose kernel still completes
 * connects would take too long. With {@link #connectTimeout} a connect that has not finished in
 * time is a failure too, rather than a wait of minutes for a host that does not answer.
 *
 * <h2>TLS</h2>
 * With {@link #useTls}, a connection's handshake follows its connect and holds its connect slot,
 * and at most {@value #MAX_TLS_IN_FLIGHT} are in flight per loop (not {@value #MAX_IN_FLIGHT}): a
 * handshake costs each side about a millisecond of CPU and a server takes 64 per event loop at a
 * time, so the rest only wait at the server while their handshake timeout runs. After a server
 * restart under 5,000 clients, 1,024 in flight (per loop, or shared by two loops) had handshakes
 * time out and start over in some runs (up to 196); 128 per loop had none. A connection is up once
 * its handshake has finished. A handshake that fails (the server's certificate expired, names
 * another host, is not signed by the CA; not a TLS server) or does not finish within the timeout
 * is a failure like a refused connect: logged with the reason, retried after the back-off.
 *
 * <p>Not thread-safe: owned by the client's event loop, which calls {@link #pump} regularly and
 * {@link #finish} when a connect completes or a handshaking socket is ready.
 */
final class Connector {
    /** Connects in progress at most. */
    static final int MAX_IN_FLIGHT = 1024;
    /**
     * TLS connects in progress (connecting or handshaking) per loop at most: enough to keep two
     * server loops' 64 handshake slots busy, few enough that none waits long for one.
     */
    static final int MAX_TLS_IN_FLIGHT = 128;
    /** Failures in a row on one server after which a connection moves to the next server. */
    static final int FAILOVER_AFTER = 5;

    private final Selector selector;
    private final InetSocketAddress[] servers;
    private final InetSocketAddress[] sources;
    private final int sendBufferBytes;
    private final ClientConnection[] connections;
    private final ClientCounters counters;
    private final Backoff backoff;
    private final Consumer<ClientConnection> onUp;
    private final RateLimitedLog failureLog;
    private final RateLimitedLog failoverLog;
    /** Connections waiting for a connect slot, first come first served. */
    private final ArrayDeque<ClientConnection> queue;
    /** Connections waiting out their back-off, earliest retry first. */
    private final PriorityQueue<Retry> retries;
    private int inFlight;
    private int maxInFlight = MAX_IN_FLIGHT;
    private int tried;
    private ClientTls tls;
    private TlsBuffers tlsBuffers;
    /** Handshakes in progress, by deadline (all timeouts have the same length: a FIFO). */
    private final ArrayDeque<Handshake> handshakes = new ArrayDeque<>();
    /** Connects in progress, by deadline (all timeouts have the same length: a FIFO). */
    private final ArrayDeque<Pending> connects = new ArrayDeque<>();
    private long connectTimeoutNs;

    /**
     * @param servers the servers, in order: connection i starts on server {@code i mod n}
     * @param connections this loop's connections (with several loops, a share of them: their
     *     {@code index} is among all the client's, so the server and source address are as with one)
     * @param sources local addresses to bind, round robin by connection index; empty for none
     * @param sendBufferBytes SO_SNDBUF for each socket; 0 for the OS default
     * @param onUp told each time a connection is up (it then sends its replay)
     */
    Connector(Selector selector, InetSocketAddress[] servers, InetSocketAddress[] sources, int sendBufferBytes,
            ClientConnection[] connections, ClientCounters counters, Backoff backoff,
            Consumer<ClientConnection> onUp, Consumer<String> log) {
        this.selector = selector;
        if (servers.length == 0) {
            throw new IllegalArgumentException("no server");
        }
        this.servers = servers.clone();
        this.sources = sources.clone();
        this.sendBufferBytes = sendBufferBytes;
        this.connections = connections;
        this.counters = counters;
        this.backoff = backoff;
        this.onUp = onUp;
        this.failureLog = new RateLimitedLog(log, 1_000_000_000L, "connection failures");
        this.failoverLog = new RateLimitedLog(log, 1_000_000_000L, "failovers");
        this.queue = new ArrayDeque<>(connections.length);
        this.retries = new PriorityQueue<>(Math.max(1, connections.length), Comparator.comparingLong(Retry::timeNs));
        for (ClientConnection c : connections) {
            c.server = c.index % this.servers.length;
            queue.add(c);
        }
    }

    /** Every connection handshakes TLS after its connect; {@code null} for plaintext. */
    void useTls(ClientTls clientTls) {
        this.tls = clientTls;
        this.maxInFlight = clientTls == null ? MAX_IN_FLIGHT : MAX_TLS_IN_FLIGHT;
        this.tlsBuffers = clientTls == null ? null : new TlsBuffers(clientTls.context().createSSLEngine());
    }

    /**
     * A connect not finished within {@code ns} (0: none, the kernel's own, minutes for a host that
     * does not answer) fails like a refused one.
     */
    void connectTimeout(long ns) {
        this.connectTimeoutNs = Math.max(0, ns);
    }

    /** The plaintext of the last {@link TlsSession#read} of any connection (shared). */
    ByteBuffer tlsPlaintext() {
        return tlsBuffers.plaintext();
    }

    /** Whether every connection has connected or failed at least once. */
    boolean allTried() {
        return tried == connections.length;
    }

    /** Queues the connections whose back-off has passed and starts connects while slots are free. */
    void pump(long nowNs) {
        while (!retries.isEmpty() && retries.peek().timeNs() - nowNs <= 0) {
            final ClientConnection c = retries.poll().connection();
            c.state = State.QUEUED;
            queue.add(c);
        }
        for (Pending p = connects.peek(); p != null && p.deadlineNs() - nowNs <= 0; p = connects.peek()) {
            connects.poll();
            final ClientConnection c = p.connection();
            if (c.channel == p.channel() && c.state == State.CONNECTING && c.tls == null
                    && c.channel.isConnectionPending()) {
                fail(c, nowNs, "cannot connect", "timed out after " + connectTimeoutNs / 1_000_000 + " ms");
            }
        }
        for (Handshake h = handshakes.peek(); h != null && h.deadlineNs() - nowNs <= 0; h = handshakes.peek()) {
            handshakes.poll();
            final ClientConnection c = h.connection();
            if (c.tls == h.session() && c.state == State.CONNECTING && h.session().handshaking()) {
                fail(c, nowNs, "TLS handshake failed", "not finished within " + tls.handshakeTimeoutMs() + " ms");
            }
        }
        while (inFlight < maxInFlight && !queue.isEmpty()) {
            start(queue.poll(), nowNs);
        }
    }

    /** The selector says the connect of {@code c} has completed, one way or the other. */
    void finish(ClientConnection c, long nowNs) {
        if (c.tls == null) {
            try {
                if (!c.channel.finishConnect()) {
                    return; // not yet: the selector will say so again
                }
            } catch (IOException e) {
                fail(c, nowNs, "cannot connect", e);
                return;
            }
            if (tls != null) {
                c.tls = new TlsSession(tls.newEngine(servers[c.server]), tlsBuffers);
                c.readOnly();
                handshakes.add(new Handshake(c, c.tls, nowNs + tls.handshakeTimeoutMs() * 1_000_000L));
            }
        }
        if (c.tls != null && !handshake(c, nowNs)) {
            return;
        }
        inFlight--;
        up(c, nowNs);
    }

    /** One step of the handshake; true once it has finished (false: not yet, or failed). */
    private boolean handshake(ClientConnection c, long nowNs) {
        final TlsSession s = c.tls;
        try {
            s.flush(c.channel);
            if (s.read(c.channel) < 0) {
                fail(c, nowNs, "TLS handshake failed", "closed by the server (is it serving TLS? does it want a "
                        + "client certificate: --tls-cert, --tls-key?)");
                return false;
            }
        } catch (IOException e) {
            fail(c, nowNs, "TLS handshake failed", TlsErrors.describe(e));
            return false;
        }
        if (s.handshaking()) {
            c.wantWrites(s.hasPendingOutput());
            return false;
        }
        return true;
    }

    /**
     * The connection failed (refused, reset, closed by the server): close it, count it, and
     * schedule a retry after its back-off. Its ticks are missed until it is back. The one way a
     * connection fails, whoever finds out (the {@link Sender}, the {@link Receiver}, a handshake
     * timeout; with acknowledged delivery, a server silent for too long): once up again, on this
     * server or the next, it sends its {@link ReplayRing} again ({@code onUp}).
     *
     * @param what what failed, for the log ("cannot connect", "lost")
     */
    void fail(ClientConnection c, long nowNs, String what, IOException cause) {
        fail(c, nowNs, what, reason(cause));
    }

    /** As {@link #fail(ClientConnection, long, String, IOException)}, with the reason in words. */
    void fail(ClientConnection c, long nowNs, String what, String reason) {
        fail(c, nowNs, what, reason, false);
    }

    /**
     * As {@link #fail(ClientConnection, long, String, String)}, but with several servers the
     * connection moves to the next one at once (a server judged dead, not merely refusing).
     */
    void failOver(ClientConnection c, long nowNs, String what, String reason) {
        fail(c, nowNs, what, reason, true);
    }

    private void fail(ClientConnection c, long nowNs, String what, String reason, boolean moveNow) {
        if (c.state == State.CONNECTING) {
            inFlight--;
        } else if (c.state == State.UP) {
            counters.connected--;
            if (nowNs - c.upSinceNs >= Backoff.HEALTHY_NS) {
                // It carried data for a while: the server is back, so after this failure retry
                // soon. (A server that drops connections at once keeps the back-off growing.)
                // Retrying soon matters: a restarted server waits only --startup-grace for replays.
                c.failures = 0;
                c.failuresHere = 0;
            }
        }
        c.closeChannel();
        c.state = State.WAITING;
        c.failedBefore = true;
        c.failures++;
        c.failuresHere++;
        counters.failures++;
        markTried(c);
        final int from = c.server;
        final long delayNs;
        final int failuresHere = c.failuresHere;
        if (servers.length > 1 && (moveNow || c.failuresHere >= FAILOVER_AFTER)) {
            c.server = (from + 1) % servers.length;
            c.failuresHere = 0;
            counters.failovers++;
            delayNs = backoff.delayNs(1); // a new server: try it soon (the back-off count goes on)
        } else {
            delayNs = backoff.delayNs(c.failures);
        }
        retries.add(new Retry(nowNs + delayNs, c));
        if (failureLog.permit(nowNs)) {
            failureLog.emit(String.format(Locale.ROOT, "client: connection %d %s%s: %s; retrying in %d ms%s",
                    c.index, what, servers.length > 1 ? " (" + ServerAddresses.format(servers[from]) + ")" : "",
                    reason, delayNs / 1_000_000, hint(reason)));
        }
        if (c.server != from && failoverLog.permit(nowNs)) {
            failoverLog.emit(String.format(Locale.ROOT,
                    "client: connection %d failing over: %s %s; moving to %s", c.index,
                    ServerAddresses.format(servers[from]),
                    moveNow ? reason : "failed it " + failuresHere + " times in a row",
                    ServerAddresses.format(servers[c.server])));
        }
    }

    /** Closes every socket (at exit). */
    void closeAll() {
        for (ClientConnection c : connections) {
            c.closeChannel();
        }
    }

    /** Says how many failure messages were not shown, if any. */
    void finishLog() {
        failureLog.finish("client: ");
        failoverLog.finish("client: ");
    }

    private void start(ClientConnection c, long nowNs) {
        try {
            final SocketChannel ch = SocketChannel.open();
            c.channel = ch;
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true); // one small line per write: no batching
            if (sendBufferBytes > 0) {
                ch.setOption(StandardSocketOptions.SO_SNDBUF, sendBufferBytes);
            }
            if (sources.length > 0) {
                ch.bind(sources[c.index % sources.length]);
            }
            c.key = ch.register(selector, SelectionKey.OP_CONNECT, c);
            c.state = State.CONNECTING;
            inFlight++;
            if (ch.connect(servers[c.server])) {
                inFlight--;
                up(c, nowNs);
            } else if (connectTimeoutNs > 0) {
                connects.add(new Pending(c, ch, nowNs + connectTimeoutNs));
            }
        } catch (IOException e) {
            fail(c, nowNs, "cannot connect", e);
        }
    }

    private void up(ClientConnection c, long nowNs) {
        c.state = State.UP;
        c.readOnly();
        c.upSinceNs = nowNs;
        c.lastHeardNs = nowNs;
        counters.connected++;
        if (c.failedBefore) {
            counters.reconnects++;
        }
        markTried(c);
        onUp.accept(c);
    }

    private void markTried(ClientConnection c) {
        if (!c.tried) {
            c.tried = true;
            tried++;
        }
    }

    /** The handshake of {@code session} on {@code connection} must have finished by {@code deadlineNs}. */
    private record Handshake(ClientConnection connection, TlsSession session, long deadlineNs) {}

    /** The connect of {@code connection} on {@code channel} must have finished by {@code deadlineNs}. */
    private record Pending(ClientConnection connection, SocketChannel channel, long deadlineNs) {}

    /** {@code connection} is to be retried at {@code timeNs}. */
    private record Retry(long timeNs, ClientConnection connection) {}

    private static String reason(IOException e) {
        if (e instanceof javax.net.ssl.SSLException) {
            return "TLS: " + TlsErrors.describe(e);
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static String hint(String reason) {
        if (reason.contains("Too many open files")) {
            return " (raise the open-files limit: ulimit -n)";
        }
        if (reason.contains("Cannot assign requested address") || reason.contains("Address already in use")) {
            return " (out of local ports: add --source-addresses)";
        }
        return "";
    }
}
