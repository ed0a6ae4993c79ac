package dev.stampede.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.server.IngestServer;
import dev.stampede.stats.ClientStats;
import dev.stampede.stats.ServerStats;
import dev.stampede.testing.Await;
import dev.stampede.testing.TestCerts;
import dev.stampede.transport.ClientTls;
import dev.stampede.transport.ServerTls;
import dev.stampede.transport.TlsContexts;
import dev.stampede.verify.FileVerifier;
import dev.stampede.verify.VerifyResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client over TLS against a real in-process TLS server on loopback: many connections with
 * client certificates (more handshakes at once than a server loop admits), and what the client
 * says when the server cannot be trusted: an expired certificate, a certificate for another name,
 * a server that is not TLS, a server that wants a client certificate the client does not have.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsClientTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final List<String> clientLog = new CopyOnWriteArrayList<>();
    private final List<String> serverLog = new CopyOnWriteArrayList<>();

    private static ServerTls serverTls(String cert, boolean clientAuth) {
        return TlsContexts.server(TestCerts.file(cert), TestCerts.file("server.key"),
                clientAuth ? TestCerts.file("ca.pem") : null, 10_000);
    }

    private static ClientTls clientTls(boolean withCert, String serverName) {
        return TlsContexts.client(TestCerts.file("ca.pem"), withCert ? TestCerts.file("client.pem") : null,
                withCert ? TestCerts.file("client.key") : null, serverName, 10_000);
    }

    @Test
    void threeHundredMutualTlsConnectionsLoseNothing() throws Exception {
        final Path output = dir.resolve("out.txt");
        final Path record = dir.resolve("sent.txt");
        final ClientStats stats;
        final ServerStats serverStats;
        final IngestServer server = TestServers.tlsServer(0, output, serverTls("server.pem", true), serverLog::add);
        try {
            final LoadClient client = LoadClient.start(TestServers.client(server.port(), 300, 3_000, Phase.SPREAD,
                    record).toBuilder().tls(clientTls(true, null)).build(), clientLog::add);
            assertThat(client.awaitTermination(WAIT.toMillis())).as("client stops by itself after --duration").isTrue();
            stats = client.stop();
        } finally {
            serverStats = server.stop();
        }
        assertThat(stats.connected()).isEqualTo(300);
        assertThat(stats.failures()).isZero();
        assertThat(stats.sent()).isPositive();
        assertThat(serverStats.tlsFailures()).isZero();
        assertThat(serverStats.msgs()).as("every value sent arrived").isEqualTo(stats.sent());
        final VerifyResult result = new FileVerifier(false, null).verify(output, List.of(record));
        assertThat(result.ok()).as(result.toString()).isTrue();
    }

    /**
     * A stop says goodbye over TLS (close_notify, then FIN) and reads on: every client closes in
     * answer, and comes back to the restarted server with nothing lost and nothing late.
     */
    @Test
    void aStoppedServerSaysGoodbyeAndItsClientsComeBackLosingNothing() throws Exception {
        final Path output = dir.resolve("out.txt");
        final Path record = dir.resolve("sent.txt");
        final ServerTls tls = serverTls("server.pem", true);
        IngestServer server = TestServers.tlsServer(0, output, tls, serverLog::add);
        final int port = server.port();
        final LoadClient client = LoadClient.start(TestServers.client(port, 50, 0, Phase.SPREAD, record).toBuilder()
                .tls(clientTls(true, null)).build(), clientLog::add);
        final ClientStats stats;
        try {
            TestServers.await("all connected", WAIT, () -> client.stats().connected() == 50);
            TestServers.awaitMoreSent(client, 500, WAIT);
            server.stop();
            assertThat(serverLog).as("every client closed in answer to the close_notify")
                    .anyMatch(l -> l.contains("50 of 50 clients closed after our FIN"));
            TestServers.await("the client notices", WAIT, () -> client.stats().connected() == 0);
            server = TestServers.tlsServer(port, output, tls, serverLog::add);
            TestServers.await("all reconnected", WAIT,
                    () -> client.stats().connected() == 50 && client.stats().reconnects() >= 50);
            TestServers.awaitMoreSent(client, 500, WAIT);
        } finally {
            stats = client.stop();
            server.stop();
        }
        final VerifyResult result = new FileVerifier(false, null).verify(output, List.of(record));
        assertThat(result.ok()).as(result.render()).isTrue();
        assertThat(result.expected()).isEqualTo(stats.sent());
        assertThat(result.lateLines()).as("late lines").isZero();
    }

    @Test
    void anExpiredServerCertificateIsRefusedAndSaidSo() throws Exception {
        assertHandshakeRefused(serverTls("expired.pem", false), clientTls(false, null), "certificate expired");
    }

    @Test
    void aCertificateForAnotherNameIsRefusedAndSaidSo() throws Exception {
        assertHandshakeRefused(serverTls("server.pem", false), clientTls(false, "ingest.example.com"),
                "the certificate does not name this server");
    }

    @Test
    void aPlaintextServerIsNotTls() throws Exception {
        final Path output = dir.resolve("out.txt");
        final IngestServer server = TestServers.server(0, output, serverLog::add);
        try (LoadClient client = LoadClient.start(TestServers.client(server.port(), 2, 0, Phase.SPREAD, null)
                .toBuilder().tls(clientTls(false, null)).build(), clientLog::add)) {
            Await.until("the client says why", WAIT, () -> String.join("\n", clientLog), l -> l.contains("not TLS"));
            assertThat(client.stats().connected()).isZero();
        } finally {
            server.stop();
        }
    }

    @Test
    void aServerThatWantsACertificateSaysSoToAClientWithout() throws Exception {
        final Path output = dir.resolve("out.txt");
        final IngestServer server = TestServers.tlsServer(0, output, serverTls("server.pem", true), serverLog::add);
        try (LoadClient client = LoadClient.start(TestServers.client(server.port(), 2, 0, Phase.SPREAD, null)
                .toBuilder().tls(clientTls(false, null)).build(), clientLog::add)) {
            Await.until("the client says why", WAIT, () -> String.join("\n", clientLog),
                    l -> l.contains("the server refused our certificate, or wants one"));
            Await.until("the server counts it", WAIT, () -> server.stats().tlsFailures(), n -> n >= 2);
            assertThat(server.stats().msgs()).isZero();
        } finally {
            server.stop();
        }
    }

    private void assertHandshakeRefused(ServerTls serverTls, ClientTls tls, String reason) throws Exception {
        final Path output = dir.resolve("out.txt");
        final IngestServer server = TestServers.tlsServer(0, output, serverTls, serverLog::add);
        try (LoadClient client = LoadClient.start(TestServers.client(server.port(), 2, 0, Phase.SPREAD, null)
                .toBuilder().tls(tls).build(), clientLog::add)) {
            Await.until("the client says why", WAIT, () -> String.join("\n", clientLog), l -> l.contains(reason));
            assertThat(String.join("\n", clientLog)).contains("TLS handshake failed");
            Await.until("the failures counted", WAIT, () -> client.stats().failures(), n -> n >= 2);
            assertThat(client.stats().connected()).isZero();
            Await.until("the server counts the refusals", WAIT, () -> server.stats().tlsFailures(), n -> n >= 1);
            assertThat(server.stats().msgs()).isZero();
        } finally {
            server.stop();
        }
    }
}
