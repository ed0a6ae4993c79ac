package dev.stampede.server;

import dev.stampede.protocol.ErrReply;
import dev.stampede.protocol.LineDecoder;
import dev.stampede.protocol.LineHandler;
import dev.stampede.protocol.Reject;
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
 * <p>Owned by its {@link EventLoop}'s thread.
 */
final class Connection implements LineHandler {
    private static final int REPLY_BACKLOG_BYTES = 4 * ErrReply.MAX_BYTES;

    private final EventLoop loop;
    private final SocketChannel channel;
    private final LineDecoder decoder;
    private final int source;
    private SelectionKey key;
    private ByteBuffer replyBacklog;
    private boolean closing;
    private boolean closed;

    /** Monotonic time of the last valid value (or of the connect); see {@link SilenceList}. */
    long lastValueMs;
    Connection olderSilent;
    Connection newerSilent;

    Connection(EventLoop loop, SocketChannel channel, LineDecoder decoder, int source) {
        this.loop = loop;
        this.channel = channel;
        this.decoder = decoder;
        this.source = source;
    }

    void attach(SelectionKey selectionKey) {
        this.key = selectionKey;
    }

    int source() {
        return source;
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Reads once into {@code buffer} and decodes what came.
     *
     * @return bytes read, or -1 if the connection is now closed
     */
    int read(ByteBuffer buffer) {
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

    @Override
    public void onValue(long epochMillis) {
        if (loop.accept(this, epochMillis)) {
            return;
        }
        onReject(decoder.lineCount(), Reject.AHEAD);
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
        if (closed) {
            return;
        }
        final ByteBuffer out = loop.replyBuffer.clear();
        ErrReply.put(out, lineNumber, reason);
        out.flip();
        try {
            if (replyBacklog == null || replyBacklog.position() == 0) {
                channel.write(out);
            }
            if (out.hasRemaining()) {
                keep(out);
            }
        } catch (IOException e) {
            closing = true;
        }
    }

    /** The socket can take bytes again: send the reply backlog. */
    void onWritable() {
        try {
            replyBacklog.flip();
            channel.write(replyBacklog);
            replyBacklog.compact();
        } catch (IOException e) {
            close();
            return;
        }
        if (replyBacklog.position() == 0 && key.isValid()) {
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    private void keep(ByteBuffer rest) {
        if (replyBacklog == null) {
            replyBacklog = ByteBuffer.allocate(REPLY_BACKLOG_BYTES);
        }
        if (replyBacklog.remaining() < rest.remaining()) {
            loop.repliesDropped++;
            return;
        }
        replyBacklog.put(rest);
        if (key.isValid()) {
            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
    }

    /** Closes the socket and removes the source from the engine; idempotent. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        key.cancel();
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing left to do for a socket that will not close cleanly.
        }
        loop.onClosed(this);
    }
}
