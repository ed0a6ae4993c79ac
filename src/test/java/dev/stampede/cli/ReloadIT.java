package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.testing.Await;
import dev.stampede.testing.StampedeProcess;
import dev.stampede.testing.TestCerts;
import dev.stampede.transport.ClientTls;
import dev.stampede.transport.PemFiles;
import dev.stampede.transport.TlsContexts;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP to a running server process with TLS and a config file: the next handshake sees the new
 * certificate's serial while a connection made before keeps writing; the config's reloadable
 * setting is applied, another one is said to need a restart; a bad certificate file keeps the old
 * one; the server never stops, and a later SIGTERM is still a clean stop.
 */
@Timeout(240)
class ReloadIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private void install(String from, Path to) throws Exception {
        final Path tmp = dir.resolve("new.tmp");
        Files.copy(TestCerts.file(from), tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static BigInteger serialOf(String pem) {
        return PemFiles.certificates("test", TestCerts.file(pem)).get(0).getSerialNumber();
    }

    private static SSLSocket connect(int port) throws Exception {
        final ClientTls tls = TlsContexts.client(TestCerts.file("ca.pem"), null, null, null, 5_000);
        final Socket plain = new Socket();
        plain.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        plain.setSoTimeout(5_000);
        final SSLSocket s = (SSLSocket) tls.context().getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
        s.startHandshake();
        return s;
    }

    private static BigInteger servedSerial(int port) throws Exception {
        try (SSLSocket s = connect(port)) {
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    private static void send(SSLSocket s, long v) throws Exception {
        final OutputStream out = s.getOutputStream();
        out.write((v + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void awaitLine(StampedeProcess p, String text) {
        try {
            Await.until("'" + text + "'", WAIT, () -> {
                assertThat(p.isAlive()).as("still running after SIGHUP; stderr: %s", p.stderr()).isTrue();
                return p.lastLineWith(text) != null;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; stderr: " + p.stderr(), e); // what it said instead
        }
    }

    private static boolean written(Path out, long v) {
        try {
            return Files.exists(out) && Files.readAllLines(out).contains(Long.toString(v));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void hangUpReloadsTheCertificateAndTheReloadableSettings() throws Exception {
        final Path cert = dir.resolve("server.pem");
        final Path key = dir.resolve("server.key");
        install("server.pem", cert);
        install("server.key", key);
        final Path conf = dir.resolve("stampede.conf");
        final String tlsLines = "tls-cert = " + cert + "\ntls-key = " + key + "\n";
        Files.writeString(conf, "# a server\n" + tlsLines + "silent-timeout = 30s\nfsync = interval\n");
        final Path out = dir.resolve("ts.txt");
        try (StampedeProcess server = StampedeProcess.start("server", "--config", conf.toString(), "--port", "0",
                "-o", out.toString(), "--quiet", "--startup-grace", "0")) {
            final int port = server.awaitPort(WAIT);
            assertThat(servedSerial(port)).isEqualTo(serialOf("server.pem"));
            try (SSLSocket old = connect(port)) {
                final long v = System.currentTimeMillis() - 1_000;
                send(old, v);
                Await.until("the first value written", WAIT, () -> written(out, v));

                install("server-rsa.pem", cert);
                install("server-rsa.key", key);
                Files.writeString(conf, "# a server\n" + tlsLines + "silent-timeout = 2m\nfsync = always\n");
                server.signal("HUP");
                awaitLine(server, "server: SIGHUP: TLS reloaded: CN=localhost, serial "
                        + serialOf("server-rsa.pem").toString(16));
                awaitLine(server, "server: SIGHUP: config " + conf + ": applied silent-timeout 30s -> 2m");
                awaitLine(server, "server: SIGHUP: config " + conf + ": fsync interval -> always: needs a restart, "
                        + "ignored");
                assertThat(servedSerial(port)).as("a new handshake").isEqualTo(serialOf("server-rsa.pem"));
                send(old, v + 1);
                Await.until("the old connection still writes", WAIT, () -> written(out, v + 1));

                Files.writeString(cert, "-----BEGIN CERTIFICATE-----\ncut short");
                Files.writeString(conf, "silent-timeout = soon\n");
                server.signal("HUP");
                awaitLine(server, "server: SIGHUP: TLS: kept the old certificate, key and CA: --tls-cert " + cert);
                awaitLine(server, "server: SIGHUP: config " + conf + ": " + conf + " line 1: silent-timeout = soon: ");
                assertThat(server.lastLineWith("silent-timeout = soon")).endsWith("; nothing changed");
                assertThat(servedSerial(port)).as("the last good certificate").isEqualTo(serialOf("server-rsa.pem"));
                send(old, v + 2);
                Await.until("the old connection writes on", WAIT, () -> written(out, v + 2));
            }
            server.signal("TERM");
            assertThat(server.awaitExit(WAIT)).as("exit status; %s", server.stderr()).isZero();
        }
    }
}
