package dev.stampede.transport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files as openssl writes them: certificates (a chain, leaf first) and unencrypted
 * PKCS#8 private keys ({@code BEGIN PRIVATE KEY}), EC or RSA (Ed25519 too). Every error is a
 * {@link TlsSetupException} naming the option and the file; a key in another format says which
 * openssl command converts it.
 */
public final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final String[] KEY_ALGORITHMS = {"EC", "RSA", "Ed25519", "RSASSA-PSS"};

    private PemFiles() {}

    /**
     * The certificates of a PEM file, in file order (a chain: the leaf first).
     *
     * @param option the option that named the file, for the error messages
     * @throws TlsSetupException if the file is missing, unreadable, or holds no certificate
     */
    public static List<X509Certificate> certificates(String option, Path file) {
        final String text = read(option, file);
        final List<X509Certificate> certs = new ArrayList<>();
        final CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK has no X.509 support", e);
        }
        final Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            if (!m.group(1).equals("CERTIFICATE") && !m.group(1).equals("TRUSTED CERTIFICATE")) {
                continue;
            }
            try {
                certs.add((X509Certificate) factory.generateCertificate(
                        new ByteArrayInputStream(decode(option, file, m.group(2)))));
            } catch (CertificateException e) {
                throw new TlsSetupException(option + " " + file + ": certificate " + (certs.size() + 1)
                        + " cannot be read: " + e.getMessage(), e);
            }
        }
        if (certs.isEmpty()) {
            throw new TlsSetupException(option + " " + file + ": no certificate in it (expected PEM: "
                    + "-----BEGIN CERTIFICATE-----)" + (text.contains("PRIVATE KEY") ? "; this is a key file" : ""));
        }
        return certs;
    }

    /**
     * The private key of a PEM file: PKCS#8, unencrypted.
     *
     * @param option the option that named the file, for the error messages
     * @throws TlsSetupException if the file is missing or unreadable, the key is encrypted, or in
     *     PKCS#1 or SEC1 form (the message gives the openssl command that converts it)
     */
    public static PrivateKey privateKey(String option, Path file) {
        final String text = read(option, file);
        final String convert = "openssl pkcs8 -topk8 -nocrypt -in " + file + " -out " + file + ".pk8";
        final Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            final String type = m.group(1);
            switch (type) {
                case "PRIVATE KEY":
                    return pkcs8(option, file, decode(option, file, m.group(2)));
                case "ENCRYPTED PRIVATE KEY":
                    throw new TlsSetupException(option + " " + file + ": the key is encrypted (a passphrase); "
                            + "stampede reads unencrypted keys: openssl pkcs8 -in " + file + " -out " + file
                            + ".pk8 (then keep that file readable by this user only)");
                case "RSA PRIVATE KEY":
                case "EC PRIVATE KEY":
                    if (m.group(2).contains("ENCRYPTED")) {
                        throw new TlsSetupException(option + " " + file + ": the key is encrypted (a passphrase); "
                                + "stampede reads unencrypted PKCS#8 keys: " + convert);
                    }
                    throw new TlsSetupException(option + " " + file + ": a " + (type.startsWith("RSA")
                            ? "PKCS#1 RSA" : "SEC1 EC") + " key (" + "-----BEGIN " + type + "-----); stampede "
                            + "reads PKCS#8 (-----BEGIN PRIVATE KEY-----): " + convert);
                default:
                    // certificates or parameters in the same file: look further
            }
        }
        throw new TlsSetupException(option + " " + file + ": no private key in it (expected PEM: "
                + "-----BEGIN PRIVATE KEY-----)" + (text.contains("CERTIFICATE") ? "; this is a certificate file" : ""));
    }

    private static PrivateKey pkcs8(String option, Path file, byte[] der) {
        final PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException | RuntimeException wrongAlgorithm) {
                // try the next algorithm: PKCS#8 names it, but the JDK has no public parser for that
            }
        }
        throw new TlsSetupException(option + " " + file + ": the private key is not EC, RSA or Ed25519, "
                + "or is damaged");
    }

    private static byte[] decode(String option, Path file, String base64) {
        // A legacy PEM block may carry headers (Proc-Type:, DEK-Info:) before a blank line.
        String body = base64;
        final int headers = body.indexOf(':');
        if (headers >= 0) {
            final int blank = body.indexOf("\n\n", headers);
            body = blank >= 0 ? body.substring(blank) : body;
        }
        try {
            return Base64.getMimeDecoder().decode(body.trim());
        } catch (IllegalArgumentException e) {
            throw new TlsSetupException(option + " " + file + ": damaged PEM (bad base64): " + e.getMessage(), e);
        }
    }

    private static String read(String option, Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
        } catch (NoSuchFileException e) {
            throw new TlsSetupException(option + " " + file + ": no such file", e);
        } catch (IOException e) {
            throw new TlsSetupException(option + " " + file + ": cannot read it: " + e, e);
        }
    }
}
