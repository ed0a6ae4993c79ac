package dev.stampede.server;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * Accepting and handing round: loop 0 polls the listening socket and accepts; each accepted socket
 * goes, round robin, to the next loop (this one included: {@link Admission}), through that loop's
 * {@link HandOffs}; a socket is then its loop's alone. The other loops accept too, once a busy pass
 * ({@link #acceptBeforeAdvance}), so that a connection holds the watermark from its accept. Out of
 * file descriptors, accepting pauses for a moment instead of spinning. Owned by the loop's thread.
 */
final class Acceptor {
    /**
     * The listening socket's accept queue ({@code listen} backlog), and how many connections one
     * poll takes in at most: all that can wait there. Fewer would be wrong, not just slower: a
     * connection still queued holds nothing, so the watermark moves on past the values it has
     * already sent. With {@code --read-batch 400ms} a bound of 256 a poll took 5,000 connections
     * 6 s to accept, and the last ones' first values were late. The bound stays so that a flood of
     * connects cannot keep the loop from reading.
     */
    static final int ACCEPT_QUEUE = 4096;
    private static final long ACCEPT_PAUSE_MS = 100;

    private final int index;
    private final LoopPeers peers;
    private final Admission admission;
    private final LoopCounters counters;
    private final Consumer<String> log;
    /** The listening socket, in loop 0 only ({@code null} in the others), and its key. */
    private final ServerSocketChannel listener;
    private final SelectionKey listenerKey;
    private long acceptResumeMs = -1;
    private boolean acceptErrorLogged;

    /** @param listener the listening socket, for loop 0 (registered here); {@code null} for the others */
    Acceptor(int index, LoopPeers peers, Selector selector, ServerSocketChannel listener, Admission admission,
            LoopCounters counters, Consumer<String> log) throws IOException {
        this.index = index;
        this.peers = peers;
        this.admission = admission;
        this.counters = counters;
        this.log = log;
        this.listener = listener;
        this.listenerKey = listener == null ? null : listener.register(selector, SelectionKey.OP_ACCEPT);
    }

    /** Whether this loop polls the listening socket. */
    boolean listens() {
        return listener != null;
    }

    /** The listening socket is ready: accept all that waits (at most one accept queue's worth). */
    void onAcceptable(long nowMs) {
        acceptUpTo(ACCEPT_QUEUE, nowMs);
    }

    /**
     * With several loops, a connection must hold the watermark from its accept, as with one loop,
     * where a poll that returns a value also returns the connections made before it, accepted
     * before the watermark moves. A loop other than the acceptor never sees the listener in its
     * poll; so, having read values, it takes in (and hands round) every connection waiting to be
     * accepted before its watermark moves on them (at most one accept queue's worth): one drain a
     * busy pass.
     */
    void acceptBeforeAdvance() {
        final ServerSocketChannel shared = peers.listener();
        for (int i = 0; i < ACCEPT_QUEUE; i++) {
            final SocketChannel ch;
            try {
                ch = shared.accept();
            } catch (IOException e) {
                return; // closed (stopping) or out of descriptors: the acceptor deals with it
            }
            if (ch == null) {
                return;
            }
            counters.connectionsTotal++;
            dispatch(ch);
        }
    }

    /** Accepting again once a pause for a failed accept is over. */
    void resumeIfDue(long nowMs) {
        if (acceptResumeMs >= 0 && nowMs >= acceptResumeMs) {
            acceptResumeMs = -1;
            listenerKey.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    /** At the stop: connections still in the accept queue have sent data too; take them in, then close. */
    void acceptBacklogAndClose(long nowMs) {
        if (listener == null) {
            return;
        }
        if (listener.isOpen() && acceptResumeMs < 0) {
            acceptUpTo(Integer.MAX_VALUE, nowMs);
        }
        Admission.closeQuietly(listener);
    }

    private void acceptUpTo(int max, long nowMs) {
        for (int i = 0; i < max; i++) {
            final SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (IOException e) {
                pauseAccepting(e, nowMs);
                return;
            }
            if (ch == null) {
                return;
            }
            counters.connectionsTotal++;
            dispatch(ch);
        }
    }

    /** Round robin over the loops: the socket goes to the next one (this one included). */
    private void dispatch(SocketChannel ch) {
        if (peers.size() > 1) {
            final int target = peers.nextLoop();
            if (target != index && peers.loop(target).handOff(ch, false)) {
                return;
            }
        }
        admission.admit(ch, false);
    }

    /** Out of file descriptors (or similar): stop accepting for a moment instead of spinning. */
    private void pauseAccepting(IOException e, long nowMs) {
        if (!acceptErrorLogged) {
            log.accept("server: accept failed: " + e.getMessage()
                    + "; pausing accepts (raise ulimit -n, or lower --max-connections)");
            acceptErrorLogged = true;
        }
        listenerKey.interestOps(0);
        acceptResumeMs = nowMs + ACCEPT_PAUSE_MS;
    }
}
