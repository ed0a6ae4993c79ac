package dev.stampede.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stampede.testing.TestCerts;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;

/**
 * The chains PKIX accepted are remembered, never those it refused, never past their validity, and
 * a server's chain only for the name it was checked against.
 */
class ChainCacheTest {
    private final AtomicInteger checks = new AtomicInteger();

    /** PKIX stand-in: counts its checks, refuses chains whose leaf is named in {@code refuse}. */
    private X509ExtendedTrustManager pkix(String refuse) {
        return new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException {
                checkClientTrusted(c, a);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException {
                checkClientTrusted(c, a);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] c, String a) throws CertificateException {
                checks.incrementAndGet();
                if (c[0].getSubjectX500Principal().getName().equals(refuse)) {
                    throw new CertificateException("refused");
                }
            }

            @Override
            public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException {
                checkClientTrusted(c, a);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] c, String a, Socket s) {}

            @Override
            public void checkServerTrusted(X509Certificate[] c, String a) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
    }

    private static X509Certificate[] chain(String file) {
        return PemFiles.certificates("test", TestCerts.file(file)).toArray(new X509Certificate[0]);
    }

    @Test
    void anAcceptedChainIsValidatedOnce() throws Exception {
        final ChainCache cache = new ChainCache(pkix(null));
        for (int i = 0; i < 3; i++) {
            cache.checkClientTrusted(chain("client.pem"), "UNKNOWN", (SSLEngine) null); // parsed anew each time, as from the wire
        }
        assertThat(checks).hasValue(1);
        cache.checkClientTrusted(chain("server.pem"), "UNKNOWN", (SSLEngine) null);
        assertThat(checks).as("another chain is checked").hasValue(2);
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void aRefusedChainIsNeverRemembered() {
        final ChainCache cache = new ChainCache(pkix("CN=rogue client"));
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> cache.checkClientTrusted(chain("rogue.pem"), "UNKNOWN", (SSLEngine) null))
                    .isInstanceOf(CertificateException.class);
        }
        assertThat(checks).hasValue(2);
        assertThat(cache.size()).isZero();
    }

    @Test
    void aChainPastItsValidityIsCheckedAgainEveryTime() throws Exception {
        final ChainCache cache = new ChainCache(pkix(null)); // a PKIX that would (wrongly) accept it
        cache.checkClientTrusted(chain("expired.pem"), "UNKNOWN", (SSLEngine) null);
        cache.checkClientTrusted(chain("expired.pem"), "UNKNOWN", (SSLEngine) null);
        assertThat(checks).as("an expired chain never comes from the cache").hasValue(2);
    }

    @Test
    void aServerChainIsRememberedForTheNameItWasCheckedFor() throws Exception {
        final ChainCache cache = new ChainCache(pkix(null));
        final javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(null, null, null);
        final SSLEngine localhost = context.createSSLEngine("localhost", 5050);
        final SSLEngine other = context.createSSLEngine("other.example", 5050);
        cache.checkServerTrusted(chain("server.pem"), "UNKNOWN", localhost);
        cache.checkServerTrusted(chain("server.pem"), "UNKNOWN", context.createSSLEngine("localhost", 5051));
        assertThat(checks).as("the same name: checked once").hasValue(1);
        cache.checkServerTrusted(chain("server.pem"), "UNKNOWN", other);
        assertThat(checks).as("another name: checked in full").hasValue(2);
    }
}
