package dev.stampede.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Certificates made at test time, in memory with the JDK's public APIs (key pairs, signatures) and a
 * few lines of DER, written as PEM files as openssl would write them: certificate chains, and
 * PKCS#8 private keys ({@code BEGIN PRIVATE KEY}). No openssl, no keytool, no new dependency.
 *
 * <p>Each test JVM makes its own set on first use, in well under a second, in a temp folder removed
 * at exit. (They came from keytool before: thirteen JVM starts, 10-15 s of a busy machine at the
 * start of every build.)
 * <ul>
 *   <li>{@code ca.pem}: the test CA (EC P-256);</li>
 *   <li>{@code server.pem} (chain: server, CA) and {@code server.key}: EC, for {@code localhost}
 *       and {@code 127.0.0.1}, valid for two days;</li>
 *   <li>{@code server-rsa.pem} / {@code server-rsa.key}: the same names, RSA 2048;</li>
 *   <li>{@code expired.pem}: the EC server key's certificate, expired yesterday;</li>
 *   <li>{@code client.pem} / {@code client.key}: a client certificate signed by the CA (EC);</li>
 *   <li>{@code rogue.pem} / {@code rogue.key}: a self-signed client certificate no CA vouches for.</li>
 * </ul>
 * Every certificate has a serial number of its own (random), as the reload tests need.
 */
public final class TestCerts {
    private static final String SERVER_NAMES_HOST = "localhost";
    private static final String SERVER_NAMES_IP = "127.0.0.1";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static Path dir;

    private TestCerts() {}

