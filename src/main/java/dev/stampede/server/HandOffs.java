package dev.stampede.server;

import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

/**
 * Sockets handed to an event loop by another (the acceptor's round robin, or a loop asking this
 * one to evict its longest-silent connection for a newcomer), not yet registered. Any thread
 * offers; the owning loop polls. Closed when the loop stops: later offers are refused and the
 * offering loop keeps its socket.
 */
final class HandOffs {
    /**
     * A socket for this loop.
     *
     * @param evictForIt the server is full and this loop holds the longest-silent connection of
     *     the server: evict it for the newcomer (and never pass the newcomer on again)
     */
    record HandOff(SocketChannel channel, boolean evictForIt) {
    }

    /** Guarded by itself. */
    private final ArrayDeque<HandOff> queue = new ArrayDeque<>();
    private boolean closed;

    /** Queues {@code channel}; false if the loop is stopping (the caller keeps the socket). */
    boolean offer(SocketChannel channel, boolean evictForIt) {
        synchronized (queue) {
            if (closed) {
                return false;
            }
            queue.add(new HandOff(channel, evictForIt));
            return true;
        }
    }

    /** The next socket handed over, or {@code null}. */
    HandOff poll() {
        synchronized (queue) {
            return queue.poll();
        }
    }

    /** Refuses later offers (the loop is stopping); what is queued can still be polled. */
    void close() {
        synchronized (queue) {
            closed = true;
        }
    }
}
