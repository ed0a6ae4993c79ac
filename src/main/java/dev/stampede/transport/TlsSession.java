package dev.stampede.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;

/**
 * One TLS connection driven by an event loop, never blocking: {@link #read} takes what the socket
 * has, decrypts it into the loop's shared {@link TlsBuffers#plaintext()} and answers the
 * handshake on the way; {@link #write} encrypts plaintext and writes what the socket takes. The
 * handshake runs inside these calls (its delegated tasks inline, on the loop's thread: about a
 * millisecond of CPU per handshake, which is why a server bounds how many run at once; see
 * {@link TlsAcceptor}).
 *
 * <h2>Memory</h2>
 * Between calls a session holds its engine and nothing else, except: the tail of a record cut
 * in two by TCP (kept until the next read completes it), and ciphertext the socket did not take
 * (kept until {@link #flush} writes it; the owner asks for OP_WRITE while
 * {@link #hasPendingOutput()}). Each is allocated when needed and dropped when drained. The
 * JDK's engine allocates a little per record itself; nothing here does.
 *
 * <p>Not thread-safe: owned by one loop.
 */
public final class TlsSession {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SSLEngine engine;
    private final TlsBuffers buffers;
    /** The start of a record whose end has not arrived yet; null when none. */
    private ByteBuffer inLeft;
    /** Ciphertext the socket has not taken yet (write mode: position = bytes held); null when none. */
    private ByteBuffer outLeft;
    private int lastNetBytes;
    private boolean handshakeDone;
    private boolean inboundDone;
    private boolean closed;

    // The server's admission and timeout state (see TlsAcceptor); the owner's key and attachment.
    boolean admitted;
    boolean released;
    long deadlineMs;
    SelectionKey key;
    private Object attachment;

    /**
     * @param engine a fresh engine in client or server mode: a client's hello goes out on the
     *     first {@link #read}
     */
    public TlsSession(SSLEngine engine, TlsBuffers buffers) {
        this.engine = engine;
        this.buffers = buffers;
        try {
            if (engine.getUseClientMode()) {
                engine.beginHandshake(); // a server's engine waits for the hello: no handshake state before it
            }
        } catch (SSLException e) {
            throw new IllegalStateException("cannot start a TLS handshake: " + e.getMessage(), e);
        }
    }

    /** The owner's object (a connection), for callbacks such as a handshake timeout. */
    public void attach(Object owner, SelectionKey selectionKey) {
        this.attachment = owner;
        this.key = selectionKey;
    }

    /** What {@link #attach} was given. */
    public Object attachment() {
        return attachment;
    }

    /** Whether the handshake has not finished yet (no application data flows until it has). */
    public boolean handshaking() {
        return !handshakeDone;
    }

    /** Whether ciphertext waits for the socket to take it: ask for OP_WRITE, then {@link #flush}. */
    public boolean hasPendingOutput() {
        return outLeft != null;
    }

    /** Whether {@link #close} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** The engine, to read the negotiated session (protocol, peer certificates) once it is up. */
    public SSLEngine engine() {
        return engine;
    }

    /**
     * Reads once from the socket and decrypts; handshake messages are answered on the way.
     *
     * @return plaintext bytes now in {@link TlsBuffers#plaintext()} (0 if none yet), or -1 when
     *     the peer has closed (end of stream or close_notify); plaintext before a close is
     *     returned first, the -1 on the next call
     * @throws SSLException when the peer breaks the protocol (not TLS, a bad certificate, ...);
     *     the alert that tells the peer why has been sent, if the socket took it
     * @throws IOException when the socket fails
     */
    public int read(SocketChannel ch) throws IOException {
        final ByteBuffer netIn = buffers.netIn;
        final ByteBuffer app = buffers.appIn;
        netIn.clear();
        app.clear();
        if (inLeft != null) {
            netIn.put(inLeft.flip());
            inLeft = null;
        }
        final int n = inboundDone ? -1 : ch.read(netIn);
        lastNetBytes = Math.max(0, n);
        netIn.flip();
        try {
            advance(ch, netIn, app);
        } catch (SSLException e) {
            sendAlert(ch);
            throw e;
        } finally {
            if (netIn.hasRemaining() && !inboundDone) {
                inLeft = ByteBuffer.allocate(netIn.remaining()).put(netIn);
            }
            app.flip();
        }
        if (app.hasRemaining()) {
            return app.remaining();
        }
        return n < 0 || inboundDone ? -1 : 0;
    }

    /** Ciphertext bytes the last {@link #read} took from the socket (a read may decrypt to nothing yet). */
    public int lastNetBytes() {
        return lastNetBytes;
    }

    /**
     * Encrypts what it can of {@code src} and writes it; never blocks. Before the handshake has
     * finished, or while earlier ciphertext still waits for the socket, it takes nothing.
     *
     * @return plaintext bytes taken from {@code src}: they are on their way (written, or held
     *     until {@link #flush} can write them: ask for OP_WRITE while {@link #hasPendingOutput()})
     */
    public int write(SocketChannel ch, ByteBuffer src) throws IOException {
        if (!handshakeDone || closed || !flush(ch)) {
            return 0;
        }
        final ByteBuffer netOut = buffers.netOut;
        netOut.clear();
        int taken = 0;
        while (src.hasRemaining() && netOut.remaining() >= buffers.packetBytes) {
            final SSLEngineResult r = engine.wrap(src, netOut);
            taken += r.bytesConsumed();
            if (r.getStatus() != Status.OK) {
                break;
            }
        }
        netOut.flip();
        send(ch, netOut);
        return taken;
    }

