package dev.stampede.server;

import dev.stampede.protocol.AckReply;
import dev.stampede.protocol.ErrReply;
import dev.stampede.protocol.LineDecoder;
import dev.stampede.protocol.LineHandler;
import dev.stampede.protocol.Reject;
import dev.stampede.transport.TlsAcceptor;
import dev.stampede.transport.TlsSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One client connection: its socket, its decoder state and its source id in the engine.
 *
 * <p>Reads go through the loop's shared buffer, so an idle connection costs its decoder state and
 * no buffer at all. {@code ERR} replies are written without blocking; the rare reply that does not
 * fit the socket waits in a small backlog, and replies beyond that are dropped (and counted), so a
 * client that never reads can never hold the loop or grow the server's memory.
 *
 * <p>With TLS, the socket's bytes go through the connection's {@link TlsSession} and the decoder
 * sees the plaintext, from the loop's shared TLS buffers: the decoder cannot tell the difference.
 * The handshake runs inside the reads, admitted by the loop's {@link TlsAcceptor}; a connection
 * that ends before its handshake completes (not TLS, a refused certificate, a timeout) is a TLS
 * failure, counted and logged there. Before the handshake there is nobody to say {@code ERR} to.
 *
 * <p>Owned by its {@link EventLoop}'s thread.
 */
final class Connection implements LineHandler {
    private static final int REPLY_BACKLOG_BYTES = 4 * ErrReply.MAX_BYTES;

    private final EventLoop loop;
    private final SocketChannel channel;
    private final LineDecoder decoder;
    private final int source;
    /** The TLS session, or null on a plaintext server. */
    private final TlsSession tls;
    private SelectionKey key;
    private ByteBuffer replyBacklog;
    private boolean closing;
    private boolean closed;
    /** The server is stopping and said so (a FIN): it only reads now. */
    private boolean outputFinished;

    /** Monotonic time of the last valid value (or of the connect); see {@link SilenceList}. */
    long lastValueMs;
    Connection olderSilent;
    Connection newerSilent;
    /** What it was told of durability, if it asked for acknowledgements; else {@code null}. */
    private AckState ack;
    /** Its slot in the loop's {@link AckSweep}, or -1. */
    int ackSlot = -1;
    /** Read by the loop's {@link SweptReads} rather than found by the selector. */
    private boolean swept;
    /** The last {@link SweptReads} round in which the selector found it ready. */
    long polledInRound = Long.MIN_VALUE;

    Connection(EventLoop loop, SocketChannel channel, LineDecoder decoder, int source, TlsSession tls) {
        this.loop = loop;
        this.channel = channel;
        this.decoder = decoder;
        this.source = source;
        this.tls = tls;
    }

    void attach(SelectionKey selectionKey) {
        this.key = selectionKey;
        if (tls != null) {
            tls.attach(this, selectionKey);
        }
    }

    int source() {
        return source;
    }

    boolean isClosed() {
        return closed;
    }

    /** Whether {@link SweptReads} may read it: plaintext (a TLS session reads with the selector). */
    boolean sweepable() {
        return tls == null;
    }

    /** Whether {@link SweptReads} reads it now. */
    boolean isSwept() {
        return swept;
    }

    /** Read by sweep (no read interest in the selector), or found by the selector again. */
    void swept(boolean on) {
        swept = on;
        if (key.isValid()) {
            key.interestOps((key.interestOps() & SelectionKey.OP_WRITE) | readInterest());
        }
    }

    private int readInterest() {
        return swept ? 0 : SelectionKey.OP_READ;
    }

    /**
     * Reads once into {@code buffer} and decodes what came.
     *
     * @return bytes read, or -1 if the connection is now closed
     */
    int read(ByteBuffer buffer) {
        final int n = tls != null ? readTls(loop.tls) : readPlain(buffer);
        loop.endOfRead(this);
        return n;
    }

    private int readPlain(ByteBuffer buffer) {
        buffer.clear();
        final int n;
        try {
            n = channel.read(buffer);
        } catch (IOException e) {
            close(); // reset: a fragment cut by it is dropped (docs/PROTOCOL.md)
            return -1;
        }
        if (n < 0) {
            decoder.finish(loop.wallMs, this);
            close();
            return -1;
        }
        buffer.flip();
        if (decoder.decode(buffer, loop.wallMs, this) || closing) {
            close();
            return -1;
        }
        return n;
    }

    /**
     * The TLS read: once admitted, reads, handshakes on the way, and decodes the plaintext.
     *
     * @return bytes read from the socket (0: none, or waiting for a handshake slot), or -1 if the
     *     connection is now closed
     */
    private int readTls(TlsAcceptor acceptor) {
        final boolean handshaking = tls.handshaking();
        if (handshaking && !acceptor.admit(tls, loop.nowMs)) {
            return 0; // its hello waits, unread, in the kernel until a slot frees
        }
        final int n;
        try {
            n = tls.read(channel);
        } catch (IOException e) {
            if (tls.handshaking()) {
                acceptor.failed(channel, e, loop.nowMs);
            }
            close(); // a failure after the handshake is a reset: as on a plaintext connection
            return -1;
        }
        if (handshaking && !tls.handshaking()) {
            acceptor.finished(tls, loop.nowMs);
        }
        if (n < 0) {
            if (tls.handshaking()) {
                acceptor.failed(channel, "closed by the peer during the handshake", loop.nowMs);
            } else {
                decoder.finish(loop.wallMs, this);
            }
            close();
            return -1;
        }
        if (tls.hasPendingOutput()) {
            wantWrites();
        }
        if (n > 0 && (decoder.decode(acceptor.buffers().plaintext(), loop.wallMs, this) || closing)) {
            close();
            return -1;
        }
        // Bytes came even if no plaintext yet (a record cut in two): the reads at a stop go on.
        return Math.max(n, tls.lastNetBytes());
    }

