/**
 * Byte transport for the event loops, plain or TLS, for server and client: PEM files
 * ({@link dev.stampede.transport.PemFiles}), SSL contexts built from them
 * ({@link dev.stampede.transport.TlsContexts}), and a non-blocking {@link dev.stampede.transport.TlsSession}
 * around the JDK's {@code SSLEngine} that a loop drives with per-loop shared
 * {@link dev.stampede.transport.TlsBuffers}. The server's loops bound the handshakes in progress and time out
 * stalled ones with a {@link dev.stampede.transport.TlsAcceptor}.
 *
 * <p>Knows nothing of lines or ordering: plaintext in, plaintext out.
 */
package dev.stampede.transport;