    /**
     * Writes the ciphertext the socket did not take before, if any.
     *
     * @return true if nothing waits any more
     */
    public boolean flush(SocketChannel ch) throws IOException {
        if (outLeft == null) {
            return true;
        }
        outLeft.flip();
        ch.write(outLeft);
        if (!outLeft.hasRemaining()) {
            outLeft = null;
            return true;
        }
        outLeft.compact();
        return false;
    }

    /**
     * Says goodbye (a close_notify, if the socket takes it at once) but goes on reading: TLS 1.3
     * lets the peer send until it answers with its own close. The socket's output is the caller's
     * to shut.
     */
    public void closeOutput(SocketChannel ch) {
        if (closed) {
            return;
        }
        engine.closeOutbound();
        if (outLeft == null && ch.isOpen()) {
            sendAlert(ch);
        }
        outLeft = null;
    }

    /**
     * Says goodbye (a close_notify, if the socket takes it at once) and forgets the buffers. The
     * socket is the caller's to close. Idempotent.
     */
    public void close(SocketChannel ch) {
        if (closed) {
            return;
        }
        closed = true;
        inLeft = null;
        engine.closeOutbound();
        if (outLeft == null && ch.isOpen()) {
            sendAlert(ch);
        }
        outLeft = null;
    }

    /**
     * Runs the engine until it needs bytes that have not come: unwraps, wraps, tasks. What the
     * handshake wraps is gathered and written once at the end: one write per flight (no small
     * segments for Nagle's algorithm to hold back), one system call.
     */
    private void advance(SocketChannel ch, ByteBuffer netIn, ByteBuffer app) throws IOException {
        final ByteBuffer netOut = buffers.netOut;
        netOut.clear();
        try {
            for (;;) {
                final HandshakeStatus hs = engine.getHandshakeStatus();
                if (hs == HandshakeStatus.NEED_TASK) {
                    runTasks();
                    continue;
                }
                if (hs == HandshakeStatus.NEED_WRAP) {
                    if (!wrapHandshake(ch, netOut)) {
                        return;
                    }
                    continue;
                }
                if (!netIn.hasRemaining() || inboundDone) {
                    return;
                }
                final SSLEngineResult r = engine.unwrap(netIn, app);
                if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                    handshakeDone = true;
                }
                switch (r.getStatus()) {
                    case OK:
                        break;
                    case CLOSED:
                        inboundDone = true;
                        break; // the loop answers with our close_notify if the engine wants to
                    case BUFFER_UNDERFLOW: // a record cut in two: its start is kept for the next read
                    case BUFFER_OVERFLOW: // cannot happen (see TlsBuffers); keep the bytes rather than spin
                    default:
                        return;
                }
            }
        } finally {
            drain(ch, netOut);
        }
    }

    /** One wrap of handshake (or closing) messages into {@code netOut}. False if the engine is done. */
    private boolean wrapHandshake(SocketChannel ch, ByteBuffer netOut) throws IOException {
        if (netOut.remaining() < buffers.packetBytes) {
            drain(ch, netOut);
        }
        final SSLEngineResult r = engine.wrap(EMPTY, netOut);
        if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
            handshakeDone = true;
        }
        return r.getStatus() == Status.OK && (r.bytesProduced() > 0 || r.getHandshakeStatus() != HandshakeStatus.NEED_WRAP);
    }

    /** Writes what {@code netOut} gathered, and empties it for more. */
    private void drain(SocketChannel ch, ByteBuffer netOut) throws IOException {
        netOut.flip();
        send(ch, netOut);
        netOut.clear();
    }

    /** Writes {@code bytes} after what already waits; keeps what the socket does not take. */
    private void send(SocketChannel ch, ByteBuffer bytes) throws IOException {
        if (!bytes.hasRemaining()) {
            return;
        }
        if (outLeft == null) {
            ch.write(bytes);
            if (!bytes.hasRemaining()) {
                return;
            }
            outLeft = ByteBuffer.allocate(Math.max(bytes.remaining(), buffers.packetBytes));
        } else if (outLeft.remaining() < bytes.remaining()) {
            final ByteBuffer bigger = ByteBuffer.allocate(outLeft.position() + bytes.remaining());
            outLeft = bigger.put(outLeft.flip());
        }
        outLeft.put(bytes);
    }

    /** After a failure or at close: the engine's alert, if it has one, written if the socket takes it. */
    private void sendAlert(SocketChannel ch) {
        try {
            for (int i = 0; i < 4; i++) { // an alert is one record; bounded all the same
                final ByteBuffer netOut = buffers.netOut;
                netOut.clear();
                final SSLEngineResult r = engine.wrap(EMPTY, netOut);
                netOut.flip();
                if (netOut.hasRemaining() && outLeft == null) {
                    ch.write(netOut);
                }
                if (r.getStatus() != Status.OK || r.bytesProduced() == 0) {
                    return;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // Best effort: the connection is being dropped either way.
        }
    }

    private void runTasks() {
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            task.run();
        }
    }
}
