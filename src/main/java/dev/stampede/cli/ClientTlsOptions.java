package dev.stampede.cli;

import dev.stampede.transport.ClientTls;
import dev.stampede.transport.TlsContexts;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The client's TLS options: any of them turns TLS on. */
final class ClientTlsOptions {
    @Option(names = "--tls",
            description = "Connect with TLS, trusting the system's CAs (implied by any other --tls option).")
    boolean on;

    @Option(names = "--tls-ca", paramLabel = "FILE",
            description = "Trust the server certificates signed by a CA in this PEM file (instead of the system's).")
    Path ca;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Present this PEM client certificate (chain) to servers that require one "
                    + "(--tls-client-ca). Needs --tls-key.")
    Path cert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "The private key of --tls-cert: PEM, PKCS#8 (-----BEGIN PRIVATE KEY-----), EC or RSA, "
                    + "unencrypted.")
    Path key;

    @Option(names = "--tls-server-name", paramLabel = "NAME",
            description = "The name the server's certificate must carry (and the SNI sent), when --host gives an "
                    + "address or another name; by default the host as given in --host.")
    String serverName;

    @Option(names = "--tls-handshake-timeout", paramLabel = "DURATION", defaultValue = "10s",
            converter = DurationConverter.class,
            description = "A handshake not finished this long after the connect is a failure, retried after the "
                    + "back-off (default: ${DEFAULT-VALUE}).")
    Duration handshakeTimeout;

    /**
     * The TLS settings, or {@code null} when no {@code --tls} option is given.
     *
     * @throws IllegalArgumentException naming the option and file that cannot be used
     */
    ClientTls tls() {
        if (!on && ca == null && cert == null && key == null && serverName == null) {
            return null;
        }
        return TlsContexts.client(ca, cert, key, serverName, handshakeTimeout.toMillis());
    }
}
