package dev.stampede.transport;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The client's TLS settings: what {@code --tls}, {@code --tls-ca}, {@code --tls-cert},
 * {@code --tls-key} and {@code --tls-server-name} built (see {@link TlsContexts#client}).
 *
 * <p><b>Reloadable</b> ({@link #reload}, on SIGHUP): the CA, certificate and key files are read
 * again and, if they make a working context, the next connections use it; the connections already
 * up keep theirs. Each new engine reads the current context through one volatile reference.
 */
public final class ClientTls {
    private final String serverName;
    private final long handshakeTimeoutMs;
    /** Builds the context again from the same files; {@code null}: not reloadable. */
    private final Supplier<SSLContext> files;
    private volatile SSLContext context;

    /**
     * A context that never changes ({@link #reload} keeps it).
     *
     * @param context trusts the CA of {@code --tls-ca} (or the system's), holds the client key if any
     * @param serverName the name the server's certificate must carry, or {@code null}: the host as
     *     given in {@code --host} (a name, or an address matched against the certificate's IP entries)
     * @param handshakeTimeoutMs a handshake not finished this long after the connect is a failure
     */
    public ClientTls(SSLContext context, String serverName, long handshakeTimeoutMs) {
        this(context, serverName, handshakeTimeoutMs, null);
    }

    /** A context read from files, that {@link #reload} reads again with {@code files}. */
    ClientTls(SSLContext context, String serverName, long handshakeTimeoutMs, Supplier<SSLContext> files) {
        if (context == null) {
            throw new IllegalArgumentException("no SSL context");
        }
        if (serverName != null && serverName.isBlank()) {
            throw new IllegalArgumentException("--tls-server-name must not be empty");
        }
        if (handshakeTimeoutMs < 1) {
            throw new IllegalArgumentException("handshake timeout must be at least 1 ms");
        }
        this.context = context;
        this.serverName = serverName;
        this.handshakeTimeoutMs = handshakeTimeoutMs;
        this.files = files;
    }

    /** The current context: trusts the CA of {@code --tls-ca} (or the system's), holds the client key if any. */
    public SSLContext context() {
        return context;
    }

    /** The name the server's certificate must carry, or {@code null}: the host as given. */
    public String serverName() {
        return serverName;
    }

    /** A handshake not finished this long after the connect is a failure. */
    public long handshakeTimeoutMs() {
        return handshakeTimeoutMs;
    }

    /**
     * Reads the files again; the next connections use them. Any thread; one reload at a time.
     *
     * @throws TlsSetupException if a file cannot be used (the message says which and why): the old
     *     context stays in use
     */
    public synchronized void reload() {
        if (files != null) {
            context = files.get();
        }
    }

    /**
     * An engine for one connection to {@code server}, in client mode, that checks the server's
     * certificate against the expected name (HTTPS rules) and sends it as SNI when it is a name.
     * The JDK resumes sessions per host and port, so a reconnect costs less than a first connect.
     */
    public SSLEngine newEngine(InetSocketAddress server) {
        final String host = serverName != null ? serverName : server.getHostString();
        final SSLEngine engine = context.createSSLEngine(host, server.getPort());
        engine.setUseClientMode(true);
        final SSLParameters p = engine.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isAddressLiteral(host)) {
            p.setServerNames(List.of(new SNIHostName(host)));
        }
        engine.setSSLParameters(p);
        return engine;
    }

    /** Whether {@code host} is an IPv4 or IPv6 literal (SNI carries names only). */
    static boolean isAddressLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9.]+");
    }
}
