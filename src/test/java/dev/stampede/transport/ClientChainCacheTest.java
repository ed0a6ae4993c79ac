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

/** The server remembers the client chains PKIX accepted, never those it refused, and never past their validity. */
class ClientChainCacheTest {
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
            public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) {}

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
        final ClientChainCache cache = new ClientChainCache(pkix(null));
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
        final ClientChainCache cache = new ClientChainCache(pkix("CN=rogue client"));
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> cache.checkClientTrusted(chain("rogue.pem"), "UNKNOWN", (SSLEngine) null))
                    .isInstanceOf(CertificateException.class);
        }
        assertThat(checks).hasValue(2);
        assertThat(cache.size()).isZero();
    }

    @Test
    void aChainPastItsValidityIsCheckedAgainEveryTime() throws Exception {
        final ClientChainCache cache = new ClientChainCache(pkix(null)); // a PKIX that would (wrongly) accept it
        cache.checkClientTrusted(chain("expired.pem"), "UNKNOWN", (SSLEngine) null);
        cache.checkClientTrusted(chain("expired.pem"), "UNKNOWN", (SSLEngine) null);
        assertThat(checks).as("an expired chain never comes from the cache").hasValue(2);
    }
}
