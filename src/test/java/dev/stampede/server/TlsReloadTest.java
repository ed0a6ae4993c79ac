package dev.stampede.server;

import static dev.stampede.server.ServerHarness.aSecondAgo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stampede.server.TlsServerTest.TlsLineClient;
import dev.stampede.testing.Await;
import dev.stampede.testing.TestCerts;
import dev.stampede.transport.ClientTls;
import dev.stampede.transport.PemFiles;
import dev.stampede.transport.ServerTls;
import dev.stampede.transport.TlsContexts;
import dev.stampede.transport.TlsSetupException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload of the server's TLS files (what SIGHUP does): the next handshake gets the new
 * certificate, a connection made before keeps working, and files that cannot be used keep the old
 * certificate in use and say why. The client's TLS reloads the same way.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsReloadTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private Path cert;
    private Path key;

    private ServerTls serverTlsFrom(String pem, String privateKey) throws Exception {
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        install(pem, privateKey);
        return TlsContexts.server(cert, key, TestCerts.file("ca.pem"), 5_000);
    }

    private void install(String pem, String privateKey) throws Exception {
        // As an operator (or certbot) does it: the new file complete, then renamed over the old one.
        for (String[] f : new String[][] {{pem, cert.toString()}, {privateKey, key.toString()}}) {
            final Path tmp = dir.resolve("new.tmp");
            Files.copy(TestCerts.file(f[0]), tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, Path.of(f[1]), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static ClientTls client() {
        return TlsContexts.client(TestCerts.file("ca.pem"), TestCerts.file("client.pem"), TestCerts.file("client.key"),
                null, 5_000);
    }

    private static BigInteger serialOf(String pem) {
        return PemFiles.certificates("test", TestCerts.file(pem)).get(0).getSerialNumber();
    }

    /** The serial of the certificate a new handshake with the server sees. */
    private static BigInteger servedSerial(ClientTls tls, int port) throws Exception {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            plain.setSoTimeout(5_000);
            try (SSLSocket s = (SSLSocket) tls.context().getSocketFactory().createSocket(plain, "127.0.0.1", port,
                    true)) {
                s.startHandshake();
                return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
            }
        }
    }

    @Test
    void theNextHandshakeGetsTheNewCertificateAndOldConnectionsLiveOn() throws Exception {
        final BigInteger first = serialOf("server.pem");
        final BigInteger second = serialOf("server-rsa.pem");
        assertThat(first).isNotEqualTo(second);
        final ServerTls tls = serverTlsFrom("server.pem", "server.key");
        try (ServerHarness server = ServerHarness.with().tls(tls).start(dir);
                TlsLineClient old = new TlsLineClient(client(), server.port())) {
            final long v = aSecondAgo();
            old.send(v);
            Await.until("the first value written", WAIT, server::written, w -> w.contains(v));
            assertThat(servedSerial(client(), server.port())).isEqualTo(first);

            install("server-rsa.pem", "server-rsa.key");
            assertThat(tls.reload()).contains("serial " + second.toString(16));

            assertThat(servedSerial(client(), server.port())).as("a new handshake").isEqualTo(second);
            old.send(v + 1);
            Await.until("the old connection still writes", WAIT, server::written, w -> w.contains(v + 1));
            assertThat(server.stats().tlsFailures()).isZero();
        }
    }

    @Test
    void filesThatCannotBeUsedKeepTheOldCertificate() throws Exception {
        final BigInteger first = serialOf("server.pem");
        final ServerTls tls = serverTlsFrom("server.pem", "server.key");
        try (ServerHarness server = ServerHarness.with().tls(tls).start(dir)) {
            Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nhalf a certifi");
            assertThatThrownBy(tls::reload).isInstanceOf(TlsSetupException.class)
                    .hasMessageContaining("--tls-cert " + cert);
            assertThat(servedSerial(client(), server.port())).isEqualTo(first);

            // A new certificate without its new key: the pair check refuses it.
            install("server-rsa.pem", "server.key");
            assertThatThrownBy(tls::reload).isInstanceOf(TlsSetupException.class)
                    .hasMessageContaining("does not match");
            assertThat(servedSerial(client(), server.port())).isEqualTo(first);

            Files.delete(key);
            assertThatThrownBy(tls::reload).hasMessageContaining("--tls-key " + key + ": no such file");
            assertThat(servedSerial(client(), server.port())).isEqualTo(first);
            assertThat(tls.subject()).isEqualTo("CN=localhost");
        }
    }

    @Test
    void theClientsNextConnectionsUseItsReloadedFiles() throws Exception {
        final Path ca = dir.resolve("ca.pem");
        Files.copy(TestCerts.file("ca.pem"), ca);
        final ClientTls tls = TlsContexts.client(ca, null, null, null, 5_000);
        final ServerTls serverTls = TlsContexts.server(TestCerts.file("server.pem"), TestCerts.file("server.key"),
                null, 5_000);
        try (ServerHarness server = ServerHarness.with().tls(serverTls).start(dir)) {
            assertThat(servedSerial(tls, server.port())).isEqualTo(serialOf("server.pem"));
            Files.copy(TestCerts.file("rogue.pem"), ca, StandardCopyOption.REPLACE_EXISTING); // trusts another CA now
            tls.reload();
            assertThatThrownBy(() -> servedSerial(tls, server.port())).isInstanceOf(SSLHandshakeException.class);
            Files.writeString(ca, "not a certificate");
            assertThatThrownBy(tls::reload).isInstanceOf(TlsSetupException.class).hasMessageContaining("--tls-ca");
            assertThatThrownBy(() -> servedSerial(tls, server.port())).as("the last good files still in use")
                    .isInstanceOf(SSLHandshakeException.class);
        }
    }
}
