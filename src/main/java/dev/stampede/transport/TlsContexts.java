package dev.stampede.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Builds the SSL contexts of server and client from PEM files (see {@link PemFiles}), checking
 * up front what would otherwise fail at the first handshake: a key that does not match its
 * certificate, a client key without a certificate. Every error names the option and the file.
 */
public final class TlsContexts {
    /** The in-memory key store's password: the key never touches a disk in that form. */
    private static final char[] PASSWORD = "stampede".toCharArray();

    private TlsContexts() {}

    /**
     * The server's TLS: its certificate chain and key; with a client CA, clients must present a
     * certificate it signed.
     *
     * @param clientCa {@code --tls-client-ca}, or {@code null} for no client certificates
     * @throws TlsSetupException if a file cannot be used (the message says which and why)
     */
    public static ServerTls server(Path cert, Path key, Path clientCa, long handshakeTimeoutMs) {
        if (cert == null || key == null) {
            throw new TlsSetupException("TLS needs both --tls-cert and --tls-key");
        }
        return new ServerTls(serverFiles(cert, key, clientCa), handshakeTimeoutMs,
                () -> serverFiles(cert, key, clientCa));
    }

    /** One reading of the server's files, checked. */
    private static ServerTls.Loaded serverFiles(Path cert, Path key, Path clientCa) {
        final List<X509Certificate> chain = PemFiles.certificates("--tls-cert", cert);
        final PrivateKey privateKey = PemFiles.privateKey("--tls-key", key);
        checkPair("--tls-cert", cert, chain.get(0), "--tls-key", key, privateKey);
        final TrustManager[] trust = clientCa == null ? null
                : remembering(trustManagers(PemFiles.certificates("--tls-client-ca", clientCa)));
        final KeyManager[] keys = keyManagers(chain, privateKey);
        return new ServerTls.Loaded(context(keys, trust), clientCa != null,
                chain.get(0).getSubjectX500Principal().getName(), chain.get(0), keys);
    }

    /** A certificate as the reload line says it: subject, serial (hex), end of validity. */
    static String describe(X509Certificate c) {
        if (c == null) {
            return "(no certificate)";
        }
        return c.getSubjectX500Principal().getName() + ", serial " + c.getSerialNumber().toString(16)
                + ", valid until " + c.getNotAfter().toInstant();
    }

    /**
     * The client's TLS.
     *
     * @param ca {@code --tls-ca}, or {@code null} for the system's trusted CAs
     * @param cert {@code --tls-cert} (the client certificate), or {@code null}; needs {@code key}
     * @param key {@code --tls-key}, or {@code null}; needs {@code cert}
     * @param serverName {@code --tls-server-name}, or {@code null}
     * @throws TlsSetupException if a file cannot be used (the message says which and why)
     */
    public static ClientTls client(Path ca, Path cert, Path key, String serverName, long handshakeTimeoutMs) {
        if ((cert == null) != (key == null)) {
            throw new TlsSetupException("a client certificate needs both --tls-cert and --tls-key");
        }
        return new ClientTls(clientFiles(ca, cert, key), serverName, handshakeTimeoutMs,
                () -> clientFiles(ca, cert, key));
    }

    /** One reading of the client's files, checked. */
    private static SSLContext clientFiles(Path ca, Path cert, Path key) {
        KeyManager[] keys = null;
        if (cert != null) {
            final List<X509Certificate> chain = PemFiles.certificates("--tls-cert", cert);
            final PrivateKey privateKey = PemFiles.privateKey("--tls-key", key);
            checkPair("--tls-cert", cert, chain.get(0), "--tls-key", key, privateKey);
            keys = keyManagers(chain, privateKey);
        }
        final TrustManager[] trust = remembering(ca == null ? systemTrust()
                : trustManagers(PemFiles.certificates("--tls-ca", ca)));
        return context(keys, trust);
    }

    /** Signs a probe with the key and checks it with the certificate: they must be a pair. */
    private static void checkPair(String certOption, Path certFile, X509Certificate cert, String keyOption,
            Path keyFile, PrivateKey key) {
        final PublicKey pub = cert.getPublicKey();
        if (!pub.getAlgorithm().equals(key.getAlgorithm())) {
            throw new TlsSetupException(keyOption + " " + keyFile + " (" + key.getAlgorithm() + ") does not match "
                    + certOption + " " + certFile + " (" + pub.getAlgorithm() + " key): give the key of that "
                    + "certificate (the first one in the file)");
        }
        final String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return; // nothing to probe with; the handshake will tell
        }
        try {
            final byte[] probe = "stampede key check".getBytes(StandardCharsets.US_ASCII);
            final Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            final byte[] signature = signer.sign();
            final Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(pub);
            verifier.update(probe);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // falls through: the pair does not work together
        }
        throw new TlsSetupException(keyOption + " " + keyFile + " does not match " + certOption + " " + certFile
                + ": give the key of that certificate (the first one in the file)");
    }

    private static KeyManager[] keyManagers(List<X509Certificate> chain, PrivateKey key) {
        try {
            final KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("key", key, PASSWORD, chain.toArray(new X509Certificate[0]));
            final KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, PASSWORD);
            return kmf.getKeyManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsSetupException("cannot use the key and certificate: " + e.getMessage(), e);
        }
    }

    private static TrustManager[] trustManagers(List<X509Certificate> cas) {
        try {
            final KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (X509Certificate ca : cas) {
                store.setCertificateEntry("ca" + i++, ca);
            }
            final TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            return tmf.getTrustManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsSetupException("cannot use the CA certificates: " + e.getMessage(), e);
        }
    }

    /** The PKIX check, remembering the chains it accepted (see {@link ChainCache}). */
    private static TrustManager[] remembering(TrustManager[] managers) {
        final TrustManager[] out = managers.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] instanceof X509ExtendedTrustManager) {
                out[i] = new ChainCache((X509ExtendedTrustManager) out[i]);
            }
        }
        return out;
    }

    private static TrustManager[] systemTrust() {
        try {
            final TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null);
            return tmf.getTrustManagers();
        } catch (GeneralSecurityException e) {
            throw new TlsSetupException("cannot read the system's trusted CAs: " + e.getMessage()
                    + " (give the server's CA with --tls-ca)", e);
        }
    }

    private static SSLContext context(KeyManager[] keys, TrustManager[] trust) {
        try {
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no TLS: " + e.getMessage(), e);
        }
    }
}
