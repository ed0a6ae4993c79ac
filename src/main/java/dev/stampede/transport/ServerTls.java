package dev.stampede.transport;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * The server's TLS settings: what {@code --tls-cert}, {@code --tls-key} and
 * {@code --tls-client-ca} built (see {@link TlsContexts#server}). Immutable.
 *
 * @param context holds the server's key and certificate chain, and the client CA's trust
 * @param clientAuth whether clients must present a certificate signed by the client CA
 * @param handshakeTimeoutMs a handshake not finished this long after it could start is closed
 * @param subject the server certificate's subject, for the startup line
 */
public record ServerTls(SSLContext context, boolean clientAuth, long handshakeTimeoutMs, String subject) {
    /** The default handshake timeout. */
    public static final long DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

    /** Validates the timeout. */
    public ServerTls {
        if (context == null) {
            throw new IllegalArgumentException("no SSL context");
        }
        if (handshakeTimeoutMs < 1) {
            throw new IllegalArgumentException("--tls-handshake-timeout must be at least 1 ms");
        }
    }

    /** An engine for one accepted connection, in server mode. */
    public SSLEngine newEngine() {
        final SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        if (clientAuth) {
            engine.setNeedClientAuth(true);
        }
        return engine;
    }
}
