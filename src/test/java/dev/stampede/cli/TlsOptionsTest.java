package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stampede.server.ServerConfig;
import dev.stampede.testing.TestCerts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** The --tls options of server and client: parsing, what they build, usage errors, the exposure warning, help. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsOptionsTest {
    private static <T> T parsed(String command, Class<T> type, String... args) {
        final CommandLine cl = Main.commandLine();
        final List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(args));
        cl.parseArgs(all.toArray(new String[0]));
        return type.cast(cl.getSubcommands().get(command).getCommand());
    }

    @Test
    void serverTlsCertTurnsTlsOn() throws Exception {
        final ServerConfig plain = parsed("server", ServerCommand.class).config();
        assertThat(plain.tls()).isNull();
        final ServerConfig tls = parsed("server", ServerCommand.class, "--tls-cert", TestCerts.file("server.pem").toString(),
                "--tls-key", TestCerts.file("server.key").toString(), "--tls-client-ca",
                TestCerts.file("ca.pem").toString(), "--tls-handshake-timeout", "3s").config();
        assertThat(tls.tls().clientAuth()).isTrue();
        assertThat(tls.tls().handshakeTimeoutMs()).isEqualTo(3_000);
        assertThat(tls.tls().subject()).isEqualTo("CN=localhost");
    }

    @Test
    void anyClientTlsOptionTurnsTlsOn() {
        assertThat(parsed("client", ClientCommand.class).config().tls()).isNull();
        assertThat(parsed("client", ClientCommand.class, "--tls").config().tls()).isNotNull();
        assertThat(parsed("client", ClientCommand.class, "--tls-ca", TestCerts.file("ca.pem").toString()).config().tls())
                .isNotNull();
        assertThat(parsed("client", ClientCommand.class, "--tls-server-name", "ingest.example.com").config().tls()
                .serverName()).isEqualTo("ingest.example.com");
    }

    @Test
    void aBadFileIsAUsageErrorThatNamesIt() {
        final ServerCommand server = parsed("server", ServerCommand.class, "--tls-cert",
                TestCerts.file("server.pem").toString(), "--tls-key", "/nonexistent/server.key");
        assertThatThrownBy(server::config).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--tls-key /nonexistent/server.key: no such file");
        final ServerCommand half = parsed("server", ServerCommand.class, "--tls-key", TestCerts.file("server.key").toString());
        assertThatThrownBy(half::config).hasMessageContaining("TLS needs both --tls-cert FILE and --tls-key FILE");

        final StringWriter err = new StringWriter();
        final CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        final int status = cl.execute("client", "--tls-cert", TestCerts.file("client.pem").toString(), "--tls-key",
                TestCerts.file("server.key").toString());
        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("--tls-key " + TestCerts.file("server.key") + " does not match --tls-cert");
    }

    @Test
    void aNonLoopbackBindWithoutTlsIsWarnedAbout() throws Exception {
        final List<String> log = new ArrayList<>();
        ServerCommand.warnIfExposed(parsed("server", ServerCommand.class, "--bind", "0.0.0.0").config(), log::add);
        assertThat(log).singleElement().asString()
                .contains("warning: listening on 0.0.0.0:5050 without TLS")
                .contains("--tls-cert FILE --tls-key FILE").contains("--tls-client-ca");
        log.clear();
        ServerCommand.warnIfExposed(parsed("server", ServerCommand.class).config(), log::add);
        ServerCommand.warnIfExposed(parsed("server", ServerCommand.class, "--bind", "0.0.0.0", "--tls-cert",
                TestCerts.file("server.pem").toString(), "--tls-key", TestCerts.file("server.key").toString())
                .config(), log::add);
        assertThat(log).as("loopback, or TLS: nothing to warn about").isEmpty();
    }

    @Test
    void helpDescribesTheOptions() {
        final StringWriter out = new StringWriter();
        final CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.execute("server", "--help");
        assertThat(out.toString()).contains("--tls-cert=FILE", "--tls-key=FILE", "--tls-client-ca=FILE",
                "--tls-handshake-timeout=DURATION", "default: 10s");
        final StringWriter clientOut = new StringWriter();
        final CommandLine client = Main.commandLine();
        client.setOut(new PrintWriter(clientOut, true));
        client.execute("client", "--help");
        assertThat(clientOut.toString()).contains("--tls ", "--tls-ca=FILE", "--tls-server-name=NAME");
    }
}
