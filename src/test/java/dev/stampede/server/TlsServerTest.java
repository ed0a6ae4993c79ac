package dev.stampede.server;

import static dev.stampede.server.ServerHarness.aSecondAgo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stampede.testing.Await;
import dev.stampede.testing.LineClient;
import dev.stampede.testing.TestCerts;
import dev.stampede.transport.ClientTls;
import dev.stampede.transport.ServerTls;
import dev.stampede.transport.TlsContexts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server with TLS over real loopback sockets: mutual TLS carries the line protocol as is, and
 * every kind of bad peer (plaintext, garbage, no certificate, a certificate of no trusted CA, a
 * handshake that stalls) is closed, counted in {@code tls_failures}, logged, and disturbs nobody.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TlsServerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private static ServerTls mutual(long handshakeTimeoutMs) {
        return TlsContexts.server(TestCerts.file("server.pem"), TestCerts.file("server.key"),
                TestCerts.file("ca.pem"), handshakeTimeoutMs);
    }

    private static ClientTls clientWithCert() {
        return TlsContexts.client(TestCerts.file("ca.pem"), TestCerts.file("client.pem"), TestCerts.file("client.key"),
                null, 5_000);
    }

    @Test
    void mutualTlsCarriesTheLineProtocol() throws Exception {
        try (ServerHarness server = ServerHarness.with().tls(mutual(5_000)).start(dir);
                TlsLineClient client = new TlsLineClient(clientWithCert(), server.port())) {
            final long v = aSecondAgo();
            client.send(v, v + 1, v + 2);
            Await.until("three values written", WAIT, server::written, w -> w.size() == 3);
            assertThat(server.written()).containsExactly(v, v + 1, v + 2);
            client.send(v - 100_000_000L); // too far behind the clock: ERR, encrypted like the rest
            assertThat(client.readLine()).startsWith("ERR 4 ");
            assertThat(server.stats().tlsFailures()).isZero();
        }
    }

    @Test
    void badPeersAreClosedCountedAndDisturbNobody() throws Exception {
        try (ServerHarness server = ServerHarness.with().tls(mutual(5_000)).start(dir);
                TlsLineClient good = new TlsLineClient(clientWithCert(), server.port())) {
            final long v = aSecondAgo();
            good.send(v);
            Await.until("the good client's first value", WAIT, server::written, w -> w.contains(v));

            try (LineClient plaintext = server.connect()) {
                plaintext.send(v + 1);
                assertThat(plaintext.awaitClosedByServer()).as("a plaintext client" + " closed by the server").isTrue();
            }
            try (LineClient garbage = server.connect()) {
                final byte[] noise = new byte[300];
                new Random(7).nextBytes(noise);
                garbage.sendRaw(noise);
                assertThat(garbage.awaitClosedByServer()).as("garbage instead of a ClientHello" + " closed by the server").isTrue();
            }
            final ClientTls noCert = TlsContexts.client(TestCerts.file("ca.pem"), null, null, null, 5_000);
            try (TlsLineClient anonymous = new TlsLineClient(noCert, server.port())) {
                anonymous.sendQuietly(v + 2);
                assertClosed(anonymous::readRaw, "a client without a certificate");
            }
            final ClientTls rogue = TlsContexts.client(TestCerts.file("ca.pem"), TestCerts.file("rogue.pem"),
                    TestCerts.file("rogue.key"), null, 5_000);
            try (TlsLineClient stranger = new TlsLineClient(rogue, server.port())) {
                stranger.sendQuietly(v + 3);
                assertClosed(stranger::readRaw, "a client whose certificate no trusted CA signed");
            }
            Await.until("four TLS failures counted", WAIT, () -> server.stats().tlsFailures(), n -> n == 4);

            good.send(v + 4);
            Await.until("the good client still writes", WAIT, server::written, w -> w.contains(v + 4));
            assertThat(server.written()).containsExactly(v, v + 4).as("nothing of the bad peers got in");
            final List<String> lines = tlsLines(server);
            assertThat(lines).as("each failure logged, or counted in a later line").isNotEmpty().hasSizeLessThanOrEqualTo(4);
            assertThat(lines.get(0)).contains("not TLS");
            assertThat(server.stats().reportLine(server.stats())).contains("tls_failures=4");
        }
    }

    @Test
    void aHandshakeThatStallsIsClosedAfterTheTimeout() throws Exception {
        try (ServerHarness server = ServerHarness.with().tls(mutual(300)).start(dir);
                LineClient silent = server.connect();
                LineClient halfHello = server.connect()) {
            halfHello.sendRaw(new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xff, 0x01}); // a record header, then nothing
            assertThat(silent.awaitClosedByServer()).as("a client that never says hello" + " closed by the server").isTrue();
            assertThat(halfHello.awaitClosedByServer()).as("a hello that never ends" + " closed by the server").isTrue();
            Await.until("two TLS failures", WAIT, () -> server.stats().tlsFailures(), n -> n == 2);
            assertThat(String.join("\n", tlsLines(server))).contains("handshake not finished within 300 ms");
            assertThat(server.stats().connectionsOpen()).isZero();
        }
    }

    @Test
    void aStormOfHandshakesIsAdmittedAndAllGetIn() throws Exception {
        final int n = 200; // beyond the handshakes in progress a loop admits at once (64)
        final ExecutorService pool = Executors.newFixedThreadPool(n);
        final List<TlsLineClient> clients = new ArrayList<>();
        try (ServerHarness server = ServerHarness.with().tls(mutual(30_000)).start(dir)) {
            final ClientTls tls = clientWithCert();
            final long v = aSecondAgo();
            final List<Future<TlsLineClient>> connects = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                final long value = v + i;
                connects.add(pool.submit(() -> new TlsLineClient(tls, server.port()).send(value)));
            }
            for (Future<TlsLineClient> f : connects) {
                clients.add(f.get(60, TimeUnit.SECONDS));
            }
            // The storm may take longer than --max-delay on a slow machine: count the values received.
            Await.until(n + " values received", WAIT, () -> server.stats().msgs(), m -> m == n);
            assertThat(server.stats().connectionsOpen()).isEqualTo(n);
            assertThat(server.stats().tlsFailures()).isZero();
        } finally {
            for (TlsLineClient c : clients) {
                c.close();
            }
            pool.shutdownNow();
        }
    }

    @Test
    void opensslSClientWithACertificateIsAValidClient() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
        try (ServerHarness server = ServerHarness.with().tls(mutual(5_000)).start(dir)) {
            final long v = aSecondAgo();
            final Process p = new ProcessBuilder("/usr/bin/openssl", "s_client", "-quiet", "-connect",
                    "127.0.0.1:" + server.port(), "-CAfile", TestCerts.file("ca.pem").toString(), "-cert",
                    TestCerts.file("client.pem").toString(), "-key", TestCerts.file("client.key").toString(),
                    "-verify_return_error").redirectErrorStream(true).start();
            try {
                p.getOutputStream().write((v + "\n" + (v + 1) + "\n").getBytes(StandardCharsets.US_ASCII));
                p.getOutputStream().flush();
                Await.until("openssl's values written", WAIT, server::written, w -> w.size() == 2);
                assertThat(server.written()).containsExactly(v, v + 1);
                assertThat(server.stats().tlsFailures()).isZero();
            } finally {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> tlsLines(ServerHarness server) {
        synchronized (server.log) {
            return server.log.stream().filter(l -> l.startsWith("server: TLS: ")).toList();
        }
    }

    /** Reads until the server closes: end of stream, a reset, or a TLS alert; fails on a timeout. */
    private static void assertClosed(IoRead read, String who) throws IOException {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (read.read() < 0) {
                    return;
                }
            } catch (SocketTimeoutException e) {
                // not yet: read again until the deadline
            } catch (SSLException e) {
                return; // the server's alert: closed with a reason
            } catch (IOException e) {
                return; // reset
            }
        }
        throw new AssertionError(who + " was not closed by the server");
    }

    @FunctionalInterface
    private interface IoRead {
        int read() throws IOException;
    }

    /** A blocking TLS line client (the test side may block; the server never does). */
    static final class TlsLineClient implements AutoCloseable {
        private final SSLSocket socket;
        private final OutputStream out;
        private final InputStream in;

        TlsLineClient(ClientTls tls, int port) throws IOException {
            final Socket plain = new Socket();
            plain.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            plain.setSoTimeout(5_000);
            socket = (SSLSocket) tls.context().getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
            final SSLParameters p = socket.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(p);
            socket.startHandshake();
            out = socket.getOutputStream();
            in = socket.getInputStream();
        }

        TlsLineClient send(long... values) throws IOException {
            final StringBuilder b = new StringBuilder();
            for (long v : values) {
                b.append(v).append('\n');
            }
            out.write(b.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return this;
        }

        /** Sends, ignoring a failure (the server may have closed already). */
        void sendQuietly(long value) {
            try {
                send(value);
            } catch (IOException ignored) {
                // the read that follows tells
            }
        }

        int readRaw() throws IOException {
            return in.read(new byte[256]);
        }

        String readLine() throws IOException {
            final StringBuilder b = new StringBuilder();
            for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
                b.append((char) c);
            }
            return b.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