    /** The handshake did not finish in time: a TLS failure. */
    void handshakeTimedOut(TlsAcceptor acceptor) {
        acceptor.failed(channel, "handshake not finished within " + acceptor.handshakeTimeoutMs() + " ms",
                loop.nowMs);
        close();
    }

    @Override
    public void onValue(long epochMillis) {
        if (loop.accept(this, epochMillis)) {
            if (ack != null) {
                ack.onValue(epochMillis);
            }
            return;
        }
        onReject(decoder.lineCount(), Reject.AHEAD);
    }

    @Override
    public void onAcksRequested(long lineNumber) {
        if (ack == null) {
            ack = new AckState();
            loop.acksRequested(this);
        }
    }

    /**
     * Moves this connection's acknowledgement as far as durability allows, and sends it if it
     * changed or a heartbeat is due. Cumulative: one the socket cannot take now is simply sent
     * later, newer; it never waits behind a backlog (an {@code ERR} reply or TLS records first).
     */
    void acknowledge(long nowMs, long handOffSeq, long durableSeq, long durableWatermark) {
        final long lines = ack.advance(decoder.lineCount(), handOffSeq, durableSeq, durableWatermark);
        if (closed || closing || outputFinished || !ack.due(nowMs) || backlogged()
                || tls != null && tls.handshaking()) {
            return;
        }
        final ByteBuffer out = loop.replyBuffer.clear();
        AckReply.put(out, lines);
        out.flip();
        try {
            send(out);
            if (out.hasRemaining()) {
                keep(out); // part of the line went: the rest must follow, or the line is cut
            } else if (tls != null && tls.hasPendingOutput()) {
                wantWrites();
            }
            ack.sent(nowMs);
        } catch (IOException e) {
            closing = true; // the next read finds the reset and closes it
        }
    }

    /** Closes the connection on purpose, saying why first ({@code ERR 0 <reason>; closing}). */
    void closeWith(Reject reason) {
        reply(0, reason);
        close();
    }

    @Override
    public void onReject(long lineNumber, Reject reason) {
        loop.countReject(reason);
        reply(lineNumber, reason);
    }

    /** Sends {@code ERR} without blocking; a closing reason closes after the attempt. */
    void reply(long lineNumber, Reject reason) {
        if (reason.closesConnection()) {
            closing = true;
        }
        if (closed || outputFinished || tls != null && tls.handshaking()) {
            return;
        }
        final ByteBuffer out = loop.replyBuffer.clear();
        ErrReply.put(out, lineNumber, reason);
        out.flip();
        try {
            if (!backlogged()) {
                send(out);
            }
            if (out.hasRemaining()) {
                keep(out);
            } else if (tls != null && tls.hasPendingOutput()) {
                wantWrites();
            }
        } catch (IOException e) {
            closing = true;
        }
    }

    /** The socket can take bytes again: send the TLS leftovers and the reply backlog. */
    void onWritable() {
        try {
            if (tls != null && !tls.flush(channel)) {
                return;
            }
            if (replyBacklog != null && replyBacklog.position() > 0) {
                replyBacklog.flip();
                send(replyBacklog);
                replyBacklog.compact();
            }
        } catch (IOException e) {
            close();
            return;
        }
        if (!backlogged() && key.isValid()) {
            key.interestOps(readInterest());
        }
    }

    /** Writes without blocking, through TLS when on; returns plaintext bytes taken. */
    private int send(ByteBuffer out) throws IOException {
        return tls == null ? channel.write(out) : tls.write(channel, out);
    }

    /** Whether bytes wait for the socket (a reply, or TLS records): later replies go after them. */
    private boolean backlogged() {
        return replyBacklog != null && replyBacklog.position() > 0 || tls != null && tls.hasPendingOutput();
    }

    private void wantWrites() {
        if (key.isValid()) {
            key.interestOps(readInterest() | SelectionKey.OP_WRITE);
        }
    }

    private void keep(ByteBuffer rest) {
        if (replyBacklog == null) {
            replyBacklog = ByteBuffer.allocate(REPLY_BACKLOG_BYTES);
        }
        if (replyBacklog.remaining() < rest.remaining()) {
            loop.replyDropped();
            return;
        }
        replyBacklog.put(rest);
        wantWrites();
    }

    /**
     * The server is stopping: tells the client so with a FIN (after a TLS close_notify) and goes on
     * reading, so that what the client sends before it sees the FIN is read, not lost to the reset
     * that closing the socket would send. A TLS session still handshaking is simply closed.
     */
    void finishOutput() {
        if (closed || outputFinished) {
            return;
        }
        if (tls != null && tls.handshaking()) {
            close();
            return;
        }
        outputFinished = true;
        swept = false;
        try {
            if (tls != null) {
                tls.closeOutput(channel);
            }
            channel.shutdownOutput();
        } catch (IOException e) {
            close(); // already reset by the client: nothing more will come
            return;
        }
        if (key.isValid()) {
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    /** Closes the socket and removes the source from the engine; idempotent. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        loop.endOfRead(this); // the values of a read that ends in a close count, as any read's
        key.cancel();
        if (tls != null) {
            loop.tls.finished(tls, loop.nowMs); // frees its handshake slot, if it held one
            tls.close(channel);
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing left to do for a socket that will not close cleanly.
        }
        loop.onClosed(this);
    }
}
