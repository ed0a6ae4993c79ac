package dev.stampede.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stampede.testing.TestCerts;
import java.net.InetSocketAddress;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

/**
 * The server's TLS warm-up: it completes full handshakes with the server's own key, a failure
 * ends it without an exception, and the warm-up's accept-anything trust never reaches the real
 * context (which still rejects a client no CA vouches for). Speed is measured in bench/tls.sh,
 * never asserted here.
 */
class TlsWarmupTest {
    private static final long BUDGET_MS = 300;
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 4433);

    private static ServerTls mutual() {
        return TlsContexts.server(TestCerts.file("server.pem"), TestCerts.file("server.key"),
                TestCerts.file("ca.pem"), 5_000);
    }

    private static ClientTls client(String cert, String key) {
        return TlsContexts.client(TestCerts.file("ca.pem"), TestCerts.file(cert), TestCerts.file(key), null, 5_000);
    }

    @Test
    void warmsUpWithFullMutualHandshakesOnTheServersKey() {
        final TlsWarmup.Result r = TlsWarmup.run(mutual(), BUDGET_MS);
        assertThat(r.failure()).isNull();
        assertThat(r.handshakes()).isPositive(); // the first one starts whatever the budget
        assertThat(r.describe()).startsWith("server: TLS warm-up: " + r.handshakes() + " handshakes in ");
    }

    @Test
    void warmsUpWithAnRsaKeyToo() {
        final ServerTls rsa = TlsContexts.server(TestCerts.file("server-rsa.pem"), TestCerts.file("server-rsa.key"),
                TestCerts.file("ca.pem"), 5_000);
        final TlsWarmup.Result r = TlsWarmup.run(rsa, BUDGET_MS);
        assertThat(r.failure()).isNull();
        assertThat(r.handshakes()).isPositive();
    }

    @Test
    void aFailingWarmUpEndsWithoutAnException() throws Exception {
        final SSLContext noKey = SSLContext.getInstance("TLS");
        noKey.init(new KeyManager[0], null, null);
        // A server without a certificate: every handshake fails on the server's side.
        final ServerTls broken = new ServerTls(new ServerTls.Loaded(noKey, true, "CN=none", null, new KeyManager[0]),
                5_000, null);
        final TlsWarmup.Result r = TlsWarmup.run(broken, BUDGET_MS);
        assertThat(r.handshakes()).isZero();
        assertThat(r.failure()).contains("SSL");
        assertThat(r.describe()).contains("(stopped: ");
    }

    @Test
    void aContextGivenAsIsIsNotWarmedUp() {
        final ServerTls given = new ServerTls(mutual().context(), true, 5_000, "CN=localhost");
        final TlsWarmup.Result r = TlsWarmup.run(given, BUDGET_MS);
        assertThat(r.handshakes()).isZero();
        assertThat(r.failure()).contains("no key");
    }

    @Test
    void theRealContextStillTrustsOnlyItsClientCa() throws Exception {
        final ServerTls tls = mutual();
        final SSLContext before = tls.context();
        assertThat(TlsWarmup.run(tls, BUDGET_MS).failure()).isNull();
        assertThat(tls.context()).isSameAs(before);
        // A client certificate no CA vouches for is refused, as without a warm-up...
        assertThatThrownBy(() -> TlsWarmup.handshake(client("rogue.pem", "rogue.key").newEngine(SERVER),
                tls.newEngine())).isInstanceOf(SSLException.class);
        // ...and so is a client with no certificate at all; the CA's client gets in.
        final ClientTls anonymous = TlsContexts.client(TestCerts.file("ca.pem"), null, null, null, 5_000);
        assertThatThrownBy(() -> TlsWarmup.handshake(anonymous.newEngine(SERVER), tls.newEngine()))
                .isInstanceOf(SSLException.class);
        TlsWarmup.handshake(client("client.pem", "client.key").newEngine(SERVER), tls.newEngine());
    }
}
