package dev.stampede.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.Key;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Certificates made at test time with the JDK's keytool (no openssl, no new dependency), written
 * as PEM files as openssl would write them: certificate chains, and PKCS#8 private keys
 * ({@code BEGIN PRIVATE KEY}) taken out of keytool's PKCS#12 stores.
 *
 * <p>One set per build, made on first use and shared by every test JVM of the build (surefire's and
 * failsafe's forks): thirteen keytool calls take 10-15 s on a busy machine, which each fork used to
 * pay again. The set lives in {@code target/test-certs} (a file lock lets one JVM make it while the
 * others wait) and is made again once it is {@link #MAX_AGE} old, well before the certificates expire;
 * without a {@code target} folder (a test run from elsewhere) each JVM makes its own in a temp folder.
 * <ul>
 *   <li>{@code ca.pem}: the test CA (EC P-256);</li>
 *   <li>{@code server.pem} (chain: server, CA) and {@code server.key}: EC, for {@code localhost}
 *       and {@code 127.0.0.1}, valid for two days;</li>
 *   <li>{@code server-rsa.pem} / {@code server-rsa.key}: the same names, RSA 2048;</li>
 *   <li>{@code expired.pem}: the EC server key's certificate, expired yesterday;</li>
 *   <li>{@code client.pem} / {@code client.key}: a client certificate signed by the CA (EC);</li>
 *   <li>{@code rogue.pem} / {@code rogue.key}: a self-signed client certificate no CA vouches for.</li>
 * </ul>
 */
public final class TestCerts {
    private static final String PASS = "changeit";
    /** The shared set's age at which it is made again: its certificates are valid for two days. */
    static final Duration MAX_AGE = Duration.ofHours(12);
    /** Written last: a set without it was cut short and is made again. */
    private static final String COMPLETE = "complete";
    private static Path dir;

    private TestCerts() {}

    /** The folder of the PEM files, made on the first call. */
    public static synchronized Path dir() {
        if (dir == null) {
            try {
                final Path target = Path.of("target");
                dir = Files.isDirectory(target) ? shared(target) : make(Files.createTempDirectory("stampede-certs"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }

    /** target/test-certs, made under a lock that every JVM of the build takes, unless a fresh set is there. */
    private static Path shared(Path target) throws IOException {
        final Path shared = target.resolve("test-certs").toAbsolutePath();
        try (FileChannel lock = FileChannel.open(target.resolve("test-certs.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
                FileLock held = lock.lock()) {
            final Path complete = shared.resolve(COMPLETE);
            if (Files.exists(complete) && Files.getLastModifiedTime(complete).toInstant()
                    .isAfter(Instant.now().minus(MAX_AGE))) {
                return shared;
            }
            deleteTree(shared);
            final Path fresh = make(Files.createTempDirectory(target.toAbsolutePath(), "test-certs-"));
            Files.writeString(fresh.resolve(COMPLETE), Instant.now() + "\n");
            Files.move(fresh, shared, StandardCopyOption.ATOMIC_MOVE);
            return shared;
        }
    }

    private static void deleteTree(Path d) throws IOException {
        if (!Files.exists(d)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(d)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A file of the set: {@code TestCerts.file("server.pem")}. */
    public static Path file(String name) {
        return dir().resolve(name);
    }

    private static Path make(Path d) throws IOException {
        keytool(d, "-genkeypair", "-keystore", "ca.p12", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=stampede test CA", "-ext", "bc:c", "-validity", "3");
        keytool(d, "-exportcert", "-rfc", "-keystore", "ca.p12", "-alias", "ca", "-file", "ca.pem");
        // The rest in four independent chains of keytool calls at once: each call is a JVM start,
        // so two cores make the set in about half the time.
        final ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            final List<Future<?>> chains = List.of(
                    pool.submit(() -> {
                        leaf(d, "server", "EC", "CN=localhost", "san=dns:localhost,ip:127.0.0.1");
                        // The server's key again, in a certificate that expired yesterday.
                        keytool(d, "-gencert", "-keystore", "ca.p12", "-alias", "ca", "-infile", "server.csr",
                                "-outfile", "expired.leaf", "-rfc", "-startdate", "-3d", "-validity", "2", "-ext",
                                "san=dns:localhost,ip:127.0.0.1");
                        chain(d, "expired.pem", "expired.leaf", "ca.pem");
                        return null;
                    }),
                    pool.submit(() -> {
                        leaf(d, "server-rsa", "RSA", "CN=localhost", "san=dns:localhost,ip:127.0.0.1");
                        return null;
                    }),
                    pool.submit(() -> {
                        leaf(d, "client", "EC", "CN=test client", null);
                        return null;
                    }),
                    pool.submit(() -> {
                        // A client certificate nobody signed.
                        keytool(d, "-genkeypair", "-keystore", "rogue.p12", "-alias", "rogue", "-keyalg", "EC",
                                "-groupname", "secp256r1", "-dname", "CN=rogue client", "-validity", "3");
                        keytool(d, "-exportcert", "-rfc", "-keystore", "rogue.p12", "-alias", "rogue", "-file",
                                "rogue.pem");
                        writeKey(d, "rogue");
                        return null;
                    }));
            for (Future<?> c : chains) {
                c.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return d;
    }

    /** A key pair in NAME.p12, its request NAME.csr, NAME.pem (chain: leaf, CA) and NAME.key. */
    private static void leaf(Path d, String name, String algorithm, String dname, String ext) throws IOException {
        final List<String> gen = new ArrayList<>(List.of("-genkeypair", "-keystore", name + ".p12", "-alias", name,
                "-keyalg", algorithm, "-dname", dname, "-validity", "3"));
        gen.addAll(algorithm.equals("EC") ? List.of("-groupname", "secp256r1") : List.of("-keysize", "2048"));
        keytool(d, gen.toArray(new String[0]));
        keytool(d, "-certreq", "-keystore", name + ".p12", "-alias", name, "-file", name + ".csr");
        final List<String> sign = new ArrayList<>(List.of("-gencert", "-keystore", "ca.p12", "-alias", "ca",
                "-infile", name + ".csr", "-outfile", name + ".leaf", "-rfc", "-validity", "2"));
        if (ext != null) {
            sign.addAll(List.of("-ext", ext));
        }
        keytool(d, sign.toArray(new String[0]));
        chain(d, name + ".pem", name + ".leaf", "ca.pem");
        writeKey(d, name);
    }

    private static void chain(Path d, String out, String... parts) throws IOException {
        final StringBuilder b = new StringBuilder();
        for (String p : parts) {
            b.append(Files.readString(d.resolve(p)).trim()).append('\n');
        }
        Files.writeString(d.resolve(out), b.toString());
    }

    /** NAME.key: the private key of NAME.p12 as PKCS#8 PEM, as {@code openssl pkcs8 -nocrypt} writes it. */
    private static void writeKey(Path d, String name) throws IOException {
        try (InputStream in = Files.newInputStream(d.resolve(name + ".p12"))) {
            final KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASS.toCharArray());
            final Key key = ks.getKey(name, PASS.toCharArray());
            Files.writeString(d.resolve(name + ".key"), pem("PRIVATE KEY", key.getEncoded()));
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    /** DER as a PEM block, 64 columns. */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void keytool(Path d, String... args) throws IOException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        // A short-lived JVM: C1 alone and the serial collector start it ~40% sooner.
        cmd.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", PASS, "-noprompt"));
        final Process p = new ProcessBuilder(cmd).directory(d.toFile()).redirectErrorStream(true).start();
        try {
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
