package dev.stampede.transport;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;

/**
 * The buffers of one event loop's TLS sessions, shared by all of them: ciphertext read from a
 * socket, the plaintext it decrypts to, and ciphertext about to be written. A loop handles one
 * socket at a time, so an idle TLS connection holds its {@link SSLEngine} and no buffer at all;
 * a session keeps bytes of its own only while a record is cut in two or the socket is full
 * (see {@link TlsSession}).
 *
 * <p>Heap buffers: the JDK's record ciphers work on arrays, and copy direct buffers to get them.
 * Not thread-safe: owned by one loop.
 */
public final class TlsBuffers {
    /** Ciphertext one read takes from a socket at most (as the plain read path). */
    public static final int READ_BYTES = 64 * 1024;

    final int packetBytes;
    final ByteBuffer netIn;
    final ByteBuffer appIn;
    final ByteBuffer netOut;

    /**
     * @param sample an engine of the context the sessions use: gives the largest record sizes
     */
    public TlsBuffers(SSLEngine sample) {
        final SSLSession s = sample.getSession();
        this.packetBytes = s.getPacketBufferSize();
        // Room for a cut record kept from the last read, then a full read.
        this.netIn = ByteBuffer.allocate(READ_BYTES + packetBytes);
        // Plaintext is never longer than its ciphertext, and the engine wants room for one more
        // record's worth before each unwrap: this can never overflow.
        this.appIn = ByteBuffer.allocate(netIn.capacity() + s.getApplicationBufferSize());
        this.netOut = ByteBuffer.allocate(4 * packetBytes);
    }

    /** The plaintext of the last {@link TlsSession#read}, ready to be read (flipped). */
    public ByteBuffer plaintext() {
        return appIn;
    }
}