    /** The folder of the PEM files, made on the first call. */
    public static synchronized Path dir() {
        if (dir == null) {
            try {
                final Path d = Files.createTempDirectory("stampede-certs");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(d)));
                make(d);
                dir = d;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot make the test certificates", e);
            }
        }
        return dir;
    }

    /** A file of the set: {@code TestCerts.file("server.pem")}. */
    public static Path file(String name) {
        return dir().resolve(name);
    }

    /** DER as a PEM block, 64 columns. */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void make(Path d) throws IOException, GeneralSecurityException {
        final Instant now = Instant.now();
        // An hour back: a clock a little behind still finds them valid.
        final Instant from = now.minus(Duration.ofHours(1));
        final KeyPair ca = ec();
        final String caName = "CN=stampede test CA";
        final byte[] caCert = certificate(caName, ca, caName, ca.getPrivate(), from, Duration.ofDays(3), true, false);
        write(d, "ca.pem", caCert);

        final KeyPair server = ec();
        write(d, "server.pem", certificate("CN=localhost", server, caName, ca.getPrivate(), from, Duration.ofDays(2),
                false, true), caCert);
        writeKey(d, "server.key", server);
        // The server's key again, in a certificate that expired yesterday.
        write(d, "expired.pem", certificate("CN=localhost", server, caName, ca.getPrivate(),
                now.minus(Duration.ofDays(3)), Duration.ofDays(2), false, true), caCert);

        final KeyPair rsa = rsa();
        write(d, "server-rsa.pem", certificate("CN=localhost", rsa, caName, ca.getPrivate(), from,
                Duration.ofDays(2), false, true), caCert);
        writeKey(d, "server-rsa.key", rsa);

        final KeyPair client = ec();
        write(d, "client.pem", certificate("CN=test client", client, caName, ca.getPrivate(), from,
                Duration.ofDays(2), false, false), caCert);
        writeKey(d, "client.key", client);

        // A client certificate nobody signed.
        final KeyPair rogue = ec();
        write(d, "rogue.pem", certificate("CN=rogue client", rogue, "CN=rogue client", rogue.getPrivate(), from,
                Duration.ofDays(3), false, false));
        writeKey(d, "rogue.key", rogue);
    }

    private static KeyPair ec() throws GeneralSecurityException {
        final KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static KeyPair rsa() throws GeneralSecurityException {
        final KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    /**
     * An X.509 v3 certificate (RFC 5280), DER: {@code subject}'s public key, signed by {@code issuerKey}
     * (SHA-256 with ECDSA or RSA, by the key's algorithm). A CA gets basic constraints (critical); a
     * server certificate the subject alternative names {@code localhost} and {@code 127.0.0.1}.
     */
    private static byte[] certificate(String subject, KeyPair keys, String issuer, PrivateKey issuerKey, Instant from,
            Duration valid, boolean ca, boolean serverNames) throws GeneralSecurityException, IOException {
        final byte[] algorithm = signatureAlgorithm(issuerKey);
        final ByteArrayOutputStream extensions = new ByteArrayOutputStream();
        if (ca) {
            extensions.write(extension("2.5.29.19", true, Der.sequence(Der.TRUE))); // basic constraints: a CA
        }
        if (serverNames) {
            extensions.write(extension("2.5.29.17", false, Der.sequence(
                    Der.tlv(0x82, SERVER_NAMES_HOST.getBytes(StandardCharsets.US_ASCII)),
                    Der.tlv(0x87, InetAddress.getByName(SERVER_NAMES_IP).getAddress()))));
        }
        final byte[] tbs = Der.sequence(
                Der.tlv(0xa0, Der.integer(BigInteger.TWO)), // version 3
                Der.integer(new BigInteger(63, RANDOM).add(BigInteger.ONE)),
                algorithm,
                name(issuer),
                Der.sequence(Der.utcTime(from), Der.utcTime(from.plus(valid))),
                name(subject),
                keys.getPublic().getEncoded(), // SubjectPublicKeyInfo, DER already
                Der.tlv(0xa3, Der.tlv(0x30, extensions.toByteArray())));
        final Signature signer = Signature.getInstance(
                issuerKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA");
        signer.initSign(issuerKey);
        signer.update(tbs);
        return Der.sequence(tbs, algorithm, Der.bitString(signer.sign()));
    }

    /** ecdsa-with-SHA256 (no parameters) or sha256WithRSAEncryption (NULL parameters). */
    private static byte[] signatureAlgorithm(PrivateKey key) {
        return key.getAlgorithm().equals("EC")
                ? Der.sequence(Der.oid("1.2.840.10045.4.3.2"))
                : Der.sequence(Der.oid("1.2.840.113549.1.1.11"), Der.tlv(0x05, new byte[0]));
    }

    /** A name of one common name: "CN=..." only. */
    private static byte[] name(String cn) {
        return Der.sequence(Der.tlv(0x31, Der.sequence(Der.oid("2.5.4.3"),
                Der.tlv(0x0c, cn.substring("CN=".length()).getBytes(StandardCharsets.UTF_8)))));
    }

    private static byte[] extension(String oid, boolean critical, byte[] value) {
        return critical
                ? Der.sequence(Der.oid(oid), Der.TRUE, Der.tlv(0x04, value))
                : Der.sequence(Der.oid(oid), Der.tlv(0x04, value));
    }

    /** NAME: the certificates as one PEM chain. */
    private static void write(Path d, String name, byte[]... certificates) throws IOException {
        final StringBuilder b = new StringBuilder();
        for (byte[] c : certificates) {
            b.append(pem("CERTIFICATE", c));
        }
        Files.writeString(d.resolve(name), b.toString());
    }

    /** The private key as PKCS#8 PEM, as {@code openssl pkcs8 -nocrypt} writes it. */
    private static void writeKey(Path d, String name, KeyPair keys) throws IOException {
        Files.writeString(d.resolve(name), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    }

    private static void deleteTree(Path d) {
        try (Stream<Path> paths = Files.walk(d)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temp folder left behind: nothing a test can do about it at exit
        }
    }

    /** The DER encodings a certificate needs (X.690): definite lengths, the few types used above. */
    private static final class Der {
        /** BOOLEAN TRUE. */
        static final byte[] TRUE = {0x01, 0x01, (byte) 0xff};
        private static final DateTimeFormatter UTC_TIME =
                DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

        private Der() {}

        static byte[] tlv(int tag, byte[] content) {
            final ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
            out.write(tag);
            final int n = content.length;
            if (n < 0x80) {
                out.write(n);
            } else {
                final int bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : 3;
                out.write(0x80 | bytes);
                for (int i = bytes - 1; i >= 0; i--) {
                    out.write(n >>> (8 * i));
                }
            }
            out.writeBytes(content);
            return out.toByteArray();
        }

        static byte[] sequence(byte[]... parts) {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (byte[] p : parts) {
                out.writeBytes(p);
            }
            return tlv(0x30, out.toByteArray());
        }

        static byte[] integer(BigInteger value) {
            return tlv(0x02, value.toByteArray()); // two's complement, minimal: DER's INTEGER
        }

        static byte[] bitString(byte[] bits) {
            final byte[] content = new byte[bits.length + 1]; // first byte: 0 unused bits
            System.arraycopy(bits, 0, content, 1, bits.length);
            return tlv(0x03, content);
        }

        static byte[] utcTime(Instant t) {
            return tlv(0x17, UTC_TIME.format(t).getBytes(StandardCharsets.US_ASCII));
        }

        static byte[] oid(String dotted) {
            final String[] arcs = dotted.split("\\.");
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(Integer.parseInt(arcs[0]) * 40 + Integer.parseInt(arcs[1]));
            for (int i = 2; i < arcs.length; i++) {
                final long arc = Long.parseLong(arcs[i]);
                for (int shift = (63 - Long.numberOfLeadingZeros(arc | 1)) / 7 * 7; shift > 0; shift -= 7) {
                    out.write((int) (0x80 | (arc >>> shift) & 0x7f));
                }
                out.write((int) (arc & 0x7f));
            }
            return tlv(0x06, out.toByteArray());
        }
    }
}
