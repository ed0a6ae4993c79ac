package dev.stampede.transport;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The TLS side of one server event loop: makes the session of each accepted socket, holds the
 * loop's shared {@link TlsBuffers}, bounds the handshakes in progress, closes stalled ones, and
 * counts and logs (rate-limited) the connections that fail before their handshake completes.
 *
 * <h2>Admission</h2>
 * A handshake costs about a millisecond of CPU (key exchange, signature): after a server
 * restart, thousands arrive at once. A connection starts its handshake when its first bytes
 * (the ClientHello) are read; at most {@link #MAX_IN_PROGRESS} run at once per loop, and a
 * connection beyond that stops being read ({@link #admit} clears its interest): its hello waits
 * in the kernel's socket buffer, in arrival order, until a handshake ends and frees a slot. So
 * established connections keep being read between handshakes, and the storm is taken in at the
 * pace the CPU allows.
 *
 * <h2>Timeouts</h2>
 * A handshake must finish within the timeout of starting (of the accept, for a connection that
 * sends nothing; the time a connection waits for a slot is not held against it). The timeouts
 * all have the same length, so a FIFO queue of deadlines is swept from its head: O(1) per
 * connection, checked from the loop's housekeeping.
 *
 * <p>Not thread-safe: owned by one loop.
 */
public final class TlsAcceptor {
    /** Handshakes in progress per loop at most. */
    public static final int MAX_IN_PROGRESS = 64;
    private static final long LOG_PERIOD_MS = 1_000;

    private final ServerTls tls;
    private final TlsBuffers buffers;
    private final Consumer<String> log;
    private final ArrayDeque<TlsSession> waiting = new ArrayDeque<>();
    private final ArrayDeque<Deadline> deadlines = new ArrayDeque<>();
    private int inProgress;
    private long failures;
    private long nextLogMs = Long.MIN_VALUE;
    private long suppressed;

    /** @param log the server's (non-blocking) log, for the rate-limited failure lines */
    public TlsAcceptor(ServerTls tls, Consumer<String> log) {
        this.tls = tls;
        this.buffers = new TlsBuffers(tls.newEngine());
        this.log = log;
    }

    /** The loop's shared buffers; the plaintext of the last read is in {@link TlsBuffers#plaintext()}. */
    public TlsBuffers buffers() {
        return buffers;
    }

    /** A session for a socket just accepted; its handshake must start and end within the timeout. */
    public TlsSession open(long nowMs) {
        final TlsSession s = new TlsSession(tls.newEngine(), buffers);
        arm(s, nowMs);
        return s;
    }

    /**
     * The socket of a session still handshaking is readable: may its handshake go on?
     *
     * @return true if it holds (or now takes) a slot; false if all are taken: the session waits,
     *     unread (its key's interest is cleared), until {@link #finished} gives it one
     */
    public boolean admit(TlsSession s, long nowMs) {
        if (s.admitted) {
            return true;
        }
        if (inProgress < MAX_IN_PROGRESS) {
            take(s, nowMs);
            return true;
        }
        if (s.key != null && s.key.isValid()) {
            s.key.interestOps(0);
        }
        s.deadlineMs = Long.MAX_VALUE; // waiting on us, not on the peer
        waiting.add(s);
        return false;
    }

    /**
     * The session's handshake has finished, or its connection is closing: frees its slot and gives
     * free slots to waiting sessions, in arrival order. Idempotent.
     */
    public void finished(TlsSession s, long nowMs) {
        if (s.released) {
            return;
        }
        s.released = true;
        if (!s.admitted) {
            return; // dropped from the waiting queue when reached
        }
        inProgress--;
        while (inProgress < MAX_IN_PROGRESS && !waiting.isEmpty()) {
            final TlsSession next = waiting.poll();
            if (next.released || next.isClosed() || next.key == null || !next.key.isValid()) {
                continue;
            }
            take(next, nowMs);
            next.key.interestOps(SelectionKey.OP_READ); // its hello is in the socket: read next pass
        }
    }

    /**
     * Closes (through {@code onTimeout}, given the session's attachment) every connection whose
     * handshake has passed its deadline. From the loop's housekeeping.
     */
    public void sweep(long nowMs, Consumer<Object> onTimeout) {
        for (Deadline d = deadlines.peek(); d != null && d.atMs <= nowMs; d = deadlines.peek()) {
            deadlines.poll();
            final TlsSession s = d.session;
            if (d.atMs == s.deadlineMs && !s.released && s.handshaking() && !s.isClosed()) {
                onTimeout.accept(s.attachment());
            }
        }
    }

    /**
     * A connection ended before its handshake completed: counted, and logged at most once a
     * second (with the count of the others).
     */
    public void failed(SocketChannel ch, String why, long nowMs) {
        failures++;
        if (nowMs < nextLogMs) {
            suppressed++;
            return;
        }
        nextLogMs = nowMs + LOG_PERIOD_MS;
        final String more = suppressed > 0 ? " (and " + suppressed + " more TLS failures not shown)" : "";
        suppressed = 0;
        log.accept("server: TLS: connection from " + peer(ch) + " closed: " + why + more);
    }

    /** As {@link #failed(SocketChannel, String, long)}, for an exception. */
    public void failed(SocketChannel ch, IOException e, long nowMs) {
        failed(ch, TlsErrors.describe(e), nowMs);
    }

    /** The handshake timeout, for the failure message. */
    public long handshakeTimeoutMs() {
        return tls.handshakeTimeoutMs();
    }

    /** Connections that ended before their handshake completed, since start. */
    public long failures() {
        return failures;
    }

    /** Handshakes in progress now (for tests). */
    public int inProgress() {
        return inProgress;
    }

    /** Sessions waiting for a slot now, closed ones not yet dropped included (for tests). */
    public int waiting() {
        return waiting.size();
    }

    private void take(TlsSession s, long nowMs) {
        s.admitted = true;
        inProgress++;
        arm(s, nowMs);
    }

    private void arm(TlsSession s, long nowMs) {
        s.deadlineMs = nowMs + tls.handshakeTimeoutMs();
        deadlines.add(new Deadline(s, s.deadlineMs));
    }

    private static String peer(SocketChannel ch) {
        try {
            final SocketAddress a = ch.getRemoteAddress();
            return a == null ? "?" : a.toString().replaceFirst("^/", "");
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** A session's handshake must have finished by {@code atMs}. */
    private record Deadline(TlsSession session, long atMs) {}
}
