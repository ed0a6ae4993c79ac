package dev.stampede.transport;

import java.security.cert.X509Certificate;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * The server's TLS settings: what {@code --tls-cert}, {@code --tls-key} and
 * {@code --tls-client-ca} built (see {@link TlsContexts#server}).
 *
 * <p><b>Reloadable</b> ({@link #reload}, on SIGHUP): the files are read again and, if they make a
 * working context, the next handshakes use it; connections already established keep the engine
 * (and so the certificate) they have. Each accept reads the current context through one volatile
 * reference, so a loop never waits for a reload. A fresh context also means fresh session caches
 * and ticket keys: no client resumes a session made with the old certificate. The handshake
 * timeout is fixed for the server's life.
 */
public final class ServerTls {
    /** The default handshake timeout. */
    public static final long DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

    private final long handshakeTimeoutMs;
    /** Builds the context again from the same files; {@code null}: not reloadable. */
    private final Supplier<Loaded> files;
    private volatile Loaded current;

    /**
     * A context that never changes ({@link #reload} keeps it).
     *
     * @param context holds the server's key and certificate chain, and the client CA's trust
     * @param clientAuth whether clients must present a certificate signed by the client CA
     * @param handshakeTimeoutMs a handshake not finished this long after it could start is closed
     * @param subject the server certificate's subject, for the startup line
     */
    public ServerTls(SSLContext context, boolean clientAuth, long handshakeTimeoutMs, String subject) {
        this(new Loaded(context, clientAuth, subject, null, null), handshakeTimeoutMs, null);
    }

    /** A context read from files, that {@link #reload} reads again with {@code files}. */
    ServerTls(Loaded first, long handshakeTimeoutMs, Supplier<Loaded> files) {
        if (first == null || first.context == null) {
            throw new IllegalArgumentException("no SSL context");
        }
        if (handshakeTimeoutMs < 1) {
            throw new IllegalArgumentException("--tls-handshake-timeout must be at least 1 ms");
        }
        this.current = first;
        this.handshakeTimeoutMs = handshakeTimeoutMs;
        this.files = files;
    }

    /** The current context: the server's key and certificate chain, and the client CA's trust. */
    public SSLContext context() {
        return current.context;
    }

    /** Whether clients must present a certificate signed by the client CA. */
    public boolean clientAuth() {
        return current.clientAuth;
    }

    /** A handshake not finished this long after it could start is closed. */
    public long handshakeTimeoutMs() {
        return handshakeTimeoutMs;
    }

    /** The current server certificate's subject, for the startup line. */
    public String subject() {
        return current.subject;
    }

    /** The current server certificate, or {@code null} if not known (a context given as is). */
    public X509Certificate certificate() {
        return current.leaf;
    }

    /**
     * The current key managers (the server's key and chain), for {@link TlsWarmup}; {@code null}
     * for a context given as is.
     */
    KeyManager[] keyManagers() {
        return current.keys;
    }

    /** An engine for one accepted connection, in server mode, with the current context. */
    public SSLEngine newEngine() {
        final Loaded now = current;
        final SSLEngine engine = now.context.createSSLEngine();
        engine.setUseClientMode(false);
        if (now.clientAuth) {
            engine.setNeedClientAuth(true);
        }
        return engine;
    }

    /**
     * Reads the certificate, key and client CA again; the next handshakes use them. Any thread;
     * reloads one at a time.
     *
     * @return what is served now, for the log: {@code "CN=..., serial 1f2e..., valid until ..."}
     * @throws TlsSetupException if a file cannot be used (the message says which and why): the
     *     old certificate, key and CA stay in use
     */
    public synchronized String reload() {
        if (files == null) {
            return "unchanged (not read from files)";
        }
        final Loaded fresh = files.get();
        current = fresh;
        return TlsContexts.describe(fresh.leaf);
    }

    /**
     * One reading of the files.
     *
     * @param leaf the server's certificate, or {@code null} if unknown
     * @param keys the key managers {@code context} was made with, or {@code null} if unknown
     */
    record Loaded(SSLContext context, boolean clientAuth, String subject, X509Certificate leaf, KeyManager[] keys) {}
}
