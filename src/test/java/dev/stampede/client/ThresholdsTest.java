package dev.stampede.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stampede.cli.Main;
import dev.stampede.server.IngestServer;
import dev.stampede.stats.ClientStats;
import dev.stampede.testing.Ports;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --max-missed}, {@code --max-errors}, {@code --max-dropped}: a client run as a CI gate (exit 99). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ThresholdsTest {
    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        final var cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        return cl.execute(args);
    }

    private static ClientStats stats(long sent, long missedDown, long errors, long replayDropped, long dropped) {
        return new ClientStats(1_000, 1_000, 10, 1, 1, sent, 0, missedDown, 0, 0, replayDropped, 0, 0, 0, errors,
                ClientStats.Lateness.NONE, ClientStats.Lateness.NONE)
                .withAcks(new ClientStats.Acks(0, 100, dropped, 0, 0, 0));
    }

    @Test
    void limitsAreCountsOrShares() {
        assertThat(Thresholds.Limit.parse("10").allows(10, 100)).isTrue();
        assertThat(Thresholds.Limit.parse("10").allows(11, 1_000_000)).isFalse();
        assertThat(Thresholds.Limit.parse("0.5%").allows(5, 1_000)).isTrue();
        assertThat(Thresholds.Limit.parse("0.5%").allows(6, 1_000)).isFalse();
        assertThat(Thresholds.Limit.parse("0%").allows(0, 0)).isTrue();
        assertThat(Thresholds.Limit.parse("0.5%")).hasToString("0.5%");
        assertThat(Thresholds.Limit.parse("1%")).hasToString("1%");
        for (String bad : new String[] {"-1", "101%", "x", "1.5", "%"}) {
            assertThatThrownBy(() -> Thresholds.Limit.parse(bad)).as(bad)
                    .hasMessageContaining("is not a count (10) or a percentage (0.5%)");
        }
    }

    @Test
    void eachBrokenLimitSaysWhatWasMeasured() {
        final Thresholds t = new Thresholds(Thresholds.Limit.parse("1%"), 0, 5);
        assertThat(t.failures(stats(990, 10, 0, 3, 2))).isEmpty();
        assertThat(t.failures(stats(900, 100, 2, 4, 3))).containsExactly(
                "missed=100 (10.0% of 1000 ticks) > --max-missed 1%",
                "errors=2 > --max-errors 0",
                "dropped_unacked+replay_dropped=7 > --max-dropped 5");
        assertThat(Thresholds.NONE.any()).isFalse();
        assertThat(Thresholds.NONE.failures(stats(0, 100, 100, 100, 100))).isEmpty();
    }

    @Test
    void aClientWhoseServerIsNotThereBreaksItsMissedLimitAndExits99() throws Exception {
        final int port = Ports.free();
        assertThat(run("client", "-p", String.valueOf(port), "-c", "2", "--interval", "10ms", "--duration", "300ms",
                "-q", "--connect-timeout", "1s", "--max-missed", "10%")).isEqualTo(99);
    }

    @Test
    void aClientWithinItsLimitsExitsZero() throws Exception {
        final IngestServer server = TestServers.server(0, dir.resolve("out.txt"), line -> { });
        try {
            assertThat(run("client", "-p", String.valueOf(server.port()), "-c", "3", "--duration", "300ms", "-q",
                    "--max-missed", "50%", "--max-errors", "0")).isZero();
        } finally {
            server.stop();
        }
    }

    @Test
    void aBadLimitIsAUsageError() {
        assertThat(run("client", "--max-missed", "lots", "--duration", "1s")).isEqualTo(2);
        assertThat(err.toString()).contains("'lots' is not a count (10) or a percentage (0.5%)");
        assertThat(run("client", "--max-errors", "-1", "--duration", "1s")).isEqualTo(2);
        assertThat(err.toString()).contains("--max-errors and --max-dropped must be 0 or more");
    }
}
