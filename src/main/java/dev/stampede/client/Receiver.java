package dev.stampede.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Reads what the servers send back on a loop's connections (the mirror of the {@link Sender}):
 * each line is split by the connection's {@link ReplyReader}; acknowledgements ({@code ACK <n>},
 * and the {@code ERR 1} of a server that refuses the opener) go to {@link Acknowledgements}, which
 * releases the acknowledged values from the connection's {@link ReplayRing}; any other line
 * ({@code ERR <line> <reason>}) is counted and shown, rate-limited. Anything received tells the
 * silence timeout the server is alive. A read that finds the socket closed or broken is a lost
 * connection for the {@link Connector}.
 *
 * <p>Not thread-safe: owned by the client's event loop; one read buffer for all its connections.
 */
final class Receiver {
    private static final int READ_BUFFER_BYTES = 4096;
    private static final long LOG_INTERVAL_NS = 1_000_000_000L;

    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private final ClientCounters counters;
    private final Connector connector;
    private final RateLimitedLog replyLog;
    private final Acknowledgements acks;

    Receiver(ClientCounters counters, Connector connector, Acknowledgements acks, Consumer<String> log) {
        this.counters = counters;
        this.connector = connector;
        this.acks = acks;
        this.replyLog = new RateLimitedLog(log, LOG_INTERVAL_NS, "server replies");
    }

    /** The socket of {@code c} is readable: reads what it has, and takes every complete line. */
    void read(ClientConnection c, long now) {
        ByteBuffer in = readBuffer;
        final int n;
        try {
            if (c.tls != null) {
                n = c.tls.read(c.channel);
                in = connector.tlsPlaintext();
                c.wantWrites(c.tls.hasPendingOutput() || c.ring.hasUnsent());
            } else {
                readBuffer.clear();
                n = c.channel.read(readBuffer);
                readBuffer.flip();
            }
        } catch (IOException e) {
            connector.fail(c, now, "lost", e);
            return;
        }
        if (n < 0) {
            connector.fail(c, now, "lost", "closed by the server");
            return;
        }
        if (!in.hasRemaining()) {
            return; // TLS: a session ticket or a record cut in two, no reply yet
        }
        acks.heard(c, now);
        if (c.replies == null) {
            c.replies = new ReplyReader();
        }
        while (c.replies.next(in)) {
            if (acks.onLine(c, c.replies, System.currentTimeMillis())) {
                continue;
            }
            counters.errors++;
            if (replyLog.permit(now)) {
                replyLog.emit("client: connection " + c.index + ": server says: " + c.replies.text());
            }
        }
    }

    /** Says how many reply lines were not shown, if any (at the end). */
    void finishLog() {
        replyLog.finish("client: ");
    }
}
