package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@code --metrics [ADDR:]PORT} on server, client and merge: parsing, usage errors, help. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MetricsOptionTest {
    private final StringWriter err = new StringWriter();
    private final StringWriter out = new StringWriter();

    private int run(String... args) {
        final CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(out, true));
        return cl.execute(args);
    }

    /** The parsed --metrics of {@code command}, without running it. */
    private static InetSocketAddress parsed(String command, String value) {
        final CommandLine cl = Main.commandLine();
        cl.parseArgs(command, "--metrics", value);
        final Object c = cl.getSubcommands().get(command).getCommand();
        if (c instanceof ServerCommand) {
            return ((ServerCommand) c).metrics.address;
        }
        if (c instanceof ClientCommand) {
            return ((ClientCommand) c).metrics.address;
        }
        return ((MergeCommand) c).metrics.address;
    }

    @ParameterizedTest
    @CsvSource({
        "server, 9400, 127.0.0.1, 9400",
        "client, 9400, 127.0.0.1, 9400",
        "merge, 9400, 127.0.0.1, 9400",
        "server, 127.0.0.1:9400, 127.0.0.1, 9400",
        "server, 0.0.0.0:0, 0.0.0.0, 0",
        "client, 0.0.0.0:9401, 0.0.0.0, 9401",
        "merge, 0, 127.0.0.1, 0",
        "server, [::1]:9400, ::1, 9400",
    })
    void addressAndPortAreParsed(String command, String value, String host, int port) throws Exception {
        final InetSocketAddress a = parsed(command, value);
        assertThat(a.getAddress()).isEqualTo(InetAddress.getByName(host));
        assertThat(a.getPort()).isEqualTo(port);
    }

    @Test
    void withoutTheOptionThereIsNoEndpoint() {
        final CommandLine cl = Main.commandLine();
        cl.parseArgs("server");
        assertThat(((ServerCommand) cl.getSubcommands().get("server").getCommand()).metrics.address).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "70000", "127.0.0.1:", ":9400", "127.0.0.1:x", "[::1", "1:2:3", "-1", ""})
    void aBadValueIsAUsageError(String value) {
        for (String command : new String[] {"server", "client", "merge"}) {
            final String[] args = command.equals("merge")
                    ? new String[] {command, "--kafka", "127.0.0.1:1", "--topic", "t", "--metrics", value}
                    : new String[] {command, "--metrics", value};
            err.getBuffer().setLength(0);
            assertThat(run(args)).as(command + " --metrics '" + value + "'").isEqualTo(2);
            assertThat(err.toString()).contains("--metrics");
        }
    }

    @Test
    void everyHelpNamesTheOption() {
        for (String command : new String[] {"server", "client", "merge"}) {
            out.getBuffer().setLength(0);
            assertThat(run(command, "--help")).isZero();
            assertThat(out.toString()).contains("--metrics=[ADDR:]PORT", "/metrics", "--metrics 940");
        }
    }

    @Test
    void aClientRunSaysWhereItServesItsMetrics() {
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        final PrintStream saved = System.err;
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        final int status;
        try {
            // No server on port 1: the client retries until its duration is over, and exits 0.
            status = run("client", "-p", "1", "-c", "1", "--duration", "300ms", "-q", "--metrics", "0");
        } finally {
            System.setErr(saved);
        }
        assertThat(status).isZero();
        assertThat(stderr.toString(StandardCharsets.UTF_8)).containsPattern(
                "client: metrics on http://127\\.0\\.0\\.1:\\d+/metrics");
    }
}
