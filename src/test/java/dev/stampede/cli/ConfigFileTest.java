package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stampede.testing.TestCerts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * {@code --config FILE} and {@code --check}: the file's syntax, its values checked by the options'
 * own converters with the file, line and key in every message, the command line winning, and
 * {@code --check} validating everything while binding and creating nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConfigFileTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private Path file(String... lines) throws Exception {
        final Path f = dir.resolve("stampede.conf");
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    private int run(String... args) {
        final CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /** A server command parsed from {@code args} with the config file applied. */
    private static ServerCommand server(Path config, String... args) {
        final ServerCommand s = new ServerCommand();
        Main.configure(new CommandLine(s)).parseArgs(args);
        EffectiveSettings.apply(s.spec, config);
        return s;
    }

    @Test
    void linesAreKeyEqualsValueWithCommentsBlankLinesAndQuotes() throws Exception {
        final Path f = file("# a comment", "", "  port = 7000  ", "fsync=never # inline comment",
                "output = \"/data/a #1.txt\"  # quoted", "--bind = 0.0.0.0", "tls-cert = a#b");
        assertThat(ConfigFile.read(f)).containsExactly(new ConfigFile.Entry("port", "7000", 3),
                new ConfigFile.Entry("fsync", "never", 4), new ConfigFile.Entry("output", "/data/a #1.txt", 5),
                new ConfigFile.Entry("bind", "0.0.0.0", 6), new ConfigFile.Entry("tls-cert", "a#b", 7));
        assertThatThrownBy(() -> ConfigFile.read(file("port 7000"))).hasMessageContaining(
                "stampede.conf line 1: 'port 7000' is not 'option = value'");
        assertThatThrownBy(() -> ConfigFile.read(dir.resolve("missing.conf")))
                .hasMessageContaining("--config " + dir.resolve("missing.conf") + ": no such file");
    }

    @Test
    void theFileSetsWhatTheCommandLineDoesNotGive() throws Exception {
        final Path f = file("port = 7000", "max-delay = 2s", "fsync = always", "keep-duplicates = true",
                "quiet = false", "max-connections = 77", "tls-handshake-timeout = 3s");
        final ServerCommand s = server(f, "--port", "6000", "--max-delay", "1s");
        assertThat(s.port).as("the command line wins").isEqualTo(6000);
        assertThat(s.maxDelay).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.fsync.policyName()).isEqualTo("always");
        assertThat(s.keepDuplicates).isTrue();
        assertThat(s.stats.quiet).isFalse();
        assertThat(s.maxConnections).isEqualTo(77);
        assertThat(s.tls.handshakeTimeout).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.idleTimeout).as("neither: the default").isEqualTo(Duration.ofMillis(500));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "portt = 1|line 2: portt = 1: unknown key: 'portt' is no option of 'stampede server'",
        "port = abc|line 2: port = abc: Invalid value for option '--port': 'abc' is not an int",
        "keep-duplicates = yes|line 2: keep-duplicates = yes: 'yes' is not true or false",
        "fsync = sometimes|line 2: fsync = sometimes: Invalid value for option '--fsync'",
        "idle-timeout = 500|line 2: idle-timeout = 500: Invalid value for option '--idle-timeout': '500' is not a duration",
        "bind = ::1|line 2: bind = ::1: 'bind' is set twice (first on line 1)",
        "check = true|line 2: check = true: 'check' belongs on the command line",
        "q = true|line 2: q = true: unknown key: 'q'",
    })
    void aBadLineNamesTheFileTheLineTheKeyAndWhatIsWrong(String line, String message) throws Exception {
        final Path f = file("bind = 127.0.0.1", line);
        assertThatThrownBy(() -> server(f)).isInstanceOf(ConfigFile.ConfigException.class)
                .message().startsWith(f + " " + message);
        assertThat(run("server", "--config", f.toString(), "--check")).isEqualTo(2);
    }

    @Test
    void aValueTheCommandRefusesLaterSaysWhichLineSetIt() throws Exception {
        final Path f = file("# the port", "port = 70000");
        assertThat(run("server", "--config", f.toString(), "--check", "-o", dir.resolve("t.txt").toString()))
                .isEqualTo(2);
        final ServerCommand s = server(f);
        final EffectiveSettings settings = EffectiveSettings.apply(s.spec, f);
        assertThatThrownBy(s::config).hasMessage("--port must be 0 to 65535, not 70000");
        assertThat(settings.annotate("--port must be 0 to 65535, not 70000"))
                .isEqualTo("--port must be 0 to 65535, not 70000 (port = 70000: " + f + " line 2)");
    }

    @Test
    void checkPrintsTheEffectiveSettingsAndTheirOriginsAndCreatesNothing() throws Exception {
        final Path f = file("port = 7000", "fsync = always", "tls-cert = " + TestCerts.file("server.pem"),
                "tls-key = " + TestCerts.file("server.key"), "keep-duplicates = true");
        final Path output = dir.resolve("out/ts.txt");
        Files.createDirectory(output.getParent());
        assertThat(run("server", "--config", f.toString(), "--check", "-o", output.toString(), "--loops", "2"))
                .as("stderr: %s", err).isZero();
        final List<String> lines = out.toString().lines().collect(Collectors.toList());
        assertThat(lines).anyMatch(l -> l.matches("port = 7000 +# " + f + " line 1"))
                .anyMatch(l -> l.matches("loops = 2 +# command line"))
                .anyMatch(l -> l.matches("fsync = always +# " + f + " line 2"))
                .anyMatch(l -> l.matches("keep-duplicates = true +# " + f + " line 5"))
                .anyMatch(l -> l.matches("max-delay = 5s +# default"))
                .anyMatch(l -> l.matches("# max-connections = +# not set \\(default\\)"));
        try (Stream<Path> files = Files.list(output.getParent())) {
            assertThat(files).as("nothing created").isEmpty();
        }
        assertThat(Files.list(dir).map(p -> p.getFileName().toString()).collect(Collectors.toSet()))
                .isEqualTo(Set.of("stampede.conf", "out"));
    }

    @Test
    void theEffectiveSettingsAreAConfigFileThatGivesTheSameSettings() throws Exception {
        final Path output = dir.resolve("ts.txt");
        assertThat(run("server", "--check", "-o", output.toString(), "--max-delay", "2s", "--fsync", "never",
                "--metrics", "9400")).isZero();
        final Path printed = dir.resolve("printed.conf");
        Files.writeString(printed, out.toString());
        final ServerCommand fromFile = server(printed);
        final ServerCommand fromArgs = new ServerCommand();
        Main.configure(new CommandLine(fromArgs)).parseArgs("-o", output.toString(), "--max-delay", "2s", "--fsync",
                "never", "--metrics", "9400");
        assertThat(fromFile.config()).isEqualTo(fromArgs.config());
        assertThat(fromFile.metrics.address).isEqualTo(fromArgs.metrics.address);
    }

    @Test
    void checkFailsOnFilesThatCannotBeUsed() throws Exception {
        final Path badCert = dir.resolve("bad.pem");
        Files.writeString(badCert, "not a certificate");
        final String output = dir.resolve("ts.txt").toString();
        assertThat(run("server", "--check", "-o", output, "--tls-cert", badCert.toString(), "--tls-key",
                TestCerts.file("server.key").toString())).isEqualTo(2);
        assertThat(run("server", "--check", "-o", dir.resolve("no/such/dir/ts.txt").toString())).isEqualTo(2);
        assertThat(run("server", "--check", "-o", dir.toString())).as("a folder as the output").isEqualTo(2);
        assertThat(run("server", "--check", "--config", dir.resolve("missing.conf").toString(), "-o", output))
                .isEqualTo(2);
        assertThat(Files.exists(Path.of(output))).isFalse();
    }

    @Test
    void theClientAndTheMergeTakeAConfigFileToo() throws Exception {
        final Path client = file("connections = 7", "tls-ca = " + TestCerts.file("ca.pem"), "max-missed = 0.5%",
                "no-acks = true");
        assertThat(run("client", "--config", client.toString(), "--check", "--interval", "1s")).as("%s", err).isZero();
        assertThat(out.toString()).contains("connections = 7", "max-missed = 0.5%", "no-acks = true",
                "interval = 1s");
        final Path badClient = file("connections = 0");
        assertThat(run("client", "--config", badClient.toString(), "--check")).isEqualTo(2);
        assertThat(err.toString()).contains("--connections must be 1 to", "(connections = 0: " + badClient + " line 1)");

        final Path merge = file("kafka = 127.0.0.1:1", "topic = t", "idle-timeout = 3s");
        assertThat(run("merge", "--config", merge.toString(), "--check", "-o", dir.resolve("g.txt").toString()))
                .isZero();
        assertThat(out.toString()).contains("topic = t", "idle-timeout = 3s");
        assertThat(Files.exists(dir.resolve("g.txt"))).isFalse();
    }

    @Test
    void helpIsUnchangedByAConfigFileAndListsTheOptions() throws Exception {
        final Path f = file("port = 7000");
        assertThat(run("server", "--config", f.toString(), "--help")).isZero();
        assertThat(out.toString()).contains("--config=FILE", "--check", "(default: 5050)");
        for (String key : ServerReload.RELOADABLE) {
            assertThat(ServerCommand.RELOADABLE_HELP).as("--help names what SIGHUP reloads").contains(key);
            assertThat(out.toString()).contains("--" + key);
        }
    }
}
