package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.testing.Await;
import dev.stampede.testing.FakeNotifySocket;
import dev.stampede.testing.StampedeProcess;
import dev.stampede.verify.FileVerifier;
import dev.stampede.verify.VerifyResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive that {@code mvn package} leaves (target/stampede-VERSION.tar.gz), unpacked in
 * a temporary folder as an operator would: it runs with a Java runtime and nothing else, its
 * systemd units pass {@code systemd-analyze verify}, and its server tells a Type=notify unit it is
 * ready once it listens.
 */
@Timeout(120)
class ReleaseArchiveIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** What bin/stampede and lib/jvm.sh run besides java and bash's builtins: all a minimal system has. */
    private static final List<String> TOOLS = List.of("bash", "readlink", "dirname", "stat", "head", "sed", "mkdir");

    @TempDir
    Path dir;

    private Path home;

    @BeforeEach
    void unpack() throws Exception {
        final Path archive;
        try (Stream<Path> files = Files.list(StampedeProcess.root().resolve("target"))) {
            archive = files.filter(p -> p.getFileName().toString().matches("stampede-.+\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no target/stampede-*.tar.gz: run 'mvn verify' (after package)"));
        }
        final Path into = Files.createDirectories(dir.resolve("opt"));
        run(new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", into.toString()));
        try (Stream<Path> unpacked = Files.list(into)) {
            home = unpacked.findFirst().orElseThrow();
        }
        assertThat(home.getFileName().toString()).isEqualTo(archive.getFileName().toString().replace(".tar.gz", ""));
    }

    @Test
    void holdsWhatAnOperatorNeeds() {
        assertThat(home.resolve("bin/stampede")).isExecutable();
        for (String f : List.of("lib/stampede.jar", "lib/jvm.sh", "lib/stampede-formatter.jar",
                "systemd/stampede-server.service", "systemd/stampede-merge.service", "systemd/stampede.sysusers.conf",
                "etc/server.conf", "etc/merge.conf", "share/man/man1/stampede.1", "share/man/man1/stampede-server.1",
                "share/man/man1/stampede-merge.1", "share/bash-completion/completions/stampede", "README.md",
                "docs/OPERATIONS.md")) {
            assertThat(home.resolve(f)).as(f).isRegularFile();
        }
        assertThat(home.resolve("pom.xml")).doesNotExist();
        assertThat(home.resolve("src")).doesNotExist();
    }

    @Test
    void theFormatterJarFormatsWithKafkaClientsAlone() throws Exception {
        // As kafka-console-consumer.sh loads it: the formatter's jar beside a Kafka distribution's clients.
        final java.net.URL clients = org.apache.kafka.common.MessageFormatter.class.getProtectionDomain()
                .getCodeSource().getLocation();
        try (java.net.URLClassLoader loader = new java.net.URLClassLoader(new java.net.URL[] {
                home.resolve("lib/stampede-formatter.jar").toUri().toURL(), clients}, null)) {
            final Class<?> formatter = Class.forName("dev.stampede.kafka.RecordFormatter", true, loader);
            final Object f = formatter.getDeclaredConstructor().newInstance();
            final Class<?> record = Class.forName("org.apache.kafka.clients.consumer.ConsumerRecord", true, loader);
            final byte[] value = dev.stampede.kafka.NodeRecord.encode(dev.stampede.kafka.NodeRecord.VALUES, 11, 8, 0, 10);
            final Object r = record.getConstructor(String.class, int.class, long.class, Object.class, Object.class)
                    .newInstance("stampede", 0, 7L, null, value);
            final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            formatter.getMethod("writeTo", record, java.io.PrintStream.class)
                    .invoke(f, r, new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8));
            assertThat(bytes.toString(StandardCharsets.UTF_8)).startsWith("partition=0 offset=7 version=1 kind=values ")
                    .contains(" values=10");
        }
        try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(home.resolve("lib/stampede-formatter.jar").toFile())) {
            assertThat(jar.stream().map(java.util.zip.ZipEntry::getName).filter(n -> n.endsWith(".class")))
                    .containsExactlyInAnyOrder("dev/stampede/kafka/NodeRecord.class",
                            "dev/stampede/kafka/RecordFormatter.class");
        }
    }

    @Test
    void theDemoRunsWithJavaAloneOnThePath() throws Exception {
        // A PATH with java and the few tools the launcher uses, each linked from its own place: no mvn.
        final Path tools = Files.createDirectories(dir.resolve("tools"));
        for (String t : TOOLS) {
            Files.createSymbolicLink(tools.resolve(t), which(t));
        }
        final String path = Path.of(System.getProperty("java.home"), "bin") + ":" + tools;
        for (String d : path.split(":")) {
            assertThat(Path.of(d, "mvn")).as("no mvn on the PATH").doesNotExist();
        }
        final Path out = dir.resolve("demo");
        final ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/stampede").toString(), "demo", "-c", "10",
                "--duration", "2s", "--dir", out.toString()).directory(dir.toFile());
        pb.environment().put("PATH", path);
        pb.environment().put("HOME", dir.resolve("home").toString());
        pb.environment().put("STAMPEDE_JAVA_OPTS", "-Xmx128m");
        try (StampedeProcess demo = StampedeProcess.of(pb)) {
            assertThat(demo.awaitExit(WAIT)).as(String.join("\n", demo.stderr())).isZero();
            assertThat(demo.stderr()).noneMatch(l -> l.contains("stampede: building"));
            assertThat(demo.stdout()).anyMatch(l -> l.contains("OK"));
        } finally {
            for (String t : TOOLS) {
                Files.deleteIfExists(tools.resolve(t)); // the links, not what they point to
            }
        }
        final VerifyResult v = new FileVerifier(false, null).verify(out.resolve("timestamps.txt"),
                List.of(out.resolve("sent.txt")));
        assertThat(v.ok()).as(v.render()).isTrue();
        assertThat(v.expected()).isPositive();
        // The probe of this java was remembered in the user's cache, not in the installation.
        assertThat(dir.resolve("home/.cache/stampede/.jvm-trim")).isRegularFile();
    }

    @Test
    void theServerTellsSystemdItIsReadyOnceListening() throws Exception {
        Assumptions.assumeTrue(FakeNotifySocket.onPath("systemd-notify"), "systemd-notify is not installed");
        try (FakeNotifySocket socket = FakeNotifySocket.bind(dir)) {
            final ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/stampede").toString(), "server", "--port", "0",
                    "--output", dir.resolve("ts.txt").toString());
            pb.environment().put("NOTIFY_SOCKET", socket.path());
            pb.environment().put("STAMPEDE_CACHE_DIR", dir.resolve("cache").toString());
            pb.environment().put("STAMPEDE_JAVA_OPTS", "-Xmx128m");
            try (StampedeProcess server = StampedeProcess.of(pb)) {
                final int port = server.awaitPort(WAIT);
                Await.until("READY=1 at the fake NOTIFY_SOCKET", WAIT, socket::fields, f -> f.contains("READY=1"));
                assertThat(socket.fields()).contains("MAINPID=" + server.pid(),
                        "STATUS=listening on 127.0.0.1:" + port);
                server.signal("TERM");
                assertThat(server.awaitExit(WAIT)).isZero();
                assertThat(server.stderr()).noneMatch(l -> l.contains("could not tell systemd"));
            }
        }
    }

    @Test
    void theUnitsPassSystemdAnalyzeVerify() throws Exception {
        final Path analyze = Path.of("/usr/bin/systemd-analyze");
        Assumptions.assumeTrue(Files.isExecutable(analyze) || FakeNotifySocket.onPath("systemd-analyze"),
                "systemd-analyze is not installed");
        // As installed, but at this folder: the units name /opt/stampede, and verify checks ExecStart.
        final Path units = Files.createDirectories(dir.resolve("units"));
        for (String unit : List.of("stampede-server.service", "stampede-merge.service")) {
            final String text = Files.readString(home.resolve("systemd").resolve(unit));
            assertThat(text).contains("Type=notify", "NotifyAccess=all", "ExecReload=/bin/kill -HUP $MAINPID",
                    "LimitNOFILE=", "NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=", "PrivateTmp=yes",
                    "User=stampede");
            Files.writeString(units.resolve(unit), text.replace("/opt/stampede/", home + "/"));
            // Documentation=man:... is checked too: against the archive's man pages.
            final ProcessBuilder pb = new ProcessBuilder("systemd-analyze", "verify", units.resolve(unit).toString())
                    .redirectErrorStream(true);
            pb.environment().put("MANPATH", home.resolve("share/man").toString());
            final Process p = pb.start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            // Unknown keys and bad values are only warnings (exit 0): the output must be empty too.
            assertThat(out).as(unit).isEmpty();
            assertThat(p.exitValue()).as(unit + ": " + out).isZero();
        }
    }

    private static Path which(String command) {
        for (String d : System.getenv("PATH").split(":")) {
            final Path p = Path.of(d, command);
            if (!d.isEmpty() && Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError(command + " is not on the PATH");
    }

    private static void run(ProcessBuilder pb) throws IOException, InterruptedException {
        final Process p = pb.redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(pb.command() + " failed: " + out);
        }
    }
}
