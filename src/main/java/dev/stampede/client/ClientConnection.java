package dev.stampede.client;

import dev.stampede.transport.TlsSession;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One of the client's connections: its socket (replaced on every reconnect), where it is in its
 * life, its back-off state, and its {@link ReplayRing}. Plain state; the {@link Connector} moves
 * it through its life and the {@link Sender} writes its lines.
 *
 * <pre>
 *   QUEUED --start--> CONNECTING --ok--> UP
 *      ^                  |               |
 *      |               refused          lost
 *      |                  v               v
 *      +---back-off--- WAITING <----------+
 * </pre>
 *
 * <p>With TLS the handshake is part of CONNECTING: the connection is UP (and its ticks sent) once
 * the handshake has finished.
 *
 * <p>Not thread-safe: owned by the client's event loop.
 */
final class ClientConnection {
    /** Where a connection is in its life. */
    enum State {
        /** Waiting for one of the limited connect slots. */
        QUEUED,
        /** A non-blocking connect is in flight. */
        CONNECTING,
        /** Connected: its ticks are sent. */
        UP,
        /** Failed: waiting out its back-off before it is queued again. */
        WAITING
    }

    final int index;
    final ReplayRing ring;
    State state = State.QUEUED;
    SocketChannel channel;
    SelectionKey key;
    /** The TLS session of the current socket, or null (plaintext, or not connected yet). */
    TlsSession tls;
    /** Failures in a row (reset once a connection has stayed up for {@link Backoff#HEALTHY_NS}). */
    int failures;
    /** Failures in a row on its current server (as {@link #failures}, and also reset on a failover). */
    int failuresHere;
    /** Which of the configured servers it connects to (starts at index mod n; see {@link Connector}). */
    int server;
    /** Whether it has failed at least once: its next connect is a reconnect. */
    boolean failedBefore;
    /** Whether it has connected or failed at least once (the connect phase waits for all). */
    boolean tried;
    long upSinceNs;
    /**
     * Whether its ring holds values to send again in full after a reconnect: an acknowledgement
     * came on this or an earlier socket, and no server has refused acknowledgements since.
     */
    boolean acking;
    /** Whether the current socket asked for acknowledgements (its line 1 is the opener). */
    boolean openerSent;
    /** When the current socket last received anything (or came up). */
    long lastHeardNs;
    /** The server's partial reply line; created when the server first says something. */
    ReplyReader replies;
    private boolean writeInterest;

    ClientConnection(int index, ReplayRing ring) {
        this.index = index;
        this.ring = ring;
    }

    /** Asks the selector for OP_WRITE too while lines wait, and not otherwise. */
    void wantWrites(boolean on) {
        if (on != writeInterest && key != null && key.isValid()) {
            key.interestOps(on ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
            writeInterest = on;
        }
    }

    /** Reads only, and nothing else (after the connect, or once up). */
    void readOnly() {
        if (key != null && key.isValid()) {
            key.interestOps(SelectionKey.OP_READ);
        }
        writeInterest = false;
    }

    /** Closes the socket, if any; the state is the caller's to set. */
    void closeChannel() {
        if (tls != null && channel != null) {
            tls.close(channel); // a close_notify, if the socket takes it at once
        }
        tls = null;
        if (channel != null) {
            try {
                channel.close(); // also cancels the key
            } catch (IOException ignored) {
                // The socket is being dropped either way.
            }
        }
        channel = null;
        key = null;
        writeInterest = false;
        replies = null; // a partial line from the old socket means nothing on the next one
    }
}
