package dev.stampede.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stampede.testing.TestCerts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM files as openssl writes them, and every way one can be wrong, with messages that say what to do. */
class PemFilesTest {
    @TempDir
    Path dir;

    @Test
    void readsAChainLeafFirst() {
        final List<X509Certificate> chain = PemFiles.certificates("--tls-cert", TestCerts.file("server.pem"));
        assertThat(chain).hasSize(2);
        assertThat(chain.get(0).getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
        assertThat(chain.get(1).getSubjectX500Principal().getName()).isEqualTo("CN=stampede test CA");
    }

    @Test
    void readsEcAndRsaPkcs8Keys() {
        assertThat(PemFiles.privateKey("--tls-key", TestCerts.file("server.key")).getAlgorithm()).isEqualTo("EC");
        assertThat(PemFiles.privateKey("--tls-key", TestCerts.file("server-rsa.key")).getAlgorithm()).isEqualTo("RSA");
    }

    @Test
    void buildsContextsFromEcAndRsaPairs() {
        assertThat(TlsContexts.server(TestCerts.file("server.pem"), TestCerts.file("server.key"), null, 1_000)
                .clientAuth()).isFalse();
        assertThat(TlsContexts.server(TestCerts.file("server-rsa.pem"), TestCerts.file("server-rsa.key"),
                TestCerts.file("ca.pem"), 1_000).clientAuth()).isTrue();
        assertThat(TlsContexts.client(TestCerts.file("ca.pem"), TestCerts.file("client.pem"),
                TestCerts.file("client.key"), null, 1_000).serverName()).isNull();
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefusedByName() {
        assertThatThrownBy(() -> TlsContexts.server(TestCerts.file("server.pem"), TestCerts.file("client.key"), null,
                1_000))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageContaining("--tls-key " + TestCerts.file("client.key"))
                .hasMessageContaining("does not match --tls-cert " + TestCerts.file("server.pem"));
        assertThatThrownBy(() -> TlsContexts.server(TestCerts.file("server.pem"), TestCerts.file("server-rsa.key"),
                null, 1_000))
                .hasMessageContaining("(RSA) does not match");
    }

    @Test
    void anEncryptedKeySaysHowToDecryptIt() throws Exception {
        final Path key = write("enc.key", TestCerts.pem("ENCRYPTED PRIVATE KEY", new byte[] {48, 3, 2, 1, 0}));
        assertThatThrownBy(() -> PemFiles.privateKey("--tls-key", key))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageContaining("--tls-key " + key + ": the key is encrypted")
                .hasMessageContaining("openssl pkcs8 -in " + key);
    }

    @Test
    void pkcs1AndSec1KeysSayWhichCommandConvertsThem() throws Exception {
        final Path rsa = write("rsa.key", TestCerts.pem("RSA PRIVATE KEY", new byte[] {48, 3, 2, 1, 0}));
        assertThatThrownBy(() -> PemFiles.privateKey("--tls-key", rsa))
                .hasMessageContaining("PKCS#1 RSA key")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt -in " + rsa);
        final Path ec = write("ec.key", "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
                + TestCerts.pem("EC PRIVATE KEY", new byte[] {48, 3, 2, 1, 0}));
        assertThatThrownBy(() -> PemFiles.privateKey("--tls-key", ec))
                .hasMessageContaining("SEC1 EC key")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt -in " + ec);
        final Path legacyEncrypted = write("old.key", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                + "DEK-Info: AES-128-CBC,00\n\nMAMCAQA=\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemFiles.privateKey("--tls-key", legacyEncrypted))
                .hasMessageContaining("the key is encrypted");
    }

    @Test
    void missingFilesAndSwappedFilesAreNamed() throws Exception {
        final Path missing = dir.resolve("nope.pem");
        assertThatThrownBy(() -> PemFiles.certificates("--tls-ca", missing))
                .hasMessage("--tls-ca " + missing + ": no such file");
        assertThatThrownBy(() -> PemFiles.certificates("--tls-cert", TestCerts.file("server.key")))
                .hasMessageContaining("no certificate in it").hasMessageContaining("this is a key file");
        assertThatThrownBy(() -> PemFiles.privateKey("--tls-key", TestCerts.file("server.pem")))
                .hasMessageContaining("no private key in it").hasMessageContaining("this is a certificate file");
        final Path damaged = write("bad.pem", "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> PemFiles.certificates("--tls-cert", damaged))
                .isInstanceOf(TlsSetupException.class).hasMessageContaining("--tls-cert " + damaged);
        final Path garbageKey = write("garbage.key", TestCerts.pem("PRIVATE KEY", new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> PemFiles.privateKey("--tls-key", garbageKey))
                .hasMessageContaining("not EC, RSA or Ed25519, or is damaged");
    }

    @Test
    void halfAPairIsAnError() {
        assertThatThrownBy(() -> TlsContexts.client(null, TestCerts.file("client.pem"), null, null, 1_000))
                .hasMessageContaining("needs both --tls-cert and --tls-key");
        assertThatThrownBy(() -> TlsContexts.server(TestCerts.file("server.pem"), null, null, 1_000))
                .hasMessageContaining("needs both --tls-cert and --tls-key");
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }
}
