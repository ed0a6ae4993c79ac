package dev.stampede.cli;

import dev.stampede.transport.ServerTls;
import dev.stampede.transport.TlsContexts;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The server's TLS options: {@code --tls-cert} turns TLS on for every connection. */
final class ServerTlsOptions {
    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Serve TLS only (no plaintext) with this PEM certificate chain, the server's own "
                    + "certificate first, as openssl writes it. Needs --tls-key.")
    Path cert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "The private key of --tls-cert: PEM, PKCS#8 (-----BEGIN PRIVATE KEY-----), EC or RSA, "
                    + "unencrypted (keep the file readable by the server's user only).")
    Path key;

    @Option(names = "--tls-client-ca", paramLabel = "FILE",
            description = "Admit only clients with a certificate signed by a CA in this PEM file (mutual TLS); "
                    + "without it, any client that completes the handshake may write.")
    Path clientCa;

    @Option(names = "--tls-handshake-timeout", paramLabel = "DURATION", defaultValue = "10s",
            converter = DurationConverter.class,
            description = "Close a connection whose TLS handshake has not finished this long after it started; "
                    + "a failure, counted in tls_failures= (default: ${DEFAULT-VALUE}).")
    Duration handshakeTimeout;

    /** Whether TLS was asked for (any of the file options). */
    boolean given() {
        return cert != null || key != null || clientCa != null;
    }

    /**
     * The TLS settings, or {@code null} without {@code --tls-cert}.
     *
     * @throws IllegalArgumentException naming the option and file that cannot be used
     */
    ServerTls tls() {
        if (!given()) {
            return null;
        }
        if (cert == null || key == null) {
            throw new IllegalArgumentException("TLS needs both --tls-cert FILE and --tls-key FILE"
                    + (clientCa != null ? " (--tls-client-ca is for client certificates)" : ""));
        }
        return TlsContexts.server(cert, key, clientCa, handshakeTimeout.toMillis());
    }
}
