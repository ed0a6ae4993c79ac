package dev.stampede.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.cli.Main;
import dev.stampede.server.IngestServer;
import dev.stampede.verify.FileVerifier;
import dev.stampede.verify.VerifyResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code ./stampede client}: its help, its usage errors (exit 2), a bounded run (exit 0). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClientCommandTest {
    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();
    private final StringWriter out = new StringWriter();

    private int run(String... args) {
        final var cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(out, true));
        return cl.execute(args);
    }

    @Test
    void helpStartsWithASummaryAndEndsWithExamples() {
        assertThat(run("client", "--help")).isZero();
        final String help = out.toString();
        assertThat(help.lines().findFirst().orElse("")).startsWith("Usage: stampede client");
        assertThat(help).contains("Open many connections to a server; each sends the time every 50 ms.",
                "--connections", "--phase", "--replay", "--record", "--source-addresses", "Examples:",
                "--host=HOST[:PORT][,HOST[:PORT]...]", "moves to the next server", "--host 10.0.0.1,10.0.0.2:5051",
                "--no-acks", "--unacked=DURATION", "4 KiB a connection", "--connect-timeout=DURATION",
                "--ack-timeout=DURATION");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "-c|0|--connections must be 1 to",
        "--interval|0|--interval must be 1ms to 1h",
        "--interval|50|add a unit",
        "--phase|diagonal|diagonal",
        "--port|70000|--port must be 1 to 65535",
        "--source-addresses|127.0.0.9-127.0.0.1|goes backwards",
        "--replay|24h|MiB of replay memory",
        "--host|127.0.0.1,,127.0.0.2|--host '127.0.0.1,,127.0.0.2': an empty entry",
        "--host|127.0.0.1:99999|--host '127.0.0.1:99999': the port must be a number 1 to 65535",
        "--host|[::1|--host '[::1': no closing ']'",
        "--host|127.0.0.1:5050,127.0.0.1|--host lists 127.0.0.1:5050 twice",
        "--loops|0|--loops must be 1 to the number of connections (50), not 0",
        "--loops|51|--loops must be 1 to the number of connections (50), not 51",
        "--loops|two|--loops must be auto or 1 to the number of connections (50), not 'two'",
        "--ack-timeout|1s|--ack-timeout must be at least 2s",
        "--unacked|25h|--unacked must be 0 to 24h",
        "--connect-timeout|-1s|is not a duration",
    })
    void badOptionsAreUsageErrorsThatSayWhatIsWrong(String option, String value, String message) {
        final String[] args = option.equals("--interval")
                ? new String[] {"client", option, value, "--duration", "1s"}
                : new String[] {"client", option, value, "--interval", "1ms", "--duration", "1s"};
        assertThat(run(args)).isEqualTo(2);
        assertThat(err.toString().lines().findFirst().orElse("")).contains(message);
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(strings = {"1", "2", "5", "auto"})
    void aBoundedRunExitsZero(String loops) throws Exception {
        final Path output = dir.resolve("out.txt");
        final Path record = dir.resolve("sent.txt");
        final IngestServer server = TestServers.server(0, output, line -> { });
        try {
            assertThat(run("client", "-p", String.valueOf(server.port()), "-c", "5", "--duration", "500ms",
                    "--record", record.toString(), "-q", "--loops", loops)).isZero();
        } finally {
            server.stop();
        }
        assertThat(Files.readAllLines(record)).isNotEmpty();
        assertThat(server.stats().connectionsTotal()).as("every connection once, whatever the loops").isEqualTo(5);
        final VerifyResult result = new FileVerifier(false, null).verify(output, List.of(record));
        assertThat(result.ok()).as(result.render()).isTrue();
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(strings = {"1", "2"})
    void twoHostsShareTheConnections(String loops) throws Exception {
        final IngestServer a = TestServers.server(0, dir.resolve("a.txt"), line -> { });
        final IngestServer b = TestServers.server(0, dir.resolve("b.txt"), line -> { });
        try {
            // b's port from --port: a host without one takes it.
            assertThat(run("client", "--host", "127.0.0.1:" + a.port() + ",127.0.0.1", "-p", String.valueOf(b.port()),
                    "-c", "6", "--duration", "300ms", "-q", "--loops", loops)).isZero();
        } finally {
            a.stop();
            b.stop();
        }
        assertThat(a.stats().connectionsTotal()).isEqualTo(3);
        assertThat(b.stats().connectionsTotal()).isEqualTo(3);
    }

    @Test
    void anUnwritableRecordFileExitsOne() {
        assertThat(run("client", "-c", "1", "--duration", "1s", "--record", dir.resolve("no/such/dir/x").toString()))
                .isEqualTo(1);
    }
}
